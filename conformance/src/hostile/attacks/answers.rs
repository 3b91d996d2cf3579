//! Attacks in the answers themselves: nesting, sizes, escapes, indices, framing.

use super::*;

/// A web page where etcd's JSON should be (a proxy's login page, a wrong port).
pub fn html_instead_of_json(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        let page = "<html><body>Please log in</body></html>";
        write!(
            conn.stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}",
            page.len()
        )
    })?;
    ensure!(
        format!("{e:?}").contains("InvalidJson"),
        "expected invalid JSON: {e:?}"
    );
    Ok(())
}

/// A listing nested 4,000 directories deep: refused by the decoder, since formatting,
/// cloning or comparing such a tree would overflow a thread's stack.
pub fn deep_nesting(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(
        adapter,
        "/d",
        GetOptions::default().recursive(true),
        |_, conn| {
            let depth = 4000;
            let mut body = String::from(r#"{"action":"get","node":"#);
            for _ in 0..depth {
                body.push_str(r#"{"key":"/d","dir":true,"nodes":["#);
            }
            body.push_str(r#"{"key":"/d/x","value":"v"}"#);
            for _ in 0..depth {
                body.push_str("]}");
            }
            body.push('}');
            answer(conn, "200 OK", "", &body)
        },
    )?;
    ensure!(
        matches!(e, Error::Protocol(_)),
        "expected a protocol error: {e:?}"
    );
    Ok(())
}

/// 3.9 MiB of empty child nodes (`{},` is 3 bytes, a decoded node over a hundred): refused
/// before it costs more than a small multiple of the body.
pub fn many_empty_children(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(
        adapter,
        "/d",
        GetOptions::default().recursive(true),
        |_, conn| {
            let head = r#"{"action":"get","node":{"key":"/d","dir":true,"nodes":[{}"#;
            let block = ",{}".repeat(16 * 1024);
            let blocks = (4 * MIB - 1024) / block.len();
            let tail = "]}}";
            let len = head.len() + blocks * block.len() + tail.len();
            write!(
                conn.stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Etcd-Index: 7\r\n\
             Content-Length: {len}\r\n\r\n{head}"
            )?;
            for _ in 0..blocks {
                conn.stream.write_all(block.as_bytes())?;
            }
            conn.stream.write_all(tail.as_bytes())
        },
    )?;
    ensure!(
        matches!(e, Error::Protocol(_)),
        "expected a protocol error: {e:?}"
    );
    Ok(())
}

/// An etcd error whose message forges log lines (newline, ANSI escapes) and runs to 1 MiB:
/// shown escaped and cut, kept whole as data.
pub fn error_message_with_escapes(adapter: Adapter) -> Result<(), String> {
    let cause = "c".repeat(MIB);
    let body = format!(
        r#"{{"errorCode":100,"message":"Key not found\n\u001b[31mERROR forged line","cause":"{cause}","index":7}}"#
    );
    let server = HostileServer::start(move |_, conn| answer(conn, "404 Not Found", "", &body))
        .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let e = fails_within(deadline(), || sut.get("/a", GetOptions::default()))?;
    let etcd = e
        .etcd()
        .ok_or_else(|| format!("expected an etcd error: {e:?}"))?;
    ensure_eq!(etcd.cause.len(), MIB, "the cause kept as data");
    let shown = e.to_string();
    ensure!(
        !shown.chars().any(char::is_control),
        "control characters in {shown:?}"
    );
    ensure!(shown.len() < 4096, "the error shows {} bytes", shown.len());
    Ok(())
}

/// A watch that answers index 101, then 91: the second is refused.
pub fn watch_index_goes_back(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|seen, conn| {
        // The start (HEAD, index 7), then 101 for the wait from 8, then 91 for the one from 102.
        let line = seen.request_line();
        let index = match line {
            _ if line.starts_with("HEAD ") => return answer(conn, "200 OK", "", ""),
            _ if line.contains("waitIndex=8 ") => 101,
            _ => 91,
        };
        answer(
            conn,
            "200 OK",
            "",
            &node_json("/a", index).replace("\"get\"", "\"set\""),
        )
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let mut watcher = sut
        .watch("/a", WatchOptions::default())
        .map_err(|e| e.to_string())?;
    let first = watcher.next_within(deadline()).ok_or("no first event")?;
    ensure!(first.is_ok(), "the first event: {first:?}");
    let second = watcher.next_within(deadline()).ok_or("no second answer")?;
    ensure!(
        matches!(&second, Err(Error::Protocol(_))),
        "an event at 91 after 101: {second:?}"
    );
    Ok(())
}

/// A key too long for any server's request line: a usage error, nothing sent.
pub fn key_too_long(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(ok_answer).map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let key = format!("/{}", "k".repeat(100 * 1024));
    let e = fails_within(deadline(), || sut.set(&key, "v", SetOptions::default()))?;
    ensure!(
        matches!(e, Error::Usage(_)),
        "expected a usage error: {e:?}"
    );
    ensure_eq!(server.seen().len(), 0, "requests sent");
    Ok(())
}

/// A PUT without a body says `Content-Length: 0` (as Go does; proxies need it), and every
/// request names this library in `User-Agent`.
pub fn bodyless_put_is_framed_and_named(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(ok_answer).map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    sut.set("/d", "", SetOptions::default().dir(true))
        .map_err(|e| format!("mkdir: {e:?}"))?;
    let seen = server.seen();
    let put = seen.first().ok_or("nothing sent")?;
    ensure!(put.request_line().starts_with("PUT "), "{}", put.head);
    ensure_eq!(put.header("content-length"), Some("0"), "Content-Length");
    ensure_eq!(put.header("transfer-encoding"), None, "Transfer-Encoding");
    let agent = put.header("user-agent").unwrap_or_default();
    ensure!(agent.starts_with("etcd-v2-rs/"), "User-Agent: {agent:?}");
    Ok(())
}
