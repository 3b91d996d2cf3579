//! Edge cases that a real etcd cannot produce, against tiny in-process fake HTTP servers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use etcd_v2_blocking::proto::{Cluster, Op, Step, Task, call};
use etcd_v2_blocking::{
    Api, AttemptFailure, Client, Config, DeleteOptions, Error, GetOptions, ProtocolError,
    SetOptions, Transport, TransportFailure, UreqTransport,
};

/// A fake server: every connection is handled on its own thread by `respond`, which gets the
/// request line and the stream. Returns the base URL and the number of requests read.
fn serve(
    respond: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let respond = Arc::new(respond);
    let counter = Arc::clone(&hits);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let (respond, counter) = (Arc::clone(&respond), Arc::clone(&counter));
            thread::spawn(move || {
                // Keep-alive: answer requests on this connection until it closes.
                while let Some(line) = read_request(&mut stream) {
                    counter.fetch_add(1, Ordering::SeqCst);
                    respond(&line, &mut stream);
                }
            });
        }
    });
    (url, hits)
}

/// Reads one request (head and `Content-Length` body); returns its request line.
fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).ok()? == 0 {
        return None;
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(request_line.trim_end().to_owned())
}

fn reply(stream: &mut TcpStream, status: &str, headers: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn stall(_: &str, _: &mut TcpStream) {
    thread::sleep(Duration::from_secs(600));
}

fn hang_up(_: &str, stream: &mut TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn etcd_ok(_: &str, stream: &mut TcpStream) {
    let body = br#"{"action":"get","node":{"key":"/foo","value":"bar","modifiedIndex":3,"createdIndex":3}}"#;
    reply(
        stream,
        "200 OK",
        "Content-Type: application/json\r\nX-Etcd-Index: 3\r\n",
        body,
    );
}

/// A client whose first endpoint (after the shuffle) is `first`.
fn client_starting_at(config: Config, first: &str) -> Client {
    (0..64)
        .map(|seed| Client::new(config.clone().seed(seed)).unwrap())
        .find(|c| c.endpoints()[0] == first)
        .expect("some seed puts `first` first")
}

#[test]
fn stalled_endpoints_give_header_timeouts_then_cluster_error() {
    let (a, _) = serve(stall);
    let (b, _) = serve(stall);
    let config =
        Config::new([a.as_str(), b.as_str()]).header_timeout(Some(Duration::from_millis(200)));
    let client = Client::new(config).unwrap();
    let order = client.endpoints();
    let started = Instant::now();
    let err = client.get("/foo", GetOptions::default()).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    let Error::Cluster(cluster) = err else {
        panic!("expected a cluster error, got {err:?}")
    };
    let expected: Vec<_> = order
        .iter()
        .map(|e| {
            (
                e.clone(),
                AttemptFailure::HeaderTimeout {
                    endpoint: e.clone(),
                },
            )
        })
        .collect();
    assert_eq!(cluster.failures, expected);
}

#[test]
fn stalled_create_is_outcome_unknown() {
    let (a, hits) = serve(stall);
    let config = Config::new([a.as_str()]).header_timeout(Some(Duration::from_millis(200)));
    let err = Client::new(config)
        .unwrap()
        .create("/foo", "bar")
        .unwrap_err();
    let Error::OutcomeUnknown(unknown) = err else {
        panic!("got {err:?}")
    };
    let (endpoint, failure) = (unknown.endpoint, unknown.failure);
    assert_eq!(endpoint, a);
    assert_eq!(failure, AttemptFailure::HeaderTimeout { endpoint: a });
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[test]
fn html_answer_is_invalid_json() {
    let (a, _) = serve(|_, s| {
        reply(
            s,
            "200 OK",
            "Content-Type: text/html\r\n",
            b"<html><body>hi</body></html>",
        )
    });
    let err = Client::new(Config::new([a.as_str()]))
        .unwrap()
        .get("/foo", GetOptions::default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol(ProtocolError::InvalidJson { status: 200, .. })
        ),
        "got {err:?}"
    );
}

#[test]
fn body_over_max_body_bytes_ends_the_call() {
    // The adapter stops reading at the cap and reports `TransportFailure::BodyTooLarge`; the
    // member did answer, so the core ends the call with `ProtocolError::BodyTooLarge`.
    let (a, hits) = serve(|_, s| reply(s, "200 OK", "X-Etcd-Index: 3\r\n", &[b'x'; 4096]));
    let config = Config::new([a.as_str()]).max_body_bytes(1000);
    let err = Client::new(config)
        .unwrap()
        .get("/foo", GetOptions::default())
        .unwrap_err();
    assert_eq!(
        err,
        Error::Protocol(etcd_v2_blocking::ProtocolError::BodyTooLarge { limit: 1000 })
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let _ = a;
}

#[test]
fn endless_redirect_loop_stops_after_eleven_requests() {
    let (a, hits) = serve(|line, s| {
        let target = line.split(' ').nth(1).unwrap_or("/");
        reply(
            s,
            "307 Temporary Redirect",
            &format!("Location: {target}\r\n"),
            b"",
        );
    });
    let client = Client::new(Config::new([a.as_str()])).unwrap();
    let err = client
        .set("/foo", "bar", &SetOptions::default())
        .unwrap_err();
    let Error::Cluster(cluster) = err else {
        panic!("got {err:?}")
    };
    assert_eq!(cluster.failures, [(a, AttemptFailure::TooManyRedirects)]);
    assert_eq!(hits.load(Ordering::SeqCst), 11);
}

#[test]
fn delete_hung_up_on_is_outcome_unknown_and_not_resent() {
    let (a, hits_a) = serve(hang_up);
    let (b, hits_b) = serve(hang_up);
    let client = Client::new(Config::new([a.as_str(), b.as_str()])).unwrap();
    let first = client.endpoints()[0].clone();
    let err = client
        .delete("/foo", &DeleteOptions::default())
        .unwrap_err();
    let Error::OutcomeUnknown(unknown) = err else {
        panic!("got {err:?}")
    };
    let (endpoint, failure) = (unknown.endpoint, unknown.failure);
    assert_eq!(endpoint, first);
    assert!(
        matches!(failure, AttemptFailure::Transport(TransportFailure::Io(_))),
        "got {failure:?}"
    );
    assert_eq!(
        hits_a.load(Ordering::SeqCst) + hits_b.load(Ordering::SeqCst),
        1
    );
}

#[test]
fn get_hung_up_on_fails_over() {
    let (a, hits_a) = serve(hang_up);
    let (b, hits_b) = serve(etcd_ok);
    let client = client_starting_at(Config::new([a.as_str(), b.as_str()]), &a);
    let resp = client.get("/foo", GetOptions::default()).unwrap();
    assert_eq!(resp.node.unwrap().value.as_deref(), Some("bar"));
    assert_eq!(
        (hits_a.load(Ordering::SeqCst), hits_b.load(Ordering::SeqCst)),
        (1, 1)
    );
}

#[test]
fn refused_connection_is_connect_failure() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let request = http::Request::get(format!("http://127.0.0.1:{port}/v2/keys/foo"))
        .body(Bytes::new())
        .unwrap();
    let failure = UreqTransport::new()
        .send(request, None, None, 1024)
        .unwrap_err();
    assert!(
        matches!(failure, TransportFailure::Connect(_)),
        "got {failure:?}"
    );
}

#[test]
fn passed_deadline_times_out_without_sending() {
    let (a, hits) = serve(etcd_ok);
    let request = http::Request::get(format!("{a}/v2/keys/foo"))
        .body(Bytes::new())
        .unwrap();
    let failure = UreqTransport::new()
        .send(request, Some(Instant::now()), Some(Instant::now()), 1024)
        .unwrap_err();
    assert_eq!(failure, TransportFailure::Timeout);
    thread::sleep(Duration::from_millis(50));
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[test]
fn curl_line_never_shows_the_password() {
    let config = Config::new(["http://127.0.0.1:2379"])
        .credentials("root", "s3cret")
        .curl_debug(true);
    let mut cluster = Cluster::new(config).unwrap();
    let mut op =
        Op::new(call::keys::set("/v2/keys", "/foo", "bar", &SetOptions::default()).unwrap());
    let Step::Send(t) = op.poll(Instant::now(), &mut cluster) else {
        panic!("expected a send")
    };
    let line = t.curl.expect("curl debug is on");
    assert!(
        line.starts_with("cURL Command: curl -X PUT http://127.0.0.1:2379/v2/keys/foo"),
        "{line}"
    );
    // "cm9vdDpzM2NyZXQ=" is base64("root:s3cret"), the Basic token.
    assert!(
        !line.contains("s3cret") && !line.contains("cm9vdDpzM2NyZXQ="),
        "{line}"
    );
    assert!(
        t.request
            .headers()
            .contains_key(http::header::AUTHORIZATION)
    );
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connect to it
/// never completes, like one to a powered-off host (nothing can be sent). Holds the listener
/// and the sockets that filled its queue.
struct NeverConnects {
    url: String,
    _listener: TcpListener,
    _held: Vec<TcpStream>,
}

impl NeverConnects {
    fn new() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut held = Vec::new();
        while held.len() < 4096 {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(s) => held.push(s),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    return Self {
                        url: format!("http://{addr}"),
                        _listener: listener,
                        _held: held,
                    };
                }
                Err(e) => panic!("filling the accept queue: {e}"),
            }
        }
        panic!("the kernel kept accepting connections: cannot make a hanging connect")
    }
}

#[test]
fn connect_that_never_completes_is_connect_failure_and_a_create_fails_over() {
    const HEADER_TIMEOUT: Duration = Duration::from_millis(300);
    let hole = NeverConnects::new();
    let (b, hits_b) = serve(|_, s| {
        let body = br#"{"action":"create","node":{"key":"/foo","value":"bar","modifiedIndex":4,"createdIndex":4}}"#;
        reply(
            s,
            "201 Created",
            "Content-Type: application/json\r\nX-Etcd-Index: 4\r\n",
            body,
        );
    });
    let config = Config::new([hole.url.as_str(), b.as_str()]).header_timeout(Some(HEADER_TIMEOUT));
    let client = client_starting_at(config, &hole.url);
    // The create was never sent to the first endpoint: the core may try the second one.
    let started = Instant::now();
    let resp = client.create("/foo", "bar").unwrap();
    let took = started.elapsed();
    assert!(
        took >= HEADER_TIMEOUT - Duration::from_millis(20) && took < Duration::from_secs(3),
        "took {took:?}"
    );
    assert_eq!(resp.node.unwrap().value.as_deref(), Some("bar"));
    assert_eq!(hits_b.load(Ordering::SeqCst), 1);

    client.set_endpoints(&[&hole.url]).unwrap();
    let err = client.get("/foo", GetOptions::default()).unwrap_err();
    let Error::Cluster(cluster) = err else {
        panic!("expected a cluster error, got {err:?}")
    };
    assert!(
        matches!(
            &cluster.failures[..],
            [(e, AttemptFailure::Transport(TransportFailure::Connect(_)))] if *e == hole.url
        ),
        "got {:?}",
        cluster.failures
    );
}

const WATCH_EVENT: &[u8] =
    br#"{"action":"set","node":{"key":"/foo","value":"bar","modifiedIndex":7,"createdIndex":7}}"#;

fn watch_event(_: &str, stream: &mut TcpStream) {
    let headers = "Content-Type: application/json\r\nX-Etcd-Index: 7\r\n";
    reply(stream, "200 OK", headers, WATCH_EVENT);
}

#[test]
fn a_watch_fails_over_from_a_member_that_sends_no_headers() {
    let (hole, hits_hole) = serve(stall);
    let (b, hits_b) = serve(watch_event);
    let config =
        Config::new([hole.as_str(), b.as_str()]).header_timeout(Some(Duration::from_millis(200)));
    let client = client_starting_at(config, &hole);
    let mut watcher = client
        .watcher(
            "/foo",
            etcd_v2_blocking::WatchOptions::default().after_index(2),
        )
        .unwrap();
    let started = Instant::now();
    let event = watcher.next().unwrap().unwrap();
    let took = started.elapsed();
    assert_eq!(event.node.unwrap().modified_index, 7);
    assert!(
        took >= Duration::from_millis(180) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!(
        (
            hits_hole.load(Ordering::SeqCst),
            hits_b.load(Ordering::SeqCst)
        ),
        (1, 1)
    );
}

#[test]
fn a_watch_body_may_come_long_after_its_headers() {
    // etcd sends a watch's headers at once and its body when an event happens: only the
    // headers are bound by the header timeout.
    let (a, hits) = serve(|_, stream| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Etcd-Index: 7\r\nContent-Length: {}\r\n\r\n",
            WATCH_EVENT.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.flush();
        thread::sleep(Duration::from_millis(700));
        let _ = stream.write_all(WATCH_EVENT);
    });
    let config = Config::new([a.as_str()]).header_timeout(Some(Duration::from_millis(200)));
    let client = Client::new(config).unwrap();
    let mut watcher = client
        .watcher(
            "/foo",
            etcd_v2_blocking::WatchOptions::default().after_index(2),
        )
        .unwrap();
    let started = Instant::now();
    let event = watcher.next().unwrap().unwrap();
    assert!(started.elapsed() >= Duration::from_millis(650));
    assert_eq!(event.node.unwrap().modified_index, 7);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}
