//! Measuring a contender: timed sequential ops, concurrent runs, and the connections a run
//! closed.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::contenders::{async_std_op, blocking_op, ok, sut_op, tokio_op};
use crate::{Client, Contender, Kind, VALUE};

impl Contender {
    fn seq_key(&self) -> String {
        format!("{}/seq", self.dir)
    }

    fn worker_key(&self, worker: usize) -> String {
        format!("{}/w{worker}", self.dir)
    }

    /// `n` sequential ops of `kind` on the sequential key, each one timed.
    pub(crate) fn sequential(&self, kind: Kind, n: usize) -> Vec<Duration> {
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
    pub(crate) fn concurrent(&self, kind: Kind, k: usize, total: usize) -> Duration {
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
pub(crate) fn time_wait(port: u16) -> HashSet<(String, String)> {
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
