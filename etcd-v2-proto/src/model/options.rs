//! Options of keys operations, with the Go client's fields and meanings
//!
//! All are plain structs with `Default` and chainable setters:
//!
//! ```
//! use std::time::Duration;
//! use etcd_v2_proto::{SetOptions, PrevExist};
//! let opts = SetOptions::default().prev_exist(PrevExist::Exist).ttl(Duration::from_secs(30));
//! assert_eq!(opts.ttl, Some(Duration::from_secs(30)));
//! ```

use alloc::string::String;
use core::time::Duration;

/// Condition on the key's existence for a set (Go: `PrevExistType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PrevExist {
    /// No condition (Go: `PrevIgnore`).
    #[default]
    Ignore,
    /// The key must exist: an update (Go: `PrevExist`, sends `prevExist=true`).
    Exist,
    /// The key must not exist: a create (Go: `PrevNoExist`, sends `prevExist=false`).
    NoExist,
}

/// Options of a get (Go: `GetOptions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetOptions {
    /// Return all descendants of a directory.
    pub recursive: bool,
    /// Sort children by key (sent as `sorted`).
    pub sort: bool,
    /// Read through raft for a linearizable answer.
    pub quorum: bool,
}

impl GetOptions {
    /// Sets [`Self::recursive`].
    pub fn recursive(mut self, yes: bool) -> Self {
        self.recursive = yes;
        self
    }
    /// Sets [`Self::sort`].
    pub fn sort(mut self, yes: bool) -> Self {
        self.sort = yes;
        self
    }
    /// Sets [`Self::quorum`].
    pub fn quorum(mut self, yes: bool) -> Self {
        self.quorum = yes;
        self
    }
}

/// Options of a set (Go: `SetOptions`); contradictory combinations are refused before sending.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetOptions {
    /// Only write if the current value equals this (must not be empty).
    pub prev_value: Option<String>,
    /// Only write if the current modified index equals this (must not be 0).
    pub prev_index: Option<u64>,
    /// Existence condition.
    pub prev_exist: PrevExist,
    /// Time to live; fractions of a second are rounded up, zero is refused.
    pub ttl: Option<Duration>,
    /// Only reset the TTL (value must be empty, TTL required); watchers are not woken.
    pub refresh: bool,
    /// Make a directory (value must be empty).
    pub dir: bool,
    /// Ask etcd to leave the node out of a successful answer.
    pub no_value_on_success: bool,
}

impl SetOptions {
    /// Sets [`Self::prev_value`].
    pub fn prev_value(mut self, value: impl Into<String>) -> Self {
        self.prev_value = Some(value.into());
        self
    }
    /// Sets [`Self::prev_index`].
    pub fn prev_index(mut self, index: u64) -> Self {
        self.prev_index = Some(index);
        self
    }
    /// Sets [`Self::prev_exist`].
    pub fn prev_exist(mut self, prev_exist: PrevExist) -> Self {
        self.prev_exist = prev_exist;
        self
    }
    /// Sets [`Self::ttl`].
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }
    /// Sets [`Self::refresh`].
    pub fn refresh(mut self, yes: bool) -> Self {
        self.refresh = yes;
        self
    }
    /// Sets [`Self::dir`].
    pub fn dir(mut self, yes: bool) -> Self {
        self.dir = yes;
        self
    }
    /// Sets [`Self::no_value_on_success`].
    pub fn no_value_on_success(mut self, yes: bool) -> Self {
        self.no_value_on_success = yes;
        self
    }
}

/// Options of a delete (Go: `DeleteOptions`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeleteOptions {
    /// Only delete if the current value equals this (must not be empty).
    pub prev_value: Option<String>,
    /// Only delete if the current modified index equals this (must not be 0).
    pub prev_index: Option<u64>,
    /// Delete a directory with everything in it.
    pub recursive: bool,
    /// Delete an (empty) directory.
    pub dir: bool,
}

impl DeleteOptions {
    /// Sets [`Self::prev_value`].
    pub fn prev_value(mut self, value: impl Into<String>) -> Self {
        self.prev_value = Some(value.into());
        self
    }
    /// Sets [`Self::prev_index`].
    pub fn prev_index(mut self, index: u64) -> Self {
        self.prev_index = Some(index);
        self
    }
    /// Sets [`Self::recursive`].
    pub fn recursive(mut self, yes: bool) -> Self {
        self.recursive = yes;
        self
    }
    /// Sets [`Self::dir`].
    pub fn dir(mut self, yes: bool) -> Self {
        self.dir = yes;
        self
    }
}

/// Options of an in-order create (Go: `CreateInOrderOptions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CreateInOrderOptions {
    /// Time to live; fractions of a second are rounded up, zero is refused.
    pub ttl: Option<Duration>,
}

impl CreateInOrderOptions {
    /// Sets [`Self::ttl`].
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }
}

/// What a watch does when etcd has already dropped the events it asks for (error 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResumePolicy {
    /// Return the 401 error every time, leaving the watch where it is (Go's behaviour).
    #[default]
    Fail,
    /// Report [`crate::Error::EventsLost`] once, then go on from the current etcd index.
    FromCurrentIndex,
    /// Re-read the watched key (recursively for a recursive watch, with a quorum read), yield
    /// it as one item whose action is [`crate::Action::Resync`], then go on right after its
    /// index: state can be reconciled from the snapshot with no gap.
    Resync,
}

/// How long one long poll may wait before the watch polls again, by default
/// ([`WatchOptions::max_poll_age`]).
pub const DEFAULT_MAX_POLL_AGE: Duration = Duration::from_secs(30);

/// Options of a watcher (Go: `WatcherOptions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchOptions {
    /// Only report events after this index (0: only future events).
    pub after_index: u64,
    /// Also report events on keys below the watched one.
    pub recursive: bool,
    /// What to do when the history no longer holds the next index.
    pub resume: ResumePolicy,
    /// The longest one long poll may wait for an event before the watch polls again, from the
    /// same index (default [`DEFAULT_MAX_POLL_AGE`]; `None`: as long as the connection lives).
    /// This is the watch's liveness: a member that died or stopped after sending a poll's
    /// headers is left within this bound plus the header timeout (the next request to it
    /// times out and fails over), and nothing is skipped.
    pub max_poll_age: Option<Duration>,
    /// Watch with one streaming request (etcd's `stream=true`) instead of a long poll per
    /// event: events arrive as lines of one open body (default false). The same guarantees
    /// hold (each event once, in order; resumed from the next index after the stream ends or
    /// breaks, on another member if need be); an open stream lives at most
    /// [`Self::max_poll_age`], then is reopened from the same index. Keep that age set: etcd
    /// drops a stream whose reader fell 100 events behind without ending its answer, so only
    /// the age notices (see `docs/protocol.md`, "Streaming watches").
    pub stream: bool,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            after_index: 0,
            recursive: false,
            resume: ResumePolicy::default(),
            max_poll_age: Some(DEFAULT_MAX_POLL_AGE),
            stream: false,
        }
    }
}

impl WatchOptions {
    /// Sets [`Self::after_index`].
    pub fn after_index(mut self, index: u64) -> Self {
        self.after_index = index;
        self
    }
    /// Sets [`Self::recursive`].
    pub fn recursive(mut self, yes: bool) -> Self {
        self.recursive = yes;
        self
    }
    /// Sets [`Self::resume`].
    pub fn resume(mut self, policy: ResumePolicy) -> Self {
        self.resume = policy;
        self
    }
    /// Sets [`Self::max_poll_age`].
    pub fn max_poll_age(mut self, age: Option<Duration>) -> Self {
        self.max_poll_age = age;
        self
    }
    /// Sets [`Self::stream`].
    pub fn stream(mut self, yes: bool) -> Self {
        self.stream = yes;
        self
    }
}
