//! One alarm for the deadlines of every exchange in flight, instead of a runtime timer each
//!
//! An exchange is bounded by its header timeout and its call's deadline, and nearly every one
//! ends long before either. A runtime timer per exchange is registered and removed on every
//! call: in tokio's wheel that costs ~550 instructions a call; async-io keeps its timers in a
//! `BTreeMap` that its reactor splits on every turn while one is pending, ~2,800. Here an
//! exchange only adds its deadline to a queue and takes it out again ([`Deadlines::start`],
//! [`Deadline`]'s drop), and one alarm, which the adapter runs (a thread that parks, say),
//! wakes the exchanges whose deadline has passed ([`Deadlines::expire`]).
//!
//! Most exchanges add a deadline later than every other (their header timeouts are the same),
//! so the alarm is woken only for one earlier than it sleeps until: a client making calls one
//! after another wakes it about once per header timeout, not once per call. The clock is
//! read by the adapter: instants come in as arguments.
//!
//! ```
//! use std::task::{Context, Poll, Waker};
//! use std::time::{Duration, Instant};
//! use etcd_v2_proto::deadlines::Deadlines;
//!
//! let start = Instant::now();
//! let deadlines = Deadlines::new(start);
//! let mut cx = Context::from_waker(Waker::noop());
//! let mut deadline = deadlines.start(start + Duration::from_secs(5));
//! // The alarm sleeps until the earliest deadline...
//! assert_eq!(deadlines.expire(start, Waker::noop()), Some(start + Duration::from_secs(5)));
//! assert_eq!(deadline.poll(&mut cx), Poll::Pending);
//! // ...and once it has passed, wakes its exchange, which finds it passed.
//! assert_eq!(deadlines.expire(start + Duration::from_secs(5), Waker::noop()), None);
//! assert_eq!(deadline.poll(&mut cx), Poll::Ready(()));
//! ```

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use std::sync::Mutex;
use std::time::Instant;

use crate::run_loop::lock;

/// The deadlines of the exchanges in flight, and the alarm that watches them.
#[derive(Debug)]
pub struct Deadlines {
    /// Instants are kept as nanoseconds after this one.
    base: Instant,
    /// One more than how far past `base` the alarm last looked (0: it has not looked yet):
    /// every deadline before it has passed.
    passed: AtomicU64,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// In order of deadline, then of start.
    pending: VecDeque<Pending>,
    started: u64,
    /// The alarm's waker, and the deadline it sleeps until (`None`: until woken).
    alarm: Option<Waker>,
    alarm_until: Option<u64>,
}

/// A deadline not yet passed, and the waker of the exchange it bounds (once polled).
#[derive(Debug)]
struct Pending {
    key: Key,
    waker: Option<Waker>,
}

/// A deadline's place in the queue: when, then which.
type Key = (u64, u64);

impl Deadlines {
    /// No deadlines yet; `base` is any instant at or before the deadlines to come (the adapter's
    /// `Instant::now()` when it makes this; an earlier deadline counts as passed).
    pub fn new(base: Instant) -> Self {
        Self {
            base,
            passed: AtomicU64::new(0),
            state: Mutex::new(State::default()),
        }
    }

    /// Adds the deadline `at`; it is taken out again when the [`Deadline`] is dropped. Wakes the
    /// alarm if it sleeps past `at`.
    pub fn start(&self, at: Instant) -> Deadline<'_> {
        let when = self.nanos(at);
        let (key, wake) = {
            let mut state = lock(&self.state);
            state.started += 1;
            let key = (when, state.started);
            // Usually the latest: header timeouts are the same for every call.
            match state.pending.back() {
                Some(last) if last.key > key => {
                    let at = state.pending.partition_point(|p| p.key < key);
                    state.pending.insert(at, Pending { key, waker: None });
                }
                _ => state.pending.push_back(Pending { key, waker: None }),
            }
            let sooner = state.alarm_until.is_none_or(|until| when < until);
            let wake = match sooner {
                true => state.alarm.clone(),
                false => None,
            };
            if wake.is_some() {
                state.alarm_until = Some(when);
            }
            (key, wake)
        };
        if let Some(alarm) = wake {
            alarm.wake();
        }
        Deadline {
            deadlines: self,
            key,
            waker: None,
        }
    }

    /// The alarm's step at `now`: wakes every exchange whose deadline is at or before it and
    /// returns the deadline to sleep until next (`None`: none; `alarm` is woken when one comes,
    /// or when one sooner than the returned one does).
    pub fn expire(&self, now: Instant, alarm: &Waker) -> Option<Instant> {
        let now = self.nanos(now);
        let (expired, next) = {
            let mut state = lock(&self.state);
            self.passed
                .fetch_max(now.saturating_add(1), Ordering::AcqRel);
            let due = state.pending.partition_point(|p| p.key.0 <= now);
            let expired: Vec<Waker> = state.pending.drain(..due).filter_map(|p| p.waker).collect();
            let next = state.pending.front().map(|p| p.key.0);
            state.alarm_until = next;
            match &state.alarm {
                Some(kept) if kept.will_wake(alarm) => {}
                _ => state.alarm = Some(alarm.clone()),
            }
            (expired, next)
        };
        for waker in expired {
            waker.wake();
        }
        // Past what an `Instant` can hold (centuries away): until woken.
        next.and_then(|nanos| self.base.checked_add(Duration::from_nanos(nanos)))
    }

    /// How many deadlines are in flight.
    pub fn len(&self) -> usize {
        lock(&self.state).pending.len()
    }

    /// Whether no deadline is in flight.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn nanos(&self, at: Instant) -> u64 {
        let after = at.saturating_duration_since(self.base).as_nanos();
        u64::try_from(after).unwrap_or(u64::MAX)
    }

    fn has_passed(&self, when: u64) -> bool {
        when < self.passed.load(Ordering::Acquire)
    }
}

/// One exchange's deadline: ready once the alarm has found it passed. Dropping it takes it
/// out of the queue.
#[derive(Debug)]
pub struct Deadline<'a> {
    deadlines: &'a Deadlines,
    key: Key,
    /// The waker the queue holds for it, to tell whether a poll brings another.
    waker: Option<Waker>,
}

impl Deadline<'_> {
    /// `Ready` once the deadline has passed; else `Pending`, and `cx`'s task is woken when it
    /// passes.
    pub fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.deadlines.has_passed(self.key.0) {
            return Poll::Ready(());
        }
        if self.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            return Poll::Pending;
        }
        let mut state = lock(&self.deadlines.state);
        // Checked again under the lock: the alarm marks deadlines passed before it takes them
        // out of the queue, under the same lock.
        if self.deadlines.has_passed(self.key.0) {
            return Poll::Ready(());
        }
        let key = self.key;
        match state.pending.binary_search_by_key(&key, |p| p.key) {
            Ok(at) => {
                let waker = cx.waker().clone();
                state.pending[at].waker = Some(waker.clone());
                self.waker = Some(waker);
                Poll::Pending
            }
            // Only the alarm takes a deadline out before its drop, once it has passed.
            Err(_) => Poll::Ready(()),
        }
    }
}

impl Drop for Deadline<'_> {
    fn drop(&mut self) {
        let mut state = lock(&self.deadlines.state);
        let key = self.key;
        let removed = match state.pending.front() {
            Some(first) if first.key == key => state.pending.pop_front(),
            _ => match state.pending.binary_search_by_key(&key, |p| p.key) {
                Ok(at) => state.pending.remove(at),
                Err(_) => None,
            },
        };
        // The wakers are dropped with the lock released.
        drop(state);
        drop(removed);
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // a test's own instants
mod tests {
    use super::*;
    use alloc::sync::Arc;
    use alloc::task::Wake;
    use core::sync::atomic::AtomicUsize;

    /// A waker that counts its wakes.
    #[derive(Default)]
    struct Counter(AtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Counter>, Waker) {
        let counter = Arc::new(Counter::default());
        (Arc::clone(&counter), Waker::from(counter))
    }

    fn wakes(counter: &Counter) -> usize {
        counter.0.load(Ordering::SeqCst)
    }

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn a_deadline_is_ready_once_the_alarm_finds_it_passed_and_its_task_is_woken() {
        let start = Instant::now();
        let deadlines = Deadlines::new(start);
        let (task, waker) = counter();
        let mut cx = Context::from_waker(&waker);
        let mut deadline = deadlines.start(start + 5 * SECOND);
        assert_eq!(deadline.poll(&mut cx), Poll::Pending);
        // Not passed yet: nothing is woken, and the alarm is told when to look again.
        let next = deadlines.expire(start + 4 * SECOND, Waker::noop());
        assert_eq!(next, Some(start + 5 * SECOND));
        assert_eq!((wakes(&task), deadline.poll(&mut cx)), (0, Poll::Pending));
        // Passed: woken, ready, and the queue is empty.
        assert_eq!(deadlines.expire(start + 5 * SECOND, Waker::noop()), None);
        assert_eq!(wakes(&task), 1);
        assert_eq!(deadline.poll(&mut cx), Poll::Ready(()));
        assert!(deadlines.is_empty());
        drop(deadline);
        assert!(deadlines.is_empty());
    }

    #[test]
    fn dropping_a_deadline_takes_it_out_and_others_stay_in_order() {
        let start = Instant::now();
        let deadlines = Deadlines::new(start);
        let late = deadlines.start(start + 9 * SECOND);
        let soon = deadlines.start(start + 2 * SECOND);
        let middle = deadlines.start(start + 5 * SECOND);
        let same = deadlines.start(start + 5 * SECOND);
        assert_eq!(deadlines.len(), 4);
        let next = deadlines.expire(start, Waker::noop());
        assert_eq!(next, Some(start + 2 * SECOND));
        drop(soon);
        assert_eq!(
            deadlines.expire(start, Waker::noop()),
            Some(start + 5 * SECOND)
        );
        drop(middle);
        assert_eq!(
            deadlines.expire(start, Waker::noop()),
            Some(start + 5 * SECOND)
        );
        drop(same);
        assert_eq!(
            deadlines.expire(start, Waker::noop()),
            Some(start + 9 * SECOND)
        );
        drop(late);
        assert_eq!(deadlines.expire(start, Waker::noop()), None);
        assert!(deadlines.is_empty());
    }

    #[test]
    fn only_the_passed_deadlines_are_woken() {
        let start = Instant::now();
        let deadlines = Deadlines::new(start);
        let (a, wa) = counter();
        let (b, wb) = counter();
        let mut first = deadlines.start(start + SECOND);
        let mut second = deadlines.start(start + 3 * SECOND);
        assert!(first.poll(&mut Context::from_waker(&wa)).is_pending());
        assert!(second.poll(&mut Context::from_waker(&wb)).is_pending());
        let next = deadlines.expire(start + 2 * SECOND, Waker::noop());
        assert_eq!(next, Some(start + 3 * SECOND));
        assert_eq!((wakes(&a), wakes(&b)), (1, 0));
        assert!(first.poll(&mut Context::from_waker(&wa)).is_ready());
        assert!(second.poll(&mut Context::from_waker(&wb)).is_pending());
    }

    #[test]
    fn the_alarm_is_woken_only_for_a_deadline_sooner_than_it_sleeps_until() {
        let start = Instant::now();
        let deadlines = Deadlines::new(start);
        let (alarm, alarm_waker) = counter();
        // The alarm sleeps until woken: the first deadline wakes it.
        assert_eq!(deadlines.expire(start, &alarm_waker), None);
        let first = deadlines.start(start + 5 * SECOND);
        assert_eq!(wakes(&alarm), 1);
        assert_eq!(
            deadlines.expire(start, &alarm_waker),
            Some(start + 5 * SECOND)
        );
        // Calls one after another: each deadline is later than the one the alarm sleeps until.
        drop(first);
        for i in 1..=3 {
            drop(deadlines.start(start + 5 * SECOND + i * SECOND));
        }
        assert_eq!(wakes(&alarm), 1);
        // A sooner one wakes it, once.
        let soon = deadlines.start(start + SECOND);
        let sooner_still_later = deadlines.start(start + 2 * SECOND);
        assert_eq!(wakes(&alarm), 2);
        drop((soon, sooner_still_later));
        // It finds nothing due at the stale instant it slept until, and sleeps until woken.
        assert_eq!(deadlines.expire(start + 5 * SECOND, &alarm_waker), None);
    }

    #[test]
    fn a_poll_with_another_waker_is_the_one_woken() {
        let start = Instant::now();
        let deadlines = Deadlines::new(start);
        let (old, old_waker) = counter();
        let (new, new_waker) = counter();
        let mut deadline = deadlines.start(start + SECOND);
        assert!(
            deadline
                .poll(&mut Context::from_waker(&old_waker))
                .is_pending()
        );
        assert!(
            deadline
                .poll(&mut Context::from_waker(&new_waker))
                .is_pending()
        );
        deadlines.expire(start + SECOND, Waker::noop());
        assert_eq!((wakes(&old), wakes(&new)), (0, 1));
    }

    #[test]
    fn a_deadline_before_the_base_or_far_away_is_kept_in_range() {
        let start = Instant::now() + 10 * SECOND;
        let deadlines = Deadlines::new(start);
        let mut cx = Context::from_waker(Waker::noop());
        let mut early = deadlines.start(start - SECOND);
        let mut far = deadlines.start(start + Duration::from_secs(1 << 40));
        assert!(
            early.poll(&mut cx).is_pending(),
            "not until the alarm says so"
        );
        let next = deadlines.expire(start, Waker::noop());
        assert!(next.is_none_or(|at| at > start), "{next:?}");
        assert!(early.poll(&mut cx).is_ready());
        assert!(far.poll(&mut cx).is_pending());
    }
}
