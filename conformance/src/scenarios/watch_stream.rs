//! Watches in stream mode (`WatchOptions::stream`, etcd's `stream=true`): every write once, in
//! order, through one open body; a stream broken between events or by a killed member resumes
//! from the next index with nothing lost and nothing twice; recursive streams; a cleared
//! history (401 before the stream starts) with each `ResumePolicy`.
//!
//! The fake etcd ignores `stream=true` and answers one event per request: there the same
//! scenarios check that stream mode degrades to long polls.

use std::time::Duration;

use etcd_v2_proto::{Api, Config, Error, SetOptions, WatchOptions};

use super::watch_liveness::{Fault, watch_moves_on_from};
use super::{Check, Ctx, Server, node};
use crate::fault_proxy::FaultProxy;

fn stream() -> WatchOptions {
    WatchOptions::default().stream(true)
}

/// 60 writes below a directory while a recursive stream watcher runs: each once, in order.
pub fn watch_stream_mode_without_gaps(ctx: &Ctx<'_>) -> Result<(), String> {
    super::watch::without_gaps(ctx, stream())
}

/// A recursive stream watcher sees writes anywhere below the dir, a plain one on the dir only
/// its delete.
pub fn watch_stream_mode_recursive(ctx: &Ctx<'_>) -> Result<(), String> {
    super::watch::recursive(ctx, stream())
}

/// A stream watcher of one key through two proxies in front of the member: 5 writes arrive
/// over one stream (one request on real etcd), the proxy carrying it goes away between
/// events, and the next 5 writes arrive through the other proxy, each once, in order.
pub fn watch_stream_mode_broken_between_events_resumes_once(ctx: &Ctx<'_>) -> Result<(), String> {
    let proxies = [0, 0].map(|_| FaultProxy::in_front_of(&ctx.url(0)));
    let [Ok(p0), Ok(p1)] = proxies else {
        return Err("proxies did not start".into());
    };
    let sut = ctx.sut_with(Config::new([p0.url(), p1.url()]))?;
    let k = ctx.key("k");
    let start = ctx.sut.set(&k, "start", SetOptions::default()).ctx("set")?;
    let i0 = node(&start)?.modified_index;
    let mut watcher = sut.watch(&k, stream().after_index(i0)).ctx("watcher")?;
    // The stream opens (on the pinned proxy) before the writes: they come live.
    ensure!(
        watcher.next_within(Duration::from_millis(300)).is_none(),
        "an event before any write"
    );
    let pinned = sut.pinned_endpoint().ok_or("no pinned endpoint")?;
    let (carrier, other) = if pinned == p0.url() {
        (p0, p1)
    } else {
        (p1, p0)
    };
    let mut written = Vec::new();
    let mut got = Vec::new();
    for i in 0..5 {
        let w = ctx.sut.set(&k, &format!("a{i}"), SetOptions::default());
        written.push(node(&w.ctx("write")?)?.modified_index);
        got.push(node(&watcher.next().ctx("event")?)?.modified_index);
    }
    if matches!(ctx.server, Server::Etcd(_)) {
        ensure_eq!(
            carrier.requests(),
            1,
            "requests for 5 events over one stream"
        );
    }
    drop(carrier);
    for i in 0..5 {
        let w = ctx.sut.set(&k, &format!("b{i}"), SetOptions::default());
        written.push(node(&w.ctx("write after the break")?)?.modified_index);
    }
    for _ in 0..5 {
        got.push(node(&watcher.next().ctx("event after the break")?)?.modified_index);
    }
    ensure_eq!(got, written, "every write once, in order");
    ensure!(
        watcher.next_within(Duration::from_millis(300)).is_none(),
        "an extra event"
    );
    ensure!(
        other.requests() >= 1,
        "the watch did not move to the other proxy"
    );
    Ok(())
}

/// `watch_liveness::watch_moves_on_from_a_killed_member` with stream watchers: the member
/// under both open streams is SIGKILLed; they resume on another member, nothing lost.
pub fn watch_stream_mode_moves_on_from_a_killed_member(ctx: &Ctx<'_>) -> Result<(), String> {
    watch_moves_on_from(ctx, Fault::Kill, true)
}

/// The same with the member SIGSTOPped: only the stream's age ends the wait on it.
pub fn watch_stream_mode_moves_on_from_a_stopped_member(ctx: &Ctx<'_>) -> Result<(), String> {
    watch_moves_on_from(ctx, Fault::Stop, true)
}

/// `watch_history::watch_event_index_cleared` with stream watchers: a stream opened from a
/// cleared index is refused with 401 before it starts, and both recoveries work.
pub fn watch_stream_mode_event_index_cleared(ctx: &Ctx<'_>) -> Result<(), String> {
    super::watch_history::event_index_cleared(ctx, stream())
}

/// `watch_history::watch_resync_after_cleared_history` with a stream watcher.
pub fn watch_stream_mode_resync_after_cleared_history(ctx: &Ctx<'_>) -> Result<(), String> {
    super::watch_history::resync_after_cleared_history(ctx, stream())
}

/// A stream watcher of a client made with `with_timeout`: quiet waits end with
/// `DeadlineExceeded` without moving it; writes made between waits, several arriving in one
/// wait, are each delivered once, in order. An abandoned wait (no timeout) loses nothing either.
pub fn watch_stream_mode_deadlines_lose_nothing(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let set = ctx.sut.set(&k, "v0", SetOptions::default()).ctx("set")?;
    let i0 = node(&set)?.modified_index;
    let timed = ctx.sut.with_timeout(Duration::from_millis(300));
    let mut watcher = timed.watch(&k, stream().after_index(i0)).ctx("watcher")?;
    let mut abandoned = ctx.sut.watch(&k, stream().after_index(i0)).ctx("watcher")?;
    ensure!(
        abandoned.next_within(Duration::from_millis(200)).is_none(),
        "a quiet key reported an event"
    );
    let mut written = Vec::new();
    for round in 0..3 {
        let quiet = watcher.next();
        ensure!(
            matches!(quiet, Err(Error::DeadlineExceeded)),
            "round {round}: a quiet wait: {quiet:?}"
        );
        ensure_eq!(
            watcher.wait_index(),
            written.last().map_or(i0, |w| *w) + 1,
            "round {round}: the wait index after a deadline"
        );
        let writes: Vec<u64> = (0..3)
            .map(|i| {
                let w = ctx
                    .sut
                    .set(&k, &format!("r{round}w{i}"), SetOptions::default());
                Ok(node(&w.ctx("write")?)?.modified_index)
            })
            .collect::<Result<_, String>>()?;
        for want in &writes {
            let got = node(&watcher.next().ctx("event")?)?.modified_index;
            ensure_eq!(got, *want, "round {round}: events in order, once each");
        }
        written.extend(writes);
    }
    let mut got = Vec::new();
    while got.len() < written.len() {
        got.push(node(&abandoned.next().ctx("abandoned watcher")?)?.modified_index);
    }
    ensure_eq!(got, written, "the watcher whose wait was abandoned");
    Ok(())
}

/// A stream watcher (1 s `max_poll_age`) that is not read while 300 writes of 100 kB go to its
/// key: etcd stops feeding it after some 100 events and leaves the answer open and silent
/// (`docs/protocol.md`); the age reopens it from the next index, and every write arrives once,
/// in order. (Whether the stream was dropped or merely aged while the writes went on, the
/// outcome checked is the same.)
pub fn watch_stream_mode_falls_behind_and_catches_up(ctx: &Ctx<'_>) -> Result<(), String> {
    const N: usize = 300;
    let k = ctx.key("big");
    let start = ctx.sut.set(&k, "start", SetOptions::default()).ctx("set")?;
    let i0 = node(&start)?.modified_index;
    let opts = stream()
        .after_index(i0)
        .max_poll_age(Some(Duration::from_secs(1)));
    let mut watcher = ctx.sut.watch(&k, opts).ctx("watcher")?;
    // The stream opens live, then nobody reads it.
    ensure!(
        watcher.next_within(Duration::from_millis(300)).is_none(),
        "an event before any write"
    );
    let value = "x".repeat(100_000);
    let written: Vec<u64> = (0..N)
        .map(|_| {
            Ok(node(
                &ctx.sut
                    .set(&k, &value, SetOptions::default())
                    .ctx("write")?,
            )?
            .modified_index)
        })
        .collect::<Result<_, String>>()?;
    let started = std::time::Instant::now();
    let mut got = Vec::new();
    while got.len() < N {
        let event = watcher.next().ctx(format!("event {}", got.len()))?;
        got.push(node(&event)?.modified_index);
    }
    ensure_eq!(got, written, "every write once, in order");
    eprintln!(
        "{}: {N} events read in {:?} after falling behind",
        ctx.prefix,
        started.elapsed()
    );
    Ok(())
}
