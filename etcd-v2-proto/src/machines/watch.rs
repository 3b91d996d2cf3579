//! Watches: wait-index bookkeeping over a series of long polls
//!
//! A [`Watch`] is a [`Task`] that can be driven again and again: each run yields the next
//! event. It sends `GET <key>?recursive=<b>&wait=true&waitIndex=<n>` (the header timeout bounds
//! only the response headers, never the wait for the event body), advances `n` past each event
//! (`modifiedIndex + 1`, never backwards), re-polls when a poll ends without an event, and
//! reports a cleared history (error 401) as a typed error, optionally resuming.
//!
//! A watch from "now" (no index) first sends `HEAD <key>` and starts at its `X-Etcd-Index` + 1:
//! its start is fixed before any poll, so a poll that ends without an event (deadline,
//! failover, drop) cannot make it skip one.
//!
//! Liveness: one long poll waits at most [`WatchOptions::max_poll_age`]; then the watch polls
//! again from the same index, so a member that died or stopped after sending the headers is
//! left behind (the next poll fails over). Before that poll, a watch of one key reads the key:
//! if it has not changed since the wait index, the watch waits from the read's
//! `X-Etcd-Index` + 1 instead, which keeps a quiet key inside etcd's 1,000-event history
//! however busy the rest of the store is.
//!
//! ## Stream mode ([`WatchOptions::stream`])
//! The long poll carries `stream=true`; the adapter hands its head over at once and keeps the
//! body open ([`Transmit::stream`](crate::Transmit::stream)), and each run reads it
//! ([`Step::Read`]) until a complete line (one event, see [`LineSplitter`](crate::body::LineSplitter)) is there. Each
//! event is checked and books the wait index as a poll's answer does, so when the stream ends
//! (EOF), breaks (a transport failure, the member gone) or is dropped (a bad line, a
//! deadline), the next run reopens it from the index after the last event delivered, failing
//! over as a poll does. Lines already received stay in the watch between runs.
//!
//! etcd answers a `waitIndex` its history still holds with that one event and then keeps the
//! stream open and silent for good (the watcher is not registered). An event at or below the
//! stream's `X-Etcd-Index` is such an answer: the stream is dropped after it and reopened from
//! the next index, so catching up costs a request per event and a watch that is caught up gets
//! a live stream. An open stream lives at most [`WatchOptions::max_poll_age`] (from its
//! opening, as a poll), then is reopened from the same index after the same quiet-key check:
//! besides a member that died silently, this is what notices a stream etcd stopped feeding
//! because its reader fell 100 events behind (it leaves that answer open and silent).

use core::time::Duration;
use std::time::Instant;

use crate::wire::body::Body;
use bytes::Bytes;
use http::{HeaderMap, Response};

use crate::call::{Call, keys};
use crate::error::{Error, ProtocolError, TransportFailure};
use crate::machines::cluster::Cluster;
use crate::machines::op::{Op, earliest};
use crate::machines::task::{AttemptId, Step, Task};
use crate::model::options::{ResumePolicy, WatchOptions};
use crate::model::{KeysResponse, WatchPoll};
use stream::OpenStream;

mod stream;

/// Empty polls in a row after which re-polls are spaced out.
const BACKOFF_AFTER: u32 = 2;
const BACKOFF_START: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// A watch on a key (or, recursively, a directory): Go's `Watcher`.
///
/// ```
/// use etcd_v2_proto::{Watch, WatchOptions};
/// let w = Watch::new("/v2/keys", "/foo", WatchOptions::default().after_index(19)).unwrap();
/// assert_eq!(w.wait_index(), 20);
/// ```
#[derive(Debug)]
pub struct Watch {
    template: Call<WatchPoll>,
    recursive: bool,
    resume: ResumePolicy,
    wait_index: u64,
    empty_streak: u32,
    op: Option<Op<WatchPoll>>,
    retry_at: Option<Instant>,
    timeout: Option<Duration>,
    /// When the event being waited for must have arrived (set on the first poll of each run).
    deadline: Option<Instant>,
    /// A watch from "now" (no index given) first learns the current index with a `HEAD`, so
    /// that no later poll, whatever ends it, can skip an event: true until that answer came.
    learn_start: bool,
    /// How long one long poll may wait for its event (the watch's liveness).
    max_poll_age: Option<Duration>,
    /// When the long poll in flight has waited long enough; then the watch polls again.
    poll_deadline: Option<Instant>,
    /// The next op is a plain read of the key, to move a quiet key's index forward.
    check_quiet: bool,
    /// The history was cleared and the policy is to resync: the next op re-reads the key.
    resync: bool,
    /// Stream mode: long polls carry `stream=true` and their bodies stay open.
    stream: bool,
    /// The op in flight opens a stream (the attempt last sent for it, once sent).
    opening: Option<Option<AttemptId>>,
    /// The headers of the 2xx head that answered the stream being opened.
    head: Option<HeaderMap>,
    /// The stream being read (boxed: a watch is moved with every wait's future).
    open: Option<alloc::boxed::Box<OpenStream>>,
}

impl Watch {
    /// A watch of `key` under `prefix` (usually `/v2/keys`).
    ///
    /// # Errors
    /// [`crate::UsageError::KeyEscapesPrefix`] for a key like `../x`.
    pub fn new(prefix: &str, key: &str, opts: WatchOptions) -> Result<Self, Error> {
        Ok(Self {
            template: keys::wait(prefix, key, opts.recursive, 0)?,
            recursive: opts.recursive,
            resume: opts.resume,
            wait_index: if opts.after_index > 0 {
                opts.after_index.saturating_add(1)
            } else {
                0
            },
            empty_streak: 0,
            op: None,
            retry_at: None,
            timeout: None,
            deadline: None,
            learn_start: opts.after_index == 0,
            max_poll_age: opts.max_poll_age,
            poll_deadline: None,
            check_quiet: false,
            resync: false,
            stream: opts.stream,
            opening: None,
            head: None,
            open: None,
        })
    }

    /// The `waitIndex` the next poll sends (0: the watch from "now" has not learned its start
    /// index yet; its next run does, before polling).
    pub fn wait_index(&self) -> u64 {
        self.wait_index
    }

    /// Bounds each run (each wait for the next event) to `timeout`; `None` waits forever
    /// (Go: the context passed to `Watcher.Next`). A run that times out ends with
    /// [`Error::DeadlineExceeded`] and the watch stays where it was.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// Continue from `after_index + 1`, e.g. after re-reading state following error 401.
    pub fn resume_after(&mut self, after_index: u64) {
        self.wait_index = after_index.saturating_add(1);
        self.op = None;
        self.open = None;
        self.opening = None;
    }

    /// Whether the next op (or the one in flight) is the `HEAD` that learns the start index.
    fn learning_start(&self) -> bool {
        self.learn_start && self.wait_index == 0
    }

    fn next_op(&self) -> Op<WatchPoll> {
        if self.learning_start() {
            return Op::new(keys::start_index(&self.template));
        }
        if self.resync {
            return Op::new(keys::resync(&self.template, self.recursive));
        }
        if self.check_quiet {
            return Op::new(keys::quiet_check(&self.template));
        }
        let mut call = self.template.clone();
        call.spec.query = keys::wait_query(self.recursive, self.wait_index, self.stream).into();
        Op::new(call)
    }

    /// Drives long polls until one yields an event or an error.
    fn poll_event(&mut self, now: Instant, cluster: &mut Cluster) -> Step<KeysResponse> {
        loop {
            if self.deadline.is_some_and(|d| now >= d) {
                self.op = None;
                self.retry_at = None;
                return Step::Done(Err(Error::DeadlineExceeded));
            }
            if let Some(at) = self.retry_at {
                if now < at {
                    return Step::Wait(self.deadline.map_or(at, |d| d.min(at)));
                }
                self.retry_at = None;
            }
            if self.open.is_some() {
                match self.poll_stream(now) {
                    Some(step) => return step,
                    None => continue,
                }
            }
            // Built when needed, so every poll sends the current wait index.
            let mut op = match self.op.take() {
                Some(op) => op,
                None => {
                    let long_poll = !self.learning_start() && !self.check_quiet && !self.resync;
                    self.poll_deadline = self
                        .max_poll_age
                        .filter(|_| long_poll)
                        .and_then(|age| now.checked_add(age));
                    let mut op = self.next_op();
                    op.set_deadline(earliest(self.deadline, self.poll_deadline));
                    self.opening = (long_poll && self.stream).then_some(None);
                    op
                }
            };
            match op.poll(now, cluster) {
                Step::Done(result) => {
                    if let Some(out) = self.opened(cluster, result) {
                        match self.handle(now, out) {
                            Some(out) => return Step::Done(out),
                            None => continue,
                        }
                    }
                }
                Step::Send(mut t) if self.opening.is_some() => {
                    t.stream = true;
                    self.opening = Some(Some(t.attempt));
                    self.op = Some(op);
                    return Step::Send(t);
                }
                other => {
                    self.op = Some(op);
                    return other.map_never();
                }
            }
        }
    }

    /// The end of an op: if it opened a stream, the stream is kept (and `None` returned);
    /// anything else (an error, or an event from a server that ignores `stream=true`) is a
    /// poll's outcome.
    fn opened(
        &mut self,
        cluster: &Cluster,
        result: Result<WatchPoll, Error>,
    ) -> Option<Result<WatchPoll, Error>> {
        let opening = self.opening.take();
        let head = self.head.take();
        let (Some(Some(attempt)), Some(head), Ok(WatchPoll::Empty { index })) =
            (opening, head, &result)
        else {
            return Some(result);
        };
        let max_line = cluster.config().max_body_bytes;
        let open = OpenStream::new(attempt, head, *index, max_line);
        self.open = Some(alloc::boxed::Box::new(open));
        None
    }

    /// Reads the open stream: its next event, [`Step::Read`] for more, or `None` once the
    /// stream is gone (the caller then opens the next one).
    fn poll_stream(&mut self, now: Instant) -> Option<Step<KeysResponse>> {
        let open = self.open.as_mut()?;
        if let Some(line) = open.next_line() {
            let head_index = open.head_index;
            open.events += 1;
            let from_history = matches!(&line, Ok(WatchPoll::Event(e))
                if e.node.as_ref().is_some_and(|n| head_index.is_some_and(|h| n.modified_index <= h)));
            if line.is_err() || from_history {
                // A bad line: nothing after it can be trusted. An event from the history:
                // etcd sends nothing after it on this stream.
                self.open = None;
            }
            let out = match line {
                Ok(WatchPoll::Event(event)) => self.event(event),
                Ok(_) => Err(ProtocolError::MissingNode.into()),
                Err(e) => Err(e),
            };
            if out.is_err() {
                self.open = None;
            }
            return Some(Step::Done(out));
        }
        let aged = self.poll_deadline.is_some_and(|d| now >= d);
        if let Some(failure) = open.ended.take() {
            let events = open.events;
            self.open = None;
            let caller = self.deadline.is_some_and(|d| now >= d);
            if aged && !caller && failure.is_some() {
                // Its age, however the transport reports it: as a poll that aged.
                self.check_quiet = !self.recursive;
            } else if events == 0 && !matches!(failure, Some(TransportFailure::Timeout)) {
                // A stream that ends before its first event counts as an empty poll.
                self.backoff(now);
            }
            return None;
        }
        if aged {
            self.open = None;
            self.check_quiet = !self.recursive;
            return None;
        }
        Some(Step::Read {
            attempt: open.attempt,
            deadline: earliest(self.deadline, self.poll_deadline),
        })
    }

    /// An event, checked as every answer is: the index only moves forward.
    fn event(&mut self, event: KeysResponse) -> Result<KeysResponse, Error> {
        self.empty_streak = 0;
        if let Some(node) = &event.node {
            let got = node.modified_index;
            // Only forward; u64::MAX would leave no index to wait for after it.
            if got < self.wait_index || got == u64::MAX {
                let waited_for = self.wait_index;
                return Err(ProtocolError::IndexWentBack { waited_for, got }.into());
            }
            self.wait_index = got + 1;
        }
        Ok(event)
    }

    /// One more poll that ended without an event: re-polls are spaced out after a few.
    fn backoff(&mut self, now: Instant) {
        self.empty_streak = self.empty_streak.saturating_add(1);
        if self.empty_streak >= BACKOFF_AFTER {
            let exp = (self.empty_streak - BACKOFF_AFTER).min(8);
            let delay = (BACKOFF_START * (1u32 << exp)).min(BACKOFF_MAX);
            self.retry_at = now.checked_add(delay);
        }
    }

    /// Books one poll's outcome; `None` means poll again.
    fn handle(
        &mut self,
        now: Instant,
        result: Result<WatchPoll, Error>,
    ) -> Option<Result<KeysResponse, Error>> {
        let poll_deadline = self.poll_deadline.take();
        let aged = poll_deadline.is_some_and(|d| now >= d)
            && self.deadline.is_none_or(|d| now < d)
            && matches!(result, Err(Error::DeadlineExceeded));
        if aged {
            // The poll waited its longest (the member may be gone): poll again from the same
            // index, after a look at a plain key that may move the index past a quiet spell.
            self.check_quiet = !self.recursive;
            return None;
        }
        if self.resync {
            return match result {
                Ok(WatchPoll::Snapshot(snapshot)) => {
                    self.resync = false;
                    self.empty_streak = 0;
                    self.wait_index = self.wait_index.max(snapshot.index.saturating_add(1));
                    Some(Ok(snapshot))
                }
                Ok(_) => None,
                // The next run reads again: the watch stays where it was until it has a
                // snapshot to resume after.
                Err(e) => Some(Err(e)),
            };
        }
        if self.check_quiet {
            self.check_quiet = false;
            if let Ok(WatchPoll::Unchanged { modified, index }) = result {
                if modified < self.wait_index {
                    // No event on the key in [wait_index, index]: none can be skipped.
                    self.wait_index = self.wait_index.max(index.saturating_add(1));
                }
            }
            // A failed look teaches nothing; the poll reports what is wrong.
            return None;
        }
        if self.learning_start() {
            if let Ok(WatchPoll::Empty { index }) = &result {
                self.learn_start = false;
                if let Some(index) = index {
                    self.wait_index = index.saturating_add(1);
                }
                return None;
            }
        }
        match result {
            Ok(WatchPoll::Event(event)) => Some(self.event(event)),
            Ok(WatchPoll::Unchanged { .. }) => None, // only a quiet check answers this way
            Ok(WatchPoll::Empty { index }) => {
                if self.wait_index == 0 {
                    if let Some(index) = index {
                        // Events after the registration index are still to come: none is skipped.
                        self.wait_index = index.saturating_add(1);
                    }
                }
                self.backoff(now);
                None
            }
            Ok(WatchPoll::Snapshot(_)) => None, // only a resync answers this way
            Err(e) if self.resume == ResumePolicy::Resync && e.is_event_index_cleared() => {
                self.resync = true;
                None
            }
            Err(e) => {
                if let (ResumePolicy::FromCurrentIndex, Some(etcd)) = (self.resume, e.etcd()) {
                    if e.is_event_index_cleared() {
                        let requested = self.wait_index;
                        self.wait_index = etcd.index.saturating_add(1);
                        return Some(Err(Error::EventsLost {
                            requested,
                            resumed_at: self.wait_index,
                        }));
                    }
                }
                Some(Err(e))
            }
        }
    }
}

impl Task for Watch {
    type Output = KeysResponse;

    fn poll(&mut self, now: Instant, cluster: &mut Cluster) -> Step<KeysResponse> {
        if let (Some(timeout), None) = (self.timeout, self.deadline) {
            self.deadline = now.checked_add(timeout);
        }
        let step = self.poll_event(now, cluster);
        if matches!(step, Step::Done(_)) {
            self.deadline = None;
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
        if self.opening == Some(Some(attempt)) && response.status().is_success() {
            self.head = Some(response.headers().clone());
        }
        if let Some(op) = self.op.as_mut() {
            op.handle_response(now, cluster, attempt, response);
        }
    }

    fn handle_failure(
        &mut self,
        now: Instant,
        cluster: &mut Cluster,
        attempt: AttemptId,
        failure: TransportFailure,
    ) {
        if let Some(op) = self.op.as_mut() {
            op.handle_failure(now, cluster, attempt, failure);
        }
    }

    fn handle_chunk(
        &mut self,
        _now: Instant,
        _cluster: &mut Cluster,
        attempt: AttemptId,
        chunk: Result<Option<Bytes>, TransportFailure>,
    ) {
        if let Some(open) = self.open.as_mut().filter(|o| o.attempt == attempt) {
            open.push(chunk);
        }
    }

    fn decode_answer(&mut self) {
        if let Some(op) = self.op.as_mut() {
            op.decode_answer();
        }
        if let Some(open) = self.open.as_mut() {
            open.decode_ahead();
        }
    }
}
