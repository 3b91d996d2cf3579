//! Edge cases real etcd cannot produce, against a tiny in-process fake HTTP server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use etcd_v2_tokio::{
    Api, AttemptFailure, Client, ClusterError, Config, DeleteOptions, Error, GetOptions,
    ProtocolError, TransportFailure, WatchOptions,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the fake server does with each request it reads.
#[derive(Clone)]
enum Behavior {
    /// Never answers, keeps the connection open.
    Stall,
    /// Closes the connection right after reading the request.
    Close,
    /// Writes this raw HTTP response (connection kept alive).
    Reply(String),
    /// Writes the first part (a response head), waits, then writes the second (its body).
    Split(String, Duration, String),
}

struct Fake {
    url: String,
    hits: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
}

impl Fake {
    async fn start(behavior: Behavior) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let (counter, accepted) = (Arc::clone(&hits), Arc::clone(&connections));
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                accepted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, behavior.clone(), Arc::clone(&counter)));
            }
        });
        Self {
            url,
            hits,
            connections,
        }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve(mut stream: TcpStream, behavior: Behavior, hits: Arc<AtomicUsize>) {
    let mut buf = Vec::new();
    loop {
        // Read one request: head, then a Content-Length body.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let body_len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        while buf.len() < head_end + body_len {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + body_len);
        hits.fetch_add(1, Ordering::SeqCst);
        match &behavior {
            Behavior::Stall => std::future::pending::<()>().await,
            Behavior::Close => return,
            Behavior::Reply(raw) => stream.write_all(raw.as_bytes()).await.unwrap(),
            Behavior::Split(head, after, body) => {
                stream.write_all(head.as_bytes()).await.unwrap();
                tokio::time::sleep(*after).await;
                stream.write_all(body.as_bytes()).await.unwrap();
            }
        }
    }
}

fn reply(status: &str, content_type: &str, body: &str) -> Behavior {
    Behavior::Reply(format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nX-Etcd-Index: 7\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ))
}

fn etcd_ok() -> Behavior {
    reply(
        "200 OK",
        "application/json",
        r#"{"action":"get","node":{"key":"/foo","value":"bar","modifiedIndex":7,"createdIndex":7}}"#,
    )
}

/// A client whose endpoints are tried in exactly this order (the list is shuffled by seed).
fn client_in_order(urls: &[&str], config: impl Fn(Config) -> Config) -> Client {
    (0..1000)
        .map(|seed| Client::new(config(Config::new(urls.iter().copied()).seed(seed))).unwrap())
        .find(|c| c.endpoints() == urls)
        .expect("a seed that keeps the order")
}

fn header_timeout(t: u64) -> impl Fn(Config) -> Config {
    move |c| c.header_timeout(Some(Duration::from_millis(t)))
}

#[test]
fn client_is_send_sync_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    fn check_send<T: Send>(_: &T) {}
    check::<Client>();
    let client = Client::new(Config::new(["http://127.0.0.1:1"])).unwrap();
    check_send(&client.get("/foo", GetOptions::default()));
    check_send(&client.watcher("/foo", WatchOptions::default()).unwrap());
}

#[test]
fn a_client_made_outside_a_runtime_works_in_one_and_reuses_its_connection() {
    let client = Client::new(Config::new(["http://127.0.0.1:1"])).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let a = Fake::start(etcd_ok()).await;
        client.set_endpoints(&[&a.url]).unwrap();
        for _ in 0..3 {
            let resp = client.get("/foo", GetOptions::default()).await.unwrap();
            assert_eq!(resp.node.and_then(|n| n.value).as_deref(), Some("bar"));
        }
        assert_eq!(a.hits(), 3);
        assert_eq!(
            a.connections(),
            1,
            "one keep-alive connection for the three calls"
        );
    });
}

/// Deadlines are watched by one thread for the whole process, not by a runtime: a call on a
/// runtime made after the first one is gone still gives up at its header timeout.
#[test]
fn a_header_timeout_still_fires_on_a_new_runtime_once_the_first_is_gone() {
    let config =
        Config::new(["http://127.0.0.1:1"]).header_timeout(Some(Duration::from_millis(200)));
    let client = Client::new(config).unwrap();
    for _ in 0..2 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let a = Fake::start(Behavior::Stall).await;
            client.set_endpoints(&[&a.url]).unwrap();
            let started = Instant::now();
            let call = client.get("/foo", GetOptions::default());
            let outcome = tokio::time::timeout(Duration::from_secs(5), call).await;
            let err = outcome.expect("the header timeout fired").unwrap_err();
            let Error::Cluster(ClusterError { failures }) = err else {
                panic!("{err:?}")
            };
            assert!(
                matches!(failures[..], [(_, AttemptFailure::HeaderTimeout { .. })]),
                "{failures:?}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{:?}",
                started.elapsed()
            );
        });
        drop(runtime);
    }
}

#[tokio::test]
async fn stalled_endpoints_give_header_timeout_each() {
    let (a, b) = (
        Fake::start(Behavior::Stall).await,
        Fake::start(Behavior::Stall).await,
    );
    let client = client_in_order(&[&a.url, &b.url], header_timeout(200));
    let started = Instant::now();
    let err = client.get("/foo", GetOptions::default()).await.unwrap_err();
    let Error::Cluster(ClusterError { failures }) = err else {
        panic!("{err:?}")
    };
    let expected: Vec<_> = [&a.url, &b.url]
        .iter()
        .map(|u| {
            (
                (*u).clone(),
                AttemptFailure::HeaderTimeout {
                    endpoint: (*u).clone(),
                },
            )
        })
        .collect();
    assert_eq!(failures, expected);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!((a.hits(), b.hits()), (1, 1));
}

#[tokio::test]
async fn create_on_stalled_endpoint_is_outcome_unknown() {
    let a = Fake::start(Behavior::Stall).await;
    let client = client_in_order(&[&a.url], header_timeout(200));
    let err = client.create("/foo", "bar").await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(a.hits(), 1);
}

#[tokio::test]
async fn html_answer_is_invalid_json() {
    let a = Fake::start(reply(
        "200 OK",
        "text/html",
        "<html><body>hello</body></html>",
    ))
    .await;
    let client = client_in_order(&[&a.url], |c| c);
    let err = client.get("/foo", GetOptions::default()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol(ProtocolError::InvalidJson { status: 200, .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn body_over_the_cap_is_body_too_large() {
    let a = Fake::start(reply("200 OK", "application/json", &"x".repeat(1000))).await;
    let client = client_in_order(&[&a.url], |c| c.max_body_bytes(100));
    let err = client.get("/foo", GetOptions::default()).await.unwrap_err();
    // The member answered: the call ends there, no failover.
    assert_eq!(
        err,
        Error::Protocol(etcd_v2_tokio::ProtocolError::BodyTooLarge { limit: 100 })
    );
}

#[tokio::test]
async fn endless_redirects_stop_after_eleven_requests() {
    let raw =
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: /v2/keys/foo\r\nContent-Length: 0\r\n\r\n";
    let a = Fake::start(Behavior::Reply(raw.into())).await;
    let client = client_in_order(&[&a.url], |c| c);
    let err = client.get("/foo", GetOptions::default()).await.unwrap_err();
    let expected = ClusterError {
        failures: vec![(a.url.clone(), AttemptFailure::TooManyRedirects)],
    };
    assert_eq!(err, Error::Cluster(expected));
    assert_eq!(a.hits(), 11);
}

#[tokio::test]
async fn delete_on_closed_connection_is_outcome_unknown_and_sent_once() {
    let (a, b) = (
        Fake::start(Behavior::Close).await,
        Fake::start(etcd_ok()).await,
    );
    let client = client_in_order(&[&a.url, &b.url], |c| c);
    let err = client
        .delete("/foo", &DeleteOptions::default())
        .await
        .unwrap_err();
    let Some(unknown) = err.outcome_unknown() else {
        panic!("{err:?}")
    };
    let (endpoint, failure) = (&unknown.endpoint, &unknown.failure);
    assert_eq!(endpoint, &a.url);
    assert!(
        matches!(failure, AttemptFailure::Transport(TransportFailure::Io(_))),
        "{failure:?}"
    );
    assert_eq!((a.hits(), b.hits()), (1, 0));
}

#[tokio::test]
async fn get_on_closed_connection_fails_over() {
    let (a, b) = (
        Fake::start(Behavior::Close).await,
        Fake::start(etcd_ok()).await,
    );
    let client = client_in_order(&[&a.url, &b.url], |c| c);
    let resp = client.get("/foo", GetOptions::default()).await.unwrap();
    assert_eq!(resp.node.and_then(|n| n.value).as_deref(), Some("bar"));
    assert_eq!((a.hits(), b.hits()), (1, 1));
}

#[tokio::test]
async fn dropping_a_call_returns_promptly() {
    let a = Fake::start(Behavior::Stall).await;
    let client = client_in_order(&[&a.url], |c| c.header_timeout(None));
    let started = Instant::now();
    let out = tokio::time::timeout(
        Duration::from_millis(100),
        client.get("/foo", GetOptions::default()),
    )
    .await;
    assert!(out.is_err());
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    // The client is still usable afterwards.
    let b = Fake::start(etcd_ok()).await;
    client.set_endpoints(&[&b.url]).unwrap();
    assert!(client.get("/foo", GetOptions::default()).await.is_ok());
}

#[tokio::test]
async fn with_timeout_ends_a_stalled_watch() {
    let a = Fake::start(Behavior::Stall).await;
    let client = client_in_order(&[&a.url], |c| c).with_timeout(Duration::from_millis(300));
    let mut watcher = client
        .watcher("/foo", WatchOptions::default().after_index(2))
        .unwrap();
    let started = Instant::now();
    assert_eq!(watcher.next().await, Err(Error::DeadlineExceeded));
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(1),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn with_timeout_on_a_stalled_write_is_outcome_unknown() {
    let a = Fake::start(Behavior::Stall).await;
    let client = client_in_order(&[&a.url], |c| c.header_timeout(None))
        .with_timeout(Duration::from_millis(300));
    let err = client.create("/foo", "bar").await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let err = client.get("/foo", GetOptions::default()).await.unwrap_err();
    assert_eq!(err, Error::DeadlineExceeded);
}

#[tokio::test]
async fn refused_connection_is_connect_and_a_create_fails_over() {
    let refused = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let b = Fake::start(etcd_ok()).await;
    let client = client_in_order(&[&refused, &b.url], |c| c);
    client.create("/foo", "bar").await.unwrap();
    assert_eq!(b.hits(), 1);
    client.set_endpoints(&[&refused]).unwrap();
    let err = client.create("/foo", "bar").await.unwrap_err();
    let Error::Cluster(ClusterError { failures }) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(
            &failures[..],
            [(_, AttemptFailure::Transport(TransportFailure::Connect(_)))]
        ),
        "{err}"
    );
}

#[tokio::test]
async fn https_endpoint_needs_the_tls_feature() {
    let client = Client::new(Config::new(["https://127.0.0.1:1"])).unwrap();
    let err = client.get("/foo", GetOptions::default()).await.unwrap_err();
    let Error::Cluster(ClusterError { failures }) = &err else {
        panic!("{err:?}")
    };
    let [(_, AttemptFailure::Transport(failure))] = &failures[..] else {
        panic!("{err}")
    };
    // With `tls`, https is dialled (nothing listens on port 1); without, refused up front.
    if cfg!(feature = "tls") {
        assert!(matches!(failure, TransportFailure::Connect(_)), "{err}");
    } else {
        assert!(
            matches!(failure, TransportFailure::InvalidRequest(_)),
            "{err}"
        );
    }
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connect to it
/// never completes, like one to a powered-off host (nothing can be sent). Holds the listener
/// and the sockets that filled its queue.
struct NeverConnects {
    url: String,
    _listener: std::net::TcpListener,
    _held: Vec<std::net::TcpStream>,
}

impl NeverConnects {
    /// Blocks for a moment (the last connect has to time out): call it before serving.
    fn new() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut held = Vec::new();
        while held.len() < 4096 {
            match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
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

#[tokio::test]
async fn connect_that_never_completes_is_connect_and_a_create_fails_over() {
    const HEADER_TIMEOUT: Duration = Duration::from_millis(300);
    let hole = NeverConnects::new();
    let b = Fake::start(reply(
        "201 Created",
        "application/json",
        r#"{"action":"create","node":{"key":"/foo","value":"bar","modifiedIndex":7,"createdIndex":7}}"#,
    ))
    .await;
    let client = client_in_order(&[&hole.url, &b.url], header_timeout(300));
    // The create was never sent to the first endpoint: the core may try the second one.
    let started = Instant::now();
    let resp = client.create("/foo", "bar").await.unwrap();
    let took = started.elapsed();
    assert!(
        took >= HEADER_TIMEOUT - Duration::from_millis(20) && took < Duration::from_secs(3),
        "took {took:?}"
    );
    assert_eq!(resp.node.and_then(|n| n.value).as_deref(), Some("bar"));
    assert_eq!(b.hits(), 1);

    client.set_endpoints(&[&hole.url]).unwrap();
    let err = client.create("/foo", "bar").await.unwrap_err();
    let Error::Cluster(ClusterError { failures }) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(
            &failures[..],
            [(e, AttemptFailure::Transport(TransportFailure::Connect(_)))] if *e == hole.url
        ),
        "{err:?}"
    );
    // A read is told the same (it would fail over either way).
    let err = client.get("/foo", GetOptions::default()).await.unwrap_err();
    let Error::Cluster(ClusterError { failures }) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(
            &failures[..],
            [(e, AttemptFailure::Transport(TransportFailure::Connect(_)))] if *e == hole.url
        ),
        "{err:?}"
    );
}

const WATCH_EVENT: &str =
    r#"{"action":"set","node":{"key":"/foo","value":"bar","modifiedIndex":7,"createdIndex":7}}"#;

#[tokio::test]
async fn a_watch_fails_over_from_a_member_that_sends_no_headers() {
    let hole = Fake::start(Behavior::Stall).await;
    let b = Fake::start(reply("200 OK", "application/json", WATCH_EVENT)).await;
    let client = client_in_order(&[&hole.url, &b.url], header_timeout(200));
    let mut watcher = client
        .watcher("/foo", WatchOptions::default().after_index(2))
        .unwrap();
    let started = Instant::now();
    let event = watcher.next().await.unwrap();
    let took = started.elapsed();
    assert_eq!(event.node.unwrap().modified_index, 7);
    assert!(
        took >= Duration::from_millis(180) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!((hole.hits(), b.hits()), (1, 1));
}

#[tokio::test]
async fn a_watch_body_may_come_long_after_its_headers() {
    // etcd sends a watch's headers at once and its body when an event happens: only the
    // headers are bound by the header timeout.
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Etcd-Index: 7\r\nContent-Length: {}\r\n\r\n",
        WATCH_EVENT.len()
    );
    let slow = Behavior::Split(head, Duration::from_millis(700), WATCH_EVENT.into());
    let a = Fake::start(slow).await;
    let client = client_in_order(&[&a.url], header_timeout(200));
    let mut watcher = client
        .watcher("/foo", WatchOptions::default().after_index(2))
        .unwrap();
    let started = Instant::now();
    let event = watcher.next().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(650));
    assert_eq!(event.node.unwrap().modified_index, 7);
    assert_eq!(a.hits(), 1);
}
