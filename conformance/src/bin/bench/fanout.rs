//! W6's writer: another process (`bench --fanout-write DIR`), so that the measured client's CPU
//! time is its watchers' alone (registration and delivery), not the writes that wake them.
//!
//! The writer waits until etcd counts the watchers (`watchers` of `/v2/stats/store`, which
//! counts every long poll waiting in the v2 store), then writes each key of the directory
//! once. Each watcher waits with a `waitIndex` past the index read before it started, so one
//! that registers late still gets its event (from etcd's event history of 1,000) instead of
//! missing it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use conformance::etcd_process::http_get;
use etcd_v2_proto::{Config, SetOptions};

use crate::plan::{fanout_key, value};

/// How long the writer waits for every watcher before writing anyway.
const REGISTRATION_TIMEOUT: Duration = Duration::from_secs(30);

/// A running writer process.
pub(crate) struct Writer(Child);

impl Writer {
    /// Starts the writer of `watchers` keys of `dir` on `endpoints`.
    pub(crate) fn spawn(dir: &str, watchers: usize, endpoints: &[String]) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let child = Command::new(exe)
            .args(["--fanout-write", dir, "--watchers", &watchers.to_string()])
            .args(["--endpoints", &endpoints.join(",")])
            .stdout(Stdio::null())
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| format!("the fan-out writer: {e}"))?;
        Ok(Self(child))
    }

    /// Waits for the writer to exit; an error if it failed.
    pub(crate) fn wait(mut self) -> Result<(), String> {
        let status = self.0.wait().map_err(|e| e.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("the fan-out writer failed: {status}"))
        }
    }
}

/// The writer: waits for `watchers` watchers, then sets each key of `dir` once (in key order,
/// one blocking client, sequentially).
pub(crate) fn write(dir: &str, watchers: usize, endpoints: &[String]) -> Result<(), String> {
    let deadline = Instant::now() + REGISTRATION_TIMEOUT;
    while waiting_watchers(&endpoints[0]) < watchers {
        if Instant::now() > deadline {
            eprintln!("bench: fewer than {watchers} watchers after {REGISTRATION_TIMEOUT:?}");
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let client = etcd_v2::blocking::Client::new(Config::new(endpoints.iter().cloned()))
        .map_err(|e| e.to_string())?;
    let value = value();
    for i in 0..watchers {
        let set = client.set(&fanout_key(dir, i), &value, SetOptions::default());
        set.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The long polls waiting in etcd's v2 store (0 if the stats cannot be read).
fn waiting_watchers(endpoint: &str) -> usize {
    let Ok((200, body)) = http_get(endpoint, "/v2/stats/store") else {
        return 0;
    };
    let stats: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    stats["watchers"]
        .as_u64()
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
}
