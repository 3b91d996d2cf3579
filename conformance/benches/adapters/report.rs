//! The report: percentiles, medians and the markdown table of the results.

use std::fmt::Write as _;
use std::time::Duration;

use crate::{Contender, Latencies, Params, Throughput};

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
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

pub(crate) fn report(
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
