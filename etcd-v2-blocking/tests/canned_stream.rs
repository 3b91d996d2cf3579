//! A transport that reads every body whole still serves a streaming watch: the client reads
//! the events from that body as if it had arrived line by line.

use std::sync::Mutex;

use etcd_v2_blocking::proto::body::Body;
use etcd_v2_blocking::{
    Answer, Client, Config, Transmit, Transport, TransportFailure, WatchOptions,
};
use http::Response;

/// Answers the watch's first request (which learns the index to start from) with "key not
/// found" at index 4, its stream with two events in one whole body, and records what it was
/// asked.
struct TwoEvents {
    asked: Mutex<Vec<(String, bool)>>,
}

impl Transport for TwoEvents {
    fn send(&self, exchange: Transmit) -> Result<Answer, TransportFailure> {
        let mut asked = self.asked.lock().unwrap();
        asked.push((exchange.request.uri().to_string(), exchange.stream));
        let response = Response::builder()
            .header("Content-Type", "application/json")
            .header("X-Etcd-Index", "4");
        if asked.len() == 1 {
            let missing = r#"{"errorCode":100,"message":"Key not found","cause":"/foo","index":4}"#;
            return Ok(response
                .status(404)
                .body(Body::from(missing))
                .unwrap()
                .into());
        }
        if asked.len() > 2 {
            return Err(TransportFailure::Connect("no more answers".into()));
        }
        let events = concat!(
            r#"{"action":"set","node":{"key":"/foo","value":"a","modifiedIndex":5,"createdIndex":5}}"#,
            "\n",
            r#"{"action":"set","node":{"key":"/foo","value":"b","modifiedIndex":6,"createdIndex":6}}"#,
            "\n",
        );
        Ok(response.body(Body::from(events)).unwrap().into())
    }
}

#[test]
fn a_stream_answered_with_a_whole_body_yields_each_event() {
    let transport = std::sync::Arc::new(TwoEvents {
        asked: Mutex::new(Vec::new()),
    });
    let config = Config::new(["http://127.0.0.1:2379"]);
    let client = Client::with_transport(config, std::sync::Arc::clone(&transport)).unwrap();
    let mut watcher = client
        .watcher("/foo", WatchOptions::default().stream(true))
        .unwrap();
    let values: Vec<_> = (&mut watcher)
        .take(2)
        .map(|event| event.unwrap().node.unwrap().value.unwrap())
        .collect();
    assert_eq!(values, ["a", "b"]);
    assert_eq!(watcher.wait_index(), 7);
    let asked = transport.asked.lock().unwrap();
    // The start index learnt, then both events from one stream exchange.
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(!asked[0].1 && asked[1].1, "{asked:?}");
    assert!(asked[1].0.contains("stream=true"), "{asked:?}");
    assert!(asked[1].0.contains("waitIndex=5"), "{asked:?}");
}
