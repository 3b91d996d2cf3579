//! The deadline queue under real threads: an alarm thread as the adapters run it, and callers
//! on several threads adding, awaiting and dropping deadlines at once. Every awaited deadline
//! must be found passed, soon after it passes, and none may be lost.
#![allow(clippy::disallowed_methods)] // real instants: this test runs the alarm as an adapter does

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

use etcd_v2_proto::deadlines::Deadlines;

/// Unparks a thread: the waker of a parked caller, or of the alarm.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

fn thread_waker() -> Waker {
    Waker::from(Arc::new(Unpark(std::thread::current())))
}

/// How long a waiting caller parks before it looks again by itself.
const NAP: Duration = Duration::from_secs(5);

/// Later than this after its deadline, a caller was not woken by the alarm.
const LATE: Duration = Duration::from_secs(2);

#[test]
fn deadlines_from_many_threads_all_pass_and_none_is_lost() {
    let deadlines: &'static Deadlines = Box::leak(Box::new(Deadlines::new(Instant::now())));
    let stop: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let alarm = std::thread::spawn(move || {
        let waker = thread_waker();
        while !stop.load(Ordering::Acquire) {
            let now = Instant::now();
            match deadlines.expire(now, &waker) {
                Some(at) => std::thread::park_timeout(at.saturating_duration_since(now)),
                // Bounded only so that the test can stop the alarm.
                None => std::thread::park_timeout(Duration::from_millis(50)),
            }
        }
    });
    let callers: Vec<_> = (0..8u64)
        .map(|t| {
            std::thread::spawn(move || {
                let waker = thread_waker();
                let mut cx = Context::from_waker(&waker);
                for i in 0..150u64 {
                    let after = Duration::from_micros((t * 7 + i * 13) % 2_000);
                    let at = Instant::now() + after;
                    let mut deadline = deadlines.start(at);
                    // Every third is dropped unawaited (its call ended in time), some after a
                    // poll has left a waker in the queue.
                    if i % 3 == 0 {
                        if i % 2 == 0 {
                            assert!(deadline.poll(&mut cx).is_pending() || Instant::now() >= at);
                        }
                        continue;
                    }
                    // A caller naps for longer than the alarm may be late: woken in time
                    // means woken by the alarm.
                    while deadline.poll(&mut cx) == Poll::Pending {
                        std::thread::park_timeout(NAP);
                    }
                    let now = Instant::now();
                    assert!(now >= at, "ready {:?} early", at - now);
                    assert!(now - at < LATE, "woken {:?} late", now - at);
                }
            })
        })
        .collect();
    for caller in callers {
        caller.join().expect("a caller panicked");
    }
    stop.store(true, Ordering::Release);
    alarm.thread().unpark();
    alarm.join().unwrap();
    assert!(
        deadlines.is_empty(),
        "{} deadlines left behind",
        deadlines.len()
    );
}
