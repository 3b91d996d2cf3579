//! The output: one line per measured run, and a markdown summary of medians and ratios.

use std::fmt::Write as _;

use crate::measure::{Cost, median};
use crate::plan::{Adapter, Workload};

/// The column names of a run line.
pub(crate) const HEADER: &str = "adapter workload n seconds ops_per_s client_cpu_ms_per_1000_ops \
                                 peak_rss_kib rss_growth_kib p50_us p99_us";

/// One measured run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    pub(crate) adapter: Adapter,
    pub(crate) workload: Workload,
    pub(crate) cost: Cost,
}

impl Sample {
    /// The run line (the columns of [`HEADER`]).
    pub(crate) fn line(&self) -> String {
        let c = &self.cost;
        format!(
            "{} {} {} {:.6} {:.0} {:.2} {} {} {:.0} {:.0}",
            self.adapter,
            self.workload,
            c.ops,
            c.seconds,
            c.ops_per_s(),
            c.cpu_ms_per_1000(),
            c.peak_rss_kib,
            c.rss_growth_kib,
            c.p50_us,
            c.p99_us,
        )
    }

    /// Reads a run line back (as a child printed it).
    pub(crate) fn parse(line: &str) -> Option<Self> {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [
            adapter,
            workload,
            n,
            seconds,
            _,
            cpu_ms,
            peak,
            growth,
            p50,
            p99,
        ] = f[..]
        else {
            return None;
        };
        let ops: usize = n.parse().ok()?;
        let seconds: f64 = seconds.parse().ok()?;
        let cpu_ms: f64 = cpu_ms.parse().ok()?;
        Some(Self {
            adapter: Adapter::parse(adapter)?,
            workload: Workload::parse(workload)?,
            cost: Cost {
                ops,
                seconds,
                cpu_seconds: cpu_ms * ops as f64 / 1e6,
                peak_rss_kib: peak.parse().ok()?,
                rss_growth_kib: growth.parse().ok()?,
                p50_us: p50.parse().ok()?,
                p99_us: p99.parse().ok()?,
            },
        })
    }
}

/// Medians over runs; for each of ours, the median of per-run ratios to its plain client
/// with the lowest and highest single-run ratio.
pub(crate) fn summary(samples: &[Sample], runs: usize, listing_bytes: Option<usize>) -> String {
    let mut out = String::new();
    let mut workloads: Vec<Workload> = samples.iter().map(|s| s.workload).collect();
    workloads.dedup();
    for workload in Workload::ALL.into_iter().filter(|w| workloads.contains(w)) {
        let _ = writeln!(out, "\n#### {workload}: {}\n", workload.describe());
        if let (Workload::W4, Some(bytes)) = (workload, listing_bytes) {
            let _ = writeln!(out, "Listing JSON: {} KiB.\n", bytes / 1024);
        }
        out.push_str(
            "| client | ops/s | client CPU ms / 1000 ops | p50 µs | p99 µs | peak RSS KiB \
             | RSS growth KiB | CPU ÷ plain | ops/s ÷ plain | p50 ÷ plain |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for adapter in Adapter::ALL {
            let mine: Vec<&Sample> = samples
                .iter()
                .filter(|s| s.workload == workload && s.adapter == adapter)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let med = |f: fn(&Cost) -> f64| median(mine.iter().map(|s| f(&s.cost)).collect());
            let ratios = |f: fn(&Cost) -> f64| {
                adapter.baseline().map_or_else(String::new, |base| {
                    ratio_cell(samples, workload, adapter, base, runs, f)
                })
            };
            let _ = writeln!(
                out,
                "| {adapter} | {:.0} | {:.1} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {} | {} |",
                med(Cost::ops_per_s),
                med(Cost::cpu_ms_per_1000),
                med(|c| c.p50_us),
                med(|c| c.p99_us),
                med(|c| c.peak_rss_kib as f64),
                med(|c| c.rss_growth_kib as f64),
                ratios(Cost::cpu_ms_per_1000),
                ratios(Cost::ops_per_s),
                ratios(|c| c.p50_us),
            );
        }
    }
    out
}

/// `median (lowest–highest)` of `f(adapter) / f(base)` over the runs both have.
fn ratio_cell(
    samples: &[Sample],
    workload: Workload,
    adapter: Adapter,
    base: Adapter,
    runs: usize,
    f: fn(&Cost) -> f64,
) -> String {
    let of = |a: Adapter| {
        samples
            .iter()
            .filter(move |s| s.workload == workload && s.adapter == a)
            .map(move |s| f(&s.cost))
    };
    let ratios: Vec<f64> = of(adapter)
        .zip(of(base))
        .take(runs)
        .filter(|(_, b)| *b > 0.0)
        .map(|(a, b)| a / b)
        .collect();
    if ratios.is_empty() {
        return "–".into();
    }
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{:.2} ({lo:.2}–{hi:.2})", median(ratios))
}
