//! The alarm thread that watches every exchange's deadline (the core's [`Deadlines`])
//!
//! async-io keeps its timers in a `BTreeMap` that its reactor splits on every turn while one
//! is pending, ~2,800 instructions a call for a header timer. One thread parked until the
//! earliest deadline costs nothing while calls end in time, and it is woken only for a
//! deadline sooner than the one it sleeps until.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Wake, Waker};
use std::thread::Thread;
use std::time::Instant;

use etcd_v2_proto::deadlines::{Deadline, Deadlines};

/// Adds an exchange's deadline to those of every exchange in this process, which one thread
/// watches (started on first use).
pub(crate) fn start(at: Instant) -> Deadline<'static> {
    static DEADLINES: OnceLock<Deadlines> = OnceLock::new();
    static WATCHED: AtomicBool = AtomicBool::new(false);
    let deadlines = DEADLINES.get_or_init(|| Deadlines::new(Instant::now()));
    if !WATCHED.load(Ordering::Acquire) && !WATCHED.swap(true, Ordering::AcqRel) {
        let spawned = std::thread::Builder::new()
            .name("etcd-v2-deadlines".into())
            .spawn(|| watch(deadlines));
        // The process is out of threads: the next exchange tries again, and the deadlines
        // added meanwhile are watched from then on.
        if spawned.is_err() {
            WATCHED.store(false, Ordering::Release);
        }
    }
    deadlines.start(at)
}

/// Parks until the earliest deadline, wakes the exchanges whose deadline has passed, and so on.
fn watch(deadlines: &Deadlines) {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    loop {
        let now = Instant::now();
        match deadlines.expire(now, &waker) {
            Some(at) => std::thread::park_timeout(at.saturating_duration_since(now)),
            None => std::thread::park(),
        }
    }
}

/// Wakes the alarm thread.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}
