//! One client connection: requests in order, each answered by one fake member on real time
//!
//! The clock is `Instant::now()` at each request. A watch with no event yet gets its head at
//! once, as etcd flushes it (not over HTTP/1.0), and its body later as one chunk. It waits
//! without holding the cluster, for a write by another connection or for the next TTL expiry,
//! and ends early when the client goes away or the server stops.

use std::io::{BufReader, ErrorKind};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use etcd_v2_proto::body::Body;
use http::{Method, Request, Response, Version};

use super::http1::{self, ReadError};
use super::shared::Shared;
use crate::{FakeReply, WatcherId};

/// How often a waiting watch (or a stalled answer) checks that its client is still there.
const CLIENT_CHECK: Duration = Duration::from_millis(250);

/// What to do with one request.
enum Answer {
    /// Answer now.
    Now(Response<Body>),
    /// A watch waiting for its event: send this head now, the event later.
    Watch(WatcherId, Response<Body>),
    /// Never answer (a stalled member).
    Never,
    /// Close the connection without an answer (a down member, or one that drops it).
    Close,
}

/// Serves the requests of one connection to member `member` until it closes.
pub(crate) fn serve(shared: &Shared, member: usize, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let Ok(probe) = stream.try_clone() else {
        return;
    };
    let mut conn = BufReader::new(stream);
    loop {
        let incoming = match http1::read_request(&mut conn) {
            Ok(incoming) => incoming,
            Err(ReadError::Closed) => return,
            Err(ReadError::Refused(status, reason)) => {
                let refusal = http1::refusal(status, reason);
                let _ = http1::write_response(conn.get_mut(), &refusal, false, true);
                return;
            }
        };
        if shared.stopping() {
            return;
        }
        let request = &incoming.request;
        let keep_alive = incoming.keep_alive;
        let head_only = request.method() == Method::HEAD;
        let out = conn.get_mut();
        let written = match answer(shared, member, request) {
            Answer::Now(response) => http1::write_response(out, &response, head_only, !keep_alive),
            // HTTP/1.0 has no chunks: the whole answer goes out once the event came.
            Answer::Watch(id, head) if request.version() == Version::HTTP_10 => {
                let Some(body) = wait_for_event(shared, id, &probe) else {
                    return;
                };
                let response = head.map(|_| Body::from(body));
                http1::write_response(out, &response, false, !keep_alive)
            }
            Answer::Watch(id, head) => match http1::write_chunked_head(out, &head) {
                Ok(()) => match wait_for_event(shared, id, &probe) {
                    Some(body) => http1::write_last_chunk(out, &body),
                    None => return,
                },
                Err(e) => {
                    shared.cluster().cancel_watch(id);
                    Err(e)
                }
            },
            Answer::Never => return hold(shared, &probe),
            Answer::Close => return,
        };
        if written.is_err() || !keep_alive {
            return;
        }
    }
}

/// Serves `request` at `member` now; wakes waiting watches afterwards (a write, or an expiry
/// the request's clock triggered, may be theirs).
fn answer(shared: &Shared, member: usize, request: &Request<bytes::Bytes>) -> Answer {
    let mut cluster = shared.cluster();
    let answer = match cluster.member(member).handle(Instant::now(), request) {
        FakeReply::Response(response) => Answer::Now(response),
        FakeReply::Pending(id) => match cluster.watch_head(id) {
            Some(head) => Answer::Watch(id, head),
            None => Answer::Close,
        },
        FakeReply::Stalled => Answer::Never,
        FakeReply::Fail(_) => Answer::Close,
    };
    drop(cluster);
    shared.notify();
    answer
}

/// The body of a pending watch's answer once its event came; `None` (the watch cancelled)
/// if the client went away or the server stops first.
fn wait_for_event(shared: &Shared, id: WatcherId, probe: &TcpStream) -> Option<Vec<u8>> {
    let mut cluster = shared.cluster();
    loop {
        let index = cluster.store.index();
        let now = Instant::now();
        if let Some(response) = cluster.poll_watch(id, now) {
            return Some(response.into_body().into_bytes().to_vec());
        }
        if cluster.store.index() != index {
            // Expiries happened on this clock reading: other watches may want them.
            shared.notify();
        }
        if shared.stopping() || client_gone(probe) {
            cluster.cancel_watch(id);
            return None;
        }
        let until_expiry = cluster
            .store
            .next_expiry()
            .map_or(CLIENT_CHECK, |at| at.saturating_duration_since(now));
        cluster = shared.wait(cluster, until_expiry.min(CLIENT_CHECK));
    }
}

/// Keeps a stalled exchange open, unanswered, until the client gives up or the server stops.
fn hold(shared: &Shared, probe: &TcpStream) {
    let mut cluster = shared.cluster();
    while !shared.stopping() && !client_gone(probe) {
        cluster = shared.wait(cluster, CLIENT_CHECK);
    }
}

/// Whether the client closed its end (or the connection broke), without consuming anything it
/// sent.
fn client_gone(probe: &TcpStream) -> bool {
    if probe.set_nonblocking(true).is_err() {
        return true;
    }
    let gone = match probe.peek(&mut [0; 1]) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != ErrorKind::WouldBlock,
    };
    probe.set_nonblocking(false).is_err() || gone
}
