//! What one measured run costs the client process: wall time, CPU time of all its threads,
//! resident memory, and per-operation latencies.

use std::time::{Duration, Instant};

use cpu_time::ProcessTime;

/// Started right before the measured part of a run (after set-up and warm-up).
pub(crate) struct Meter {
    wall: Instant,
    cpu: ProcessTime,
    rss_before_kib: u64,
}

impl Meter {
    /// Reads the clocks and the current resident set size.
    pub(crate) fn start() -> Self {
        Self {
            rss_before_kib: proc_status_kib("VmRSS").unwrap_or(0),
            cpu: ProcessTime::now(),
            wall: Instant::now(),
        }
    }

    /// Stops the clocks: `ops` operations whose latencies are `latencies` (any order).
    pub(crate) fn finish(self, ops: usize, mut latencies: Vec<Duration>) -> Cost {
        let wall = self.wall.elapsed();
        let cpu = self.cpu.elapsed();
        let peak_rss_kib = proc_status_kib("VmHWM").unwrap_or(0);
        latencies.sort_unstable();
        Cost {
            ops,
            seconds: wall.as_secs_f64(),
            cpu_seconds: cpu.as_secs_f64(),
            peak_rss_kib,
            rss_growth_kib: peak_rss_kib.saturating_sub(self.rss_before_kib),
            p50_us: percentile_us(&latencies, 50),
            p99_us: percentile_us(&latencies, 99),
        }
    }
}

/// The measured figures of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cost {
    /// Operations done (sets, gets, listings or watch round trips).
    pub(crate) ops: usize,
    /// Wall time of the measured part.
    pub(crate) seconds: f64,
    /// CPU time of the whole client process (user + system, all threads) in that time.
    pub(crate) cpu_seconds: f64,
    /// The process's peak resident set size (`VmHWM`).
    pub(crate) peak_rss_kib: u64,
    /// `VmHWM` minus the resident size when the meter started: what the workload added.
    pub(crate) rss_growth_kib: u64,
    /// Median latency of one operation.
    pub(crate) p50_us: f64,
    /// 99th percentile latency of one operation.
    pub(crate) p99_us: f64,
}

impl Cost {
    /// Operations per second of wall time (a run too short to time, as read back from a
    /// child's line, counts as one microsecond).
    pub(crate) fn ops_per_s(&self) -> f64 {
        self.ops as f64 / self.seconds.max(1e-6)
    }

    /// Client CPU milliseconds per 1,000 operations.
    pub(crate) fn cpu_ms_per_1000(&self) -> f64 {
        self.cpu_seconds * 1e6 / self.ops as f64
    }
}

/// The `p`th percentile (nearest rank) of sorted latencies, in microseconds.
fn percentile_us(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e6
}

/// A `kB` field of `/proc/self/status` (Linux), e.g. `VmRSS` or `VmHWM`.
fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}
