//! Watch liveness on real etcd: a quiet key stays inside the 1,000-event history while the
//! rest of the store is busy, a watch leaves a member killed or SIGSTOPped under its long poll
//! within `max_poll_age` + the header timeout, and a long run of concurrent writes is delivered
//! once each, in order.
//!
//! Each watcher runs on a thread of its own (`Drain`), as an application's watch loop would,
//! so its long polls age, fail over and poll again while the scenario writes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use etcd_v2_proto::{Api, Config, Error, KeysResponse, SetOptions, WatchOptions};

use super::{Check, Ctx, Server, node, poll_until};
use crate::sut::SutWatcher;

/// An event (or error) as the watch loop received it, and when.
type Received = (Instant, Result<KeysResponse, Error>);

/// A watcher driven by a thread of its own until dropped; it stops after the first error.
struct Drain {
    events: Receiver<Received>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drain {
    fn spawn(mut watcher: SutWatcher) -> Self {
        let (tx, events) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                let Some(got) = watcher.next_within(Duration::from_millis(100)) else {
                    continue;
                };
                let failed = got.is_err();
                if tx.send((Instant::now(), got)).is_err() || failed {
                    return;
                }
            }
        });
        Self {
            events,
            stop,
            thread: Some(thread),
        }
    }

    /// The next event and when it was received; `Ok(None)` if nothing came within `bound`.
    ///
    /// # Errors
    /// The watcher's error, described with `what`.
    fn next(&self, bound: Duration, what: &str) -> Result<Option<(Instant, KeysResponse)>, String> {
        match self.events.recv_timeout(bound) {
            Ok((at, event)) => Ok(Some((at, event.ctx(what)?))),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(format!("{what}: the watch loop ended")),
        }
    }

    /// Fails if the watcher delivered anything (event or error) within `bound`.
    fn expect_nothing(&self, bound: Duration, what: &str) -> Result<(), String> {
        match self.next(bound, what)? {
            None => Ok(()),
            Some((_, extra)) => Err(format!("{what}: an extra event: {extra:?}")),
        }
    }
}

impl Drop for Drain {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The trial's name for a measurement line, e.g. `fake::tokio` or `blocking`.
fn trial(ctx: &Ctx<'_>) -> String {
    match ctx.server {
        Server::Etcd(_) => ctx.adapter().to_string(),
        Server::Fake(_) => format!("fake::{}", ctx.adapter()),
    }
}

/// `(modifiedIndex, key, action)` of an event or of a write's answer.
fn summary(resp: &KeysResponse) -> Result<(u64, String, String), String> {
    let n = node(resp)?;
    Ok((n.modified_index, n.key.clone(), resp.action.to_string()))
}

/// A watch of one key whose long polls age every 500 ms, while 5,000 writes go to other keys:
/// the quiet-key read moves its index forward, so the write of the key that follows is
/// delivered (exactly it) instead of error 401. The index moves more than 1,000 past the
/// watch's start, so a watch that re-polled from its start index would have got 401.
pub fn watch_quiet_key_survives_heavy_writes(ctx: &Ctx<'_>) -> Result<(), String> {
    const AGE: Duration = Duration::from_millis(500);
    const WRITERS: usize = 8;
    const WRITES_EACH: usize = 625; // 5,000 in all
    let k = ctx.key("quiet");
    let start = ctx.sut.set(&k, "start", SetOptions::default()).ctx("set")?;
    let i0 = node(&start)?.modified_index;
    let watcher = ctx
        .sut
        .watch(
            &k,
            WatchOptions::default()
                .after_index(i0)
                .max_poll_age(Some(AGE)),
        )
        .ctx("watcher")?;
    let drain = Drain::spawn(watcher);

    let flood_started = Instant::now();
    std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|t| {
                let busy = ctx.key(&format!("busy/{t}"));
                s.spawn(move || {
                    (0..WRITES_EACH).try_for_each(|i| {
                        ctx.sut
                            .set(&busy, &i.to_string(), SetOptions::default())
                            .map(drop)
                    })
                })
            })
            .collect();
        writers
            .into_iter()
            .try_for_each(|w| w.join().expect("writer thread"))
    })
    .ctx("writes to other keys")?;
    let flood_took = flood_started.elapsed();
    // Past at least one more age after the flood: a watch still at its start index would now
    // poll from a cleared index.
    drain.expect_nothing(AGE * 2 + Duration::from_millis(200), "the quiet watch")?;

    let sent = Instant::now();
    let w = ctx.sut.set(&k, "after", SetOptions::default()).ctx("set")?;
    let w_index = node(&w)?.modified_index;
    ensure!(
        w_index > i0 + 1000,
        "the writes moved the index only from {i0} to {w_index}: the scenario needs > 1,000"
    );
    let (at, event) = drain
        .next(Duration::from_secs(5), "the quiet watch")?
        .ok_or("the quiet watch delivered nothing within 5 s of the write")?;
    ensure_eq!(
        (node(&event)?.modified_index, node(&event)?.value.as_deref()),
        (w_index, Some("after")),
        "the event is the write of the watched key"
    );
    drain.expect_nothing(Duration::from_millis(300), "the quiet watch")?;
    eprintln!(
        "{}::watch_quiet_key_survives_heavy_writes: {} writes in {flood_took:?}, index {i0} -> \
         {w_index}, event {:?} after sending it",
        trial(ctx),
        WRITERS * WRITES_EACH,
        at.saturating_duration_since(sent),
    );
    Ok(())
}

/// How a member is taken down under a watch's long poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// SIGKILL.
    Kill,
    /// SIGSTOP (SIGCONT at the end).
    Stop,
}

/// A watch client pinned to a follower X of a three-member cluster (X first, order kept by
/// the seed), 1 s `max_poll_age` and a 500 ms header timeout, with a watcher of one key and a
/// recursive watcher of its directory. Four writes through another member are delivered by X;
/// once both long polls are registered on X (its store stats count two watchers), X is killed
/// or stopped, and five more writes go through another member. Both watchers deliver the
/// first of them within `max_poll_age` + header timeout + 1.5 s of the fault, and all nine
/// writes exactly once, in index order.
pub(crate) fn watch_moves_on_from(ctx: &Ctx<'_>, fault: Fault, stream: bool) -> Result<(), String> {
    const AGE: Duration = Duration::from_secs(1);
    const HEADER_TIMEOUT: Duration = Duration::from_millis(500);
    const MARGIN: Duration = Duration::from_millis(1500);
    const COLLECT: Duration = Duration::from_secs(8);
    let urls = ctx.urls();
    let leader = ctx.sut.leader().ctx("leader")?;
    let x = urls
        .iter()
        .position(|u| !leader.client_urls.contains(u))
        .ok_or("no follower")?;
    let x_url = urls[x].clone();
    let y_url = urls
        .iter()
        .find(|u| **u != x_url)
        .ok_or("no second member")?
        .clone();
    let sut = (0..256)
        .map(|seed| {
            let config = Config::new(urls.clone())
                .header_timeout(Some(HEADER_TIMEOUT))
                .seed(seed);
            ctx.sut_with(config)
        })
        .find(|sut| sut.as_ref().is_ok_and(|s| s.endpoints()[0] == x_url))
        .ok_or("no seed puts the follower first")??;
    let writer = ctx.sut_with(Config::new([y_url]))?;
    let on_x = ctx.sut_with(Config::new([x_url.clone()]))?;

    let dir = ctx.key("dir");
    let k = ctx.key("dir/k");
    let start = writer.set(&k, "start", SetOptions::default()).ctx("set")?;
    let i0 = node(&start)?.modified_index;
    let opts = WatchOptions::default()
        .after_index(i0)
        .max_poll_age(Some(AGE))
        .stream(stream);
    let drains = [
        ("watch of the key", sut.watch(&k, opts).ctx("watcher")?),
        (
            "recursive watch",
            sut.watch(&dir, opts.recursive(true)).ctx("watcher")?,
        ),
    ]
    .map(|(what, w)| (what, Drain::spawn(w)));

    let mut written = Vec::new();
    for i in 0..4 {
        let w = writer.set(&k, &format!("pre{i}"), SetOptions::default());
        written.push(summary(&w.ctx("write before the fault")?)?);
    }
    let mut got: Vec<Vec<(u64, String, String)>> = vec![Vec::new(); drains.len()];
    for ((what, drain), got) in drains.iter().zip(&mut got) {
        while got.len() < written.len() {
            let (_, event) = drain
                .next(COLLECT, what)?
                .ok_or_else(|| format!("{what}: no event before the fault"))?;
            got.push(summary(&event)?);
        }
    }
    // The events came from X; now wait until both next long polls are registered there.
    poll_until(
        Duration::from_secs(5),
        "both long polls registered on X",
        || (on_x.stats_store().ok()?.watchers >= 2).then_some(()),
    )?;
    match fault {
        Fault::Kill => ctx.cluster().kill(x),
        Fault::Stop => ctx.cluster().stop(x).map_err(|e| format!("SIGSTOP: {e}"))?,
    }
    let faulted = Instant::now();

    let outcome = (|| {
        let mut first_ack = None;
        for i in 0..5 {
            let w = writer.set(&k, &format!("post{i}"), SetOptions::default());
            written.push(summary(&w.ctx("write after the fault")?)?);
            first_ack.get_or_insert_with(Instant::now);
        }
        let first_ack = first_ack.unwrap_or(faulted);
        let pre = got[0].len();
        for ((what, drain), got) in drains.iter().zip(&mut got) {
            let deadline = faulted + COLLECT;
            while got.len() < written.len() {
                let left = deadline.saturating_duration_since(Instant::now());
                let Some((at, event)) = drain.next(left, what)? else {
                    return Err(format!(
                        "{what}: {} of {} events after the fault within {COLLECT:?} (fault: {fault:?})",
                        got.len() - pre,
                        written.len() - pre
                    ));
                };
                if got.len() == pre {
                    let took = at.saturating_duration_since(faulted);
                    let bound = AGE + HEADER_TIMEOUT + MARGIN;
                    eprintln!(
                        "{}: {what}: first event after the {fault:?} in {took:?} \
                         (write acknowledged after {:?})",
                        ctx.prefix,
                        first_ack.saturating_duration_since(faulted)
                    );
                    ensure!(
                        at <= (faulted + AGE + HEADER_TIMEOUT).max(first_ack) + MARGIN,
                        "{what}: the first event after the {fault:?} came {took:?} after it \
                         (bound {bound:?} or the write's acknowledgement + {MARGIN:?})"
                    );
                }
                got.push(summary(&event)?);
            }
        }
        for ((what, drain), got) in drains.iter().zip(&got) {
            ensure_eq!(*got, written, "{what}: every write once, in index order");
            drain.expect_nothing(Duration::from_millis(300), what)?;
        }
        Ok(())
    })();
    if fault == Fault::Stop {
        ctx.cluster().cont(x).map_err(|e| format!("SIGCONT: {e}"))?;
    }
    outcome
}

/// `watch_moves_on_from` a SIGKILLed follower: its connections close at once, so this holds
/// even without `max_poll_age`; it checks that the watch moves on with nothing lost.
pub fn watch_moves_on_from_a_killed_member(ctx: &Ctx<'_>) -> Result<(), String> {
    watch_moves_on_from(ctx, Fault::Kill, false)
}

/// `watch_moves_on_from` a SIGSTOPped follower: its connections stay open and silent, so
/// only the poll's age ends the wait on it.
pub fn watch_moves_on_from_a_stopped_member(ctx: &Ctx<'_>) -> Result<(), String> {
    watch_moves_on_from(ctx, Fault::Stop, false)
}

/// A recursive watch from a known index while 4 threads make 2,000 writes (sets and creates)
/// below its directory: every acknowledged write's index is delivered exactly once, in
/// increasing order, with its key and action, and nothing else. Writers pause while more than
/// 500 writes are undelivered: a recursive v2 watch gets one event per poll, and one that falls
/// 1,000 events behind is cleared (401) by etcd, which is not what this scenario is about.
pub fn watch_long_run_delivers_every_write_once(ctx: &Ctx<'_>) -> Result<(), String> {
    const WRITERS: usize = 4;
    const WRITES_EACH: usize = 500;
    const MAX_LAG: u64 = 500;
    const QUIET: Duration = Duration::from_secs(10);
    let total = WRITERS * WRITES_EACH;
    let dir = ctx.key("run");
    let start = ctx
        .sut
        .set(&ctx.key("start"), "0", SetOptions::default())
        .ctx("set")?;
    let i0 = node(&start)?.modified_index;
    let watcher = ctx
        .sut
        .watch(
            &dir,
            WatchOptions::default().after_index(i0).recursive(true),
        )
        .ctx("watcher")?;
    let drain = Drain::spawn(watcher);

    let acked_count = AtomicU64::new(0);
    let delivered = AtomicU64::new(0);
    let max_lag = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let acked = Mutex::new(Vec::with_capacity(total));
    let started = Instant::now();
    let mut events = Vec::with_capacity(total);
    let writes = std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|t| {
                let (acked_count, delivered, max_lag) = (&acked_count, &delivered, &max_lag);
                let (failed, acked, dir) = (&failed, &acked, &dir);
                s.spawn(move || {
                    for i in 0..WRITES_EACH {
                        while acked_count
                            .load(Ordering::SeqCst)
                            .saturating_sub(delivered.load(Ordering::SeqCst))
                            > MAX_LAG
                        {
                            if failed.load(Ordering::SeqCst) {
                                return Ok(());
                            }
                            std::thread::sleep(Duration::from_millis(2));
                        }
                        let resp = if i % 2 == 0 {
                            ctx.sut.set(
                                &format!("{dir}/w{t}/k{}", i % 16),
                                &i.to_string(),
                                SetOptions::default(),
                            )
                        } else {
                            ctx.sut.create(&format!("{dir}/w{t}/c{i}"), &i.to_string())
                        };
                        let resp = resp.inspect_err(|_| failed.store(true, Ordering::SeqCst))?;
                        let lag = (acked_count.fetch_add(1, Ordering::SeqCst) + 1)
                            .saturating_sub(delivered.load(Ordering::SeqCst));
                        max_lag.fetch_max(lag, Ordering::SeqCst);
                        acked
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(resp);
                    }
                    Ok::<(), Error>(())
                })
            })
            .collect();
        let collected = (|| {
            while events.len() < total && !failed.load(Ordering::SeqCst) {
                let (_, event) = drain
                    .next(QUIET, "recursive watch")?
                    .ok_or_else(|| format!("no event for {QUIET:?}"))?;
                events.push(summary(&event)?);
                delivered.fetch_add(1, Ordering::SeqCst);
            }
            Ok::<(), String>(())
        })();
        if collected.is_err() {
            failed.store(true, Ordering::SeqCst);
        }
        let writes = writers
            .into_iter()
            .try_for_each(|w| w.join().expect("writer thread"))
            .ctx("writes");
        collected.and(writes)
    });
    writes?;
    let took = started.elapsed();
    drain.expect_nothing(Duration::from_millis(300), "recursive watch")?;

    let acked = acked.into_inner().unwrap_or_else(PoisonError::into_inner);
    let mut by_index = BTreeMap::new();
    for resp in &acked {
        let (index, key, action) = summary(resp)?;
        ensure!(
            by_index.insert(index, (key, action)).is_none(),
            "two acknowledged writes at index {index}"
        );
    }
    ensure_eq!(by_index.len(), total, "acknowledged writes");
    for pair in events.windows(2) {
        ensure!(
            pair[0].0 < pair[1].0,
            "events out of order: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    let expected: Vec<(u64, String, String)> = by_index
        .into_iter()
        .map(|(index, (key, action))| (index, key, action))
        .collect();
    if events != expected {
        let missing: Vec<_> = expected.iter().filter(|e| !events.contains(e)).collect();
        let extra: Vec<_> = events.iter().filter(|e| !expected.contains(e)).collect();
        return Err(format!(
            "events differ from the acknowledged writes: {} missing (first {:?}), {} extra \
             (first {:?})",
            missing.len(),
            missing.first(),
            extra.len(),
            extra.first()
        ));
    }
    eprintln!(
        "{}::watch_long_run_delivers_every_write_once: {total} writes delivered once each in \
         {took:?}, largest lag {}",
        trial(ctx),
        max_lag.load(Ordering::SeqCst)
    );
    Ok(())
}
