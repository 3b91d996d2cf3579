//! Edge cases real etcd cannot produce, against a tiny in-process fake HTTP/1 server.

use std::net::Shutdown;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use async_std::io::{ReadExt, WriteExt};
use async_std::net::{TcpListener, TcpStream};
use async_std::task;
use etcd_v2_async_std::{
    Api, AttemptFailure, Client, Config, DeleteOptions, Error, GetOptions, ProtocolError,
    TransportFailure,
};

/// What the fake server does with one request.
enum Reply {
    Raw(String),
    /// Keep the connection open and never answer.
    Stall,
    /// Close the connection without answering.
    Close,
    /// Write the first part (a response head), wait, then write the second (its body).
    Split(String, Duration, String),
}

fn respond(status: &str, headers: &str, body: &str) -> Reply {
    let len = body.len();
    Reply::Raw(format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {len}\r\n\r\n{body}"
    ))
}

fn json_ok() -> Reply {
    let body = r#"{"action":"get","node":{"key":"/foo","value":"bar","modifiedIndex":7,"createdIndex":7}}"#;
    respond(
        "200 OK",
        "Content-Type: application/json\r\nX-Etcd-Index: 7\r\n",
        body,
    )
}

/// Starts a server answering each request head with `handler`; returns its URL.
async fn serve(handler: impl Fn(&str) -> Reply + Send + Sync + 'static) -> String {
    serve_counting(handler).await.0
}

/// As [`serve`], also counting the accepted connections.
async fn serve_counting(
    handler: impl Fn(&str) -> Reply + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handler = Arc::new(handler);
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    task::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let handler = Arc::clone(&handler);
            task::spawn(async move { connection(stream, &*handler).await });
        }
    });
    (url, accepted)
}

async fn connection(
    mut stream: TcpStream,
    handler: &(impl Fn(&str) -> Reply + ?Sized),
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let len: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap())
            })
            .unwrap_or(0);
        while buf.len() < end + len {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        buf.drain(..end + len);
        match handler(&head) {
            Reply::Raw(r) => stream.write_all(r.as_bytes()).await?,
            Reply::Stall => std::future::pending().await,
            Reply::Close => return Ok(()),
            Reply::Split(head, after, body) => {
                stream.write_all(head.as_bytes()).await?;
                task::sleep(after).await;
                stream.write_all(body.as_bytes()).await?;
            }
        }
    }
}

fn config(endpoints: &[&String]) -> Config {
    Config::new(endpoints.iter().map(|e| e.as_str()))
        .header_timeout(Some(Duration::from_millis(200)))
}

#[test]
fn stalled_members_give_a_header_timeout_each() {
    task::block_on(async {
        let (a, b) = (serve(|_| Reply::Stall).await, serve(|_| Reply::Stall).await);
        let client = Client::new(config(&[&a, &b])).unwrap();
        let start = Instant::now();
        let err = client.get("/foo", GetOptions::default()).await.unwrap_err();
        let elapsed = start.elapsed();
        let Error::Cluster(cluster) = err else {
            panic!("{err:?}")
        };
        assert_eq!(cluster.failures.len(), 2, "{cluster}");
        for (endpoint, failure) in &cluster.failures {
            assert!(
                matches!(failure, AttemptFailure::HeaderTimeout { endpoint: e } if e == endpoint),
                "{failure:?}"
            );
        }
        let mut tried: Vec<_> = cluster
            .failures
            .iter()
            .map(|(e, _)| e.trim_end_matches('/').to_owned())
            .collect();
        tried.sort();
        let mut expected = vec![a, b];
        expected.sort();
        assert_eq!(tried, expected);
        assert!(
            elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(3),
            "{elapsed:?}"
        );
    });
}

#[test]
fn create_on_a_stalled_member_is_outcome_unknown() {
    task::block_on(async {
        let a = serve(|_| Reply::Stall).await;
        let client = Client::new(config(&[&a])).unwrap();
        let err = client.create("/foo", "bar").await.unwrap_err();
        assert!(
            matches!(
                err.outcome_unknown().map(|u| &u.failure),
                Some(AttemptFailure::HeaderTimeout { .. })
            ),
            "{err:?}"
        );
    });
}

#[test]
fn html_answer_is_invalid_json() {
    task::block_on(async {
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&heads);
        let a = serve(move |head| {
            seen.lock().unwrap().push(head.to_owned());
            respond(
                "200 OK",
                "Content-Type: text/html\r\n",
                "<html><body>hello</body></html>",
            )
        })
        .await;
        let client = Client::new(config(&[&a])).unwrap();
        let err = client.get("/foo", GetOptions::default()).await.unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Protocol(ProtocolError::InvalidJson { status: 200, .. })
            ),
            "{err:?}"
        );
        // Origin-form request target and a Host header.
        let head = heads.lock().unwrap()[0].to_ascii_lowercase();
        assert!(head.starts_with("get /v2/keys/foo?"), "{head}");
        assert!(
            head.contains(&format!(
                "\r\nhost: {}\r\n",
                a.trim_start_matches("http://")
            )),
            "{head}"
        );
    });
}

#[test]
fn endless_redirects_stop_after_eleven_requests() {
    task::block_on(async {
        let count = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&count);
        let a = serve(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
            respond("307 Temporary Redirect", "Location: /v2/keys/foo\r\n", "")
        })
        .await;
        let client = Client::new(config(&[&a])).unwrap();
        let err = client.get("/foo", GetOptions::default()).await.unwrap_err();
        let Error::Cluster(cluster) = &err else {
            panic!("{err:?}")
        };
        assert!(
            matches!(
                cluster.failures[..],
                [(_, AttemptFailure::TooManyRedirects)]
            ),
            "{err:?}"
        );
        assert_eq!(count.load(Ordering::SeqCst), 11);
    });
}

#[test]
fn delete_on_a_closed_connection_is_outcome_unknown() {
    task::block_on(async {
        let count = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&count);
        let a = serve(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
            Reply::Close
        })
        .await;
        let client = Client::new(config(&[&a])).unwrap();
        let err = client
            .delete("/foo", &DeleteOptions::default())
            .await
            .unwrap_err();
        let expected = matches!(
            err.outcome_unknown().map(|u| &u.failure),
            Some(AttemptFailure::Transport(TransportFailure::Io(_)))
        );
        assert!(expected, "{err:?}");
        assert_eq!(count.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn get_on_a_closed_connection_fails_over() {
    task::block_on(async {
        // Whichever member is asked first drops the connection; the second one answers.
        let count = Arc::new(AtomicUsize::new(0));
        let handler = |count: Arc<AtomicUsize>| {
            move |_: &str| {
                if count.fetch_add(1, Ordering::SeqCst) == 0 {
                    Reply::Close
                } else {
                    json_ok()
                }
            }
        };
        let a = serve(handler(Arc::clone(&count))).await;
        let b = serve(handler(Arc::clone(&count))).await;
        let client = Client::new(config(&[&a, &b])).unwrap();
        let resp = client.get("/foo", GetOptions::default()).await.unwrap();
        assert_eq!(resp.node.unwrap().value.as_deref(), Some("bar"));
        assert_eq!(count.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn runs_under_smol_and_reuses_the_connection() {
    // smol's executor drives the call; async-std only provides the socket and the timers.
    smol::block_on(async {
        let (a, accepted) = serve_counting(|_| json_ok()).await;
        let client = Client::new(config(&[&a])).unwrap();
        for _ in 0..3 {
            let resp = client.get("/foo", GetOptions::default()).await.unwrap();
            assert_eq!(resp.index, 7);
        }
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            1,
            "one kept-alive connection"
        );
    });
}

#[test]
fn with_timeout_bounds_a_stalled_call() {
    task::block_on(async {
        let a = serve(|_| Reply::Stall).await;
        let client = Client::new(config(&[&a]).header_timeout(None)).unwrap();
        let short = client.with_timeout(Duration::from_millis(150));
        let err = short.get("/foo", GetOptions::default()).await.unwrap_err();
        assert_eq!(err, Error::DeadlineExceeded);
        let err = short.create("/foo", "bar").await.unwrap_err();
        let expected = matches!(
            err.outcome_unknown().map(|u| &u.failure),
            Some(AttemptFailure::Transport(TransportFailure::Timeout))
        );
        assert!(expected, "{err:?}");
    });
}

#[test]
fn with_timeout_bounds_each_watch_wait() {
    task::block_on(async {
        let a = serve(|_| Reply::Stall).await;
        let client = Client::new(config(&[&a])).unwrap();
        let short = client.with_timeout(Duration::from_millis(150));
        let mut watcher = short
            .watcher(
                "/foo",
                etcd_v2_async_std::WatchOptions::default().after_index(2),
            )
            .unwrap();
        assert_eq!(watcher.next().await.unwrap_err(), Error::DeadlineExceeded);
        assert_eq!(watcher.next().await.unwrap_err(), Error::DeadlineExceeded);
        assert_eq!(short.sync().await.unwrap_err(), Error::DeadlineExceeded);
    });
}

/// Occupies every async-std executor thread until dropped, so that no spawned task (hyper's
/// connection drivers, the fake servers) runs meanwhile; `block_on` on the calling thread still
/// makes progress. Keep it short: other tests share the executor.
struct ExecutorStall {
    released: Arc<(Mutex<bool>, Condvar)>,
}

impl ExecutorStall {
    fn begin() -> Self {
        // async-std sizes its executor like this, and never grows it on its own.
        let threads = std::env::var("ASYNC_STD_THREAD_COUNT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
        let released = Arc::new((Mutex::new(false), Condvar::new()));
        let started = Arc::new(AtomicUsize::new(0));
        for _ in 0..threads {
            let (released, started) = (Arc::clone(&released), Arc::clone(&started));
            task::spawn(async move {
                started.fetch_add(1, Ordering::SeqCst);
                let (lock, cvar) = &*released;
                let mut done = lock.lock().unwrap();
                while !*done {
                    done = cvar.wait(done).unwrap();
                }
            });
        }
        let stall = Self { released };
        let give_up = Instant::now() + Duration::from_secs(10);
        while started.load(Ordering::SeqCst) < threads {
            assert!(Instant::now() < give_up, "executor threads not all blocked");
            std::thread::sleep(Duration::from_millis(1));
        }
        stall
    }
}

impl Drop for ExecutorStall {
    fn drop(&mut self) {
        let (lock, cvar) = &*self.released;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cvar.notify_all();
    }
}

#[test]
fn create_on_a_pooled_connection_the_server_closed_is_resent_on_a_new_one() {
    task::block_on(async {
        // Every request is answered with keep-alive; the test closes connections server-side.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let a = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(Mutex::new(Vec::<TcpStream>::new()));
        let server_side = Arc::clone(&accepted);
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&requests);
        task::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                server_side.lock().unwrap().push(stream.clone());
                let seen = Arc::clone(&seen);
                task::spawn(async move {
                    connection(stream, &|_: &str| {
                        seen.fetch_add(1, Ordering::SeqCst);
                        let body = r#"{"action":"create","node":{"key":"/foo","value":"bar","modifiedIndex":8,"createdIndex":8}}"#;
                        respond(
                            "201 Created",
                            "Content-Type: application/json\r\nX-Etcd-Index: 8\r\n",
                            body,
                        )
                    })
                    .await
                });
            }
        });
        let client = Client::new(config(&[&a])).unwrap();
        client.get("/foo", GetOptions::default()).await.unwrap();
        // Let the connection go idle in the pool, waiting for the next request.
        task::sleep(Duration::from_millis(50)).await;
        assert_eq!(accepted.lock().unwrap().len(), 1);

        // The server closes the pooled connection while the client's connection driver cannot
        // run: the client still takes it for alive and hands it the create, which the driver,
        // once it runs, cancels without sending because it reads the EOF first (the race a
        // killed member causes).
        let stall = ExecutorStall::begin();
        accepted.lock().unwrap()[0]
            .shutdown(Shutdown::Both)
            .unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            drop(stall);
        });
        let created = client.create("/foo", "bar").await;
        release.join().unwrap();
        let resp = created.unwrap();
        assert_eq!(resp.index, 8);
        assert_eq!(accepted.lock().unwrap().len(), 2, "a new connection");
        assert_eq!(
            requests.load(Ordering::SeqCst),
            2,
            "the create reached the server once"
        );
    });
}

const WATCH_EVENT: &str =
    r#"{"action":"set","node":{"key":"/foo","value":"bar","modifiedIndex":7,"createdIndex":7}}"#;

/// A client whose endpoints are tried in exactly this order (the list is shuffled by seed).
fn client_in_order(endpoints: &[&String]) -> Client {
    let order: Vec<&str> = endpoints.iter().map(|e| e.as_str()).collect();
    (0..1000)
        .map(|seed| Client::new(config(endpoints).seed(seed)).unwrap())
        .find(|c| c.endpoints() == order)
        .expect("a seed that keeps the order")
}

#[test]
fn a_watch_fails_over_from_a_member_that_sends_no_headers() {
    task::block_on(async {
        let hole = serve(|_| Reply::Stall).await;
        let b = serve(|_| {
            respond(
                "200 OK",
                "Content-Type: application/json\r\nX-Etcd-Index: 7\r\n",
                WATCH_EVENT,
            )
        })
        .await;
        let client = client_in_order(&[&hole, &b]);
        let mut watcher = client
            .watcher(
                "/foo",
                etcd_v2_async_std::WatchOptions::default().after_index(2),
            )
            .unwrap();
        let started = Instant::now();
        let event = watcher.next().await.unwrap();
        let took = started.elapsed();
        assert_eq!(event.node.unwrap().modified_index, 7);
        assert!(
            took >= Duration::from_millis(180) && took < Duration::from_secs(2),
            "{took:?}"
        );
    });
}

#[test]
fn a_watch_body_may_come_long_after_its_headers() {
    // etcd sends a watch's headers at once and its body when an event happens: only the
    // headers are bound by the header timeout.
    task::block_on(async {
        let a = serve(|_| {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Etcd-Index: 7\r\nContent-Length: {}\r\n\r\n",
                WATCH_EVENT.len()
            );
            Reply::Split(head, Duration::from_millis(700), WATCH_EVENT.into())
        })
        .await;
        let client = Client::new(config(&[&a])).unwrap();
        let mut watcher = client
            .watcher(
                "/foo",
                etcd_v2_async_std::WatchOptions::default().after_index(2),
            )
            .unwrap();
        let started = Instant::now();
        let event = watcher.next().await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(650));
        assert_eq!(event.node.unwrap().modified_index, 7);
    });
}

/// A custom transport that never answers and leaves the deadline to the client.
struct NeverAnswers;

impl etcd_v2_async_std::Transport for NeverAnswers {
    fn send(&self, _request: http::Request<bytes::Bytes>) -> etcd_v2_async_std::Sending {
        etcd_v2_async_std::Sending::new(std::future::pending())
    }
}

#[test]
fn the_client_gives_up_at_the_deadline_on_a_transport_that_does_not() {
    task::block_on(async {
        let client = Client::with_transport(Config::new(["http://127.0.0.1:1"]), NeverAnswers)
            .unwrap()
            .with_timeout(Duration::from_millis(150));
        // Bounded here too, so that a client that waits forever fails the test, not hangs it.
        let call = client.get("/foo", GetOptions::default());
        let ended = async_std::future::timeout(Duration::from_secs(2), call).await;
        assert_eq!(
            ended.expect("given up at the deadline"),
            Err(Error::DeadlineExceeded)
        );
    });
}
