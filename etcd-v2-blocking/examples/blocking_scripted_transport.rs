//! A custom [`Transport`] that answers from an in-memory script instead of the network,
//! showing failover: the first endpoint refuses the connection, the second one answers, and
//! the client then sticks to the endpoint that worked.
//!
//! ```text
//! cargo run -p etcd-v2-blocking --example blocking_scripted_transport
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use etcd_v2_blocking::proto::body::Body;
use etcd_v2_blocking::{Answer, Client, Config, GetOptions, Transmit, Transport, TransportFailure};
use http::Response;

/// One canned answer: a response, or the failure the transport reports.
type Canned = Result<Response<Body>, TransportFailure>;

/// Pops one canned answer per request and remembers where each request went.
struct Scripted {
    script: Mutex<VecDeque<Canned>>,
    sent: Mutex<Vec<String>>,
}

impl Transport for Scripted {
    fn send(&self, exchange: Transmit) -> Result<Answer, TransportFailure> {
        let request = exchange.request;
        let uri = request.uri();
        let origin = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or("http"),
            uri.authority().unwrap()
        );
        println!("  -> {} {uri}", request.method());
        self.sent.lock().unwrap().push(origin);
        let answer = self
            .script
            .lock()
            .unwrap()
            .pop_front()
            .expect("script ran out");
        match &answer {
            Ok(r) => println!("  <- {}", r.status()),
            Err(f) => println!("  <- failure: {f}"),
        }
        answer.map(Answer::from)
    }
}

fn ok(value: &str, index: u64) -> Canned {
    let body = format!(
        r#"{{"action":"get","node":{{"key":"/foo","value":"{value}","modifiedIndex":{index},"createdIndex":{index}}}}}"#
    );
    let response = Response::builder()
        .status(200)
        .header("Content-Type", "application/json")
        .header("X-Etcd-Index", index.to_string())
        .body(Body::from(body))
        .unwrap();
    Ok(response)
}

/// Runs the scripted failover and asserts where each request went (`tests/examples.rs` runs it).
pub fn main() -> Result<(), etcd_v2_blocking::Error> {
    let refused = Err(TransportFailure::Connect("connection refused".into()));
    let transport = Arc::new(Scripted {
        script: Mutex::new(VecDeque::from([refused, ok("bar", 7), ok("baz", 8)])),
        sent: Mutex::new(Vec::new()),
    });
    let config = Config::new(["http://10.0.0.1:2379", "http://10.0.0.2:2379"]);
    // `Arc<T>` is a transport too, so we keep a handle to look at what was sent.
    let client = Client::with_transport(config, Arc::clone(&transport))?;
    let order = client.endpoints(); // shuffled, like the Go client
    println!("endpoints in order: {order:?}");

    println!("first get:");
    let first = client.get("/foo", GetOptions::default())?;
    println!(
        "answer: {:?}",
        first.node.as_ref().and_then(|n| n.value.as_deref())
    );
    println!("second get:");
    let second = client.get("/foo", GetOptions::default())?;
    println!(
        "answer: {:?}",
        second.node.as_ref().and_then(|n| n.value.as_deref())
    );

    let sent = transport.sent.lock().unwrap().clone();
    println!("requests went to: {sent:?}");
    // Refused by the first endpoint, failed over to the second, which is now pinned.
    assert_eq!(sent, [order[0].clone(), order[1].clone(), order[1].clone()]);
    assert!(transport.script.lock().unwrap().is_empty());
    assert_eq!(first.node.unwrap().value.as_deref(), Some("bar"));
    assert_eq!(first.index, 7);
    assert_eq!(second.node.unwrap().value.as_deref(), Some("baz"));
    Ok(())
}
