//! `tracing` spans for the runtime crates (feature `tracing`): one per call (`etcd_call`) and
//! one per attempt (`etcd_attempt`), at debug level, with the endpoint, method, path (never
//! the query or a body), status, etcd index, time taken and outcome. A watch's long poll that
//! waited its longest is traced below debug. The clock is the caller's, as everywhere here.

use std::time::Instant;

use crate::wire::body::Body;
use crate::{ETCD_INDEX, Error, Transmit, TransportFailure};
use http::Response;
use tracing::Span;
use tracing::field::Empty;

/// One attempt being traced.
#[derive(Debug)]
pub struct Attempt {
    /// Its span: enter it, or instrument the exchange with it.
    pub span: Span,
    started: Instant,
    /// A watch's long poll, whose wait running out is normal.
    long_poll: bool,
}

/// The span of one attempt: where it goes, what it asks (the path, never the query or body).
pub fn attempt(t: &Transmit, now: Instant) -> Attempt {
    let long_poll = t
        .request
        .uri()
        .query()
        .is_some_and(|q| q.contains("wait=true"));
    let span = tracing::debug_span!(
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
pub fn attempt_end(a: &Attempt, now: Instant, answer: &Result<Response<Body>, TransportFailure>) {
    let span = &a.span;
    let elapsed = now.saturating_duration_since(a.started);
    span.record(
        "elapsed_ms",
        u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
    );
    match answer {
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

/// The span of one call.
pub fn call() -> Span {
    tracing::debug_span!("etcd_call", outcome = Empty)
}

/// Records how the call that started at `started` ended.
pub fn call_end<T>(span: &Span, started: Instant, now: Instant, result: &Result<T, Error>) {
    let elapsed = now.saturating_duration_since(started);
    let elapsed = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(_) => span.record("outcome", "ok"),
        Err(e) => span.record("outcome", tracing::field::display(e)),
    };
    tracing::debug!(parent: span, elapsed_ms = elapsed, "call ended");
}
