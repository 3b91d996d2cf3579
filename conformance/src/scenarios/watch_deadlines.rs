//! Watches and deadlines: waits that give up at a timeout, and waits the caller abandons,
//! lose no event.

use std::time::{Duration, Instant};

use etcd_v2_proto::{Api, Error, SetOptions, WatchOptions};

use super::{Check, Ctx, expect_err, node};

/// A watcher of a client made with `with_timeout` gives up each wait with `DeadlineExceeded`
/// (Go: `Next(ctx)` with a deadline) without moving, and then reports the write it waited for.
pub fn watch_with_timeout(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let set = ctx.sut.set(&k, "v0", SetOptions::default()).ctx("set")?;
    let i0 = node(&set)?.modified_index;
    let timed = ctx.sut.with_timeout(Duration::from_millis(300));
    let mut watcher = timed
        .watch(&k, WatchOptions::default().after_index(i0))
        .ctx("watcher")?;
    for attempt in 0..2 {
        let started = Instant::now();
        let err = expect_err(watcher.next(), format!("quiet watch (attempt {attempt})"))?;
        let took = started.elapsed();
        ensure_eq!(
            err,
            Error::DeadlineExceeded,
            "a quiet watch past its deadline"
        );
        ensure!(
            (Duration::from_millis(290)..Duration::from_secs(3)).contains(&took),
            "a 300 ms watch deadline ended the wait after {took:?}"
        );
        ensure_eq!(
            watcher.wait_index(),
            i0 + 1,
            "a timed-out wait does not move the watch"
        );
    }
    let w = ctx.sut.set(&k, "v1", SetOptions::default()).ctx("set v1")?;
    let event = watcher.next().ctx("watch after the timeouts")?;
    ensure_eq!(
        node(&event)?.modified_index,
        node(&w)?.modified_index,
        "the write made between waits"
    );
    Ok(())
}

/// Found: a watch from "now" (no index) whose first wait ended at its deadline kept wait
/// index 0, and a write made before the next wait was never delivered. Its start is fixed
/// before the first wait, so the write comes.
pub fn watch_from_now_after_a_deadline_loses_nothing(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let timed = ctx.sut.with_timeout(Duration::from_millis(300));
    let mut watcher = timed.watch(&k, WatchOptions::default()).ctx("watcher")?;
    let err = expect_err(watcher.next(), "a quiet watch from now")?;
    ensure_eq!(
        err,
        Error::DeadlineExceeded,
        "a quiet watch past its deadline"
    );
    ensure!(watcher.wait_index() > 0, "the watch has no start index yet");
    let w = ctx.sut.set(&k, "v1", SetOptions::default()).ctx("set v1")?;
    let event = watcher.next().ctx("watch after the deadline")?;
    ensure_eq!(
        node(&event)?.modified_index,
        node(&w)?.modified_index,
        "the write made between waits"
    );
    Ok(())
}

/// Abandoning a wait (the caller stops waiting; async adapters drop the `next()` future)
/// loses nothing: the next wait reports the write made meanwhile.
pub fn watch_abandoned_wait_loses_nothing(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let set = ctx.sut.set(&k, "v0", SetOptions::default()).ctx("set")?;
    let mut watcher = ctx
        .sut
        .watch(
            &k,
            WatchOptions::default().after_index(node(&set)?.modified_index),
        )
        .ctx("watcher")?;
    ensure!(
        watcher.next_within(Duration::from_millis(200)).is_none(),
        "a quiet key reported an event"
    );
    let w1 = ctx.sut.set(&k, "v1", SetOptions::default()).ctx("set v1")?;
    let w2 = ctx.sut.set(&k, "v2", SetOptions::default()).ctx("set v2")?;
    for w in [w1, w2] {
        let event = watcher.next().ctx("watch after an abandoned wait")?;
        ensure_eq!(
            (node(&event)?.modified_index, node(&event)?.value.clone()),
            (node(&w)?.modified_index, node(&w)?.value.clone()),
            "event after an abandoned wait"
        );
    }
    Ok(())
}
