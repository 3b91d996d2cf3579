//! # etcd-v2-tokio: an etcd v2 client for tokio
//!
//! A thin adapter over the sans-IO core [`etcd_v2_proto`]: it sends the core's requests with
//! hyper 1.x (pooled keep-alive connections), sleeps on tokio's timer and enforces deadlines;
//! every policy (failover, redirects, timeouts, outcome-unknown, watch indices) is the core's.
//!
//! ```no_run
//! use etcd_v2_tokio::{Api, Client, Config, GetOptions, SetOptions};
//!
//! # async fn quickstart() -> Result<(), etcd_v2_tokio::Error> {
//! let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
//! client.set("/foo", "bar", &SetOptions::default()).await?;
//! let resp = client.get("/foo", GetOptions::default()).await?;
//! assert_eq!(resp.node.and_then(|n| n.value).as_deref(), Some("bar"));
//! # Ok(()) }
//! ```
//!
//! **The runtime needs its IO and time drivers**: `#[tokio::main]` and
//! `Builder::new_*().enable_all()` have both. The client sleeps and bounds its dials on
//! tokio's timer, so a runtime built without `enable_time()` makes tokio panic ("A Tokio 1.x
//! context was found, but timers are disabled") at the first call.
//!
//! **Cancellation** is dropping the future (e.g. in `tokio::select!` or `tokio::time::timeout`).
//! Dropping the future of a write that was already sent leaves its outcome unknown: it may or may
//! not have been applied. Prefer [`Client::with_timeout`], which lets the core classify the end
//! ([`Error::DeadlineExceeded`] or [`Error::OutcomeUnknown`]).

mod alarm;
mod dial;
mod srv;
mod transport;
mod watcher;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

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

use etcd_v2_proto::{AutoSync, Call, Cluster, Op, Sync, Transmit, Watch, run_loop};

/// How long past a deadline [`Client::run`] waits for the transport's own answer before it
/// gives up with [`TransportFailure::Timeout`]. A transport that enforces the deadline (the
/// default one does) answers at the deadline and knows more: a connect that timed out was
/// never sent. The grace keeps this safety net from racing that answer.
const DEADLINE_GRACE: Duration = Duration::from_millis(50);

/// An etcd v2 client. Cheap to clone (an `Arc` inside); safe to share between threads and tasks.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    timeout: Option<Duration>,
}

struct Inner {
    cluster: Mutex<Cluster>,
    transport: Arc<dyn Transport>,
    keys_prefix: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let endpoints = self.endpoints();
        f.debug_struct("Client")
            .field("endpoints", &endpoints)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Locks, ignoring poisoning: the core only mutates the state in short synchronous steps.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Client {
    /// A client over the default [`HyperTransport`] (Go: `client.New`).
    ///
    /// # Errors
    /// [`Error::NoEndpoints`] or [`Error::Usage`] for an invalid endpoint URL.
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::with_transport(config, HyperTransport::new())
    }

    /// A client that performs its exchanges with `transport`.
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn with_transport(config: Config, transport: impl Transport) -> Result<Self, Error> {
        let keys_prefix = config.keys_prefix.clone();
        let cluster = Mutex::new(Cluster::new(config)?);
        let inner = Inner {
            cluster,
            transport: Arc::new(transport),
            keys_prefix,
        };
        Ok(Self {
            inner: Arc::new(inner),
            timeout: None,
        })
    }

    /// A handle on the same cluster whose every call has this overall deadline (Go's context
    /// deadline); calls end with [`Error::DeadlineExceeded`] (or [`Error::OutcomeUnknown`] for a
    /// write that was sent). Applies to [`Client::run`], sync and each [`Watcher::next`] too.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            timeout: Some(timeout),
        }
    }

    /// The endpoints in the order they are tried (Go: `Endpoints`).
    pub fn endpoints(&self) -> Vec<String> {
        lock(&self.inner.cluster).endpoints()
    }

    /// Replaces the endpoints (Go: `SetEndpoints`); on error the old list is kept.
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn set_endpoints(&self, endpoints: &[&str]) -> Result<(), Error> {
        lock(&self.inner.cluster).set_endpoints(endpoints)
    }

    /// Refreshes the endpoints from the member list (Go: `Sync`).
    ///
    /// # Errors
    /// Any call error, or [`Error::NoLeaderEndpoint`] in prioritize-leader mode.
    pub async fn sync(&self) -> Result<(), Error> {
        let sync = Sync::new();
        self.run(match self.timeout {
            Some(t) => sync.timeout(t),
            None => sync,
        })
        .await
    }

    /// Syncs now and every `interval` (Go: `AutoSync`); returns only the error that stopped it.
    /// Drop the future to stop it.
    pub async fn auto_sync(&self, interval: Duration) -> Error {
        match self.run(AutoSync::new(interval)).await {
            Ok(never) => match never {},
            Err(e) => e,
        }
    }

    /// A watcher of `key` (Go: `KeysAPI.Watcher`).
    ///
    /// # Errors
    /// [`UsageError::KeyEscapesPrefix`] for a key like `../x`.
    pub fn watcher(&self, key: &str, opts: WatchOptions) -> Result<Watcher, Error> {
        let mut watch = Watch::new(&self.inner.keys_prefix, key, opts)?;
        watch.set_timeout(self.timeout);
        Ok(Watcher::new(self.clone(), watch))
    }

    /// Drives any core [`Task`] to its end (API calls, syncs and watches made through this
    /// client already carry the [`Client::with_timeout`] deadline in their task).
    ///
    /// # Errors
    /// Whatever the task ends with.
    pub fn run<'a, K: Task + 'a>(
        &'a self,
        task: K,
    ) -> impl Future<Output = Result<K::Output, Error>> + 'a {
        // The core's loop over hyper exchanges and tokio's timer. Waits are rare (back-off,
        // auto-sync): boxed, so a timer in place does not make every call's future larger.
        let wait = |at: Instant| Box::pin(tokio::time::sleep_until(at.into()));
        run_loop::run_async(
            task,
            &self.inner.cluster,
            Instant::now,
            |t| self.start(t),
            wait,
        )
    }

    /// Starts the exchange `t` asks for.
    fn start(&self, t: Transmit) -> Exchange {
        if let Some(line) = &t.curl {
            eprintln!("{line}");
        }
        let transport = &self.inner.transport;
        let send = transport.send(t.request, t.deadline, t.header_deadline, t.max_body);
        match t.deadline {
            // A safety net at the whole exchange's deadline, for transports that do not promise
            // to keep it; each transport bounds the head itself (a watch's body may rightly
            // take longer than its header deadline).
            Some(at) if !transport.enforces_deadline() => {
                let at = at.checked_add(DEADLINE_GRACE).unwrap_or(at);
                Box::pin(async move {
                    tokio::time::timeout_at(at.into(), send)
                        .await
                        .unwrap_or(Err(TransportFailure::Timeout))
                })
            }
            _ => send,
        }
    }
}

/// A transport's exchange in flight.
type Exchange = BoxFuture<'static, run_loop::Answer>;

impl Api for Client {
    type Output<'a, T: Send + 'static> = BoxFuture<'a, Result<T, Error>>;

    fn execute<'a, T: Send + 'static>(
        &'a self,
        call: Result<Call<T>, Error>,
    ) -> Self::Output<'a, T> {
        let op = match call {
            Ok(call) => Op::new(call),
            Err(e) => return Box::pin(std::future::ready(Err(e))),
        };
        // The Op owns the deadline, so a sent write ends as OutcomeUnknown, not DeadlineExceeded.
        Box::pin(self.run(match self.timeout {
            Some(t) => op.timeout(t),
            None => op,
        }))
    }

    fn keys_prefix(&self) -> &str {
        &self.inner.keys_prefix
    }
}
