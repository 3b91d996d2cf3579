//! Real etcd processes for tests: [`EtcdCluster`] starts 1 or 3 members of the
//! installed etcd (v2 API enabled) on 127.0.0.1 with free ports and throwaway
//! data dirs, and kills exactly the processes it started when dropped, even
//! while a test panics.
//!
//! This module holds the cluster type, its accessors and the fixture's errors; `start` spawns
//! the members and waits for them, `lifecycle` kills, freezes and restarts them, `isolation`
//! cuts one off from its peers, and `raw_http` is the small `GET` the health checks and tests
//! use.

mod isolation;
mod lifecycle;
mod raw_http;
mod start;

pub use raw_http::{http_get, https_get_as};

use std::fmt::{self, Display};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use crate::fault_proxy::FaultProxy;

/// How long [`EtcdCluster::start`] waits for every member to report healthy.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
/// The message of the error returned when no etcd binary exists.
pub const INSTALL_HINT: &str = "etcd binary not found: install it with 'apt-get update && apt-get install -y etcd-server etcd-client' (as root) or set ETCD_BIN";
/// etcd only accepts `unix://host:port`, and binds that "host:port" relative to its cwd.
const SOCKET_NAME: &str = "etcd.sock:0";

/// A fixture failure. `Debug` prints the plain message, so `.expect(..)` shows
/// etcd's log tail readably instead of one escaped string.
pub struct FixtureError(String);

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FixtureError {}

impl From<io::Error> for FixtureError {
    fn from(e: io::Error) -> Self {
        Self(e.to_string())
    }
}

fn context(what: impl Display) -> impl FnOnce(io::Error) -> io::Error {
    move |e| io::Error::new(e.kind(), format!("{what}: {e}"))
}

/// Finds etcd: `$ETCD_BIN`, else `etcd` on `PATH`, else `/usr/bin/etcd`;
/// otherwise fails with [`INSTALL_HINT`].
pub fn etcd_binary() -> Result<PathBuf, FixtureError> {
    let candidates: Vec<PathBuf> = match std::env::var_os("ETCD_BIN") {
        Some(bin) => vec![bin.into()],
        None => std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join("etcd"))
            .chain([PathBuf::from("/usr/bin/etcd")])
            .collect(),
    };
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| FixtureError(INSTALL_HINT.into()))
}

/// The last `lines` lines of the file at `path`, or a note saying why it is unreadable.
pub fn log_tail(path: &Path, lines: usize) -> String {
    match fs::read_to_string(path) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("<cannot read {}: {e}>", path.display()),
    }
}

struct Member {
    name: String,
    /// Holds `data/`, `etcd.log` and the unix socket; etcd's cwd.
    dir: PathBuf,
    client_port: u16,
    peer_port: u16,
    child: Option<Child>,
    stopped: bool,
}

/// A TLS cluster's certificates (PEM).
#[derive(Clone)]
struct Tls {
    cert_pem: String,
    key_pem: String,
    /// Set when members require client certificates (`--client-cert-auth`): the CA they trust,
    /// and a client certificate and key it issued, for the health checks.
    client_auth: Option<[String; 3]>,
}

/// A running etcd cluster of real processes. Dropping it SIGKILLs and reaps every
/// member it started, then deletes their directories.
///
/// ```
/// use conformance::etcd_process::{EtcdCluster, http_get};
/// let cluster = EtcdCluster::single().expect("etcd");
/// let (status, body) = http_get(&cluster.client_url(0), "/v2/keys").unwrap();
/// assert_eq!(status, 200, "{body}");
/// ```
pub struct EtcdCluster {
    bin: PathBuf,
    root: PathBuf,
    unix_socket: bool,
    /// The certificates of a TLS cluster: clients use `https://`.
    tls: Option<Tls>,
    /// Of an isolable cluster: a proxy in front of each member's peer port, advertised as
    /// its peer URL, so every peer link runs through one (see [`isolate`](Self::isolate)).
    peer_proxies: Vec<FaultProxy>,
    members: Vec<Member>,
}

impl EtcdCluster {
    /// Number of members, whether running or not.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Always false: a cluster has at least one member.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Client URLs (`http://127.0.0.1:PORT`) of all members, in member order.
    pub fn client_urls(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.client_url(i)).collect()
    }

    /// Client URL of member `i`, e.g. `http://127.0.0.1:40123` (`https://` if started with
    /// [`start_tls`](Self::start_tls)).
    pub fn client_url(&self, i: usize) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.members[i].client_port)
    }

    /// Peer URL of member `i`: where it listens for its peers.
    pub fn peer_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.members[i].peer_port)
    }

    /// Absolute path of member 0's client unix socket if started with
    /// [`start_with_unix_socket`](Self::start_with_unix_socket). The file name
    /// contains a `:`; use `unix://` + this path with [`http_get`].
    pub fn unix_socket_path(&self) -> Option<PathBuf> {
        self.unix_socket
            .then(|| self.members[0].dir.join(SOCKET_NAME))
    }

    /// OS pid of member `i`, or `None` if it was killed and not restarted.
    pub fn pid(&self, i: usize) -> Option<u32> {
        self.members[i].child.as_ref().map(Child::id)
    }

    /// Path of member `i`'s log file (etcd's stdout and stderr, appended across restarts).
    pub fn log_path(&self, i: usize) -> PathBuf {
        self.members[i].dir.join("etcd.log")
    }
}

impl Drop for EtcdCluster {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.kill(i);
        }
        let _ = fs::remove_dir_all(&self.root);
    }
}
