//! One API call in flight: failover, pinning, redirects, timeouts, outcome-unknown
//!
//! ```text
//!            poll                    handle_response / handle_failure
//!   New ──snapshot──▶ Running ──Send──▶ (adapter) ──▶ 2xx/4xx ──▶ decode ──▶ Finished
//!                        ▲                             3xx ──▶ follow Location (same endpoint)
//!                        │                             5xx, transport failure, header timeout:
//!                        └──── next endpoint ◀──────── a write that may have been applied,
//!                                                      and not re-sent by its WriteRetry ──▶ OutcomeUnknown
//!                                                      all endpoints failed ──▶ ClusterError
//! ```
//!
//! The order is the Go client's: start at the pinned endpoint, then the following ones
//! cyclically, each once per call. A success elsewhere moves the pin there.
//!
//! ## At most once
//! A write is sent again only while no attempt of it may have reached a server, unless the
//! config's [`crate::WriteRetry`] says otherwise. Once one may have (the request could have been
//! written before a timeout, reset or EOF, or a member answered 5xx), the call does not end with
//! a definite answer it cannot vouch for: a passed deadline, every endpoint failing, or an etcd
//! error to a later attempt (a 101 because the first attempt applied) all end as
//! [`Error::OutcomeUnknown`], which keeps every attempt and the index seen before sending.
//! The call's budget is bounded: each endpoint once, `max_redirects` hops each, and the
//! call's deadline.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;
use std::time::Instant;

use crate::wire::body::Body;
use http::{Response, Uri};

use crate::call::Call;
use crate::error::{
    AttemptFailure, ClusterError, Error, OutcomeUnknown, TransportFailure, UsageError,
};
use crate::machines::cluster::{Cluster, Snapshot};
use crate::machines::redirect::Policy;
use crate::machines::task::{AttemptId, Step, Task, Transmit};
use crate::wire::curl::{CURL_PREFIX, curl_command};
use crate::wire::endpoint::{Endpoint, redact_url};

/// The state machine of one call (see the module doc).
///
/// ```
/// use std::time::Instant;
/// use etcd_v2_proto::body::Body;
/// use etcd_v2_proto::{call, Cluster, Config, GetOptions, Op, Step, Task};
///
/// let mut cluster = Cluster::new(Config::new(["http://127.0.0.1:2379"])).unwrap();
/// let mut op = Op::new(call::keys::get("/v2/keys", "/foo", GetOptions::default()).unwrap());
/// let now = Instant::now();
/// let Step::Send(t) = op.poll(now, &mut cluster) else { panic!() };
/// let answer = http::Response::builder()
///     .status(200)
///     .header("X-Etcd-Index", "7")
///     .body(Body::from(r#"{"action":"get","node":{"key":"/foo","value":"bar"}}"#))
///     .unwrap();
/// op.handle_response(now, &mut cluster, t.attempt, answer);
/// let Step::Done(Ok(resp)) = op.poll(now, &mut cluster) else { panic!() };
/// assert_eq!(resp.node.unwrap().value.as_deref(), Some("bar"));
/// assert_eq!(resp.index, 7);
/// ```
#[derive(Debug)]
pub struct Op<T> {
    call: Call<T>,
    timeout: Option<Duration>,
    deadline: Option<Instant>,
    endpoints: Option<Vec<Endpoint>>,
    run: Option<Run>,
    end: End<T>,
    next_attempt: u64,
}

/// How far an op is from its end (one field: an op is moved with every call's future).
#[derive(Debug)]
enum End<T> {
    /// No answer accepted yet.
    Running,
    /// An accepted answer, not decoded yet (see [`Task::decode_answer`]).
    Answered(Response<Body>),
    /// The result, until `poll` hands it out.
    Finished(Result<T, Error>),
    /// The result was handed out.
    Taken,
}

#[derive(Debug)]
struct Run {
    snapshot: Snapshot,
    /// False when the endpoints were given explicitly (sync's leader lookup): never re-pins.
    repin: bool,
    deadline: Option<Instant>,
    current: usize,
    tried: usize,
    /// Where the last redirect pointed (boxed: redirects are rare, and an op is moved often).
    hop: Option<Box<Uri>>,
    redirects: u32,
    failures: Vec<(String, AttemptFailure)>,
    /// Where in `failures` the last attempt that may have applied this write is.
    maybe_applied: Option<usize>,
    /// The highest etcd index the client had seen when the call started.
    index_before: Option<u64>,
    in_flight: Option<AttemptId>,
}

impl Run {
    /// The call's end once a write may have been applied: every attempt, the last maybe-applied
    /// one named, and `answer` if a later attempt got a definite-looking error.
    fn outcome_unknown(&mut self, answer: Option<Error>) -> Error {
        let attempts = core::mem::take(&mut self.failures);
        let (endpoint, failure) = match self.maybe_applied.and_then(|i| attempts.get(i)) {
            Some((endpoint, failure)) => (endpoint.clone(), failure.clone()),
            None => (
                String::new(),
                AttemptFailure::Transport(TransportFailure::Timeout),
            ),
        };
        Error::OutcomeUnknown(Box::new(OutcomeUnknown {
            endpoint,
            failure,
            attempts,
            answer,
            index_before: self.index_before,
        }))
    }

    /// Records a failed attempt; true if it may have applied the write.
    fn record(&mut self, write: bool, failure: AttemptFailure) -> bool {
        let endpoint = self.snapshot.endpoints[self.current].as_str().to_string();
        let maybe = write && failure.may_have_been_applied();
        if maybe {
            self.maybe_applied = Some(self.failures.len());
        }
        self.failures.push((endpoint, failure));
        maybe
    }
}

impl<T> Op<T> {
    /// A call that will run against the cluster's endpoints, starting at the pinned one.
    pub fn new(call: Call<T>) -> Self {
        Self {
            call,
            timeout: None,
            deadline: None,
            endpoints: None,
            run: None,
            end: End::Running,
            next_attempt: 0,
        }
    }

    /// A call over these endpoints instead of the cluster's, starting at the first; it never
    /// moves the cluster's pin (Go's temporary client in prioritize-leader sync).
    pub fn with_endpoints(call: Call<T>, endpoints: Vec<Endpoint>) -> Self {
        Self {
            endpoints: Some(endpoints),
            ..Self::new(call)
        }
    }

    /// Ends the call with [`Error::DeadlineExceeded`] (or [`Error::OutcomeUnknown`] for a
    /// write that may have been applied) this long after its first poll (overrides
    /// [`crate::Config::request_timeout`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Ends the call at this instant, as [`Op::timeout`] does.
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the deadline of a call that has not started yet.
    pub(crate) fn set_deadline(&mut self, deadline: Option<Instant>) {
        if self.run.is_none() {
            self.deadline = deadline;
        }
    }

    /// The failures recorded so far, one per endpoint given up on.
    pub fn failures(&self) -> &[(String, AttemptFailure)] {
        self.run.as_ref().map_or(&[], |r| &r.failures)
    }

    fn finish(&mut self, result: Result<T, Error>) {
        self.end = End::Finished(result);
        if let Some(run) = &mut self.run {
            run.in_flight = None;
        }
    }

    fn start(&mut self, now: Instant, cluster: &Cluster) -> Result<(), Error> {
        let (snapshot, repin) = match self.endpoints.take() {
            Some(endpoints) => (
                Snapshot {
                    endpoints: endpoints.into(),
                    pinned: 0,
                    generation: 0,
                },
                false,
            ),
            None => (cluster.snapshot(), true),
        };
        if snapshot.endpoints.is_empty() {
            return Err(Error::NoEndpoints);
        }
        let timeout = self.timeout.or(if self.call.is_wait() {
            None
        } else {
            cluster.config().request_timeout
        });
        let deadline = earliest(self.deadline, timeout.and_then(|t| now.checked_add(t)));
        self.run = Some(Run {
            current: snapshot.pinned,
            snapshot,
            repin,
            deadline,
            tried: 0,
            hop: None,
            redirects: 0,
            failures: Vec::new(),
            maybe_applied: None,
            index_before: cluster.last_index(),
            in_flight: None,
        });
        Ok(())
    }

    fn transmit(&mut self, now: Instant, cluster: &mut Cluster) -> Step<T> {
        let config = cluster.config();
        let Some(run) = self.run.as_mut() else {
            return Step::Done(Err(UsageError::TaskFinished.into()));
        };
        let endpoint = &run.snapshot.endpoints[run.current];
        let (uri, same_origin) = match &run.hop {
            Some(hop) => (Ok(Uri::clone(hop)), endpoint.same_origin(hop)),
            None => (self.call.spec.uri_at(endpoint), true),
        };
        let credentials = config.credentials.as_ref().filter(|_| same_origin);
        let built = uri.and_then(|uri| self.call.spec.request(uri, credentials));
        let mut request = match built {
            Ok(r) => r,
            Err(e) => {
                let failure = TransportFailure::InvalidRequest(e.to_string()).into();
                self.endpoint_failed(cluster, failure);
                return self.poll(now, cluster);
            }
        };
        if self.call.idempotency.is_write() {
            request.extensions_mut().insert(self.call.idempotency);
        }
        // The response head must arrive within `header_timeout` for every request: etcd sends a
        // watch's headers as soon as the watch is registered, so only a watch's body may take
        // arbitrarily long. For ordinary requests the header timeout bounds the whole exchange.
        let header_deadline = earliest(
            config.header_timeout.and_then(|t| now.checked_add(t)),
            run.deadline,
        );
        let deadline = if self.call.is_wait() {
            run.deadline
        } else {
            header_deadline
        };
        let curl = config.curl_debug.then(|| {
            let body = match &self.call.spec.body {
                Some(_) if self.call.spec.secret_body => {
                    Some(&b"<redacted: contains a password>"[..])
                }
                other => other.as_deref(),
            };
            let line = curl_command(request.method().as_str(), &request.uri().to_string(), body);
            alloc::format!("{CURL_PREFIX}{line}")
        });
        let attempt = AttemptId(self.next_attempt);
        self.next_attempt += 1;
        run.in_flight = Some(attempt);
        Step::Send(Transmit {
            attempt,
            endpoint: endpoint.url(),
            request,
            deadline,
            header_deadline,
            max_body: config.max_body_bytes,
            curl,
            stream: false,
        })
    }

    /// Takes the in-flight attempt if `attempt` is it; stale answers are ignored.
    fn accept(&mut self, attempt: AttemptId) -> bool {
        match self.run.as_mut() {
            Some(run) if matches!(self.end, End::Running) && run.in_flight == Some(attempt) => {
                run.in_flight = None;
                true
            }
            _ => false,
        }
    }

    /// Gives up on the current endpoint: next one, outcome unknown, or cluster error.
    fn endpoint_failed(&mut self, cluster: &mut Cluster, failure: AttemptFailure) {
        let Some(run) = self.run.as_mut() else { return };
        let n = run.snapshot.endpoints.len();
        let idempotency = self.call.idempotency;
        let retry = cluster.config().write_retry;
        if run.record(idempotency.is_write(), failure) && !retry.resends(idempotency) {
            if run.repin {
                // Go moves the pin after a one-shot failure so the next call goes elsewhere.
                cluster.pin(run.snapshot.generation, (run.current + 1) % n);
            }
            let unknown = run.outcome_unknown(None);
            self.finish(Err(unknown));
            return;
        }
        run.tried += 1;
        run.hop = None;
        run.redirects = 0;
        if run.tried < n {
            run.current = (run.current + 1) % n;
        } else if run.maybe_applied.is_some() {
            let unknown = run.outcome_unknown(None);
            self.finish(Err(unknown));
        } else {
            let failures = core::mem::take(&mut run.failures);
            self.finish(Err(ClusterError { failures }.into()));
        }
    }

    /// The end of a call whose deadline passed: nothing applied, or maybe something.
    fn deadline_passed(&mut self) {
        let unknown = match self.run.as_mut() {
            Some(run) if run.maybe_applied.is_some() => run.outcome_unknown(None),
            _ => Error::DeadlineExceeded,
        };
        self.finish(Err(unknown));
    }

    /// Follows a 3xx's `Location` if the redirect policy allows it (see [`crate::machines::redirect`]).
    fn redirect(&mut self, cluster: &mut Cluster, response: &Response<Body>) {
        let config = cluster.config();
        let Some(run) = self.run.as_mut() else { return };
        run.redirects += 1;
        if run.redirects > config.max_redirects {
            self.endpoint_failed(cluster, AttemptFailure::TooManyRedirects);
            return;
        }
        let endpoint = &run.snapshot.endpoints[run.current];
        let current = match &run.hop {
            Some(hop) => Ok(Uri::clone(hop)),
            None => self.call.spec.uri_at(endpoint),
        };
        let location = response
            .headers()
            .get(http::header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .filter(|v| !v.is_empty());
        let policy = Policy {
            endpoint,
            secret: config.credentials.is_some() || self.call.spec.secret_body,
            check: config.check_redirect.as_ref(),
            method: &self.call.spec.method,
            status: response.status().as_u16(),
            redirects: run.redirects,
        };
        let next = match (location, current) {
            (None, _) => Err(AttemptFailure::LocationNotSet),
            (Some(loc), Ok(current)) => crate::machines::redirect::follow(&current, &loc, &policy),
            (Some(loc), Err(_)) => Err(AttemptFailure::LocationInvalid(redact_url(&loc))),
        };
        match next {
            Ok(uri) => run.hop = Some(Box::new(uri)),
            Err(failure) => self.endpoint_failed(cluster, failure),
        }
    }
}

/// The earlier of two optional deadlines (`None` is "no deadline").
pub(crate) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

mod steps;

#[cfg(test)]
#[allow(clippy::disallowed_types)] // a test counts decodes across calls
mod tests;
