//! A scripted, IO-free driver: runs any core `Task` against a closure that plays the network.
//!
//! Time is simulated: a stalled exchange jumps the clock to the transmit's header deadline
//! (else its deadline), a
//! `Step::Wait` jumps it to the wait's end. Every request is logged.
#![allow(dead_code, unreachable_pub, clippy::disallowed_methods)]

use etcd_v2_proto::body::Body;
use std::time::{Duration, Instant};

use bytes::Bytes;
use etcd_v2_proto::{Cluster, Config, Error, Step, Task, Transmit, TransportFailure};
use http::{Request, Response};

/// What the scripted network does with one request.
pub enum Answer {
    /// An HTTP answer.
    Reply(Response<Body>),
    /// A transport failure.
    Fail(TransportFailure),
    /// No answer: the clock jumps to the transmit's header deadline, else its deadline; one must exist.
    Stall,
    /// Nothing comes back until the transmit's first deadline, then this failure (a dial that
    /// did not finish in time reports `Connect`: nothing was sent).
    StallThen(TransportFailure),
}

/// One request the task sent.
#[derive(Debug, Clone)]
pub struct Sent {
    pub endpoint: String,
    pub method: String,
    pub uri: String,
    pub authorization: Option<String>,
    pub deadline: Option<Duration>,
    pub header_deadline: Option<Duration>,
    pub curl: Option<String>,
    pub body: Bytes,
}

pub struct Harness {
    pub cluster: Cluster,
    pub start: Instant,
    pub now: Instant,
    pub sent: Vec<Sent>,
    pub waits: Vec<Duration>,
}

impl Harness {
    /// A harness over `config`; a fixed seed unless the config has one.
    pub fn new(config: Config) -> Self {
        let now = Instant::now();
        let seed = config.seed.unwrap_or(7);
        Self {
            cluster: Cluster::new(config.seed(seed)).expect("valid config"),
            start: now,
            now,
            sent: Vec::new(),
            waits: Vec::new(),
        }
    }

    /// Endpoints `eps` in exactly this order (the shuffle is undone), pin on the first.
    pub fn ordered(eps: &[&str], config: Config) -> Self {
        let mut config = config;
        config.endpoints = eps.iter().map(|s| s.to_string()).collect();
        let mut h = Self::new(config);
        for _ in 0..1000 {
            if h.cluster.endpoints() == eps {
                return h;
            }
            h.cluster.set_endpoints(eps).unwrap();
        }
        panic!("could not get the order {eps:?}");
    }

    pub fn run<K: Task>(
        &mut self,
        mut task: K,
        mut network: impl FnMut(&Request<Bytes>) -> Answer,
    ) -> Result<K::Output, Error> {
        for _ in 0..10_000 {
            match task.poll(self.now, &mut self.cluster) {
                Step::Done(result) => return result,
                Step::Wait(at) => {
                    assert!(at > self.now, "a wait must be in the future");
                    self.waits.push(at - self.now);
                    self.now = at;
                }
                Step::Read { attempt, .. } => {
                    // Scripted answers are whole: no body is left open.
                    task.handle_chunk(self.now, &mut self.cluster, attempt, Ok(None));
                }
                Step::Send(t) => {
                    self.log(&t);
                    match network(&t.request) {
                        Answer::Reply(r) => {
                            task.handle_response(self.now, &mut self.cluster, t.attempt, r)
                        }
                        Answer::Fail(f) => {
                            task.handle_failure(self.now, &mut self.cluster, t.attempt, f)
                        }
                        Answer::Stall => {
                            // No headers ever arrive: the header deadline fires first.
                            self.now = stall_until(&t);
                            let f = TransportFailure::Timeout;
                            task.handle_failure(self.now, &mut self.cluster, t.attempt, f)
                        }
                        Answer::StallThen(f) => {
                            self.now = stall_until(&t);
                            task.handle_failure(self.now, &mut self.cluster, t.attempt, f)
                        }
                    }
                }
            }
        }
        panic!("task did not finish within 10000 steps");
    }

    fn log(&mut self, t: &Transmit) {
        // The invariant adapters rely on: the head deadline is never later than the deadline.
        if let Some(deadline) = t.deadline {
            assert!(t.header_deadline.is_some_and(|h| h <= deadline), "{t:?}");
        }
        self.sent.push(Sent {
            endpoint: t.endpoint.to_string(),
            method: t.request.method().to_string(),
            uri: t.request.uri().to_string(),
            authorization: t
                .request
                .headers()
                .get(http::header::AUTHORIZATION)
                .map(|v| v.to_str().unwrap().to_string()),
            deadline: t.deadline.map(|d| d - self.now),
            header_deadline: t.header_deadline.map(|d| d - self.now),
            curl: t.curl.clone(),
            body: t.request.body().clone(),
        });
    }

    /// Endpoints of the requests sent so far.
    pub fn endpoints_tried(&self) -> Vec<&str> {
        self.sent.iter().map(|s| s.endpoint.as_str()).collect()
    }
}

/// An HTTP answer with a body and headers.
fn stall_until(t: &Transmit) -> Instant {
    t.header_deadline
        .or(t.deadline)
        .expect("a stall without a deadline hangs forever")
}

pub fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Answer {
    Answer::Reply(response(status, headers, body))
}

pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Body> {
    let mut b = Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

pub fn refused() -> Answer {
    Answer::Fail(TransportFailure::Connect("connection refused".into()))
}

pub const KEY_NOT_FOUND: &str =
    r#"{"errorCode":100,"message":"Key not found","cause":"/foo","index":18}"#;
pub const FOO_BAR: &str =
    r#"{"action":"get","node":{"key":"/foo","value":"bar","modifiedIndex":5,"createdIndex":5}}"#;

// ----- helpers of the request/answer vector tests -----

/// The endpoint the Go client's unit tests use.
pub fn example_endpoint() -> etcd_v2_proto::Endpoint {
    etcd_v2_proto::Endpoint::parse("http://example.com").unwrap()
}

/// The request a call sends to `http://example.com`, without credentials.
pub fn call_request<T>(call: &etcd_v2_proto::Call<T>) -> Request<Bytes> {
    call.to_request(&example_endpoint(), None).unwrap()
}

/// A JSON answer with this status and body.
pub fn json_response(status: u16, body: &str) -> Response<Body> {
    response(status, &[("Content-Type", "application/json")], body)
}

/// A members/auth API error.
pub fn api_error(status: u16, message: &str) -> Error {
    Error::Api(etcd_v2_proto::ApiError {
        status,
        message: message.to_string(),
    })
}

/// Asserts the result is `ProtocolError::InvalidJson`.
pub fn assert_invalid_json<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert!(
        matches!(
            result,
            Err(Error::Protocol(
                etcd_v2_proto::ProtocolError::InvalidJson { .. }
            ))
        ),
        "{result:?}"
    );
}
