//! A [`Transport`] that answers from an in-memory script: no network at all.
//!
//! It shows failover: the first endpoint tried refuses the connection (`Connect`: nothing was
//! sent), the client moves on to the second, which answers; the next call starts there.
//!
//! `cargo run -p etcd-v2-tokio --example tokio_scripted_transport`

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use etcd_v2_tokio::{Client, Config, GetOptions, Sending, Transport, TransportFailure};
use http::{Request, Response};

type Answer = Result<Response<String>, TransportFailure>;

/// Pops one scripted answer per exchange and logs the authority each request went to.
#[derive(Clone, Default)]
struct Script {
    answers: Arc<Mutex<VecDeque<Answer>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Transport for Script {
    fn send(&self, request: Request<Bytes>) -> Sending {
        let authority = request
            .uri()
            .authority()
            .map(|a| a.to_string())
            .unwrap_or_default();
        self.log.lock().unwrap().push(authority);
        let answer = self
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("script exhausted");
        Sending::new(async move { Ok(answer?.map(etcd_v2_tokio::full_body)) })
    }
}

fn ok(value: &str) -> Answer {
    let body = format!(
        r#"{{"action":"get","node":{{"key":"/foo","value":"{value}","modifiedIndex":7,"createdIndex":7}}}}"#
    );
    Ok(Response::builder()
        .status(200)
        .header("X-Etcd-Index", "7")
        .body(body)
        .unwrap())
}

/// Runs the scripted failover and asserts where each request went (`tests/examples.rs` runs it).
#[tokio::main(flavor = "current_thread")]
pub async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let script = Script::default();
    script.answers.lock().unwrap().extend([
        Err(TransportFailure::Connect("connection refused".into())),
        ok("bar"),
        ok("baz"),
    ]);
    let config = Config::new(["http://10.0.0.1:2379", "http://10.0.0.2:2379"]);
    let client = Client::with_transport(config, script.clone())?;
    let order = client.endpoints(); // shuffled, as the Go client does

    let resp = client.get("/foo", GetOptions::default()).await?;
    assert_eq!(resp.node.and_then(|n| n.value).as_deref(), Some("bar"));
    let resp = client.get("/foo", GetOptions::default()).await?;
    assert_eq!(resp.node.and_then(|n| n.value).as_deref(), Some("baz"));

    let log = script.log.lock().unwrap().clone();
    let hosts: Vec<String> = order
        .iter()
        .map(|e| e.trim_start_matches("http://").to_owned())
        .collect();
    // Refused by the first, answered by the second, and the second is now pinned.
    assert_eq!(log, [hosts[0].clone(), hosts[1].clone(), hosts[1].clone()]);
    println!("failover ok: {log:?}");
    Ok(())
}
