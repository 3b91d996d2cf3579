//! Members that answer, but not as etcd would: HTML, too much body, endless redirects; and
//! a healthy member, whose connection is kept alive.

use std::io::Write;
use std::time::Duration;

use etcd_v2_proto::{
    Api, AttemptFailure, ClusterError, Error, GetOptions, ProtocolError, SetOptions,
};

use super::{VALUE, answer, client_in_order, healthy, server};
use crate::sut::Adapter;

/// A web page where JSON should be: `InvalidJson` with the status; the request was in
/// origin form with a `Host` header.
pub(super) fn html_answer_is_invalid_json(adapter: Adapter) -> Result<(), String> {
    let a = server(|_, conn| answer(conn, "200 OK", "text/html", "<html><body>hi</body></html>"))?;
    let sut = client_in_order(adapter, &[&a.url()], |c| c)?;
    let err = sut
        .get("/foo", GetOptions::default())
        .err()
        .ok_or("the get succeeded")?;
    ensure!(
        matches!(
            err,
            Error::Protocol(ProtocolError::InvalidJson { status: 200, .. })
        ),
        "{err:?}"
    );
    let seen = a.seen();
    let request = seen.first().ok_or("no request read")?;
    let line = request.request_line();
    ensure!(line.starts_with("GET /v2/keys/foo?"), "{line}");
    ensure_eq!(
        request.header("host"),
        Some(a.authority()),
        "the Host header"
    );
    Ok(())
}

/// A body over `max_body_bytes`: `BodyTooLarge`; the member did answer, so the call ends
/// there (no failover to the next one).
pub(super) fn body_over_the_cap_ends_the_call(adapter: Adapter) -> Result<(), String> {
    let a = server(|_, conn| answer(conn, "200 OK", "application/json", &"x".repeat(1000)))?;
    let b = healthy()?;
    let sut = client_in_order(adapter, &[&a.url(), &b.url()], |c| c.max_body_bytes(100))?;
    let got = sut.get("/foo", GetOptions::default());
    let expected = Error::Protocol(ProtocolError::BodyTooLarge { limit: 100 });
    ensure_eq!(got, Err(expected), "the get");
    ensure_eq!((a.hits(), b.hits()), (1, 0), "requests per member");
    Ok(())
}

/// A member that redirects every request to itself: `TooManyRedirects` after eleven
/// requests, for a read and for a write.
pub(super) fn endless_redirects_stop_after_eleven_requests(adapter: Adapter) -> Result<(), String> {
    let a = server(|seen, conn| {
        let target = seen.request_line().split(' ').nth(1).unwrap_or("/");
        write!(
            conn.stream,
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}\r\nContent-Length: 0\r\n\r\n"
        )
    })?;
    let sut = client_in_order(adapter, &[&a.url()], |c| c)?;
    let expected = || {
        let failures = vec![(a.url(), AttemptFailure::TooManyRedirects)];
        Err(Error::Cluster(ClusterError { failures }))
    };
    let got = sut.get("/foo", GetOptions::default()).map(|_| ());
    ensure_eq!(got, expected(), "the get");
    ensure_eq!(a.hits(), 11, "requests for the get");
    let got = sut.set("/foo", VALUE, SetOptions::default()).map(|_| ());
    ensure_eq!(got, expected(), "the set");
    ensure_eq!(a.hits(), 22, "requests for both");
    Ok(())
}

/// Three gets from a healthy member share one kept-alive connection. Each waits a moment
/// first: hyper's connection task hands the connection back to the pool, and a call made at
/// once may race it and open a second one.
pub(super) fn three_calls_reuse_one_connection(adapter: Adapter) -> Result<(), String> {
    let a = healthy()?;
    let sut = client_in_order(adapter, &[&a.url()], |c| c)?;
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(50));
        let got = sut
            .get("/foo", GetOptions::default())
            .map_err(|e| e.to_string())?;
        ensure_eq!(got.index, 7, "the index");
        ensure_eq!(
            got.node.and_then(|n| n.value).as_deref(),
            Some(VALUE),
            "the value"
        );
    }
    ensure_eq!(a.hits(), 3, "requests");
    ensure_eq!(a.connections(), 1, "connections");
    Ok(())
}
