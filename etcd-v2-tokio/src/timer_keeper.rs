//! One timer kept registered while the client is in use, so each call's timer is not a wake-up
//!
//! tokio wakes its time driver (an eventfd write, a parked thread woken) whenever a timer is
//! registered and the driver last parked with no earlier timer pending. A call's header timer
//! is gone once the call ends, so a client whose calls alternate with idle moments (a watcher
//! waiting on its long poll beside a writer, say) pays that wake-up for nearly every call. A
//! timer that fires every [`TICK`] while calls are being made is always earlier than a call's
//! (a header timeout is seconds), so registering the call's timer wakes nothing.
//!
//! The keeper is a task of its own that ends one tick after the last call, holding nothing but
//! its own flags.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often the kept timer fires while the client is in use.
const TICK: Duration = Duration::from_millis(500);

/// Whether the keeper's task runs, and whether a call was made since its last tick.
#[derive(Debug, Default)]
pub(crate) struct TimerKeeper {
    running: AtomicBool,
    used: AtomicBool,
}

impl TimerKeeper {
    /// Notes a call that is about to arm a timer; starts the keeper's task if it is not running
    /// (and a runtime is at hand: outside one there is no timer to keep).
    pub(crate) fn touch(self: &Arc<Self>) {
        self.used.store(true, Ordering::Relaxed);
        if self.running.load(Ordering::Relaxed) || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.running.store(false, Ordering::Release);
            return;
        };
        let stopped = Stopped(Arc::clone(self));
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(TICK).await;
                if !stopped.0.used.swap(false, Ordering::AcqRel) {
                    break;
                }
            }
        });
    }
}

/// Marks the keeper stopped when its task ends, also when its runtime drops it (the next call
/// then starts a task on its own runtime). A call noted between the task's last check and this
/// starts a new task the time after.
struct Stopped(Arc<TimerKeeper>);

impl Drop for Stopped {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(keeper: &TimerKeeper) -> bool {
        keeper.running.load(Ordering::Acquire)
    }

    #[tokio::test(start_paused = true)]
    async fn keeps_ticking_while_used_and_ends_one_idle_tick_later() {
        let keeper = Arc::new(TimerKeeper::default());
        keeper.touch();
        assert!(running(&keeper));
        // Used in every tick: it goes on.
        for _ in 0..3 {
            tokio::time::sleep(TICK).await;
            keeper.touch();
            assert!(running(&keeper));
        }
        // A whole tick without a call, then the next tick: it has ended.
        tokio::time::sleep(TICK * 3).await;
        assert!(!running(&keeper));
        keeper.touch();
        assert!(running(&keeper), "a call after the end starts it again");
    }

    #[test]
    fn a_keeper_whose_runtime_is_gone_starts_again_on_the_next() {
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap()
        };
        let keeper = Arc::new(TimerKeeper::default());
        let first = runtime();
        first.block_on(async { keeper.touch() });
        assert!(running(&keeper));
        drop(first);
        assert!(!running(&keeper), "the dropped task marked it stopped");
        let second = runtime();
        second.block_on(async { keeper.touch() });
        assert!(running(&keeper));
    }

    #[test]
    fn outside_a_runtime_there_is_nothing_to_keep() {
        let keeper = Arc::new(TimerKeeper::default());
        keeper.touch();
        assert!(!running(&keeper));
    }
}
