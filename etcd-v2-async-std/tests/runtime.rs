//! What only the async-std adapter can show: it runs under smol, a pooled connection closed
//! while its executor is frozen, a custom transport, and https without the `tls` feature.
//! The edge cases every adapter shares are one list in `conformance/src/edge/`, run by
//! `conformance/tests/edge.rs`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use async_std::task;
use etcd_v2_async_std::{AttemptFailure, Client, Config, Error, GetOptions, TransportFailure};

/// A member on its own threads answering every request as a create at index 8 (keep-alive).
/// Returns its URL, the server side of each accepted connection, and the requests read.
fn member() -> (String, Arc<Mutex<Vec<TcpStream>>>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
    let requests = Arc::new(AtomicUsize::new(0));
    let (streams, count) = (Arc::clone(&accepted), Arc::clone(&requests));
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            streams.lock().unwrap().push(stream.try_clone().unwrap());
            let count = Arc::clone(&count);
            std::thread::spawn(move || answer_each(stream, &count));
        }
    });
    (url, accepted, requests)
}

/// Reads requests (head and `Content-Length` body) and answers each, until the peer closes.
fn answer_each(mut stream: TcpStream, requests: &AtomicUsize) {
    let body = r#"{"action":"create","node":{"key":"/foo","value":"bar","modifiedIndex":8,"createdIndex":8}}"#;
    let mut buf = Vec::new();
    let mut chunk = [0; 4096];
    while let Ok(n @ 1..) = stream.read(&mut chunk) {
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        if buf.len() < end + 4 + len {
            continue;
        }
        buf.drain(..end + 4 + len);
        requests.fetch_add(1, Ordering::SeqCst);
        let head = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Etcd-Index: 8";
        let _ = write!(
            stream,
            "{head}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
    }
}

/// Held by the tests that need the async-std executor free (or frozen) to themselves: a
/// connection driver frozen by [`ExecutorStall`] would make the smol test open a second one.
static EXECUTOR: Mutex<()> = Mutex::new(());

#[test]
fn runs_under_smol_and_reuses_the_connection() {
    let _alone = EXECUTOR.lock().unwrap_or_else(|e| e.into_inner());
    // smol's executor drives the call; async-std only provides the socket and the timers.
    let (url, accepted, _) = member();
    let client = Client::new(Config::new([url.as_str()])).unwrap();
    smol::block_on(async {
        for _ in 0..3 {
            // Idle first: the connection task hands the connection back to the pool, and a
            // call made at once may race it and open a second one.
            smol::Timer::after(Duration::from_millis(50)).await;
            let resp = client.get("/foo", GetOptions::default()).await.unwrap();
            assert_eq!(resp.index, 8);
        }
    });
    assert_eq!(
        accepted.lock().unwrap().len(),
        1,
        "one kept-alive connection"
    );
}

/// Occupies every async-std executor thread until dropped, so that no spawned task (hyper's
/// connection drivers) runs meanwhile; `block_on` on the calling thread still makes progress.
/// Keep it short: other tests share the executor.
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

/// Adapter-specific: the race needs the async-std executor frozen while the server closes.
#[test]
fn create_on_a_pooled_connection_the_server_closed_is_resent_on_a_new_one() {
    let _alone = EXECUTOR.lock().unwrap_or_else(|e| e.into_inner());
    let (url, accepted, requests) = member();
    let client = Client::new(Config::new([url.as_str()])).unwrap();
    task::block_on(async {
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
        assert_eq!(created.unwrap().index, 8);
        assert_eq!(accepted.lock().unwrap().len(), 2, "a new connection");
        assert_eq!(
            requests.load(Ordering::SeqCst),
            2,
            "the create reached the server once"
        );
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

/// Feature-specific, so not in the conformance list (which builds every adapter with `tls`).
#[test]
fn https_endpoint_needs_the_tls_feature() {
    let client = Client::new(Config::new(["https://127.0.0.1:1"])).unwrap();
    let err = task::block_on(client.get("/foo", GetOptions::default())).unwrap_err();
    let Error::Cluster(cluster) = &err else {
        panic!("{err:?}")
    };
    let [(_, AttemptFailure::Transport(failure))] = &cluster.failures[..] else {
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
