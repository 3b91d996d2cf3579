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

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use conformance::etcd_process::EtcdCluster;
use conformance::sut::{Adapter, Sut};
use etcd_v2_proto::{Api, Config, Error, GetOptions, KeysResponse, SetOptions};

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
    Blocking(etcd_v2_blocking::Client),
    /// `etcd-v2-tokio` on a 2-worker multi-thread runtime; sequential ops run in one spawned task.
    Tokio(Arc<tokio::runtime::Runtime>, etcd_v2_tokio::Client),
    /// `etcd-v2-async-std` on async-std's global executor; sequential ops run in one spawned task.
    AsyncStd(etcd_v2_async_std::Client),
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

fn blocking_op(c: &etcd_v2_blocking::Client, kind: Kind, key: &str) -> Result<KeysResponse, Error> {
    match kind {
        Kind::Get => c.get(key, GetOptions::default()),
        Kind::Set => c.set(key, VALUE, &SetOptions::default()),
    }
}

fn sut_op(c: &Sut, kind: Kind, key: &str) -> Result<KeysResponse, Error> {
    match kind {
        Kind::Get => c.get(key, GetOptions::default()),
        Kind::Set => c.set(key, VALUE, &SetOptions::default()),
    }
}

async fn tokio_op(c: &etcd_v2_tokio::Client, kind: Kind, key: &str) -> Result<KeysResponse, Error> {
    match kind {
        Kind::Get => c.get(key, GetOptions::default()).await,
        Kind::Set => c.set(key, VALUE, &SetOptions::default()).await,
    }
}

async fn async_std_op(
    c: &etcd_v2_async_std::Client,
    kind: Kind,
    key: &str,
) -> Result<KeysResponse, Error> {
    match kind {
        Kind::Get => c.get(key, GetOptions::default()).await,
        Kind::Set => c.set(key, VALUE, &SetOptions::default()).await,
    }
}

fn ok<T>(label: &str, r: Result<T, Error>) -> T {
    r.unwrap_or_else(|e| panic!("{label}: {e}"))
}

impl Contender {
    fn seq_key(&self) -> String {
        format!("{}/seq", self.dir)
    }

    fn worker_key(&self, worker: usize) -> String {
        format!("{}/w{worker}", self.dir)
    }

    /// `n` sequential ops of `kind` on the sequential key, each one timed.
    fn sequential(&self, kind: Kind, n: usize) -> Vec<Duration> {
        let key = self.seq_key();
        let label = self.label;
        match &self.client {
            Client::Blocking(c) => (0..n)
                .map(|_| {
                    let t = Instant::now();
                    ok(label, blocking_op(c, kind, &key));
                    t.elapsed()
                })
                .collect(),
            Client::Sut(c) => (0..n)
                .map(|_| {
                    let t = Instant::now();
                    ok(label, sut_op(c, kind, &key));
                    t.elapsed()
                })
                .collect(),
            Client::Tokio(rt, c) => {
                let c = c.clone();
                let task = rt.spawn(async move {
                    let mut lat = Vec::with_capacity(n);
                    for _ in 0..n {
                        let t = Instant::now();
                        ok(label, tokio_op(&c, kind, &key).await);
                        lat.push(t.elapsed());
                    }
                    lat
                });
                rt.block_on(task).expect("the sequential task")
            }
            Client::AsyncStd(c) => {
                let c = c.clone();
                async_std::task::block_on(async_std::task::spawn(async move {
                    let mut lat = Vec::with_capacity(n);
                    for _ in 0..n {
                        let t = Instant::now();
                        ok(label, async_std_op(&c, kind, &key).await);
                        lat.push(t.elapsed());
                    }
                    lat
                }))
            }
            Client::Etcdctl { bin, endpoint } => (0..n)
                .map(|_| {
                    let mut cmd = Command::new(bin);
                    cmd.env("ETCDCTL_API", "2").args(["--endpoints", endpoint]);
                    match kind {
                        Kind::Get => cmd.args(["get", &key]),
                        Kind::Set => cmd.args(["set", &key, VALUE]),
                    };
                    let t = Instant::now();
                    let status = cmd
                        .stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .status()
                        .expect("running etcdctl");
                    let took = t.elapsed();
                    assert!(status.success(), "etcdctl {}: {status}", kind.name());
                    took
                })
                .collect(),
        }
    }

    /// `total` ops of `kind` by `k` concurrent callers sharing one client (each on its own
    /// key); returns the wall time of the whole run.
    fn concurrent(&self, kind: Kind, k: usize, total: usize) -> Duration {
        let per_worker = total / k;
        let label = self.label;
        let keys: Vec<String> = (0..k).map(|w| self.worker_key(w)).collect();
        match &self.client {
            Client::Blocking(c) => {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for key in &keys {
                        s.spawn(move || {
                            for _ in 0..per_worker {
                                ok(label, blocking_op(c, kind, key));
                            }
                        });
                    }
                });
                start.elapsed()
            }
            Client::Tokio(rt, c) => rt.block_on(async {
                let start = Instant::now();
                let tasks: Vec<_> = keys
                    .into_iter()
                    .map(|key| {
                        let c = c.clone();
                        tokio::spawn(async move {
                            for _ in 0..per_worker {
                                ok(label, tokio_op(&c, kind, &key).await);
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.expect("a throughput task");
                }
                start.elapsed()
            }),
            Client::AsyncStd(c) => async_std::task::block_on(async {
                let start = Instant::now();
                let tasks: Vec<_> = keys
                    .into_iter()
                    .map(|key| {
                        let c = c.clone();
                        async_std::task::spawn(async move {
                            for _ in 0..per_worker {
                                ok(label, async_std_op(&c, kind, &key).await);
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await;
                }
                start.elapsed()
            }),
            Client::Sut(_) | Client::Etcdctl { .. } => {
                unreachable!("{label} is not measured for throughput")
            }
        }
    }
}

/// Loopback TCP connections to or from `port` in TIME_WAIT (`/proc/net/tcp`): the ones closed
/// in the last minute. New entries across a run count the connections it closed (approximate:
/// an entry that expires during the run is not counted).
fn time_wait(port: u16) -> HashSet<(String, String)> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let port = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (local, remote, state) = (f.get(1)?, f.get(2)?, f.get(3)?);
            let ours = local.ends_with(&port) || remote.ends_with(&port);
            (ours && *state == "06").then(|| ((*local).to_owned(), (*remote).to_owned()))
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    // Nearest rank.
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median_f(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => f64::midpoint(values[n / 2 - 1], values[n / 2]),
    }
}

fn micros(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 10_000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

fn etcdctl_binary() -> Option<PathBuf> {
    let from_env = std::env::var_os("ETCDCTL_BIN").map(PathBuf::from);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = std::env::split_paths(&path)
        .map(|dir| dir.join("etcdctl"))
        .chain([PathBuf::from("/usr/bin/etcdctl")]);
    from_env.into_iter().chain(on_path).find(|p| p.is_file())
}

fn contenders(endpoint: &str, rt: &Arc<tokio::runtime::Runtime>) -> Result<Vec<Contender>, Error> {
    let config = || Config::new([endpoint]);
    let contender = |label: &'static str, client, sequential, throughput| Contender {
        label,
        dir: format!(
            "/bench/{}",
            label.replace([' ', ',', '(', ')', '/', ':'], "_")
        ),
        client,
        sequential,
        throughput,
    };
    let tokio_client = etcd_v2_tokio::Client::new(config())?;
    let big_pool = etcd_v2_blocking::UreqTransport::with_config(|c| {
        c.max_idle_connections(64).max_idle_connections_per_host(64)
    });
    let mut all = vec![
        contender(
            "blocking",
            Client::Blocking(etcd_v2_blocking::Client::new(config())?),
            true,
            true,
        ),
        contender(
            "tokio",
            Client::Tokio(Arc::clone(rt), tokio_client),
            true,
            true,
        ),
        contender(
            "async-std",
            Client::AsyncStd(etcd_v2_async_std::Client::new(config())?),
            true,
            true,
        ),
        contender(
            "tokio via Sut (block_on per call)",
            Client::Sut(Sut::new(Adapter::Tokio, config())?),
            true,
            false,
        ),
        contender(
            "async-std via Sut (block_on per call)",
            Client::Sut(Sut::new(Adapter::AsyncStd, config())?),
            true,
            false,
        ),
        // Diagnostics of the blocking client's costs, not configurations to recommend.
        // ureq keeps 3 idle connections per host by default: K > 3 callers churn connections.
        contender(
            "diag: blocking, ureq pool 64/host",
            Client::Blocking(etcd_v2_blocking::Client::with_transport(
                config(),
                big_pool,
            )?),
            false,
            true,
        ),
        // With a deadline, ureq 3.5 resolves the host (even an IP literal) on a fresh thread
        // per request; without header timeout the request has no deadline and no thread.
        contender(
            "diag: blocking, no header timeout",
            Client::Blocking(etcd_v2_blocking::Client::new(
                config().header_timeout(None),
            )?),
            true,
            true,
        ),
    ];
    match etcdctl_binary() {
        Some(bin) => all.push(contender(
            "etcdctl v2 (process per op)",
            Client::Etcdctl {
                bin,
                endpoint: endpoint.to_owned(),
            },
            true,
            false,
        )),
        None => eprintln!("etcdctl not found (PATH or ETCDCTL_BIN): its row is left out"),
    }
    Ok(all)
}

/// The order of round `round`: every contender, rotated by the round number.
fn rotated<'a>(all: &'a [&'a Contender], round: usize) -> impl Iterator<Item = &'a Contender> {
    let n = all.len();
    (0..n).map(move |i| all[(i + round) % n])
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

fn report(
    p: &Params,
    seq: &[&Contender],
    latencies: &[[Latencies; 2]],
    tput: &[&Contender],
    throughput: &[Vec<[Throughput; 2]>],
) -> String {
    let mut out = String::new();
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let _ = writeln!(
        out,
        "One single-member etcd (data dir on tmpfs) on 127.0.0.1 and every client in one process, \
         {cores} cores shared by all of them; clients interleaved round-robin, order rotated each \
         round. Ratios are to `blocking` in the same run.\n"
    );

    let _ = writeln!(
        out,
        "### Sequential latency ({} ops per kind after {} warm-up, {} rounds; etcdctl: {} ops)\n",
        p.seq_ops, p.warmup, p.seq_rounds, p.ctl_ops
    );
    let _ = writeln!(
        out,
        "| client | get p50 | get p99 | set p50 | set p99 | get p50 ÷ blocking (rounds) | set p50 ÷ blocking (rounds) |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    let base = &latencies[0];
    for (c, lat) in seq.iter().zip(latencies) {
        let mut cells = Vec::new();
        for l in lat {
            let mut sorted = l.all.clone();
            sorted.sort();
            cells.push(micros(percentile(&sorted, 0.5)));
            cells.push(micros(percentile(&sorted, 0.99)));
        }
        for (l, b) in lat.iter().zip(base) {
            let (mut sl, mut sb) = (l.all.clone(), b.all.clone());
            sl.sort();
            sb.sort();
            let ratio = percentile(&sl, 0.5).as_secs_f64() / percentile(&sb, 0.5).as_secs_f64();
            // Per-round ratios (round medians side by side) show how steady the ratio is.
            let mut per_round: Vec<f64> = l
                .round_medians
                .iter()
                .zip(&b.round_medians)
                .map(|(x, y)| x.as_secs_f64() / y.as_secs_f64())
                .collect();
            per_round.sort_by(f64::total_cmp);
            let (lo, hi) = (per_round[0], per_round[per_round.len() - 1]);
            cells.push(format!("{ratio:.2} ({lo:.2}–{hi:.2})"));
        }
        let _ = writeln!(out, "| {} | {} |", c.label, cells.join(" | "));
    }

    let _ = writeln!(
        out,
        "\n### Throughput, K concurrent callers on one client ({} ops per run, {} rounds; \
         blocking: K threads, tokio: K tasks on a 2-worker runtime, async-std: K tasks)\n",
        p.tput_ops, p.tput_rounds
    );
    let _ = writeln!(
        out,
        "| client | K | get ops/s | get × blocking (rounds) | set ops/s | set × blocking (rounds) | connections closed per 1000 ops (get / set) |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    for (ki, &k) in p.concurrency.iter().enumerate() {
        for (c, t) in tput.iter().zip(throughput) {
            let mut cells = vec![k.to_string()];
            for (kk, run) in t[ki].iter().enumerate() {
                let base = &throughput[0][ki][kk];
                let med = median_f(&mut run.per_round.clone());
                let ratio = med / median_f(&mut base.per_round.clone());
                let mut per_round: Vec<f64> = run
                    .per_round
                    .iter()
                    .zip(&base.per_round)
                    .map(|(x, y)| x / y)
                    .collect();
                per_round.sort_by(f64::total_cmp);
                let (lo, hi) = (per_round[0], per_round[per_round.len() - 1]);
                cells.push(format!("{med:.0}"));
                cells.push(format!("{ratio:.2} ({lo:.2}–{hi:.2})"));
            }
            let closed: Vec<String> = t[ki]
                .iter()
                .map(|r| format!("{:.0}", r.closed as f64 * 1000.0 / r.ops.max(1) as f64))
                .collect();
            cells.push(closed.join(" / "));
            let _ = writeln!(out, "| {} | {} |", c.label, cells.join(" | "));
        }
    }
    let _ = writeln!(
        out,
        "\nLatency ratios: below 1 is faster than blocking; throughput ratios: above 1 is faster. \
         (rounds): the lowest and highest ratio of single rounds measured side by side."
    );
    out
}
