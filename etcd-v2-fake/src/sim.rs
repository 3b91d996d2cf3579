//! Drives any [`Task`] against a [`FakeCluster`] on simulated time
//!
//! Nothing sleeps: a stalled exchange jumps the clock to the transmit's deadline, a
//! [`Step::Wait`] jumps it to the wait's end, and a watch with no event yet jumps it to the next
//! TTL expiry (or its deadline). The only clock read is the epoch taken in [`Sim::new`].

use etcd_v2_proto::body::Body;
use std::time::Duration;
use std::time::Instant;

use http::{Method, Response};

use crate::fake_etcd::{FakeCluster, FakeReply};
use etcd_v2_proto::Cluster;
use etcd_v2_proto::Config;
use etcd_v2_proto::{Error, TransportFailure};
use etcd_v2_proto::{Step, Task, Transmit};

/// Steps after which [`Sim::run`] gives up on a task (it would never end).
pub const MAX_STEPS: usize = 100_000;

/// One request a task sent, as logged by the sim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRequest {
    /// The endpoint the core chose.
    pub endpoint: String,
    /// The method.
    pub method: Method,
    /// The full URL.
    pub uri: String,
    /// Simulated time since the epoch when it was sent.
    pub at: Duration,
}

/// A client ([`Cluster`]) and a fake cluster on one simulated clock.
#[derive(Debug)]
pub struct Sim {
    /// The client state (endpoints, pin, config).
    pub cluster: Cluster,
    /// The fake etcd cluster, with its store and fault switches.
    pub fake: FakeCluster,
    /// The simulated now.
    pub now: Instant,
    /// Every request sent so far, in order.
    pub requests: Vec<SimRequest>,
    epoch: Instant,
}

impl Sim {
    /// `members` fake members, a client with the default config over all of them (fixed seed).
    ///
    /// # Panics
    /// If `members` is 0.
    pub fn new(members: usize) -> Self {
        match Self::with_config(members, Config::default()) {
            Ok(sim) => sim,
            Err(e) => panic!("a sim needs at least one member: {e}"),
        }
    }

    /// `members` fake members and a client with `config`; empty `config.endpoints` means every
    /// member's client URL, no seed means seed 1.
    ///
    /// # Errors
    /// As [`Cluster::new`] (no endpoints, a bad URL).
    pub fn with_config(members: usize, mut config: Config) -> Result<Self, Error> {
        // The sim's only clock read: its epoch.
        let epoch = Instant::now();
        let fake = FakeCluster::new(members, epoch);
        if config.endpoints.is_empty() {
            config.endpoints = fake.client_urls();
        }
        config.seed = Some(config.seed.unwrap_or(1));
        Ok(Self {
            cluster: Cluster::new(config)?,
            fake,
            now: epoch,
            requests: Vec::new(),
            epoch,
        })
    }

    /// Simulated time since the epoch.
    pub fn elapsed(&self) -> Duration {
        self.now - self.epoch
    }

    /// Moves the clock forward; keys whose TTL runs out by then expire.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.fake.store.expire(self.now);
    }

    /// The fake member the client's pinned endpoint points at.
    pub fn pinned_member(&self) -> Option<usize> {
        self.fake.member_index(self.cluster.pinned()?.as_str())
    }

    /// The fake members the requests so far went to, in order (`None`: unknown host).
    pub fn members_tried(&self) -> Vec<Option<usize>> {
        self.requests
            .iter()
            .map(|r| self.fake.member_index(&r.endpoint))
            .collect()
    }

    /// Drives `task` to its end.
    ///
    /// # Errors
    /// The task's own error.
    ///
    /// # Panics
    /// If the task waits for an answer that can never come (a stalled member or a watch with
    /// nothing left to happen, and no deadline), or does not end within [`MAX_STEPS`].
    pub fn run<K: Task>(&mut self, task: K) -> Result<K::Output, Error> {
        self.run_with(task, |_, _| {})
    }

    /// Drives `task` to its end; whenever a watch is left pending, `hook` may change the fake
    /// (e.g. write the key) before the sim looks for the watch's event again.
    ///
    /// # Errors
    /// The task's own error.
    ///
    /// # Panics
    /// As [`Sim::run`].
    pub fn run_with<K: Task>(
        &mut self,
        mut task: K,
        mut hook: impl FnMut(&mut FakeCluster, Instant),
    ) -> Result<K::Output, Error> {
        for _ in 0..MAX_STEPS {
            match task.poll(self.now, &mut self.cluster) {
                Step::Done(result) => return result,
                Step::Wait(at) => self.now = self.now.max(at),
                // The sim answers whole (a stream watch degrades to polls): no body is open.
                Step::Read { attempt, .. } => {
                    task.handle_chunk(self.now, &mut self.cluster, attempt, Ok(None));
                }
                Step::Send(t) => {
                    self.requests.push(SimRequest {
                        endpoint: t.endpoint.to_string(),
                        method: t.request.method().clone(),
                        uri: t.request.uri().to_string(),
                        at: self.elapsed(),
                    });
                    match self.exchange(&t, &mut hook) {
                        Ok(r) => task.handle_response(self.now, &mut self.cluster, t.attempt, r),
                        Err(f) => task.handle_failure(self.now, &mut self.cluster, t.attempt, f),
                    }
                    task.decode_answer();
                }
            }
        }
        panic!("the task did not end within {MAX_STEPS} steps");
    }

    fn exchange(
        &mut self,
        t: &Transmit,
        hook: &mut impl FnMut(&mut FakeCluster, Instant),
    ) -> Result<Response<Body>, TransportFailure> {
        match self.fake.handle(self.now, &t.request) {
            FakeReply::Response(response) => Ok(response),
            FakeReply::Fail(failure) => Err(failure),
            FakeReply::Stalled => self.time_out(t.deadline),
            FakeReply::Pending(id) => {
                hook(&mut self.fake, self.now);
                loop {
                    if let Some(response) = self.fake.poll_watch(id, self.now) {
                        return Ok(response);
                    }
                    match self.fake.store.next_expiry() {
                        Some(at) if t.deadline.is_none_or(|d| at < d) => {
                            self.now = self.now.max(at);
                        }
                        _ => {
                            self.fake.cancel_watch(id);
                            return self.time_out(t.deadline);
                        }
                    }
                }
            }
        }
    }

    /// No answer: the clock jumps to the deadline, the exchange times out.
    fn time_out(&mut self, deadline: Option<Instant>) -> Result<Response<Body>, TransportFailure> {
        let Some(deadline) = deadline else {
            panic!("no answer will ever come and the request has no deadline: it would hang");
        };
        self.now = self.now.max(deadline);
        Err(TransportFailure::Timeout)
    }
}
