//! What to measure: the clients, the workloads, and the keys each workload uses.

use std::fmt;

/// A client under measurement: one of ours, or the plain HTTP client it is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Adapter {
    /// `etcd-v2-blocking` (ureq).
    Blocking,
    /// `etcd-v2-tokio` (`etcd-v2-hyper`: hyper-util's pooled client on tokio).
    Tokio,
    /// `etcd-v2-async-std` (`etcd-v2-hyper`: hyper-util's pooled client on async-std).
    AsyncStd,
    /// A plain ureq agent sending the same requests: what the blocking adapter is built on.
    RawUreq,
    /// hyper-util's pooled legacy client on tokio (`HttpConnector`, `TokioExecutor`,
    /// `TokioTimer`) sending the same requests: what the tokio adapter is built on.
    RawHyperTokio,
    /// hyper-util's pooled legacy client on async-std (async-std's spawner, async-io's timer,
    /// async-std TCP through `etcd_v2::async_std::Io`) sending the same requests: what the
    /// async-std adapter is built on.
    RawHyperAsyncStd,
}

impl Adapter {
    /// Every client, ours first.
    pub(crate) const ALL: [Self; 6] = [
        Self::Blocking,
        Self::Tokio,
        Self::AsyncStd,
        Self::RawUreq,
        Self::RawHyperTokio,
        Self::RawHyperAsyncStd,
    ];

    /// The name on the command line and in the output.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Blocking => "blocking",
            Self::Tokio => "tokio",
            Self::AsyncStd => "async-std",
            Self::RawUreq => "raw-ureq",
            Self::RawHyperTokio => "raw-hyper-tokio",
            Self::RawHyperAsyncStd => "raw-hyper-async-std",
        }
    }

    /// The plain client an adapter is compared with (`None` for the plain clients).
    pub(crate) fn baseline(self) -> Option<Self> {
        match self {
            Self::Blocking => Some(Self::RawUreq),
            Self::Tokio => Some(Self::RawHyperTokio),
            Self::AsyncStd => Some(Self::RawHyperAsyncStd),
            _ => None,
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One workload of issue 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Workload {
    /// W1: sequential sets of `n` keys, 100-byte values.
    W1,
    /// W2: sequential gets of `n` keys written beforehand.
    W2,
    /// W3: `workers` concurrent callers doing `n` sets in total.
    W3,
    /// W4: recursive get of a `listing_keys`-key directory, `listings` times.
    W4,
    /// W5: a recursive watcher and a writer doing `watch_n` sets, each waiting for its event.
    W5,
    /// W6: `watchers` watchers of distinct keys waiting at once, then one write to each key
    /// (by a helper process); done when every watcher has its event.
    W6,
    /// Sequential gets against a canned-response HTTP server instead of etcd.
    Null,
}

impl Workload {
    /// Every workload, in the order they run.
    pub(crate) const ALL: [Self; 7] = [
        Self::W1,
        Self::W2,
        Self::W3,
        Self::W4,
        Self::W5,
        Self::W6,
        Self::Null,
    ];

    /// The name on the command line and in the output.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::W1 => "w1",
            Self::W2 => "w2",
            Self::W3 => "w3",
            Self::W4 => "w4",
            Self::W5 => "w5",
            Self::W6 => "w6",
            Self::Null => "null",
        }
    }

    /// What one operation of the workload is, for the summary.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::W1 => "sequential set, 100-byte values",
            Self::W2 => "sequential get",
            Self::W3 => "concurrent set",
            Self::W4 => "recursive get of a directory (one op = one listing)",
            Self::W5 => "watch round trip: set, then its event from a recursive watcher",
            Self::W6 => {
                "watch fan-out: one op = one watcher registered and its event delivered \
                 (all waiting at once, one write to each key by another process)"
            }
            Self::Null => "sequential get from a canned-response server (no etcd)",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Self> {
        let name = name.to_ascii_lowercase();
        Self::ALL.into_iter().find(|w| w.name() == name)
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The sizes of the workloads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    /// Operations of W1, W2, W3 and null.
    pub(crate) n: usize,
    /// Concurrent callers of W3.
    pub(crate) workers: usize,
    /// Keys in W4's directory.
    pub(crate) listing_keys: usize,
    /// Listings of W4.
    pub(crate) listings: usize,
    /// Round trips of W5.
    pub(crate) watch_n: usize,
    /// Watchers of W6 (tasks for the async clients, threads for the blocking ones).
    pub(crate) watchers: usize,
}

/// Every key a run touches lives below this directory.
pub(crate) const ROOT: &str = "/bench";

/// The 100-byte value every set writes.
pub(crate) fn value() -> String {
    "0123456789".repeat(10)
}

/// W2's keys, written once before the runs.
pub(crate) fn read_key(i: usize) -> String {
    format!("{ROOT}/w2/key-{i:06}")
}

/// W4's directory and its keys, written once before the runs.
pub(crate) fn listing_dir() -> String {
    format!("{ROOT}/w4")
}

/// Key `i` of W4's directory.
pub(crate) fn listing_key(i: usize) -> String {
    format!("{ROOT}/w4/key-{i:06}")
}

/// Key `i` that `adapter` writes in W1 or W3 (rewritten by every run).
pub(crate) fn write_key(workload: Workload, adapter: Adapter, i: usize) -> String {
    format!("{ROOT}/{workload}/{adapter}/key-{i:06}")
}

/// `keys` dealt round-robin to `workers` callers (W3).
pub(crate) fn shares(keys: Vec<String>, workers: usize) -> Vec<Vec<String>> {
    let mut shares = vec![Vec::new(); workers];
    for (i, key) in keys.into_iter().enumerate() {
        shares[i % workers].push(key);
    }
    shares
}

/// Two sets per caller before W3's meter starts, so that every caller has had a connection.
pub(crate) fn warm_up_shares(workers: usize) -> Vec<Vec<String>> {
    (0..workers)
        .map(|w| vec![format!("{ROOT}/warm-up-{w}"); 2])
        .collect()
}

/// The directory W5's watcher watches for `adapter`.
pub(crate) fn watch_dir(adapter: Adapter) -> String {
    format!("{ROOT}/w5/{adapter}")
}

/// W6's directory for `adapter`: key `i` is `{dir}/key-{i:06}`, rewritten by every run.
pub(crate) fn fanout_dir(adapter: Adapter) -> String {
    format!("{ROOT}/w6/{adapter}")
}

/// Key `i` of W6's directory `dir`.
pub(crate) fn fanout_key(dir: &str, i: usize) -> String {
    format!("{dir}/key-{i:06}")
}

/// The key the null workload reads (the canned server answers anything).
pub(crate) const NULL_KEY: &str = "/bench/null";
