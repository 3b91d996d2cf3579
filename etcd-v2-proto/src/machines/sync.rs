//! Sync and auto-sync: refreshing the endpoint list from the member list
//!
//! [`EndpointSync`] lists the members through the cluster (normal failover), turns their client URLs
//! into the new endpoint list and, in prioritize-leader mode, asks the new list who leads and
//! pins it (Go: `Client.Sync`). [`AutoSync`] repeats that every interval until a sync fails.

use alloc::vec::Vec;
use core::convert::Infallible;
use core::time::Duration;
use std::time::Instant;

use crate::wire::body::Body;
use http::Response;

use crate::call::members;
use crate::error::{Error, TransportFailure};
use crate::machines::cluster::{Cluster, parse_all};
use crate::machines::config::SelectionMode;
use crate::machines::op::Op;
use crate::machines::task::{AttemptId, Step, Task};
use crate::model::Member;
use crate::wire::endpoint::Endpoint;

/// Updates the cluster's endpoints from `GET /v2/members` (Go: `Sync`).
#[derive(Debug)]
pub struct EndpointSync {
    phase: Phase,
    timeout: Option<Duration>,
    deadline: Option<Instant>,
}

#[derive(Debug)]
enum Phase {
    Members(Op<Vec<Member>>),
    Leader(Op<Member>, Vec<Endpoint>),
    Done,
}

impl Default for EndpointSync {
    fn default() -> Self {
        Self::new()
    }
}

impl EndpointSync {
    /// A sync, ready to be driven.
    pub fn new() -> Self {
        let phase = match members::list() {
            Ok(call) => Phase::Members(Op::new(call)),
            Err(_) => Phase::Done,
        };
        Self {
            phase,
            timeout: None,
            deadline: None,
        }
    }

    /// Ends the whole sync (member list and leader lookup) with [`Error::DeadlineExceeded`]
    /// this long after its first poll (Go: the context of `Sync(ctx)`).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    fn members_listed(
        &mut self,
        cluster: &mut Cluster,
        members: Vec<Member>,
    ) -> Option<Result<(), Error>> {
        let urls: Vec<&str> = members
            .iter()
            .flat_map(|m| m.client_urls.iter().map(alloc::string::String::as_str))
            .collect();
        let mut endpoints = match parse_all(&urls) {
            Ok(e) => e,
            Err(e) => return Some(Err(e)),
        };
        match cluster.config().selection_mode {
            SelectionMode::Random => {
                if !cluster.same_set(&endpoints) {
                    cluster.shuffle(&mut endpoints);
                    cluster.replace(endpoints, 0);
                }
                Some(Ok(()))
            }
            SelectionMode::PrioritizeLeader => match members::leader() {
                Ok(call) => {
                    let mut op = Op::with_endpoints(call, endpoints.clone());
                    op.set_deadline(self.deadline);
                    self.phase = Phase::Leader(op, endpoints);
                    None
                }
                Err(e) => Some(Err(e)),
            },
        }
    }
}

fn leader_pin(endpoints: &[Endpoint], leader: &Member) -> Option<usize> {
    let first = leader.client_urls.first()?;
    let leader_url = Endpoint::parse(first).ok()?;
    Some(
        endpoints
            .iter()
            .position(|e| e.as_str() == leader_url.as_str())
            .unwrap_or(0),
    )
}

impl Task for EndpointSync {
    type Output = ();

    fn poll(&mut self, now: Instant, cluster: &mut Cluster) -> Step<()> {
        if let (Some(timeout), None) = (self.timeout, self.deadline) {
            self.deadline = now.checked_add(timeout);
            if let Phase::Members(op) = &mut self.phase {
                op.set_deadline(self.deadline);
            }
        }
        loop {
            match &mut self.phase {
                Phase::Members(op) => match op.poll(now, cluster) {
                    Step::Done(Ok(members)) => {
                        if let Some(result) = self.members_listed(cluster, members) {
                            self.phase = Phase::Done;
                            return Step::Done(result);
                        }
                    }
                    Step::Done(Err(e)) => {
                        self.phase = Phase::Done;
                        return Step::Done(Err(e));
                    }
                    other => return other.map_never(),
                },
                Phase::Leader(op, endpoints) => match op.poll(now, cluster) {
                    Step::Done(result) => {
                        let pin = result
                            .ok()
                            .and_then(|leader| leader_pin(endpoints, &leader));
                        let endpoints = core::mem::take(endpoints);
                        self.phase = Phase::Done;
                        return Step::Done(match pin {
                            Some(pin) => {
                                cluster.replace(endpoints, pin);
                                Ok(())
                            }
                            None => Err(Error::NoLeaderEndpoint),
                        });
                    }
                    other => return other.map_never(),
                },
                Phase::Done => {
                    return Step::Done(Err(crate::error::UsageError::TaskFinished.into()));
                }
            }
        }
    }

    fn handle_response(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        response: Response<Body>,
    ) {
        match &mut self.phase {
            Phase::Members(op) => op.handle_response(now, cluster, attempt, response),
            Phase::Leader(op, _) => op.handle_response(now, cluster, attempt, response),
            Phase::Done => {}
        }
    }

    fn handle_failure(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        failure: TransportFailure,
    ) {
        match &mut self.phase {
            Phase::Members(op) => op.handle_failure(now, cluster, attempt, failure),
            Phase::Leader(op, _) => op.handle_failure(now, cluster, attempt, failure),
            Phase::Done => {}
        }
    }

    fn decode_answer(&mut self) {
        match &mut self.phase {
            Phase::Members(op) => op.decode_answer(),
            Phase::Leader(op, _) => op.decode_answer(),
            Phase::Done => {}
        }
    }
}

/// Syncs now and then every `interval`, until a sync fails (Go: `AutoSync`).
///
/// It only ends with an error; drop it (or its future) to stop it.
#[derive(Debug)]
pub struct AutoSync {
    interval: Duration,
    sync: EndpointSync,
    next_at: Option<Instant>,
}

impl AutoSync {
    /// Auto-sync every `interval` (Go recommends 10 s to 1 min).
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            sync: EndpointSync::new(),
            next_at: None,
        }
    }
}

impl Task for AutoSync {
    type Output = Infallible;

    fn poll(&mut self, now: Instant, cluster: &mut Cluster) -> Step<Infallible> {
        loop {
            if let Some(at) = self.next_at {
                if now < at {
                    return Step::Wait(at);
                }
                self.next_at = None;
                self.sync = EndpointSync::new();
            }
            match self.sync.poll(now, cluster) {
                Step::Done(Ok(())) => {
                    self.next_at = Some(now.checked_add(self.interval).unwrap_or(now))
                }
                Step::Done(Err(e)) => return Step::Done(Err(e)),
                other => return other.map_never(),
            }
        }
    }

    fn handle_response(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        response: Response<Body>,
    ) {
        self.sync.handle_response(now, cluster, attempt, response);
    }

    fn handle_failure(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        failure: TransportFailure,
    ) {
        self.sync.handle_failure(now, cluster, attempt, failure);
    }

    fn decode_answer(&mut self) {
        self.sync.decode_answer();
    }
}
