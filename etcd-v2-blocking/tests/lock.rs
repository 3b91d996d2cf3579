//! The client's shared state is locked only for the core's short steps: a call that sleeps
//! (auto-sync between syncs, a back-off) must not hold it, or every other call on the client
//! would wait for the sleep.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use etcd_v2_blocking::proto::body::Body;
use etcd_v2_blocking::{Answer, Client, Config, Transmit, Transport, TransportFailure};
use http::Response;

/// Answers every request with a one-member list.
struct OneMember;

impl Transport for OneMember {
    fn send(&self, _: Transmit) -> Result<Answer, TransportFailure> {
        let members = r#"{"members":[{"id":"1","name":"m","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["http://127.0.0.1:2379"]}]}"#;
        let response = Response::builder()
            .header("Content-Type", "application/json")
            .body(Body::from(members))
            .unwrap();
        Ok(response.into())
    }
}

#[test]
fn a_sleeping_auto_sync_does_not_hold_the_client() {
    let client = Client::with_transport(Config::new(["http://127.0.0.1:2379"]), OneMember).unwrap();
    let syncing = client.clone();
    // Syncs at once, then sleeps a minute: the test ends long before.
    thread::spawn(move || syncing.auto_sync(Duration::from_secs(60)));
    thread::sleep(Duration::from_millis(300));
    let (tx, rx) = mpsc::channel();
    let other = client.clone();
    thread::spawn(move || tx.send(other.endpoints()));
    let endpoints = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("endpoints() waited for auto_sync's sleep: the lock was held while it slept");
    assert_eq!(endpoints, ["http://127.0.0.1:2379"]);
}
