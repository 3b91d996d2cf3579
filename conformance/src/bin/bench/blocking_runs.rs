//! The workloads for the blocking clients (ours over ureq, and the plain ureq loop), on
//! threads: the same shapes as [`crate::async_runs`].

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::fanout::Writer;
use crate::measure::{Cost, Meter};
use crate::plan::{
    Adapter, Sizes, Workload, fanout_dir, fanout_key, listing_dir, read_key, shares,
    warm_up_shares, watch_dir, write_key,
};

/// Operations before the meter starts (connections made, code paths warm).
const WARM_UP: usize = 50;

/// The operations a workload needs, as a blocking client does them.
pub(crate) trait BlockingKv: Clone + Send + Sync + 'static {
    /// A recursive watch.
    type Watch: BlockingWatch;

    /// Writes the 100-byte value to `key`.
    fn set(&self, key: &str) -> Result<(), String>;
    /// Writes the 100-byte value to `key` and returns the write's index.
    fn set_indexed(&self, key: &str) -> Result<u64, String>;
    /// Reads `key`.
    fn get(&self, key: &str) -> Result<(), String>;
    /// Reads `dir` recursively; returns its size (nodes for a client, bytes for a plain loop).
    fn list(&self, dir: &str) -> Result<usize, String>;
    /// Watches `key` (with `recursive`, everything below it) for events after index `after`.
    fn watch(&self, key: &str, after: u64, recursive: bool) -> Self::Watch;
}

/// A watch of a key or directory.
pub(crate) trait BlockingWatch: Send + 'static {
    /// Waits for the next event and returns its modified index.
    fn next(&mut self) -> Result<u64, String>;
}

/// Runs one workload and measures it (`endpoints`: where W6's writer writes).
pub(crate) fn run<K: BlockingKv>(
    kv: &K,
    adapter: Adapter,
    workload: Workload,
    sizes: Sizes,
    endpoints: &[String],
) -> Result<Cost, String> {
    match workload {
        Workload::W1 => {
            let keys = (0..sizes.n)
                .map(|i| write_key(workload, adapter, i))
                .collect();
            sequential(keys, |key| kv.set(key))
        }
        Workload::W2 => sequential((0..sizes.n).map(read_key).collect(), |key| kv.get(key)),
        Workload::W3 => {
            let keys = (0..sizes.n)
                .map(|i| write_key(workload, adapter, i))
                .collect();
            concurrent_sets(kv, keys, sizes.workers)
        }
        Workload::W4 => listings(kv, sizes.listings),
        Workload::W5 => watch_round_trips(kv, adapter, sizes.watch_n),
        Workload::W6 => fanout(kv, adapter, sizes.watchers, endpoints),
        Workload::Null => {
            let keys = vec![crate::plan::NULL_KEY.to_owned(); sizes.n];
            sequential(keys, |key| kv.get(key))
        }
    }
}

/// `op` on each key in turn, after `op` on the first keys as a warm-up.
fn sequential(keys: Vec<String>, op: impl Fn(&str) -> Result<(), String>) -> Result<Cost, String> {
    for key in keys.iter().take(WARM_UP) {
        op(key)?;
    }
    let mut latencies = Vec::with_capacity(keys.len());
    let meter = Meter::start();
    for key in &keys {
        let start = Instant::now();
        op(key)?;
        latencies.push(start.elapsed());
    }
    Ok(meter.finish(keys.len(), latencies))
}

/// `workers` threads, each with its share of `keys`; warmed up with `workers` concurrent
/// sets so that every caller has had a connection when the meter starts.
fn concurrent_sets<K: BlockingKv>(
    kv: &K,
    keys: Vec<String>,
    workers: usize,
) -> Result<Cost, String> {
    in_threads(kv, warm_up_shares(workers))?;
    let ops = keys.len();
    let shares = shares(keys, workers);
    let meter = Meter::start();
    let latencies = in_threads(kv, shares)?;
    Ok(meter.finish(ops, latencies))
}

/// Sets each share's keys on a thread of its own; returns every set's latency.
fn in_threads<K: BlockingKv>(kv: &K, shares: Vec<Vec<String>>) -> Result<Vec<Duration>, String> {
    std::thread::scope(|scope| {
        let threads: Vec<_> = shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || {
                    let mut latencies = Vec::with_capacity(share.len());
                    for key in &share {
                        let start = Instant::now();
                        kv.set(key)?;
                        latencies.push(start.elapsed());
                    }
                    Ok::<_, String>(latencies)
                })
            })
            .collect();
        let mut all = Vec::new();
        for thread in threads {
            all.extend(thread.join().map_err(|_| "a bench thread panicked")??);
        }
        Ok(all)
    })
}

fn listings<K: BlockingKv>(kv: &K, listings: usize) -> Result<Cost, String> {
    kv.get(&read_key(0))?;
    let dir = listing_dir();
    let mut latencies = Vec::with_capacity(listings);
    let meter = Meter::start();
    for _ in 0..listings {
        let start = Instant::now();
        let size = kv.list(&dir)?;
        latencies.push(start.elapsed());
        if size == 0 {
            return Err("an empty listing".into());
        }
    }
    Ok(meter.finish(listings, latencies))
}

/// A watcher thread reports each event's index on a channel; the writer sets one key and
/// waits for the event of its write, `n` times.
fn watch_round_trips<K: BlockingKv>(kv: &K, adapter: Adapter, n: usize) -> Result<Cost, String> {
    let dir = watch_dir(adapter);
    let key = format!("{dir}/k");
    let after = kv.set_indexed(&key)?;
    let mut watch = kv.watch(&dir, after, true);
    let (events, seen) = mpsc::channel();
    // Detached: it ends with the process, blocked in its last long poll.
    std::thread::spawn(move || {
        loop {
            let event = watch.next();
            let failed = event.is_err();
            if events.send(event).is_err() || failed {
                return;
            }
        }
    });
    let round_trip = || -> Result<Duration, String> {
        let start = Instant::now();
        let index = kv.set_indexed(&key)?;
        while seen.recv().map_err(|e| e.to_string())?? < index {}
        Ok(start.elapsed())
    };
    for _ in 0..WARM_UP {
        round_trip()?;
    }
    let mut latencies = Vec::with_capacity(n);
    let meter = Meter::start();
    for _ in 0..n {
        latencies.push(round_trip()?);
    }
    Ok(meter.finish(n, latencies))
}

/// W6 on threads: `watchers` threads, each watching a key of its own from the index of a set
/// made just before; another process writes each key once they are all waiting. One op is
/// one watcher, its latency the time from the meter's start to its event.
fn fanout<K: BlockingKv>(
    kv: &K,
    adapter: Adapter,
    watchers: usize,
    endpoints: &[String],
) -> Result<Cost, String> {
    let dir = fanout_dir(adapter);
    for _ in 1..WARM_UP {
        kv.set(&format!("{dir}/warm-up"))?;
    }
    let after = kv.set_indexed(&format!("{dir}/warm-up"))?;
    let writer = Writer::spawn(&dir, watchers, endpoints)?;
    let meter = Meter::start();
    let start = Instant::now();
    let latencies = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..watchers)
            .map(|i| {
                let mut watch = kv.watch(&fanout_key(&dir, i), after, false);
                scope.spawn(move || {
                    let index = watch.next()?;
                    if index <= after {
                        return Err(format!("watcher {i} got index {index}, not after {after}"));
                    }
                    Ok::<_, String>(start.elapsed())
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().map_err(|_| "a watcher thread panicked")?)
            .collect::<Result<Vec<_>, String>>()
    })?;
    let cost = meter.finish(watchers, latencies);
    writer.wait()?;
    Ok(cost)
}
