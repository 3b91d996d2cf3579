//! The run-loop contract between the core and an adapter: [`Task`], [`Step`], [`Transmit`]

use alloc::string::String;
use alloc::sync::Arc;
use std::time::Instant;

use crate::wire::body::Body;
use bytes::Bytes;
use http::{Request, Response};

use crate::error::{Error, TransportFailure};
use crate::machines::cluster::Cluster;

/// Identifies one HTTP exchange of a task, so a late answer cannot be mistaken for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttemptId(pub u64);

/// One HTTP exchange the adapter must perform.
#[derive(Debug)]
#[must_use]
pub struct Transmit {
    /// Pass back with the answer.
    pub attempt: AttemptId,
    /// The endpoint the request goes to (for logs); shared with the endpoint list.
    pub endpoint: Arc<str>,
    /// The complete request; its body is already encoded.
    pub request: Request<Bytes>,
    /// Give up at this instant and report [`TransportFailure::Timeout`]; `None` for no limit.
    pub deadline: Option<Instant>,
    /// Give up if the response headers have not arrived by this instant and report
    /// [`TransportFailure::Timeout`]; `None` for no limit. [`deadline`](Self::deadline) still
    /// bounds the whole exchange, body included. For a watch (long poll) this is the only
    /// limit on a silent member: etcd sends a watch's headers at once, only its body waits.
    ///
    /// Never later than `deadline`, and `Some` whenever `deadline` is: a transport can apply it
    /// to the head as it is.
    pub header_deadline: Option<Instant>,
    /// Stop reading the body past this many bytes and report [`TransportFailure::BodyTooLarge`].
    pub max_body: usize,
    /// When curl debugging is on: the line to print to stderr before sending
    /// (`cURL Command: curl -X …`, as the Go client prints it; never shows credentials).
    pub curl: Option<String>,
    /// The answer's body is a stream (a `stream=true` watch): if the status is 2xx, hand the
    /// head over at once with an empty body ([`Task::handle_response`]) and keep the body open;
    /// the task then reads it chunk by chunk ([`Step::Read`]). Any other status: read the whole
    /// body as usual. [`deadline`](Self::deadline) bounds the open body's life as a whole (a
    /// transport that cannot bound each read alone may apply it to the body).
    pub stream: bool,
}

/// What the adapter must do next.
#[derive(Debug)]
#[must_use]
#[allow(clippy::large_enum_variant)] // moved once per exchange; boxing would only add an allocation
pub enum Step<T> {
    /// Perform this exchange, then report its outcome.
    Send(Transmit),
    /// Sleep until this instant, then poll again.
    Wait(Instant),
    /// Read the next chunk of the body left open by the stream exchange `attempt`, giving up
    /// at `deadline` with [`TransportFailure::Timeout`]; report it with [`Task::handle_chunk`].
    /// Only stream tasks (a watch with [`crate::WatchOptions::stream`]) return it.
    Read {
        /// The exchange whose body to read.
        attempt: AttemptId,
        /// Give up reading at this instant; `None` for no limit.
        deadline: Option<Instant>,
    },
    /// The task is over.
    Done(Result<T, Error>),
}

/// A piece of work the adapter drives to completion.
///
/// Every operation (one call, a sync, one watch event, auto-sync) is a [`Task`]. An adapter
/// drives any task with the same loop:
///
/// ```text
/// loop {
///     match task.poll(now(), &mut cluster) {
///         Step::Send(t)   => { send t.request, give up at t.header_deadline if no response
///                              head yet, at t.deadline in any case;
///                              task.handle_response(now(), &mut cluster, t.attempt, response)
///                              or task.handle_failure(now(), &mut cluster, t.attempt, failure);
///                              then, with the cluster lock released: task.decode_answer() }
///         Step::Wait(at)  => sleep until `at`,
///         Step::Read { attempt, deadline } => { read the next chunk of the open body;
///                              task.handle_chunk(now(), &mut cluster, attempt, chunk) }
///         Step::Done(r)   => return r,
///     }
/// }
/// ```
///
/// Nothing else is asked of the adapter: all retries, failover, redirects, pinning and
/// deadline decisions happen inside the task.
pub trait Task {
    /// What the task produces.
    type Output;

    /// The next thing to do at `now`. Call again after each `handle_*` or wait.
    fn poll(&mut self, now: Instant, cluster: &mut Cluster) -> Step<Self::Output>;

    /// The answer to the exchange `attempt`, with its body fully read.
    fn handle_response(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        response: Response<Body>,
    );

    /// The exchange `attempt` failed without an answer.
    fn handle_failure(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        failure: TransportFailure,
    );

    /// The next chunk of a stream body ([`Step::Read`]): `Ok(Some(data))`, `Ok(None)` at the
    /// end of the body (also when no body is open), or the failure that broke it (`Timeout`
    /// at the read's deadline). After `Ok(None)` or an error the adapter drops the body; it
    /// also drops it when the task next returns [`Step::Send`]. Tasks that never return
    /// [`Step::Read`] ignore it.
    fn handle_chunk(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        chunk: Result<Option<Bytes>, TransportFailure>,
    ) {
        let _ = (now, cluster, attempt, chunk);
    }

    /// Decodes the answer [`Task::handle_response`] accepted: the part of handling it that
    /// needs no [`Cluster`] (JSON decoding, milliseconds for a large listing).
    ///
    /// An adapter that keeps the cluster behind a lock calls this right after
    /// `handle_response`, with the lock released, so the client's other calls go on meanwhile.
    /// Optional: [`Task::poll`] decodes whatever is still undecoded.
    fn decode_answer(&mut self) {}
}

impl<T> Step<T> {
    /// Re-types a step that is not `Done` (used by tasks that wrap other tasks).
    pub(crate) fn map_never<U>(self) -> Step<U> {
        match self {
            Self::Send(t) => Step::Send(t),
            Self::Wait(at) => Step::Wait(at),
            Self::Read { attempt, deadline } => Step::Read { attempt, deadline },
            // Callers match `Done` first; keep the value's error if it ever gets here.
            Self::Done(r) => {
                Step::Done(r.and_then(|_| Err(crate::error::UsageError::TaskFinished.into())))
            }
        }
    }
}

impl<K: Task + ?Sized> Task for &mut K {
    type Output = K::Output;

    fn poll(&mut self, now: Instant, cluster: &mut Cluster) -> Step<Self::Output> {
        (**self).poll(now, cluster)
    }

    fn handle_response(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        response: Response<Body>,
    ) {
        (**self).handle_response(now, cluster, attempt, response);
    }

    fn handle_failure(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        failure: TransportFailure,
    ) {
        (**self).handle_failure(now, cluster, attempt, failure);
    }

    fn handle_chunk(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        chunk: Result<Option<Bytes>, TransportFailure>,
    ) {
        (**self).handle_chunk(now, cluster, attempt, chunk);
    }

    fn decode_answer(&mut self) {
        (**self).decode_answer();
    }
}
