//! The client-cost benchmark of issue 4: each of our adapters and the plain HTTP client it is
//! built on, on the same workloads against the same etcd member, measured side by side.
//!
//! ```text
//! cargo run -p conformance --release --bin bench                      # everything, ~5 min
//! cargo run -p conformance --release --bin bench -- --adapter tokio,raw-hyper-tokio \
//!     --workload w2 --n 2000 --runs 3 --endpoints http://127.0.0.1:2379
//! ```
//!
//! Every (client, workload) run is a fresh child process (`--child`), so its CPU time, peak
//! resident memory and warm-up are its own; clients alternate within each run, their order
//! rotating. Each child prints one line (`adapter workload n seconds ops_per_s
//! client_cpu_ms_per_1000_ops peak_rss_kib rss_growth_kib p50_us p99_us`); at the end a
//! markdown summary gives medians over the runs and, for our clients, the median ratio to
//! their plain client. Without `--endpoints` a throwaway etcd member is started (and killed).
//! The `null` workload talks to a canned-response server in another process; W6's writes come
//! from another process too (`--fanout-write`, see `fanout.rs`).

mod args;
mod async_runs;
mod async_std_clients;
mod blocking_clients;
mod blocking_runs;
mod fanout;
mod measure;
mod null_server;
mod ours_async;
mod plan;
mod raw;
mod raw_kv;
mod report;
mod tokio_clients;

use std::process::{Command, ExitCode};
use std::time::Instant;

use conformance::etcd_process::{EtcdCluster, http_get};
use etcd_v2_proto::{Config, SetOptions};

use crate::args::{Args, USAGE};
use crate::async_runs::Spawner;
use crate::measure::Cost;
use crate::null_server::NullServer;
use crate::ours_async::Ours;
use crate::plan::{Adapter, Sizes, Workload, listing_dir, listing_key, read_key, value};
use crate::raw_kv::RawKv;
use crate::report::{HEADER, Sample, summary};

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let outcome = if args.serve_null {
        null_server::serve().map_err(|e| e.to_string())
    } else if args.serve_etcd {
        serve_etcd()
    } else if let Some(dir) = &args.fanout_write {
        fanout::write(dir, args.sizes.watchers, &args.endpoints)
    } else if args.child {
        raw::decode_answers(args.plain_decode);
        measure_here(&args)
    } else {
        orchestrate(&args)
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A throwaway member for a script: its URL on stdout, then kept (and killed when dropped)
/// until standard input closes.
fn serve_etcd() -> Result<(), String> {
    use std::io::{Read, Write};
    let member = EtcdCluster::single().map_err(|e| e.to_string())?;
    println!("listening {}", member.client_url(0));
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    let mut ignored = Vec::new();
    let waited = std::io::stdin().read_to_end(&mut ignored);
    drop(member);
    waited.map(drop).map_err(|e| e.to_string())
}

/// Child: one client, one workload, one line on stdout.
fn measure_here(args: &Args) -> Result<(), String> {
    let [adapter] = args.adapters[..] else {
        return Err("--child takes one adapter".into());
    };
    let [workload] = args.workloads[..] else {
        return Err("--child takes one workload".into());
    };
    let cost = measure(adapter, workload, args.sizes, &args.endpoints)?;
    println!(
        "{}",
        Sample {
            adapter,
            workload,
            cost
        }
        .line()
    );
    Ok(())
}

fn measure(
    adapter: Adapter,
    workload: Workload,
    sizes: Sizes,
    endpoints: &[String],
) -> Result<Cost, String> {
    use tokio_clients::Tokio;
    type OursTokio = Ours<etcd_v2::tokio::Client>;
    type OursAsyncStd = Ours<etcd_v2::async_std::Client>;
    type Run = std::pin::Pin<Box<dyn Future<Output = Result<Cost, String>> + Send>>;
    let on_tokio = |run: Run| {
        let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
        rt.block_on(async { Tokio.spawn(run).await })
    };
    let on_async_std = |run: Run| async_std::task::block_on(async_std_clients::AsyncStd.spawn(run));
    let endpoints = endpoints.to_vec();
    match adapter {
        Adapter::Blocking => {
            let ours = blocking_clients::Ours::new(&endpoints)?;
            blocking_runs::run(&ours, adapter, workload, sizes, &endpoints)
        }
        Adapter::RawUreq => {
            let raw = blocking_clients::Raw::new(&endpoints);
            blocking_runs::run(&raw, adapter, workload, sizes, &endpoints)
        }
        Adapter::Tokio => on_tokio(Box::pin(async move {
            let ours = OursTokio::new(&endpoints)?;
            async_runs::run(ours, Tokio, adapter, workload, sizes, &endpoints).await
        })),
        Adapter::RawHyperTokio => on_tokio(Box::pin(async move {
            let raw = RawKv(tokio_clients::Raw::new(&endpoints));
            async_runs::run(raw, Tokio, adapter, workload, sizes, &endpoints).await
        })),
        Adapter::AsyncStd => on_async_std(Box::pin(async move {
            let ours = OursAsyncStd::new(&endpoints)?;
            let rt = async_std_clients::AsyncStd;
            async_runs::run(ours, rt, adapter, workload, sizes, &endpoints).await
        })),
        Adapter::RawHyperAsyncStd => on_async_std(Box::pin(async move {
            let raw = RawKv(async_std_clients::Raw::new(&endpoints));
            let rt = async_std_clients::AsyncStd;
            async_runs::run(raw, rt, adapter, workload, sizes, &endpoints).await
        })),
    }
}

/// Parent: set-up, then every run of every (workload, client) in a child, then the summary.
fn orchestrate(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let own_member;
    let endpoints = if args.endpoints.is_empty() {
        own_member = EtcdCluster::single().map_err(|e| e.to_string())?;
        own_member.client_urls()
    } else {
        args.endpoints.clone()
    };
    let version = http_get(&endpoints[0], "/version").map_or_else(|e| e.to_string(), |r| r.1);
    println!("etcd {} at {}", version.trim(), endpoints.join(","));
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    write_fixtures(args, &endpoints)?;
    let listing_bytes = args.workloads.contains(&Workload::W4).then(|| {
        let path = format!("/v2/keys{}?recursive=true", listing_dir());
        http_get(&endpoints[0], &path).map_or(0, |(_, body)| body.len())
    });
    let null = if args.workloads.contains(&Workload::Null) {
        Some(NullServer::start().map_err(|e| format!("null server: {e}"))?)
    } else {
        None
    };
    println!("{HEADER}");
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut samples = Vec::new();
    for run in 0..args.runs {
        for &workload in &args.workloads {
            let target = match (&null, workload) {
                (Some(null), Workload::Null) => vec![null.url.clone()],
                _ => endpoints.clone(),
            };
            let mut order = args.adapters.clone();
            let shift = run % order.len();
            order.rotate_left(shift);
            for adapter in order {
                let output = Command::new(&exe)
                    .args(args.child_args(adapter, workload, &target))
                    .output()
                    .map_err(|e| e.to_string())?;
                let stdout = String::from_utf8_lossy(&output.stdout);
                let sample = Sample::parse(stdout.trim()).ok_or_else(|| {
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    format!("{adapter} on {workload} failed: {stdout}{stderr}")
                })?;
                println!("{}", sample.line());
                samples.push(sample);
            }
        }
    }
    println!("{}", summary(&samples, args.runs, listing_bytes));
    println!(
        "({} runs in {:.0} s)",
        args.runs,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes the keys W2 reads and W4 lists (8 threads, one blocking client).
fn write_fixtures(args: &Args, endpoints: &[String]) -> Result<(), String> {
    let mut keys = Vec::new();
    if args.workloads.contains(&Workload::W2) {
        keys.extend((0..args.sizes.n).map(read_key));
    }
    if args.workloads.contains(&Workload::W4) {
        keys.extend((0..args.sizes.listing_keys).map(listing_key));
    }
    if args.workloads.contains(&Workload::W4) && !keys.contains(&read_key(0)) {
        keys.push(read_key(0)); // W4 warms up with a get of it
    }
    let client = etcd_v2::blocking::Client::new(Config::new(endpoints.iter().cloned()))
        .map_err(|e| e.to_string())?;
    let value = value();
    let threads = 8;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (client, keys, value) = (&client, &keys, &value);
                scope.spawn(move || {
                    for key in keys.iter().skip(t).step_by(threads) {
                        client.set(key, value, SetOptions::default())?;
                    }
                    Ok::<_, etcd_v2_proto::Error>(())
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| "a set-up thread panicked")?
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}
