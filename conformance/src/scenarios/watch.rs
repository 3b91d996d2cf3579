//! Watches: one-shot, past events (as etcd's own tests use them), recursive, a long gap-free
//! stream, ancestor deletes and a history cleared for real (401, then
//! `ResumePolicy::FromCurrentIndex`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use etcd_v2_proto::{Action, Api, DeleteOptions, Error, ResumePolicy, SetOptions, WatchOptions};

use super::{Check, Ctx, expect_err, node};

/// A watcher without an index only sees writes made after it starts (its first `next()`
/// fixes the start index): the key's old value is never reported, a later write is.
pub fn watch_one_shot_future_only(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let old = ctx
        .sut
        .set(&k, "old", &SetOptions::default())
        .ctx("set old")?;
    let old_index = node(&old)?.modified_index;
    let mut watcher = ctx.sut.watch(&k, WatchOptions::default()).ctx("watcher")?;
    ensure_eq!(
        watcher.wait_index(),
        0,
        "wait index of a watcher without after_index"
    );
    let done = AtomicBool::new(false);
    // The poll's registration cannot be observed, so keep writing until the watcher reports.
    let event = std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0;
            while !done.load(Ordering::SeqCst) && i < 200 {
                let _ = ctx.sut.set(&k, &format!("new{i}"), &SetOptions::default());
                i += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let event = watcher.next();
        done.store(true, Ordering::SeqCst);
        event
    })
    .ctx("watch")?;
    ensure_eq!(event.action, Action::Set, "event action");
    let n = node(&event)?;
    ensure_eq!(n.key, k, "event key");
    ensure!(
        n.value.as_deref().is_some_and(|v| v.starts_with("new")),
        "the old value was reported: {n:?}"
    );
    ensure!(
        n.modified_index > old_index,
        "event index {} not after {old_index}",
        n.modified_index
    );
    // The watch's start was fixed (a HEAD) before it polled, so its poll carries a wait index:
    // X-Etcd-Index is the registration index if the event came during the poll, the current
    // one if it was already in the history; never before the start.
    ensure!(
        event.index >= old_index,
        "X-Etcd-Index of the poll before the watch's start: {event:?}"
    );
    ensure!(
        event
            .prev_node
            .as_ref()
            .is_some_and(|p| p.modified_index >= old_index),
        "prevNode of the event: {event:?}"
    );
    ensure_eq!(
        watcher.wait_index(),
        n.modified_index + 1,
        "wait index after the event"
    );
    Ok(())
}

/// A watcher with `after_index` just below a past write returns that write at once (how
/// etcd's own tests check that a cluster progresses).
pub fn watch_after_index_returns_past_event(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("foo0");
    let created = ctx.sut.create(&k, "bar").ctx("create")?;
    let idx = node(&created)?.modified_index;
    ctx.sut
        .set(&ctx.key("other"), "x", &SetOptions::default())
        .ctx("later write elsewhere")?;
    let mut watcher = ctx
        .sut
        .watch(&k, WatchOptions::default().after_index(idx - 1))
        .ctx("watcher")?;
    ensure_eq!(watcher.wait_index(), idx, "wait index = after_index + 1");
    let started = Instant::now();
    let event = watcher
        .next_within(Duration::from_secs(2))
        .ok_or("a past event was not returned immediately")?
        .ctx("watch")?;
    ensure!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    ensure_eq!(event.action, Action::Create, "the past create");
    ensure_eq!(node(&event)?.modified_index, idx, "index of the past event");
    ensure_eq!(
        node(&event)?.value.as_deref(),
        Some("bar"),
        "value of the past event"
    );
    Ok(())
}

/// A recursive watcher sees writes anywhere below the dir; a plain one on the dir does not.
pub fn watch_recursive(ctx: &Ctx<'_>) -> Result<(), String> {
    let d = ctx.key("d");
    let mk = ctx
        .sut
        .set(&d, "", &SetOptions::default().dir(true))
        .ctx("mkdir")?;
    let base = node(&mk)?.modified_index;
    let mut rec = ctx
        .sut
        .watch(
            &d,
            WatchOptions::default().after_index(base).recursive(true),
        )
        .ctx("recursive watcher")?;
    let mut plain = ctx
        .sut
        .watch(&d, WatchOptions::default().after_index(base))
        .ctx("plain watcher")?;
    let writes = [ctx.key("d/a"), ctx.key("d/b/c"), ctx.key("d/a")];
    let mut indexes = Vec::new();
    for (i, key) in writes.iter().enumerate() {
        let r = ctx
            .sut
            .set(key, &i.to_string(), &SetOptions::default())
            .ctx("write below")?;
        indexes.push(node(&r)?.modified_index);
    }
    let outside = ctx.key("d2/x");
    ctx.sut
        .set(&outside, "x", &SetOptions::default())
        .ctx("write beside")?;
    for (i, key) in writes.iter().enumerate() {
        let event = rec.next().ctx("recursive watch")?;
        let n = node(&event)?;
        ensure_eq!(
            (n.key.as_str(), n.modified_index),
            (key.as_str(), indexes[i]),
            "recursive event {i}"
        );
        ensure_eq!(
            n.value.as_deref(),
            Some(i.to_string().as_str()),
            "recursive event {i} value"
        );
    }
    // The plain watcher on the dir ignores the children; it wakes for the dir's own delete.
    let del = ctx
        .sut
        .delete(&d, &DeleteOptions::default().recursive(true))
        .ctx("recursive delete")?;
    let event = plain.next().ctx("plain watch on the dir")?;
    ensure_eq!(
        event.action,
        Action::Delete,
        "first event of the plain dir watcher"
    );
    ensure_eq!(
        node(&event)?.modified_index,
        node(&del)?.modified_index,
        "index of the dir delete"
    );
    let event = rec.next().ctx("recursive watch")?;
    ensure_eq!(
        (event.action.clone(), node(&event)?.key.clone()),
        (Action::Delete, d.clone()),
        "recursive watcher sees the dir delete"
    );
    Ok(())
}

/// 60 writes made while a recursive watcher runs: every one is seen, in order, with strictly
/// increasing indexes and no gap.
pub fn watch_stream_without_gaps(ctx: &Ctx<'_>) -> Result<(), String> {
    const N: usize = 60;
    let d = ctx.key("stream");
    let mk = ctx
        .sut
        .set(&d, "", &SetOptions::default().dir(true))
        .ctx("mkdir")?;
    let mut watcher = ctx
        .sut
        .watch(
            &d,
            WatchOptions::default()
                .after_index(node(&mk)?.modified_index)
                .recursive(true),
        )
        .ctx("watcher")?;
    let keys: Vec<String> = (0..N)
        .map(|i| ctx.key(&format!("stream/k{}", i % 3)))
        .collect();
    let (written, events) = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            keys.iter()
                .enumerate()
                .map(|(i, key)| {
                    let r = ctx.sut.set(key, &i.to_string(), &SetOptions::default())?;
                    Ok(r.node.map_or(0, |n| n.modified_index))
                })
                .collect::<Result<Vec<u64>, Error>>()
        });
        let events: Vec<Result<_, Error>> = (0..N).map(|_| watcher.next()).collect();
        (writer.join().expect("writer thread"), events)
    });
    let written = written.ctx("writer")?;
    let mut last = 0;
    for (i, event) in events.into_iter().enumerate() {
        let event = event.ctx(format!("event {i}"))?;
        let n = node(&event)?;
        ensure!(
            n.modified_index > last,
            "event {i}: index {} after {last}",
            n.modified_index
        );
        last = n.modified_index;
        ensure_eq!(
            (n.key.as_str(), n.value.as_deref(), n.modified_index),
            (keys[i].as_str(), Some(i.to_string().as_str()), written[i]),
            "event {i}"
        );
    }
    ensure_eq!(
        watcher.wait_index(),
        last + 1,
        "wait index after the stream"
    );
    Ok(())
}

/// Deleting an ancestor dir notifies a plain watcher of a descendant key with the dir node.
pub fn watch_ancestor_delete(ctx: &Ctx<'_>) -> Result<(), String> {
    let d = ctx.key("wd");
    let child = ctx.key("wd/child");
    let set = ctx
        .sut
        .set(&child, "v", &SetOptions::default())
        .ctx("set child")?;
    let mut watcher = ctx
        .sut
        .watch(
            &child,
            WatchOptions::default().after_index(node(&set)?.modified_index),
        )
        .ctx("watcher")?;
    ctx.sut
        .set(&ctx.key("wd/sibling"), "s", &SetOptions::default())
        .ctx("set sibling")?;
    let del = ctx
        .sut
        .delete(&d, &DeleteOptions::default().recursive(true))
        .ctx("delete ancestor")?;
    let event = watcher.next().ctx("watch")?;
    ensure_eq!(event.action, Action::Delete, "event action");
    let n = node(&event)?;
    ensure_eq!(n.key, d, "the event carries the deleted dir");
    ensure!(n.dir, "the event node is a dir: {n:?}");
    ensure_eq!(n.modified_index, node(&del)?.modified_index, "event index");
    ensure!(
        event.prev_node.as_ref().is_some_and(|p| p.dir),
        "prevNode is the dir: {event:?}"
    );
    ensure_eq!(
        watcher.wait_index(),
        n.modified_index + 1,
        "wait index after the event"
    );
    Ok(())
}

/// More than 1000 events past a watcher's index: 401 (typed, repeated, HTTP 400); the
/// documented recovery (`resume_after(err.index)`) and `ResumePolicy::FromCurrentIndex`
/// (one `EventsLost`, then real events) both work.
pub fn watch_event_index_cleared(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let start = ctx
        .sut
        .set(&k, "start", &SetOptions::default())
        .ctx("set")?;
    let i0 = node(&start)?.modified_index;
    let mut failing = ctx
        .sut
        .watch(&k, WatchOptions::default().after_index(i0))
        .ctx("watcher")?;
    let mut resuming = ctx
        .sut
        .watch(
            &k,
            WatchOptions::default()
                .after_index(i0)
                .resume(ResumePolicy::FromCurrentIndex),
        )
        .ctx("resuming watcher")?;

    // 1010 writes elsewhere, from 4 threads.
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let filler = ctx.key(&format!("filler{t}"));
                s.spawn(move || {
                    for i in 0..253 {
                        ctx.sut
                            .set(&filler, &i.to_string(), &SetOptions::default())?;
                    }
                    Ok::<(), Error>(())
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().expect("filler thread"))
    })
    .ctx("filler writes")?;

    let mut cleared_index = 0;
    for attempt in 0..2 {
        let err = expect_err(
            failing.next(),
            format!("watch from a cleared index (attempt {attempt})"),
        )?;
        ensure!(
            err.is_event_index_cleared(),
            "attempt {attempt}: expected 401, got {err:?}"
        );
        let e = err.etcd().ok_or("401 is an etcd error")?;
        ensure_eq!(
            e.message,
            "The event in requested index is outdated and cleared",
            "message of 401"
        );
        ensure!(
            e.cause
                .starts_with("the requested history has been cleared [")
                && e.cause.ends_with(&format!("/{}]", i0 + 1)),
            "cause of 401: {:?}",
            e.cause
        );
        ensure!(e.index >= i0 + 1010, "401 carries the current index: {e:?}");
        ensure_eq!(
            failing.wait_index(),
            i0 + 1,
            "the failing watcher does not move"
        );
        cleared_index = e.index;
    }

    // Documented recovery: resume from the index the error carries.
    failing.resume_after(cleared_index);
    let after = ctx
        .sut
        .set(&k, "after", &SetOptions::default())
        .ctx("set after")?;
    let event = failing.next().ctx("watch after resume_after")?;
    ensure_eq!(
        node(&event)?.modified_index,
        node(&after)?.modified_index,
        "event after resume_after"
    );

    // Opt-in policy: one EventsLost, then real events.
    let err = expect_err(resuming.next(), "resuming watcher's first poll")?;
    match err {
        Error::EventsLost {
            requested,
            resumed_at,
        } => {
            ensure_eq!(requested, i0 + 1, "EventsLost.requested");
            ensure!(
                resumed_at > i0 + 1000,
                "EventsLost.resumed_at {resumed_at} is recent"
            );
            ensure_eq!(
                resuming.wait_index(),
                resumed_at,
                "wait index after EventsLost"
            );
        }
        other => return Err(format!("expected EventsLost, got {other:?}")),
    }
    let live = ctx
        .sut
        .set(&k, "live", &SetOptions::default())
        .ctx("set live")?;
    let event = resuming.next().ctx("resuming watcher after EventsLost")?;
    let n = node(&event)?;
    // The resume index may be before "after", which is then reported first.
    let n = if n.value.as_deref() == Some("after") {
        let event = resuming.next().ctx("resuming watcher, second event")?;
        node(&event)?.clone()
    } else {
        n.clone()
    };
    ensure_eq!(
        (n.value.as_deref(), n.modified_index),
        (Some("live"), node(&live)?.modified_index),
        "live event"
    );
    Ok(())
}

/// A watcher of a client made with `with_timeout` gives up each wait with `DeadlineExceeded`
/// (Go: `Next(ctx)` with a deadline) without moving, and then reports the write it waited for.
pub fn watch_with_timeout(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let set = ctx.sut.set(&k, "v0", &SetOptions::default()).ctx("set")?;
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
    let w = ctx
        .sut
        .set(&k, "v1", &SetOptions::default())
        .ctx("set v1")?;
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
    let w = ctx
        .sut
        .set(&k, "v1", &SetOptions::default())
        .ctx("set v1")?;
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
    let set = ctx.sut.set(&k, "v0", &SetOptions::default()).ctx("set")?;
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
    let w1 = ctx
        .sut
        .set(&k, "v1", &SetOptions::default())
        .ctx("set v1")?;
    let w2 = ctx
        .sut
        .set(&k, "v2", &SetOptions::default())
        .ctx("set v2")?;
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
