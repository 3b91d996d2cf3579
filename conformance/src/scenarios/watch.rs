//! Watches: one-shot, past events (as etcd's own tests use them), recursive, a long gap-free
//! stream and ancestor deletes. A cleared history is in `watch_history`, deadlines and
//! abandoned waits in `watch_deadlines`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use etcd_v2_proto::{Action, Api, DeleteOptions, Error, SetOptions, WatchOptions};

use super::{Check, Ctx, node};

/// A watcher without an index only sees writes made after it starts (its first `next()`
/// fixes the start index): the key's old value is never reported, a later write is.
pub fn watch_one_shot_future_only(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let old = ctx
        .sut
        .set(&k, "old", SetOptions::default())
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
                let _ = ctx.sut.set(&k, &format!("new{i}"), SetOptions::default());
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
        .set(&ctx.key("other"), "x", SetOptions::default())
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
    recursive(ctx, WatchOptions::default())
}

/// [`watch_recursive`] with watchers of `opts` (stream mode or not).
pub(crate) fn recursive(ctx: &Ctx<'_>, opts: WatchOptions) -> Result<(), String> {
    let d = ctx.key("d");
    let mk = ctx
        .sut
        .set(&d, "", SetOptions::default().dir(true))
        .ctx("mkdir")?;
    let base = node(&mk)?.modified_index;
    let mut rec = ctx
        .sut
        .watch(&d, opts.after_index(base).recursive(true))
        .ctx("recursive watcher")?;
    let mut plain = ctx
        .sut
        .watch(&d, opts.after_index(base))
        .ctx("plain watcher")?;
    let writes = [ctx.key("d/a"), ctx.key("d/b/c"), ctx.key("d/a")];
    let mut indexes = Vec::new();
    for (i, key) in writes.iter().enumerate() {
        let r = ctx
            .sut
            .set(key, &i.to_string(), SetOptions::default())
            .ctx("write below")?;
        indexes.push(node(&r)?.modified_index);
    }
    let outside = ctx.key("d2/x");
    ctx.sut
        .set(&outside, "x", SetOptions::default())
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
        .delete(&d, DeleteOptions::default().recursive(true))
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
    without_gaps(ctx, WatchOptions::default())
}

/// [`watch_stream_without_gaps`] with a watcher of `opts` (stream mode or not).
pub(crate) fn without_gaps(ctx: &Ctx<'_>, opts: WatchOptions) -> Result<(), String> {
    const N: usize = 60;
    let d = ctx.key("stream");
    let mk = ctx
        .sut
        .set(&d, "", SetOptions::default().dir(true))
        .ctx("mkdir")?;
    let mut watcher = ctx
        .sut
        .watch(
            &d,
            opts.after_index(node(&mk)?.modified_index).recursive(true),
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
                    let r = ctx.sut.set(key, &i.to_string(), SetOptions::default())?;
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
        .set(&child, "v", SetOptions::default())
        .ctx("set child")?;
    let mut watcher = ctx
        .sut
        .watch(
            &child,
            WatchOptions::default().after_index(node(&set)?.modified_index),
        )
        .ctx("watcher")?;
    ctx.sut
        .set(&ctx.key("wd/sibling"), "s", SetOptions::default())
        .ctx("set sibling")?;
    let del = ctx
        .sut
        .delete(&d, DeleteOptions::default().recursive(true))
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
