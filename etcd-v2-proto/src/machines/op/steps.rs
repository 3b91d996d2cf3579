//! How an [`Op`] steps: the [`Task`] it is to an adapter

use alloc::string::ToString;
use std::time::Instant;

use crate::wire::body::Body;
use http::Response;

use crate::error::{AttemptFailure, Error, ProtocolError, TransportFailure, UsageError};
use crate::machines::cluster::Cluster;
use crate::machines::task::{AttemptId, Step, Task};
use crate::wire::decode::{ETCD_INDEX, ETCD_INDEX_NAME, cluster_id_str};

use super::*;

impl<T> Task for Op<T> {
    type Output = T;

    fn poll(&mut self, now: Instant, cluster: &mut Cluster) -> Step<T> {
        self.decode_answer();
        if !matches!(self.end, End::Running) {
            return Step::Done(match core::mem::replace(&mut self.end, End::Taken) {
                End::Finished(result) => result,
                _ => Err(UsageError::TaskFinished.into()),
            });
        }
        if self.run.is_none() {
            if let Err(e) = self.start(now, cluster) {
                self.finish(Err(e));
                return self.poll(now, cluster);
            }
        }
        let expired = self
            .run
            .as_ref()
            .and_then(|r| r.deadline)
            .is_some_and(|d| now >= d);
        if expired {
            self.deadline_passed();
            return self.poll(now, cluster);
        }
        self.transmit(now, cluster)
    }

    fn handle_response(
        &mut self,
        _now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        response: Response<Body>,
    ) {
        if !self.accept(attempt) {
            return;
        }
        if let Ok(Some(index)) =
            crate::wire::decode::u64_header(response.headers(), &ETCD_INDEX_NAME, ETCD_INDEX)
        {
            cluster.saw_index(index);
        }
        let limit = cluster.config().max_body_bytes;
        if response.body().len() > limit {
            self.finish(Err(ProtocolError::BodyTooLarge { limit }.into()));
            return;
        }
        let status = response.status();
        let Some(run) = self.run.as_ref() else { return };
        let endpoint = || run.snapshot.endpoints[run.current].as_str().to_string();
        if status.is_redirection() {
            self.redirect(cluster, &response);
            return;
        }
        if status.is_server_error() && !self.call.spec.server_error_is_answer {
            let failure = match status.as_u16() {
                500 | 503 => AttemptFailure::NoLeader {
                    endpoint: endpoint(),
                    status: status.as_u16(),
                },
                code => AttemptFailure::ServerError {
                    endpoint: endpoint(),
                    status: code,
                    reason: status.canonical_reason().unwrap_or("").to_string(),
                },
            };
            self.endpoint_failed(cluster, failure);
            return;
        }
        // Only looked up when a cluster id is pinned.
        let pinned = cluster.cluster_id();
        let found = pinned.and_then(|_| cluster_id_str(response.headers()));
        if let (Some(expected), Some(found)) = (pinned, found) {
            if !expected.eq_ignore_ascii_case(found) {
                let failure = AttemptFailure::WrongCluster {
                    endpoint: endpoint(),
                    expected: expected.to_string(),
                    found: found.to_string(),
                };
                self.endpoint_failed(cluster, failure);
                return;
            }
        }
        if run.repin && run.current != run.snapshot.pinned {
            cluster.pin(run.snapshot.generation, run.current);
        }
        // Decoded by `decode_answer`, which needs no cluster (so no lock in an adapter).
        self.end = End::Answered(response);
    }

    fn handle_failure(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        failure: TransportFailure,
    ) {
        if !self.accept(attempt) {
            return;
        }
        let Some(run) = self.run.as_mut() else { return };
        let endpoint = run.snapshot.endpoints[run.current].as_str().to_string();
        let deadline_passed = run.deadline.is_some_and(|d| now >= d);
        let failure = match failure {
            TransportFailure::Timeout if deadline_passed => {
                // The request may have been written: a write's outcome is unknown.
                let timeout = AttemptFailure::Transport(TransportFailure::Timeout);
                run.record(self.call.idempotency.is_write(), timeout);
                self.deadline_passed();
                return;
            }
            TransportFailure::Timeout => AttemptFailure::HeaderTimeout { endpoint },
            TransportFailure::BodyTooLarge { limit } => {
                // The member answered; its answer is just too big. Another member's would be too.
                self.finish(Err(ProtocolError::BodyTooLarge { limit }.into()));
                return;
            }
            other => AttemptFailure::Transport(other),
        };
        self.endpoint_failed(cluster, failure);
    }

    fn decode_answer(&mut self) {
        if matches!(self.end, End::Answered(_)) {
            if let End::Answered(response) = core::mem::replace(&mut self.end, End::Running) {
                // A refusal after an attempt that may have applied the write may be caused by
                // that attempt (101 Compare failed because the first CAS took effect).
                let result = match (self.call.decode(response), self.run.as_mut()) {
                    (Err(e @ (Error::Etcd(_) | Error::Api(_))), Some(run))
                        if run.maybe_applied.is_some() =>
                    {
                        Err(run.outcome_unknown(Some(e)))
                    }
                    (result, _) => result,
                };
                self.finish(result);
            }
        }
    }
}
