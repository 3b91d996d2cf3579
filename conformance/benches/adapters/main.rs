//! The three adapters side by side against ONE real etcd member: sequential get/set latency
//! (median and p99) and throughput with K concurrent callers, plus `etcdctl` (v2, one process
//! per operation) as a sanity reference. Every client runs in the same process against the
//! same member, interleaved round-robin (the order rotates each round), so machine noise hits
//! all of them alike; the table reports ratios to the blocking client.
//!
//! ```text
//! cargo bench -p conformance --bench adapters              # the full run, about a minute
//! cargo bench -p conformance --bench adapters -- --quick   # a few ops each, to try it out
//! ```
//!
//! `cargo test --all-targets` builds and runs this binary too, without `--bench`: it then
//! prints how to run it and returns, starting nothing.
//!
//! This file holds the run and the types it shares; `contenders` builds the clients and runs
//! one op on each kind, `measure` times them (sequential latency, concurrent throughput,
//! closed connections), and `report` turns the numbers into the markdown table.

mod contenders;
mod measure;
mod report;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use conformance::etcd_process::EtcdCluster;
use conformance::sut::Sut;

use contenders::{contenders, rotated};
use measure::time_wait;
use report::{percentile, report};

/// 64 bytes, written by every set.
const VALUE: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("run with `cargo bench -p conformance --bench adapters`");
        return;
    }
    let params = if args.iter().any(|a| a == "--quick") {
        Params::QUICK
    } else {
        Params::FULL
    };
    if let Err(e) = run(&params) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// How much to measure.
struct Params {
    /// Sequential ops per client and kind (split over the rounds), after the warm-up.
    seq_ops: usize,
    /// Sequential ops per client before measuring.
    warmup: usize,
    /// Sequential ops of `etcdctl` per kind (a process each).
    ctl_ops: usize,
    /// Rounds of the sequential part; the client order rotates each round.
    seq_rounds: usize,
    /// Ops of one throughput run (spread over K callers).
    tput_ops: usize,
    /// Rounds of the throughput part.
    tput_rounds: usize,
    /// The K of the throughput runs.
    concurrency: &'static [usize],
}

impl Params {
    const FULL: Self = Self {
        seq_ops: 2000,
        warmup: 200,
        ctl_ops: 40,
        seq_rounds: 10,
        tput_ops: 2000,
        tput_rounds: 5,
        concurrency: &[4, 16],
    };
    const QUICK: Self = Self {
        seq_ops: 100,
        warmup: 20,
        ctl_ops: 4,
        seq_rounds: 2,
        tput_ops: 200,
        tput_rounds: 2,
        concurrency: &[4, 16],
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Get,
    Set,
}

impl Kind {
    const BOTH: [Self; 2] = [Self::Get, Self::Set];

    fn name(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Set => "set",
        }
    }
}

/// One client under measurement.
enum Client {
    /// `etcd-v2-blocking` with its default ureq agent (3 idle connections per host).
    Blocking(etcd_v2::blocking::Client),
    /// `etcd-v2-tokio` on a 2-worker multi-thread runtime; sequential ops run in one spawned task.
    Tokio(Arc<tokio::runtime::Runtime>, etcd_v2::tokio::Client),
    /// `etcd-v2-async-std` on async-std's global executor; sequential ops run in one spawned task.
    AsyncStd(etcd_v2::async_std::Client),
    /// An async adapter through `conformance::sut::Sut`: a `block_on` per call.
    Sut(Sut),
    /// `ETCDCTL_API=2 etcdctl --endpoints URL get|set`: a process per op.
    Etcdctl { bin: PathBuf, endpoint: String },
}

struct Contender {
    label: &'static str,
    /// Key prefix of this contender, so no two write the same keys.
    dir: String,
    client: Client,
    /// Measured in the sequential part.
    sequential: bool,
    /// Measured in the throughput part.
    throughput: bool,
}

/// Latencies of one contender and kind: every op, and each round's batch.
#[derive(Default)]
struct Latencies {
    all: Vec<Duration>,
    round_medians: Vec<Duration>,
}

/// Throughput of one contender, kind and K: ops/s of each round, connections closed.
#[derive(Default)]
struct Throughput {
    per_round: Vec<f64>,
    closed: usize,
    ops: usize,
}

fn run(p: &Params) -> Result<(), Box<dyn std::error::Error>> {
    let cluster = EtcdCluster::single()?;
    let endpoint = cluster.client_url(0);
    let port: u16 = endpoint.rsplit(':').next().unwrap_or_default().parse()?;
    let rt = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?,
    );
    let all = contenders(&endpoint, &rt)?;
    let seq: Vec<&Contender> = all.iter().filter(|c| c.sequential).collect();
    let tput: Vec<&Contender> = all.iter().filter(|c| c.throughput).collect();
    let max_k = p.concurrency.iter().copied().max().unwrap_or(1);

    eprintln!("etcd at {endpoint}; warming up");
    // Every key exists before any get; the warm-up also opens the pooled connections.
    for c in &all {
        let ops = if matches!(c.client, Client::Etcdctl { .. }) {
            1
        } else {
            p.warmup
        };
        for kind in [Kind::Set, Kind::Get] {
            c.sequential(kind, ops);
        }
        if c.throughput {
            c.concurrent(Kind::Set, max_k, max_k);
        }
    }

    let mut latencies: Vec<[Latencies; 2]> = seq.iter().map(|_| Default::default()).collect();
    for round in 0..p.seq_rounds {
        eprintln!("sequential round {}/{}", round + 1, p.seq_rounds);
        for c in rotated(&seq, round) {
            let i = seq.iter().position(|x| std::ptr::eq(*x, c)).unwrap_or(0);
            let n = match c.client {
                Client::Etcdctl { .. } => p.ctl_ops,
                _ => p.seq_ops,
            } / p.seq_rounds;
            for (k, kind) in Kind::BOTH.into_iter().enumerate() {
                let mut batch = c.sequential(kind, n.max(1));
                batch.sort();
                latencies[i][k].round_medians.push(percentile(&batch, 0.5));
                latencies[i][k].all.extend(batch);
            }
        }
    }

    let mut throughput: Vec<Vec<[Throughput; 2]>> = tput
        .iter()
        .map(|_| p.concurrency.iter().map(|_| Default::default()).collect())
        .collect();
    for round in 0..p.tput_rounds {
        eprintln!("throughput round {}/{}", round + 1, p.tput_rounds);
        for (ki, &k) in p.concurrency.iter().enumerate() {
            for (kk, kind) in Kind::BOTH.into_iter().enumerate() {
                for c in rotated(&tput, round) {
                    let i = tput.iter().position(|x| std::ptr::eq(*x, c)).unwrap_or(0);
                    let before = time_wait(port);
                    let took = c.concurrent(kind, k, p.tput_ops);
                    let closed = time_wait(port).difference(&before).count();
                    let ops = p.tput_ops / k * k;
                    let t = &mut throughput[i][ki][kk];
                    t.per_round.push(ops as f64 / took.as_secs_f64());
                    t.closed += closed;
                    t.ops += ops;
                }
            }
        }
    }
    drop(cluster);

    print!("{}", report(p, &seq, &latencies, &tput, &throughput));
    Ok(())
}
