//! Attacks through redirects: other origins, bad ports, userinfo, odd spellings.

use super::*;

/// `add_user` and `change_password` redirected to another origin: the password in the body
/// must not go there.
pub fn secret_redirected_to_another_origin(adapter: Adapter) -> Result<(), String> {
    let thief = HostileServer::start(ok_answer).map_err(|e| e.to_string())?;
    let to = thief.url();
    let server = HostileServer::start(move |seen, conn| {
        let path = seen.request_line().split(' ').nth(1).unwrap_or("/");
        answer(
            conn,
            "307 Temporary Redirect",
            &format!("Location: {to}{path}\r\n"),
            "",
        )
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    fails_within(deadline(), || sut.add_user("alice", "s3cret-one"))?;
    fails_within(deadline(), || sut.change_password("alice", "s3cret-two"))?;
    let leaked: Vec<Seen> = thief.seen();
    ensure!(
        leaked.is_empty(),
        "the other origin got {} requests: {:?}",
        leaked.len(),
        leaked.iter().map(Seen::request_line).collect::<Vec<_>>()
    );
    ensure_eq!(server.seen().len(), 2, "requests to the member");
    Ok(())
}

/// A `Location` whose port does not exist (`:99999`): refused, not dialled as port 80.
pub fn location_port_out_of_range(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        let to = "Location: http://127.0.0.1:99999/v2/keys/a\r\n";
        answer(conn, "307 Temporary Redirect", to, "")
    })?;
    ensure!(
        !format!("{e:?}").contains("Connect"),
        "a port out of range was dialled: {e:?}"
    );
    Ok(())
}

/// A `Location` with userinfo: never turned into a `Host` or `Authorization` header.
pub fn location_with_userinfo(adapter: Adapter) -> Result<(), String> {
    let target = HostileServer::start(ok_answer).map_err(|e| e.to_string())?;
    let to = format!(
        "Location: http://mallory:pw@{}/v2/keys/a\r\n",
        target.authority()
    );
    let server =
        HostileServer::start(move |_, conn| answer(conn, "307 Temporary Redirect", &to, ""))
            .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let _ = sut.get("/a", GetOptions::default());
    for seen in target.seen() {
        ensure!(
            seen.header("authorization").is_none()
                && !seen.header("host").unwrap_or_default().contains('@'),
            "userinfo of a Location became a header: {}",
            seen.head
        );
    }
    Ok(())
}

/// `Location: ../x` is resolved (RFC 3986), not sent as `/v2/keys/a/../x`.
pub fn location_with_dot_segments(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|seen, conn| {
        if seen.request_line().starts_with("GET /v2/keys/a/b") {
            answer(conn, "307 Temporary Redirect", "Location: ../x\r\n", "")
        } else {
            answer(conn, "200 OK", "", &node_json("/x", 7))
        }
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    sut.get("/a/b", GetOptions::default())
        .map_err(|e| format!("following ../x: {e:?}"))?;
    let lines: Vec<String> = server
        .seen()
        .iter()
        .map(|s| s.request_line().to_owned())
        .collect();
    ensure!(
        lines.len() == 2 && lines[1].starts_with("GET /v2/keys/x"),
        "requests: {lines:?}"
    );
    Ok(())
}

/// `HTTP://` is the same scheme as `http://`.
pub fn location_with_upper_case_scheme(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|seen, conn| {
        if seen.request_line().starts_with("GET /v2/keys/a") {
            let addr = seen.header("host").unwrap_or_default().to_owned();
            answer(
                conn,
                "307 Temporary Redirect",
                &format!("Location: HTTP://{addr}/v2/keys/y\r\n"),
                "",
            )
        } else {
            answer(conn, "200 OK", "", &node_json("/y", 7))
        }
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    sut.get("/a", GetOptions::default())
        .map_err(|e| format!("following HTTP://: {e:?}"))?;
    Ok(())
}
