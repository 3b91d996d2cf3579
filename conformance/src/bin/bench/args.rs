//! The command line.

use crate::plan::{Adapter, Sizes, Workload};

/// How to run, from the command line.
#[derive(Debug, Clone)]
pub(crate) struct Args {
    /// The clients to measure.
    pub(crate) adapters: Vec<Adapter>,
    /// The workloads to run.
    pub(crate) workloads: Vec<Workload>,
    /// Workload sizes.
    pub(crate) sizes: Sizes,
    /// Runs of every (workload, client) pair; the summary shows medians over them.
    pub(crate) runs: usize,
    /// An etcd cluster to use instead of a throwaway member.
    pub(crate) endpoints: Vec<String>,
    /// Internal: measure one (adapter, workload) in this process and print its line.
    pub(crate) child: bool,
    /// Internal: be the null workload's canned-response server.
    pub(crate) serve_null: bool,
    /// Internal: W6's writer; once etcd counts `watchers` watchers, write each key of this
    /// directory once.
    pub(crate) fanout_write: Option<String>,
    /// Start a throwaway etcd member, print its URL, keep it until stdin closes (for scripts
    /// that measure one child at a time, e.g. `WORKLOAD=w1 scripts/bench-instructions`).
    pub(crate) serve_etcd: bool,
    /// The plain clients also decode every answer they read into typed structs (serde), as a
    /// program using them would have to.
    pub(crate) plain_decode: bool,
    /// Print the usage and stop.
    pub(crate) help: bool,
}

pub(crate) const USAGE: &str = "\
usage: bench [--adapter A[,A...]|all] [--workload W[,W...]|all] [--n N] [--runs R]
             [--workers K] [--listing-keys K] [--listings L] [--watch-n M] [--watchers F]
             [--endpoints URL[,URL...]] [--plain-decode]
       bench --serve-etcd


  adapters:  blocking tokio async-std (ours); raw-ureq raw-hyper-tokio raw-hyper-async-std
             (the plain HTTP client each is built on, sending the same requests: a ureq agent,
             hyper-util's pooled legacy client on tokio, the same on async-std)
  workloads: w1 sequential set of N keys (100-byte values)     w2 sequential get of N keys
             w3 K concurrent workers doing N sets in total       w4 recursive get of a
             directory of --listing-keys keys, --listings times  w5 watch round trip, M sets
             w6 fan-out: F watchers of distinct keys (tasks; threads for blocking clients)
             all waiting, then one write to each key by another process
             null: N sequential gets from a canned-response server (no etcd)
  defaults:  --adapter all --workload all --n 5000 --runs 5 --workers 64 --listing-keys 10000
             --listings 20 --watch-n 1000 --watchers 1000; without --endpoints a throwaway etcd
             member is started.
  --plain-decode: the plain clients also decode each answer into typed structs with serde_json
             (what a program using them would have to do; ours always decode).
  --serve-etcd: start a throwaway etcd member, print `listening <url>`, and keep it until
             standard input closes.
";

impl Args {
    /// Parses `args` (without the program name).
    pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut parsed = Self {
            adapters: Adapter::ALL.to_vec(),
            workloads: Workload::ALL.to_vec(),
            sizes: Sizes {
                n: 5000,
                workers: 64,
                listing_keys: 10_000,
                listings: 20,
                watch_n: 1000,
                watchers: 1000,
            },
            runs: 5,
            endpoints: Vec::new(),
            child: false,
            serve_null: false,
            fanout_write: None,
            serve_etcd: false,
            plain_decode: false,
            help: false,
        };
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or(format!("{flag} needs a value"));
            match flag.as_str() {
                "--adapter" => parsed.adapters = list(&value()?, Adapter::parse, &Adapter::ALL)?,
                "--workload" => {
                    parsed.workloads = list(&value()?, Workload::parse, &Workload::ALL)?;
                }
                "--n" => parsed.sizes.n = number(&flag, &value()?)?,
                "--runs" => parsed.runs = number(&flag, &value()?)?,
                "--workers" => parsed.sizes.workers = number(&flag, &value()?)?,
                "--listing-keys" => parsed.sizes.listing_keys = number(&flag, &value()?)?,
                "--listings" => parsed.sizes.listings = number(&flag, &value()?)?,
                "--watch-n" => parsed.sizes.watch_n = number(&flag, &value()?)?,
                "--watchers" => parsed.sizes.watchers = number(&flag, &value()?)?,
                "--endpoints" => {
                    parsed.endpoints = value()?.split(',').map(str::to_owned).collect();
                }
                "--child" => parsed.child = true,
                "--serve-null" => parsed.serve_null = true,
                "--fanout-write" => parsed.fanout_write = Some(value()?),
                "--serve-etcd" => parsed.serve_etcd = true,
                "--plain-decode" => parsed.plain_decode = true,
                "--help" | "-h" => parsed.help = true,
                // What `cargo bench` passes to every bench target.
                "--bench" => {}
                _ => return Err(format!("unknown argument {flag:?}")),
            }
        }
        Ok(parsed)
    }

    /// The arguments that make a child measure `adapter` on `workload` against `endpoints`.
    pub(crate) fn child_args(
        &self,
        adapter: Adapter,
        workload: Workload,
        endpoints: &[String],
    ) -> Vec<String> {
        let s = self.sizes;
        [
            ("--adapter", adapter.name().to_owned()),
            ("--workload", workload.name().to_owned()),
            ("--n", s.n.to_string()),
            ("--workers", s.workers.to_string()),
            ("--listing-keys", s.listing_keys.to_string()),
            ("--listings", s.listings.to_string()),
            ("--watch-n", s.watch_n.to_string()),
            ("--watchers", s.watchers.to_string()),
            ("--endpoints", endpoints.join(",")),
        ]
        .into_iter()
        .flat_map(|(flag, value)| [flag.to_owned(), value])
        .chain(["--child".to_owned()])
        .chain(self.plain_decode.then(|| "--plain-decode".to_owned()))
        .collect()
    }
}

/// `all`, or a comma-separated list of names.
fn list<T: Copy>(value: &str, parse: fn(&str) -> Option<T>, all: &[T]) -> Result<Vec<T>, String> {
    if value == "all" {
        return Ok(all.to_vec());
    }
    value
        .split(',')
        .map(|name| parse(name).ok_or(format!("unknown name {name:?}")))
        .collect()
}

fn number(flag: &str, value: &str) -> Result<usize, String> {
    match value.parse() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{flag} wants a positive number, not {value:?}")),
    }
}
