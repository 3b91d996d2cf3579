//! # etcd-v2-async-std: the async-std adapter of the etcd v2 client
//!
//! All policy (failover, redirects, timeouts, outcome-unknown, watch indices) lives in
//! [`etcd_v2_proto`]; this crate only performs the exchanges it asks for, with hyper's
//! low-level HTTP/1 client over an async-std [`TcpStream`](async_std::net::TcpStream) (plain
//! `http` only), sleeps with async-std timers and hands the results back. It uses only
//! futures-io pieces, so it also runs under `smol`.
//!
//! ```no_run
//! use etcd_v2_async_std::{Api, Client, Config, GetOptions, SetOptions};
//!
//! async_std::task::block_on(async {
//!     let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
//!     client.set("/foo", "bar", &SetOptions::default()).await?;
//!     let resp = client.get("/foo", GetOptions::default()).await?;
//!     println!("{:?}", resp.node.and_then(|n| n.value));
//!     Ok::<(), etcd_v2_async_std::Error>(())
//! })?;
//! # Ok::<(), etcd_v2_async_std::Error>(())
//! ```

mod alarm;
mod io;
mod srv;
mod transport;
mod watcher;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use etcd_v2_proto::{AutoSync, Call, Cluster, Op, Transmit, run_loop};
use futures_core::future::BoxFuture;

pub use etcd_v2_proto as proto;
pub use etcd_v2_proto::{
    Action, Api, ApiError, AttemptFailure, ClusterError, Config, CreateInOrderOptions, Credentials,
    DeleteOptions, Error, ErrorCode, EtcdError, GetOptions, Health, Idempotency, KeysResponse,
    LeaderStats, Member, Node, PermissionType, PrevExist, ProtocolError, ResumePolicy, Role,
    SelectionMode, SelfStats, SetOptions, StoreStats, Task, TransportFailure, UsageError, User,
    Version, WatchOptions,
};
pub use srv::{discover_srv, discover_srv_with};
pub use transport::{HyperTransport, Transport};
pub use watcher::Watcher;

/// An etcd v2 client; cheap to clone (`Arc`s inside) and safe to share between tasks.
#[derive(Clone)]
pub struct Client {
    cluster: Arc<Mutex<Cluster>>,
    transport: Arc<dyn Transport>,
    keys_prefix: Arc<str>,
    timeout: Option<Duration>,
}

impl Client {
    /// A client over the [`HyperTransport`]; fails on an empty or invalid endpoint list.
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::with_transport(config, HyperTransport::default())
    }

    /// A client over a custom [`Transport`]; fails like [`Client::new`].
    pub fn with_transport(config: Config, transport: impl Transport) -> Result<Self, Error> {
        let keys_prefix = config.keys_prefix.as_str().into();
        let cluster = Arc::new(Mutex::new(Cluster::new(config)?));
        let transport = Arc::new(transport);
        Ok(Self {
            cluster,
            transport,
            keys_prefix,
            timeout: None,
        })
    }

    /// A handle on the same cluster whose every call ends with [`Error::DeadlineExceeded`]
    /// after `timeout` (Go: a context deadline).
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            timeout: Some(timeout),
            ..self.clone()
        }
    }

    /// The endpoints in their current order (Go: `Endpoints()`).
    pub fn endpoints(&self) -> Vec<String> {
        self.lock().endpoints()
    }

    /// Replaces the endpoints (Go: `SetEndpoints()`); on error the old list is kept.
    pub fn set_endpoints(&self, endpoints: &[&str]) -> Result<(), Error> {
        self.lock().set_endpoints(endpoints)
    }

    /// Refreshes the endpoints from the member list (Go: `Sync`).
    pub async fn sync(&self) -> Result<(), Error> {
        let sync = proto::Sync::new();
        self.run(match self.timeout {
            Some(t) => sync.timeout(t),
            None => sync,
        })
        .await
    }

    /// Syncs now and every `interval` (Go: `AutoSync`); returns only the error that stopped it.
    pub async fn auto_sync(&self, interval: Duration) -> Error {
        match self.run(AutoSync::new(interval)).await {
            Ok(never) => match never {},
            Err(e) => e,
        }
    }

    /// A watcher of `key` (Go: `Watcher`); fails for a key that escapes the keys prefix.
    pub fn watcher(&self, key: &str, opts: WatchOptions) -> Result<Watcher, Error> {
        let mut watch = proto::Watch::new(self.keys_prefix(), key, opts)?;
        watch.set_timeout(self.timeout);
        Ok(Watcher::new(self.clone(), watch))
    }

    /// Drives any [`Task`] to completion (API calls, syncs and watches made through this
    /// client already carry the [`Client::with_timeout`] deadline in their task).
    pub fn run<'a, K: Task + 'a>(
        &'a self,
        task: K,
    ) -> impl Future<Output = Result<K::Output, Error>> + 'a {
        // The core's loop over hyper exchanges and async-std's timer. Waits are rare (back-off,
        // auto-sync): boxed, so a timer in place does not make every call's future larger.
        let wait = |at: Instant| {
            Box::pin(async_std::task::sleep(
                at.saturating_duration_since(Instant::now()),
            ))
        };
        run_loop::run_async(task, &self.cluster, Instant::now, |t| self.start(t), wait)
    }

    /// Starts the exchange `t` asks for.
    fn start(&self, t: Transmit) -> Exchange {
        if let Some(line) = &t.curl {
            eprintln!("{line}");
        }
        let send = (self.transport).send(t.request, t.deadline, t.header_deadline, t.max_body);
        // A safety net at the whole exchange's deadline, for transports that do not promise to
        // keep it; each transport bounds the head itself (a watch's body may rightly take
        // longer than its header deadline).
        if self.transport.enforces_deadline() {
            send
        } else {
            Box::pin(transport::within(t.deadline, || send))
        }
    }

    fn lock(&self) -> MutexGuard<'_, Cluster> {
        lock(&self.cluster)
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let endpoints = self.endpoints();
        let mut s = f.debug_struct("Client");
        s.field("endpoints", &endpoints)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Locks, taking over a poisoned lock: the core changes state only in short synchronous steps.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A transport's exchange in flight.
type Exchange = BoxFuture<'static, run_loop::Answer>;

impl Api for Client {
    type Output<'a, T: Send + 'static> = BoxFuture<'a, Result<T, Error>>;

    fn execute<'a, T: Send + 'static>(
        &'a self,
        call: Result<Call<T>, Error>,
    ) -> Self::Output<'a, T> {
        let mut op = match call {
            Ok(call) => Op::new(call),
            Err(e) => return Box::pin(std::future::ready(Err(e))),
        };
        if let Some(t) = self.timeout {
            op = op.timeout(t); // the core's deadline, so a write can end OutcomeUnknown
        }
        // Not inside an `async` block, which would hold the op and the loop's future at once.
        Box::pin(self.run(op))
    }

    fn keys_prefix(&self) -> &str {
        &self.keys_prefix
    }
}
