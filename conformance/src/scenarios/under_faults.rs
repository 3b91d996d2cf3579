//! Many clients on one key while members are killed, paused and cut off: the histories are
//! linearizable (checked per window by stateright), and a compare-and-swap counter counts
//! every acknowledged increment exactly once.
//!
//! Each client reaches member `i` through its own [`FaultProxy`], uses a 1 s header timeout
//! and bounds every call at 3 s. The runs are bounded in time (and the counter in count).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use etcd_v2_proto::{Api, Config, Error, GetOptions, KeysResponse, Rng, SetOptions, WatchOptions};

use super::{Check, Ctx, node};
use crate::fault_proxy::FaultProxy;
use crate::history::{self, Op, Outcome, Record, Ret};
use crate::nemesis::{self, FaultRecord};
use crate::sut::Sut;

const WORKERS: usize = 5;
const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
const CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// How long the register history runs, and how long each of its keys (windows) is used.
/// A window outlasts most faults, so a write applied late (a paused member resumed, a held
/// link healed) lands while its key is still read; it is short enough (a few hundred
/// operations) for the checker's search to take milliseconds.
const REGISTER_RUN: Duration = Duration::from_secs(32);
const WINDOW: Duration = Duration::from_secs(6);
/// How long the counter runs, and where it stops (etcd keeps 1,000 events of history, which
/// the audit reads back).
const COUNTER_RUN: Duration = Duration::from_secs(12);
const COUNTER_MAX: u64 = 900;

/// Proxies in front of every member, and a client per worker through them.
struct Rig {
    proxies: Vec<FaultProxy>,
    clients: Vec<Sut>,
    seed: u64,
}

impl Rig {
    fn new(ctx: &Ctx<'_>) -> Result<Self, String> {
        let proxies = ctx
            .urls()
            .iter()
            .map(|u| FaultProxy::in_front_of(u))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("proxy: {e}"))?;
        let urls: Vec<String> = proxies.iter().map(FaultProxy::url).collect();
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        let clients = (0..WORKERS as u64)
            .map(|w| {
                let config = Config::new(urls.clone())
                    .header_timeout(Some(HEADER_TIMEOUT))
                    .seed(seed.wrapping_add(w));
                ctx.sut_with(config).map(|s| s.with_timeout(CALL_TIMEOUT))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            proxies,
            clients,
            seed,
        })
    }

    /// Runs `work` on every client and the fault schedule beside them until `run` passes;
    /// returns what the workers returned and the faults.
    fn run<T: Send>(
        &self,
        etcd: &Mutex<crate::etcd_process::EtcdCluster>,
        run: Duration,
        work: impl Fn(usize, &Sut, Instant) -> T + Sync,
    ) -> Result<(Vec<T>, Vec<FaultRecord>), String> {
        let stop = AtomicBool::new(false);
        let end = Instant::now() + run;
        thread::scope(|s| {
            let faults = s.spawn(|| nemesis::run(etcd, &self.proxies, self.seed, run, &stop));
            let work = &work;
            let workers: Vec<_> = (self.clients.iter().enumerate())
                .map(|(w, sut)| s.spawn(move || work(w, sut, end)))
                .collect();
            let results: Vec<T> = workers
                .into_iter()
                .map(|h| h.join().expect("a worker panicked"))
                .collect();
            stop.store(true, Ordering::SeqCst);
            let faults = faults.join().expect("the nemesis panicked")?;
            Ok((results, faults))
        })
    }
}

fn value_of(resp: &KeysResponse) -> Option<u64> {
    resp.node.as_ref()?.value.as_deref()?.parse().ok()
}

/// One call's outcome as the history records it.
fn outcome(op: Op, result: Result<KeysResponse, Error>) -> Outcome {
    match (op, result) {
        (Op::Read, Ok(resp)) => Outcome::Ok(Ret::Read(value_of(&resp))),
        (Op::Read, Err(e)) if e.is_key_not_found() => Outcome::Ok(Ret::Read(None)),
        (_, Ok(_)) => Outcome::Ok(Ret::Done),
        (_, Err(e)) if e.is_outcome_unknown() => Outcome::Unknown,
        // A swap refused: the key held another value (101) or none (100).
        (Op::Cas { .. }, Err(e)) if e.is_test_failed() || e.is_key_not_found() => {
            Outcome::Ok(Ret::CasFailed)
        }
        // Definitely not applied: the client promises it.
        (_, Err(_)) => Outcome::Failed,
    }
}

fn register_worker(ctx: &Ctx<'_>, w: usize, sut: &Sut, end: Instant, seed: u64) -> Vec<Record> {
    let mut rng = Rng::new(seed ^ (w as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let t0 = end - REGISTER_RUN;
    let mut records = Vec::new();
    let mut last_read = None;
    let mut seq = 0;
    while Instant::now() < end {
        let key = (t0.elapsed().as_millis() / WINDOW.as_millis()) as usize;
        let k = ctx.key(&format!("w{key}"));
        seq += 1;
        let unique = (w as u64 + 1) * 1_000_000 + seq;
        let op = match (rng.below(7), last_read) {
            (0..3, _) => Op::Read,
            (3..5, _) | (_, None) => Op::Write(unique),
            (_, Some(from)) => Op::Cas { from, to: unique },
        };
        let start = Instant::now();
        let result = match op {
            Op::Read => sut.get(&k, GetOptions::default().quorum(true)),
            Op::Write(v) => sut.set(&k, &v.to_string(), SetOptions::default()),
            Op::Cas { from, to } => {
                let cas = SetOptions::default().prev_value(from.to_string());
                sut.set(&k, &to.to_string(), cas)
            }
        };
        let outcome = outcome(op, result);
        if let Outcome::Ok(Ret::Read(v)) = outcome {
            last_read = v;
        }
        records.push(Record {
            worker: w,
            key,
            op,
            start,
            end: Instant::now(),
            outcome,
        });
        thread::sleep(Duration::from_millis(60 + rng.below(60)));
    }
    records
}

/// Reads (quorum), writes and swaps by five clients under the fault mix; every window's
/// history must be linearizable, with unknown writes allowed to land at any later time.
pub fn faults_register_linearizable(ctx: &Ctx<'_>) -> Result<(), String> {
    let rig = Rig::new(ctx)?;
    let (per_worker, faults) = rig.run(ctx.etcd(), REGISTER_RUN, |w, sut, end| {
        register_worker(ctx, w, sut, end, rig.seed)
    })?;
    let records: Vec<Record> = per_worker.into_iter().flatten().collect();
    let (ops, ok, failed, unknown) = history::counts(&records);
    let checked = Instant::now();
    let verdict = history::check_linearizable(&records);
    eprintln!(
        "{}: register under faults (seed {}): {ops} ops, {ok} ok, {failed} failed, {unknown} unknown, \
         {} violations (checked in {:?})\n{}",
        ctx.adapter(),
        rig.seed,
        verdict
            .as_ref()
            .err()
            .map_or(0, |v| v.matches("not linearizable").count()),
        checked.elapsed(),
        history::fault_table(&faults, &records)
    );
    ensure!(
        ok > ops / 4,
        "too few calls succeeded to mean anything: {ok} of {ops}"
    );
    verdict.map_err(|v| v.chars().take(4000).collect())
}

/// A counter of read + compare-and-swap increments by five clients under the fault mix:
/// `ok <= final <= ok + unknown`, and the store's history (read back by a watch) holds each
/// value once, in order.
pub fn faults_cas_counter_audit(ctx: &Ctx<'_>) -> Result<(), String> {
    let rig = Rig::new(ctx)?;
    let k = ctx.key("counter");
    let direct = ctx.sut_with(Config::new(ctx.urls()))?;
    let start = direct.set(&k, "0", SetOptions::default()).ctx("set 0")?;
    let start_index = node(&start)?.modified_index;
    let (per_worker, faults) = rig.run(ctx.etcd(), COUNTER_RUN, |w, sut, end| {
        let mut records = Vec::new();
        while Instant::now() < end {
            // Paced, so the counter lasts through several faults.
            thread::sleep(Duration::from_millis(60));
            let Ok(n) = sut.get(&k, GetOptions::default().quorum(true)) else {
                continue;
            };
            let Some(n) = value_of(&n).filter(|&n| n < COUNTER_MAX) else {
                break;
            };
            let op = Op::Cas { from: n, to: n + 1 };
            let (start, cas) = (
                Instant::now(),
                SetOptions::default().prev_value(n.to_string()),
            );
            let result = sut.set(&k, &(n + 1).to_string(), cas);
            let outcome = outcome(op, result);
            let end = Instant::now();
            records.push(Record {
                worker: w,
                key: 0,
                op,
                start,
                end,
                outcome,
            });
        }
        records
    })?;
    let records: Vec<Record> = per_worker.into_iter().flatten().collect();
    let count = |o: Outcome| records.iter().filter(|r| r.outcome == o).count() as u64;
    let (ok, unknown) = (count(Outcome::Ok(Ret::Done)), count(Outcome::Unknown));
    ctx.cluster()
        .wait_healthy(Duration::from_secs(20))
        .map_err(|e| e.to_string())?;
    let last = direct
        .get(&k, GetOptions::default().quorum(true))
        .ctx("final read")?;
    let last_value = value_of(&last).ok_or("the counter is not a number")?;
    let last_index = node(&last)?.modified_index;
    eprintln!(
        "{}: CAS counter under faults (seed {}): final {last_value}, {ok} ok, {unknown} unknown\n{}",
        ctx.adapter(),
        rig.seed,
        history::fault_table(&faults, &records)
    );
    ensure!(
        ok <= last_value && last_value <= ok + unknown,
        "ok {ok} <= final {last_value} <= ok + unknown {}",
        ok + unknown
    );
    // Every increment is in the store's history once, in order.
    if last_value == 0 {
        return Err("no increment succeeded".into());
    }
    let mut watcher = direct
        .watch(&k, WatchOptions::default().after_index(start_index))
        .ctx("watch")?;
    let mut expected = 1;
    loop {
        let event = watcher.next().ctx("reading the counter's history")?;
        let got = value_of(&event).ok_or("an event without a number")?;
        ensure_eq!(
            got,
            expected,
            "the counter's history at its {expected}th write"
        );
        if node(&event)?.modified_index >= last_index {
            break;
        }
        expected += 1;
    }
    ensure_eq!(expected, last_value, "writes in the counter's history");
    Ok(())
}

/// The Go client's caveat about plain reads, shown with the same checker: a member cut off
/// from its peers still answers plain reads from its own store, so a client pinned to it
/// reads a value that was overwritten elsewhere (a history no order explains), while a quorum
/// read there cannot succeed. Once it rejoins, it catches up.
pub fn faults_plain_reads_on_isolated_member_are_stale(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("stale");
    let urls = ctx.urls();
    // A follower, so the others keep a leader (and take writes) while it is cut off.
    let cut = (0..urls.len())
        .find(|&i| Some(i) != nemesis::leader(&ctx.cluster()))
        .ok_or("no follower")?;
    let pinned = Config::new([urls[cut].clone()]).header_timeout(Some(HEADER_TIMEOUT));
    let pinned = ctx.sut_with(pinned)?.with_timeout(CALL_TIMEOUT);
    let rest: Vec<String> = (0..urls.len())
        .filter(|&i| i != cut)
        .map(|i| urls[i].clone())
        .collect();
    let rest = ctx.sut_with(Config::new(rest))?;
    let plain_read = |sut: &Sut| {
        sut.get(&k, GetOptions::default())
            .ok()
            .and_then(|r| value_of(&r))
    };
    let mut history = Vec::new();
    let mut record = |op, start, outcome| {
        history.push(Record {
            worker: 0,
            key: 0,
            op,
            start,
            end: Instant::now(),
            outcome,
        });
    };

    let start = Instant::now();
    rest.set(&k, "1", SetOptions::default()).ctx("set 1")?;
    record(Op::Write(1), start, Outcome::Ok(Ret::Done));
    super::poll_until(Duration::from_secs(10), "the follower has 1", || {
        (plain_read(&pinned) == Some(1)).then_some(())
    })?;

    ctx.cluster().isolate(cut);
    let start = Instant::now();
    rest.set(&k, "2", SetOptions::default())
        .ctx("set 2 by the others")?;
    record(Op::Write(2), start, Outcome::Ok(Ret::Done));
    let start = Instant::now();
    let stale = pinned.get(&k, GetOptions::default());
    let stale = outcome(Op::Read, stale);
    record(Op::Read, start, stale);
    let quorum = pinned.get(&k, GetOptions::default().quorum(true));
    ctx.cluster().rejoin(cut);

    ensure_eq!(
        stale,
        Outcome::Ok(Ret::Read(Some(1))),
        "a plain read on the cut-off member"
    );
    ensure!(
        history::check_linearizable(&history).is_err(),
        "the checker found no fault in a stale read: {history:?}"
    );
    ensure!(
        !quorum.as_ref().is_ok_and(|r| value_of(r) == Some(1)),
        "a quorum read on the cut-off member returned the stale value: {quorum:?}"
    );
    eprintln!(
        "{}: member {cut} cut off from its peers: plain read {stale:?} after 2 was written; \
         quorum read: {}",
        ctx.adapter(),
        quorum
            .as_ref()
            .map_or_else(ToString::to_string, |r| format!("{:?}", value_of(r))),
    );
    super::poll_until(
        Duration::from_secs(15),
        "the rejoined member catches up",
        || (plain_read(&pinned) == Some(2)).then_some(()),
    )
}
