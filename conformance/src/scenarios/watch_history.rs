//! A watch whose history was cleared for real: 401, then the documented recovery,
//! `ResumePolicy::FromCurrentIndex` and `ResumePolicy::Resync`.

use etcd_v2_proto::{Action, Api, Error, ResumePolicy, SetOptions, WatchOptions};

use super::{Check, Ctx, expect_err, node};

/// More than 1000 events past a watcher's index: 401 (typed, repeated, HTTP 400); the
/// documented recovery (`resume_after(err.index)`) and `ResumePolicy::FromCurrentIndex`
/// (one `EventsLost`, then real events) both work.
pub fn watch_event_index_cleared(ctx: &Ctx<'_>) -> Result<(), String> {
    event_index_cleared(ctx, WatchOptions::default())
}

/// [`watch_event_index_cleared`] with watchers of `base` (stream mode or not).
pub(crate) fn event_index_cleared(ctx: &Ctx<'_>, base: WatchOptions) -> Result<(), String> {
    let k = ctx.key("k");
    let start = ctx.sut.set(&k, "start", SetOptions::default()).ctx("set")?;
    let i0 = node(&start)?.modified_index;
    let mut failing = ctx.sut.watch(&k, base.after_index(i0)).ctx("watcher")?;
    let mut resuming = ctx
        .sut
        .watch(
            &k,
            base.after_index(i0).resume(ResumePolicy::FromCurrentIndex),
        )
        .ctx("resuming watcher")?;

    filler_writes(ctx)?;

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
        .set(&k, "after", SetOptions::default())
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
        .set(&k, "live", SetOptions::default())
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

/// 1012 writes elsewhere, from 4 threads: more than etcd's 1,000-event history.
fn filler_writes(ctx: &Ctx<'_>) -> Result<(), String> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let filler = ctx.key(&format!("filler{t}"));
                s.spawn(move || {
                    for i in 0..253 {
                        ctx.sut
                            .set(&filler, &i.to_string(), SetOptions::default())?;
                    }
                    Ok::<(), Error>(())
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().expect("filler thread"))
    })
    .ctx("filler writes")
}

/// `ResumePolicy::Resync` on a history cleared for real: one `Action::Resync` item holding the
/// watched directory as of its index (the writes made while the watcher was paused included),
/// then every later event.
pub fn watch_resync_after_cleared_history(ctx: &Ctx<'_>) -> Result<(), String> {
    resync_after_cleared_history(ctx, WatchOptions::default())
}

/// [`watch_resync_after_cleared_history`] with a watcher of `base` (stream mode or not).
pub(crate) fn resync_after_cleared_history(
    ctx: &Ctx<'_>,
    base: WatchOptions,
) -> Result<(), String> {
    let dir = ctx.key("resynced");
    let set = |k: &str, v: &str| ctx.sut.set(&format!("{dir}/{k}"), v, SetOptions::default());
    let first = set("a", "1").ctx("set a")?;
    let i0 = node(&first)?.modified_index;
    let opts = base
        .recursive(true)
        .after_index(i0)
        .resume(ResumePolicy::Resync);
    let mut watcher = ctx.sut.watch(&dir, opts).ctx("watcher")?;
    // Paused: the watcher polls only when asked.
    set("b", "2").ctx("set b")?;
    filler_writes(ctx)?;
    let last = set("c", "3").ctx("set c")?;

    let snapshot = watcher
        .next()
        .ctx("first item after the history was cleared")?;
    ensure_eq!(
        snapshot.action,
        Action::Resync,
        "the first item is the snapshot"
    );
    ensure!(
        snapshot.index >= node(&last)?.modified_index,
        "the snapshot is as of {} at least: {snapshot:?}",
        node(&last)?.modified_index
    );
    let mut seen: Vec<(String, String)> = node(&snapshot)?
        .nodes
        .iter()
        .map(|n| (n.key.clone(), n.value.clone().unwrap_or_default()))
        .collect();
    seen.sort();
    let want: Vec<(String, String)> = [("a", "1"), ("b", "2"), ("c", "3")]
        .iter()
        .map(|(k, v)| (format!("{dir}/{k}"), (*v).to_owned()))
        .collect();
    ensure_eq!(seen, want, "the snapshot's children");
    ensure_eq!(
        watcher.wait_index(),
        snapshot.index + 1,
        "resumes right after"
    );

    let next = set("d", "4").ctx("set d")?;
    let event = watcher.next().ctx("the event after the snapshot")?;
    ensure_eq!(
        (event.action.clone(), node(&event)?.modified_index),
        (Action::Set, node(&next)?.modified_index),
        "the first event after the snapshot"
    );
    Ok(())
}
