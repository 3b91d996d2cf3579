//! What only the tokio adapter can show: its types are `Send`, a client outlives the runtime
//! it was made outside of, and https without the `tls` feature. The edge cases every adapter
//! shares are one list in `conformance/src/edge/`, run by `conformance/tests/edge.rs`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use etcd_v2_tokio::{
    AttemptFailure, Client, ClusterError, Config, Error, GetOptions, TransportFailure, WatchOptions,
};

/// A member on its own threads, so it outlives any runtime: it answers every request with
/// `answer`, or never (`None`). Returns its URL and the connections it accepted.
fn member(answer: Option<&'static str>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                // Requests here are bodiless GETs: one per read that ends a head.
                let mut buf = [0; 4096];
                while let Ok(n @ 1..) = stream.read(&mut buf) {
                    match answer {
                        _ if !buf[..n].ends_with(b"\r\n\r\n") => {}
                        Some(raw) => stream.write_all(raw.as_bytes()).unwrap(),
                        None => std::thread::sleep(Duration::from_secs(600)),
                    }
                }
            });
        }
    });
    (url, accepted)
}

const ETCD_OK: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Etcd-Index: 7\r\n\
    Content-Length: 87\r\n\r\n\
    {\"action\":\"get\",\"node\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":7,\"createdIndex\":7}}";

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
    let (url, accepted) = member(Some(ETCD_OK));
    let client = Client::new(Config::new([url.as_str()])).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for _ in 0..3 {
            let resp = client.get("/foo", GetOptions::default()).await.unwrap();
            assert_eq!(resp.node.and_then(|n| n.value).as_deref(), Some("bar"));
        }
    });
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "one keep-alive connection"
    );
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
        let (url, _) = member(None);
        client.set_endpoints(&[&url]).unwrap();
        runtime.block_on(async {
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

/// Feature-specific, so not in the conformance list (which builds every adapter with `tls`).
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
