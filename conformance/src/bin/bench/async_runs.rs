//! The workloads for the async clients (ours over tokio and async-std, and the plain hyper
//! loops), written once over [`AsyncKv`] and [`Spawner`].

use std::future::Future;
use std::time::{Duration, Instant};

use crate::fanout::Writer;
use crate::measure::{Cost, Meter};
use crate::plan::{
    Adapter, ROOT, Sizes, Workload, fanout_dir, fanout_key, listing_dir, read_key, shares,
    warm_up_shares, watch_dir, write_key,
};

/// Operations before the meter starts (connections made, code paths warm).
const WARM_UP: usize = 50;

/// The operations a workload needs, as an async client does them.
pub(crate) trait AsyncKv: Clone + Send + Sync + 'static {
    /// A recursive watch.
    type Watch: AsyncWatch;

    /// Writes the 100-byte value to `key`.
    fn set(&self, key: String) -> impl Future<Output = Result<(), String>> + Send;
    /// Writes the 100-byte value to `key` and returns the write's index.
    fn set_indexed(&self, key: String) -> impl Future<Output = Result<u64, String>> + Send;
    /// Reads `key`.
    fn get(&self, key: String) -> impl Future<Output = Result<(), String>> + Send;
    /// Reads `dir` recursively; returns its size (nodes for a client, bytes for a plain loop).
    fn list(&self, dir: String) -> impl Future<Output = Result<usize, String>> + Send;
    /// Watches `key` (with `recursive`, everything below it) for events after index `after`.
    fn watch(&self, key: String, after: u64, recursive: bool) -> Self::Watch;
}

/// A watch of a key or directory.
pub(crate) trait AsyncWatch: Send + 'static {
    /// Waits for the next event and returns its modified index.
    fn next(&mut self) -> impl Future<Output = Result<u64, String>> + Send;
}

/// Spawns tasks on a runtime.
pub(crate) trait Spawner: Copy + Send + Sync + 'static {
    /// Runs `task` as a task of its own; the future yields its output.
    fn spawn<T: Send + 'static>(
        self,
        task: impl Future<Output = T> + Send + 'static,
    ) -> impl Future<Output = T> + Send + 'static;
}

/// Runs one workload and measures it (`endpoints`: where W6's writer writes).
pub(crate) async fn run<K: AsyncKv, S: Spawner>(
    kv: K,
    rt: S,
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
            sets(&kv, keys).await
        }
        Workload::W2 => gets(&kv, (0..sizes.n).map(read_key).collect()).await,
        Workload::W3 => {
            let keys = (0..sizes.n)
                .map(|i| write_key(workload, adapter, i))
                .collect();
            concurrent_sets(&kv, rt, keys, sizes.workers).await
        }
        Workload::W4 => listings(&kv, sizes.listings).await,
        Workload::W5 => watch_round_trips(&kv, rt, adapter, sizes.watch_n).await,
        Workload::W6 => fanout(&kv, rt, adapter, sizes.watchers, endpoints).await,
        Workload::Null => gets(&kv, vec![crate::plan::NULL_KEY.to_owned(); sizes.n]).await,
    }
}

async fn sets<K: AsyncKv>(kv: &K, keys: Vec<String>) -> Result<Cost, String> {
    for _ in 0..WARM_UP {
        kv.set(format!("{ROOT}/warm-up")).await?;
    }
    let ops = keys.len();
    let mut latencies = Vec::with_capacity(ops);
    let meter = Meter::start();
    for key in keys {
        let start = Instant::now();
        kv.set(key).await?;
        latencies.push(start.elapsed());
    }
    Ok(meter.finish(ops, latencies))
}

async fn gets<K: AsyncKv>(kv: &K, keys: Vec<String>) -> Result<Cost, String> {
    for key in keys.iter().take(WARM_UP) {
        kv.get(key.clone()).await?;
    }
    let ops = keys.len();
    let mut latencies = Vec::with_capacity(ops);
    let meter = Meter::start();
    for key in keys {
        let start = Instant::now();
        kv.get(key).await?;
        latencies.push(start.elapsed());
    }
    Ok(meter.finish(ops, latencies))
}

/// `workers` tasks, each with its share of `keys`; warmed up with `workers` concurrent sets
/// so that every caller has a connection when the meter starts.
async fn concurrent_sets<K: AsyncKv, S: Spawner>(
    kv: &K,
    rt: S,
    keys: Vec<String>,
    workers: usize,
) -> Result<Cost, String> {
    in_tasks(kv, rt, warm_up_shares(workers)).await?;
    let ops = keys.len();
    let shares = shares(keys, workers);
    let meter = Meter::start();
    let latencies = in_tasks(kv, rt, shares).await?;
    Ok(meter.finish(ops, latencies))
}

/// Sets each share's keys in a task of its own; returns every set's latency.
async fn in_tasks<K: AsyncKv, S: Spawner>(
    kv: &K,
    rt: S,
    shares: Vec<Vec<String>>,
) -> Result<Vec<Duration>, String> {
    let tasks: Vec<_> = shares
        .into_iter()
        .map(|share| {
            let kv = kv.clone();
            rt.spawn(async move {
                let mut latencies = Vec::with_capacity(share.len());
                for key in share {
                    let start = Instant::now();
                    kv.set(key).await?;
                    latencies.push(start.elapsed());
                }
                Ok::<_, String>(latencies)
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await?);
    }
    Ok(all)
}

async fn listings<K: AsyncKv>(kv: &K, listings: usize) -> Result<Cost, String> {
    kv.get(read_key(0)).await?;
    let mut latencies = Vec::with_capacity(listings);
    let meter = Meter::start();
    for _ in 0..listings {
        let start = Instant::now();
        let size = kv.list(listing_dir()).await?;
        latencies.push(start.elapsed());
        if size == 0 {
            return Err("an empty listing".into());
        }
    }
    Ok(meter.finish(listings, latencies))
}

/// A watcher task reports each event's index on a channel; the writer sets one key and waits
/// for the event of its write, `n` times.
async fn watch_round_trips<K: AsyncKv, S: Spawner>(
    kv: &K,
    rt: S,
    adapter: Adapter,
    n: usize,
) -> Result<Cost, String> {
    let dir = watch_dir(adapter);
    let key = format!("{dir}/k");
    let after = kv.set_indexed(key.clone()).await?;
    let mut watch = kv.watch(dir, after, true);
    let (events, seen) = async_channel::unbounded();
    // Detached: it ends with the process, blocked in its last long poll.
    drop(rt.spawn(async move {
        loop {
            let event = watch.next().await;
            let failed = event.is_err();
            if events.send(event).await.is_err() || failed {
                return;
            }
        }
    }));
    let round_trip = async || -> Result<Duration, String> {
        let start = Instant::now();
        let index = kv.set_indexed(key.clone()).await?;
        while seen.recv().await.map_err(|e| e.to_string())?? < index {}
        Ok(start.elapsed())
    };
    for _ in 0..WARM_UP {
        round_trip().await?;
    }
    let mut latencies = Vec::with_capacity(n);
    let meter = Meter::start();
    for _ in 0..n {
        latencies.push(round_trip().await?);
    }
    Ok(meter.finish(n, latencies))
}

/// W6: `watchers` tasks, each watching a key of its own from the index of a set made just
/// before; another process writes each key once they are all waiting. One op is one watcher,
/// its latency the time from the meter's start to its event.
async fn fanout<K: AsyncKv, S: Spawner>(
    kv: &K,
    rt: S,
    adapter: Adapter,
    watchers: usize,
    endpoints: &[String],
) -> Result<Cost, String> {
    let dir = fanout_dir(adapter);
    for _ in 1..WARM_UP {
        kv.set(format!("{dir}/warm-up")).await?;
    }
    let after = kv.set_indexed(format!("{dir}/warm-up")).await?;
    let writer = Writer::spawn(&dir, watchers, endpoints)?;
    let meter = Meter::start();
    let start = Instant::now();
    let tasks: Vec<_> = (0..watchers)
        .map(|i| {
            let mut watch = kv.watch(fanout_key(&dir, i), after, false);
            rt.spawn(async move {
                let index = watch.next().await?;
                if index <= after {
                    return Err(format!("watcher {i} got index {index}, not after {after}"));
                }
                Ok::<_, String>(start.elapsed())
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(watchers);
    for task in tasks {
        latencies.push(task.await?);
    }
    let cost = meter.finish(watchers, latencies);
    writer.wait()?;
    Ok(cost)
}
