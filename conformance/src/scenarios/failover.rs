//! Failover on real members: a killed pinned member, a create to killed members only, a
//! SIGSTOPped member behind a short header timeout (for a read and for a watch).

use std::net::{TcpListener, TcpStream};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use etcd_v2_proto::{
    Api, AttemptFailure, Config, DeleteOptions, Error, GetOptions, SetOptions, TransportFailure,
    WatchOptions,
};

use super::{Check, Ctx, expect_code, expect_err, node, poll_until};
use crate::sut::Adapter;

/// Index of the member serving `url`.
fn member_index(ctx: &Ctx<'_>, url: &str) -> Result<usize, String> {
    ctx.urls()
        .iter()
        .position(|u| u == url)
        .ok_or_else(|| format!("{url} is not a member URL"))
}

/// Waits until every member serves `key` at `index` to a plain (local) read. A write returns
/// once a quorum committed it; a lagging member would answer a failover read from its stale
/// store (etcd caveat: non-quorum reads may be outdated).
fn await_replicated(ctx: &Ctx<'_>, key: &str, index: u64) -> Result<(), String> {
    for url in ctx.urls() {
        let one = ctx.sut_with(Config::new([url.clone()]))?;
        poll_until(
            Duration::from_secs(10),
            format!("{url} applies index {index}"),
            || {
                let got = one.get(key, GetOptions::default()).ok()?;
                (got.node?.modified_index >= index).then_some(())
            },
        )?;
    }
    Ok(())
}

/// True iff every failure of a cluster error is a refused connection (nothing was sent).
fn all_refused(err: &Error) -> bool {
    matches!(err, Error::Cluster(c) if !c.failures.is_empty() && c.failures.iter().all(|(_, f)| {
        matches!(f, AttemptFailure::Transport(TransportFailure::Connect(_)))
    }))
}

/// Kill the member the client is pinned to: the next read fails over to another member and
/// succeeds; then the client stays on the live member.
pub fn failover_read_after_killing_pinned(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let set = ctx.sut.set(&k, "v", SetOptions::default()).ctx("set")?;
    let index = node(&set)?.modified_index;
    await_replicated(ctx, &k, index)?;
    // No call has failed, so the pin is still the first endpoint.
    let pinned = ctx.sut.endpoints()[0].clone();
    let victim = member_index(ctx, &pinned)?;
    ctx.cluster().kill(victim);

    let got = ctx
        .sut
        .get(&k, GetOptions::default())
        .ctx("get after killing the pinned member")?;
    ensure_eq!(
        node(&got)?.value.as_deref(),
        Some("v"),
        "value read through another member"
    );
    ensure_eq!(
        node(&got)?.modified_index,
        index,
        "index read through another member"
    );
    // The next read starts at the new pin: no second connection attempt to the dead member.
    let started = Instant::now();
    ctx.sut.get(&k, GetOptions::default()).ctx("second get")?;
    ensure!(
        started.elapsed() < Duration::from_secs(1),
        "the second read took {:?}",
        started.elapsed()
    );
    // Once the survivors have a leader again, writes work: 2 of 3 is a quorum. (Right after
    // killing the leader, a follower drops the proposal and only the header timeout ends it.)
    ctx.cluster()
        .wait_healthy(Duration::from_secs(15))
        .map_err(|e| format!("survivors healthy: {e}"))?;
    ctx.sut
        .set(&k, "w", SetOptions::default())
        .ctx("set after failover")?;
    let got = ctx
        .sut
        .get(&k, GetOptions::default().quorum(true))
        .ctx("quorum get after failover")?;
    ensure_eq!(
        node(&got)?.value.as_deref(),
        Some("w"),
        "value after failover"
    );
    ensure_eq!(ctx.sut.endpoints().len(), 3, "the endpoint list is kept");
    Ok(())
}

/// A create (never re-sent once it may have arrived) to killed members only: every connection
/// is refused before anything is sent, so the call fails with a cluster error listing each
/// endpoint, and nothing was applied (checked after restarting the member). Same for delete.
/// (A client without open connections; see the next scenario for pooled ones.)
pub fn failover_create_on_killed_only_endpoints(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let kept = ctx.key("kept");
    ctx.sut.set(&kept, "v", SetOptions::default()).ctx("set")?;
    let url = ctx.url(0);
    ctx.cluster().kill(0);

    let fresh = ctx.sut_with(Config::new([url.clone()]))?;
    let err = expect_err(fresh.create(&k, "v"), "create to a killed member")?;
    ensure!(
        all_refused(&err),
        "create to a killed member: expected a cluster error of refused connections, got {err:?}"
    );
    if let Error::Cluster(c) = &err {
        ensure_eq!(c.failures.len(), 1, "one failure per endpoint");
        ensure_eq!(c.failures[0].0, url, "the failed endpoint");
    }
    ensure!(
        !err.is_outcome_unknown(),
        "a refused connection is not outcome-unknown: {err:?}"
    );
    let err = expect_err(
        fresh.delete(&kept, DeleteOptions::default()),
        "delete to a killed member",
    )?;
    ensure!(all_refused(&err), "delete to a killed member: {err:?}");

    // With a second dead URL both are tried, in order, for the one-shot create too.
    let other_dead = super::unused_url();
    let two = ctx.sut_with(Config::new([url.clone(), other_dead.clone()]))?;
    let err = expect_err(two.create(&k, "v"), "create to two dead endpoints")?;
    ensure!(all_refused(&err), "create to two dead endpoints: {err:?}");
    if let Error::Cluster(c) = &err {
        let mut tried: Vec<&str> = c.failures.iter().map(|(e, _)| e.as_str()).collect();
        tried.sort_unstable();
        let mut expected = vec![url.as_str(), other_dead.as_str()];
        expected.sort_unstable();
        ensure_eq!(tried, expected, "both endpoints tried");
    }

    let mut etcd = ctx.cluster();
    etcd.restart(0).map_err(|e| format!("restart: {e}"))?;
    etcd.wait_healthy(Duration::from_secs(20))
        .map_err(|e| format!("restart: {e}"))?;
    drop(etcd);
    expect_code(
        ctx.sut.get(&k, GetOptions::default()),
        100,
        "the refused create was not applied",
    )?;
    let got = ctx
        .sut
        .get(&kept, GetOptions::default())
        .ctx("the refused delete was not applied")?;
    ensure_eq!(node(&got)?.value.as_deref(), Some("v"), "value kept");
    ctx.sut.create(&k, "v").ctx("create after restart")?;
    Ok(())
}

/// A SIGSTOPped pinned member accepts connections but never answers: with a 500 ms header
/// timeout a read fails over to another member; the pin moves, so the next read is quick.
pub fn failover_sigstopped_member_header_timeout(ctx: &Ctx<'_>) -> Result<(), String> {
    const HEADER_TIMEOUT: Duration = Duration::from_millis(500);
    let urls = ctx.urls();
    let sut = ctx.sut_with(Config::new(urls).header_timeout(Some(HEADER_TIMEOUT)))?;
    let k = ctx.key("k");
    let set = sut.set(&k, "v", SetOptions::default()).ctx("set")?;
    await_replicated(ctx, &k, node(&set)?.modified_index)?;
    let pinned = sut.endpoints()[0].clone();
    let victim = member_index(ctx, &pinned)?;
    ctx.cluster()
        .stop(victim)
        .map_err(|e| format!("SIGSTOP: {e}"))?;

    let outcome = (|| {
        let started = Instant::now();
        let got = sut
            .get(&k, GetOptions::default())
            .ctx("get with the pinned member stopped")?;
        let took = started.elapsed();
        ensure_eq!(
            node(&got)?.value.as_deref(),
            Some("v"),
            "value read through another member"
        );
        ensure!(
            took >= HEADER_TIMEOUT - Duration::from_millis(20) && took < Duration::from_secs(4),
            "the read waited one header timeout on the stopped member, took {took:?}"
        );
        let started = Instant::now();
        sut.get(&k, GetOptions::default()).ctx("second get")?;
        let took = started.elapsed();
        ensure!(
            took < HEADER_TIMEOUT,
            "the second read went to the new pin, took {took:?}"
        );
        Ok(())
    })();
    ctx.cluster()
        .cont(victim)
        .map_err(|e| format!("SIGCONT: {e}"))?;
    outcome
}

/// A watch sent to a SIGSTOPped pinned member: etcd answers a watch's headers at once, so with a
/// 500 ms header timeout the long poll gives up on the silent member, fails over to another and
/// reports a write made through a third client within a few seconds.
pub fn failover_watch_skips_stopped_member(ctx: &Ctx<'_>) -> Result<(), String> {
    const HEADER_TIMEOUT: Duration = Duration::from_millis(500);
    const EVENT_BOUND: Duration = Duration::from_secs(10);
    let urls = ctx.urls();
    let sut = ctx.sut_with(Config::new(urls.clone()).header_timeout(Some(HEADER_TIMEOUT)))?;
    let k = ctx.key("k");
    let set = sut.set(&k, "v0", SetOptions::default()).ctx("set")?;
    let i0 = node(&set)?.modified_index;
    await_replicated(ctx, &k, i0)?;
    let pinned = sut.endpoints()[0].clone();
    let victim = member_index(ctx, &pinned)?;
    let other = urls
        .iter()
        .find(|u| **u != pinned)
        .ok_or("no member besides the pinned one")?;
    let writer = ctx.sut_with(Config::new([other.clone()]))?;
    ctx.cluster()
        .stop(victim)
        .map_err(|e| format!("SIGSTOP: {e}"))?;

    let outcome = (|| {
        let mut watcher = sut
            .watch(&k, WatchOptions::default().after_index(i0))
            .ctx("watcher")?;
        // The first long poll goes to the stopped member, which never sends its headers.
        ensure!(
            watcher.next_within(HEADER_TIMEOUT * 2).is_none(),
            "a quiet key reported an event"
        );
        // Losing the (possibly stopped) leader may take an election: retry the write.
        poll_until(
            Duration::from_secs(15),
            "write through another member",
            || writer.set(&k, "v1", SetOptions::default()).ok(),
        )?;
        let started = Instant::now();
        let event = watcher
            .next_within(EVENT_BOUND)
            .ok_or_else(|| format!("the watch reported nothing within {EVENT_BOUND:?}"))?
            .ctx("watch with the pinned member stopped")?;
        let took = started.elapsed();
        ensure!(
            node(&event)?.modified_index > i0 && node(&event)?.value.as_deref() == Some("v1"),
            "the event is the write through another member: {event:?}"
        );
        ensure!(
            watcher.wait_index() > i0 + 1,
            "the wait index advanced past the event"
        );
        ensure!(
            took < EVENT_BOUND,
            "the watch reported the write within {EVENT_BOUND:?}, took {took:?}"
        );
        Ok(())
    })();
    ctx.cluster()
        .cont(victim)
        .map_err(|e| format!("SIGCONT: {e}"))?;
    outcome
}

/// A long poll in flight on the pinned member when it is killed: the watcher moves to another
/// member with the same wait index and reports the next write.
pub fn failover_watch_continues_after_member_kill(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let set = ctx.sut.set(&k, "v0", SetOptions::default()).ctx("set")?;
    let i0 = node(&set)?.modified_index;
    let mut watcher = ctx
        .sut
        .watch(&k, WatchOptions::default().after_index(i0))
        .ctx("watcher")?;
    // Let the long poll reach the pinned member.
    ensure!(
        watcher.next_within(Duration::from_millis(300)).is_none(),
        "a quiet key reported an event"
    );
    let pinned = ctx.sut.endpoints()[0].clone();
    let victim = member_index(ctx, &pinned)?;
    ctx.cluster().kill(victim);
    ctx.cluster()
        .wait_healthy(Duration::from_secs(15))
        .map_err(|e| format!("survivors healthy: {e}"))?;
    let w = ctx
        .sut
        .set(&k, "v1", SetOptions::default())
        .ctx("set after the kill")?;
    let event = watcher.next().ctx("watch after the kill")?;
    ensure_eq!(
        (node(&event)?.modified_index, node(&event)?.value.as_deref()),
        (node(&w)?.modified_index, Some("v1")),
        "event after the pinned member died"
    );
    ensure_eq!(
        watcher.wait_index(),
        node(&w)?.modified_index + 1,
        "wait index"
    );
    Ok(())
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connect hangs
/// like one to a powered-off host (nothing can be sent). Holds the listener and the sockets
/// that filled it.
struct Unreachable {
    url: String,
    _listener: TcpListener,
    _held: Vec<TcpStream>,
}

impl Unreachable {
    fn new() -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let mut held = Vec::new();
        while held.len() < 4096 {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(s) => held.push(s),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    return Ok(Self {
                        url: format!("http://{addr}"),
                        _listener: listener,
                        _held: held,
                    });
                }
                Err(e) => return Err(format!("filling the accept queue: {e}")),
            }
        }
        Err("the kernel kept accepting connections: cannot make a hanging connect".into())
    }
}

/// A create to `[unreachable, live]`: the connect to the first never completes, so the
/// request was never sent and the adapter must report it as a connect failure (adapter
/// contract: "connect timeout => Connect"); the core then tries the live member and the
/// create succeeds there exactly once.
pub fn failover_create_past_unreachable_member(ctx: &Ctx<'_>) -> Result<(), String> {
    const HEADER_TIMEOUT: Duration = Duration::from_millis(500);
    let hole = Unreachable::new()?;
    let live = ctx.url(0);
    // The list is shuffled: pick a seed that puts the unreachable endpoint first.
    let sut = (0..256)
        .map(|seed| {
            let config = Config::new([hole.url.clone(), live.clone()])
                .header_timeout(Some(HEADER_TIMEOUT))
                .seed(seed);
            ctx.sut_with(config)
        })
        .find(|sut| sut.as_ref().is_ok_and(|s| s.endpoints()[0] == hole.url))
        .ok_or("no seed puts the unreachable endpoint first")??;
    let k = ctx.key("k");
    let started = Instant::now();
    let r = sut
        .create(&k, "once")
        .ctx("create with an unreachable first endpoint")?;
    let took = started.elapsed();
    ensure!(
        took >= HEADER_TIMEOUT - Duration::from_millis(20),
        "the create skipped the first endpoint ({took:?})"
    );
    ensure_eq!(node(&r)?.value.as_deref(), Some("once"), "created value");
    // The member that answered is pinned, and listed first: the order the next call tries.
    ensure_eq!(
        sut.pinned_endpoint(),
        Some(live.clone()),
        "pinned after failover"
    );
    ensure_eq!(
        sut.endpoints(),
        [live.clone(), hole.url.clone()],
        "endpoints after failover"
    );
    let got = ctx.sut.get(&k, GetOptions::default()).ctx("get")?;
    ensure_eq!(
        node(&got)?.created_index,
        node(&r)?.created_index,
        "created once"
    );
    Ok(())
}

/// Keep-alive connections pooled before the member dies: a create or delete after the kill
/// must not be reported as possibly applied just because a dead pooled connection was picked
/// (hyper reports such a request as canceled, i.e. never sent); each must fail like a refused
/// connection, and nothing is applied.
///
/// One race is left to the async adapters' pools: hyper learns that a pooled connection closed
/// from that connection's own driver task. If the task has not run since the kill (a loaded machine), the create
/// is written to the dead socket and comes back as "connection closed before message
/// completed", which cannot tell whether the member read it: `OutcomeUnknown` is then the true
/// answer (and the create must still not be applied). The delete that follows goes out once
/// every stale connection has been used up, so it is always refused.
pub fn failover_create_on_stale_pooled_connections(ctx: &Ctx<'_>) -> Result<(), String> {
    const CONNECTIONS: usize = 6;
    let kept = ctx.key("kept");
    ctx.sut.set(&kept, "v", SetOptions::default()).ctx("set")?;
    // Concurrent reads open several keep-alive connections, which go back to the pool.
    let barrier = Barrier::new(CONNECTIONS);
    std::thread::scope(|s| {
        let readers: Vec<_> = (0..CONNECTIONS)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    (0..3).try_for_each(|_| ctx.sut.get(&kept, GetOptions::default()).map(drop))
                })
            })
            .collect();
        readers
            .into_iter()
            .try_for_each(|r| r.join().expect("reader thread"))
    })
    .ctx("concurrent reads")?;
    ctx.cluster().kill(0);

    for i in 0..CONNECTIONS {
        let k = ctx.key(&format!("k{i}"));
        let err = expect_err(
            ctx.sut.create(&k, "v"),
            format!("create {i} after the kill"),
        )?;
        let raced = ctx.adapter() == Adapter::Tokio
            && matches!(
                err.outcome_unknown().map(|u| &u.failure),
                Some(AttemptFailure::Transport(TransportFailure::Io(m)))
                    if m.contains("connection closed before message completed")
            );
        ensure!(
            all_refused(&err) || raced,
            "create {i} after the kill: expected a cluster error of refused connections, got {err:?}"
        );
    }
    let err = expect_err(
        ctx.sut.delete(&kept, DeleteOptions::default()),
        "delete after the kill",
    )?;
    ensure!(all_refused(&err), "delete after the kill: {err:?}");

    let mut etcd = ctx.cluster();
    etcd.restart(0).map_err(|e| format!("restart: {e}"))?;
    etcd.wait_healthy(Duration::from_secs(20))
        .map_err(|e| format!("restart: {e}"))?;
    drop(etcd);
    for i in 0..CONNECTIONS {
        let k = ctx.key(&format!("k{i}"));
        expect_code(
            ctx.sut.get(&k, GetOptions::default()),
            100,
            format!("create {i} not applied"),
        )?;
    }
    ctx.sut
        .get(&kept, GetOptions::default())
        .ctx("the delete was not applied")?;
    Ok(())
}
