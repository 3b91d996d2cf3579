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

use core::time::Duration;
use std::time::Instant;

use crate::wire::body::Body;
use http::Response;

use crate::call::{Call, keys};
use crate::error::{Error, ProtocolError, TransportFailure};
use crate::machines::cluster::Cluster;
use crate::machines::op::{Op, earliest};
use crate::machines::task::{AttemptId, Step, Task};
use crate::model::options::{ResumePolicy, WatchOptions};
use crate::model::{KeysResponse, WatchPoll};

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
        call.spec.query = keys::wait_query(self.recursive, self.wait_index).into();
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
                    op
                }
            };
            match op.poll(now, cluster) {
                Step::Done(result) => match self.handle(now, result) {
                    Some(out) => return Step::Done(out),
                    None => continue,
                },
                other => {
                    self.op = Some(op);
                    return other.map_never();
                }
            }
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
            Ok(WatchPoll::Event(event)) => {
                self.empty_streak = 0;
                if let Some(node) = &event.node {
                    let got = node.modified_index;
                    // Only forward; u64::MAX would leave no index to wait for after it.
                    if got < self.wait_index || got == u64::MAX {
                        let waited_for = self.wait_index;
                        return Some(Err(ProtocolError::IndexWentBack { waited_for, got }.into()));
                    }
                    self.wait_index = got + 1;
                }
                Some(Ok(event))
            }
            Ok(WatchPoll::Unchanged { .. }) => None, // only a quiet check answers this way
            Ok(WatchPoll::Empty { index }) => {
                if self.wait_index == 0 {
                    if let Some(index) = index {
                        // Events after the registration index are still to come: none is skipped.
                        self.wait_index = index.saturating_add(1);
                    }
                }
                self.empty_streak = self.empty_streak.saturating_add(1);
                if self.empty_streak >= BACKOFF_AFTER {
                    let exp = (self.empty_streak - BACKOFF_AFTER).min(8);
                    let delay = (BACKOFF_START * (1u32 << exp)).min(BACKOFF_MAX);
                    self.retry_at = now.checked_add(delay);
                }
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

    fn decode_answer(&mut self) {
        if let Some(op) = self.op.as_mut() {
            op.decode_answer();
        }
    }
}
