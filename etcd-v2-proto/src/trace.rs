//! `tracing` spans for the runtime crates (feature `tracing`): wrap a task in [`Traced`] and
//! drive it as usual. One span per call (`etcd_call`) and one per attempt (`etcd_attempt`,
//! inside the call's), at debug level, with the endpoint, method, path (never the query or a
//! body), status, etcd index, time taken and outcome; curl debug lines become events of target
//! `etcd_v2::curl` instead of the [`Transmit::curl`] the adapter would print. A watch's long
//! poll that waited its longest is traced below debug. The clock is the caller's, as
//! everywhere here.

use std::time::Instant;

use crate::machines::cluster::Cluster;
use crate::wire::body::Body;
use crate::{AttemptId, ETCD_INDEX, Error, Step, Task, Transmit, TransportFailure};
use bytes::Bytes;
use http::Response;
use tracing::Span;
use tracing::field::Empty;

/// A task whose call and attempts are traced (see the module doc).
#[derive(Debug)]
pub struct Traced<K> {
    task: K,
    call: Span,
    /// When the first poll came.
    started: Option<Instant>,
    attempt: Option<Attempt>,
}

impl<K: Task> Traced<K> {
    /// Traces `task` from its first poll to its end.
    pub fn new(task: K) -> Self {
        Self {
            task,
            call: tracing::debug_span!("etcd_call", outcome = Empty),
            started: None,
            attempt: None,
        }
    }

    /// Closes the span of the attempt in flight with how it ended.
    fn end_attempt(&mut self, now: Instant, answer: Result<&Response<Body>, &TransportFailure>) {
        if let Some(attempt) = self.attempt.take() {
            attempt_end(&attempt, now, answer);
        }
    }
}

impl<K: Task> Task for Traced<K> {
    type Output = K::Output;

    fn poll(&mut self, now: Instant, cluster: &mut Cluster) -> Step<K::Output> {
        let started = *self.started.get_or_insert(now);
        let mut step = self.call.in_scope(|| self.task.poll(now, cluster));
        match &mut step {
            Step::Send(t) => {
                let attempt = attempt(t, now, &self.call);
                if let Some(line) = t.curl.take() {
                    tracing::info!(target: "etcd_v2::curl", parent: &attempt.span, "{line}");
                }
                self.attempt = Some(attempt);
            }
            Step::Done(result) => call_end(&self.call, started, now, result),
            Step::Wait(_) | Step::Read { .. } => {}
        }
        step
    }

    fn handle_response(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        response: Response<Body>,
    ) {
        self.end_attempt(now, Ok(&response));
        self.call
            .in_scope(|| self.task.handle_response(now, cluster, attempt, response));
    }

    fn handle_failure(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        failure: TransportFailure,
    ) {
        self.end_attempt(now, Err(&failure));
        self.call
            .in_scope(|| self.task.handle_failure(now, cluster, attempt, failure));
    }

    fn handle_chunk(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        chunk: Result<Option<Bytes>, TransportFailure>,
    ) {
        self.call
            .in_scope(|| self.task.handle_chunk(now, cluster, attempt, chunk));
    }

    fn decode_answer(&mut self) {
        self.task.decode_answer();
    }
}

/// One attempt being traced.
#[derive(Debug)]
struct Attempt {
    span: Span,
    started: Instant,
    /// A watch's long poll, whose wait running out is normal.
    long_poll: bool,
}

/// The span of one attempt: where it goes, what it asks (the path, never the query or body).
fn attempt(t: &Transmit, now: Instant, call: &Span) -> Attempt {
    let long_poll = t
        .request
        .uri()
        .query()
        .is_some_and(|q| q.contains("wait=true"));
    let span = tracing::debug_span!(
        parent: call,
        "etcd_attempt",
        endpoint = %t.endpoint,
        method = %t.request.method(),
        path = t.request.uri().path(),
        status = Empty,
        etcd_index = Empty,
        elapsed_ms = Empty,
    );
    Attempt {
        span,
        started: now,
        long_poll,
    }
}

/// Records how the attempt ended.
fn attempt_end(a: &Attempt, now: Instant, answer: Result<&Response<Body>, &TransportFailure>) {
    let span = &a.span;
    if !span.is_disabled() {
        let elapsed = now.saturating_duration_since(a.started);
        span.record(
            "elapsed_ms",
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        );
    }
    match answer {
        // Nothing to record: no subscriber wants the span.
        Ok(_) if span.is_disabled() => {}
        Ok(r) => {
            span.record("status", r.status().as_u16());
            let index = r.headers().get(ETCD_INDEX).and_then(|v| v.to_str().ok());
            let index = index.and_then(|v| v.parse::<u64>().ok());
            if let Some(index) = index {
                span.record("etcd_index", index);
            }
        }
        // A long poll that waited its longest: normal, so below debug.
        Err(TransportFailure::Timeout) if a.long_poll => {
            tracing::trace!(parent: span, "the long poll waited its longest");
        }
        Err(f) => tracing::debug!(parent: span, failure = %f, "attempt failed"),
    }
}

/// Records how the call that started at `started` ended.
fn call_end<T>(span: &Span, started: Instant, now: Instant, result: &Result<T, Error>) {
    let elapsed = now.saturating_duration_since(started);
    let elapsed = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(_) => span.record("outcome", "ok"),
        Err(e) => span.record("outcome", tracing::field::display(e)),
    };
    tracing::debug!(parent: span, elapsed_ms = elapsed, "call ended");
}
