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

mod transport;
mod watcher;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use etcd_v2_proto::{AutoSync, Call, Cluster, Op, Step};
use futures_core::future::BoxFuture;

pub use etcd_v2_proto as proto;
pub use etcd_v2_proto::{
    Action, Api, ApiError, AttemptFailure, ClusterError, Config, CreateInOrderOptions,
    Credentials, DeleteOptions, Error, ErrorCode, EtcdError, GetOptions, Health, KeysResponse,
    LeaderStats, Member, Node, PermissionType, PrevExist, ProtocolError, ResumePolicy, Role,
    SelectionMode, SelfStats, SetOptions, StoreStats, Task, TransportFailure, UsageError, User,
    Version, WatchOptions,
};
pub use transport::{DefaultTransport, Transport};
pub use watcher::Watcher;

/// An etcd v2 client; cheap to clone (an `Arc` inside) and safe to share between tasks.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    timeout: Option<Duration>,
}

struct Inner {
    cluster: Mutex<Cluster>,
    transport: Box<dyn Transport>,
    keys_prefix: String,
}

impl Client {
    /// A client over the [`DefaultTransport`].
    ///
    /// # Errors
    /// [`Error::NoEndpoints`] or [`Error::Usage`] for a bad endpoint list.
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::with_transport(config, DefaultTransport::default())
    }

    /// A client over a custom [`Transport`].
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn with_transport(config: Config, transport: impl Transport) -> Result<Self, Error> {
        let keys_prefix = config.keys_prefix.clone();
        let inner = Inner { cluster: Mutex::new(Cluster::new(config)?), transport: Box::new(transport), keys_prefix };
        Ok(Self { inner: Arc::new(inner), timeout: None })
    }

    /// A handle on the same cluster whose every call ends with [`Error::DeadlineExceeded`]
    /// after `timeout` (Go: a context deadline).
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self { inner: Arc::clone(&self.inner), timeout: Some(timeout) }
    }

    /// The endpoints in their current order (Go: `Endpoints()`).
    pub fn endpoints(&self) -> Vec<String> {
        self.cluster().endpoints()
    }

    /// Replaces the endpoints (Go: `SetEndpoints()`); on error the old list is kept.
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn set_endpoints(&self, endpoints: &[&str]) -> Result<(), Error> {
        self.cluster().set_endpoints(endpoints)
    }

    /// Refreshes the endpoints from the member list (Go: `Sync`).
    ///
    /// # Errors
    /// Any error of listing the members or, in prioritize-leader mode, finding the leader.
    pub async fn sync(&self) -> Result<(), Error> {
        self.run(proto::Sync::new()).await
    }

    /// Syncs now and every `interval` (Go: `AutoSync`); returns only the error that stopped it.
    pub async fn auto_sync(&self, interval: Duration) -> Error {
        match self.run(AutoSync::new(interval)).await {
            Ok(never) => match never {},
            Err(e) => e,
        }
    }

    /// A watcher of `key` (recursively with [`WatchOptions::recursive`]) (Go: `Watcher`).
    ///
    /// # Errors
    /// [`UsageError::KeyEscapesPrefix`] for a key that leaves the keys prefix.
    pub fn watcher(&self, key: &str, opts: WatchOptions) -> Result<Watcher, Error> {
        let watch = proto::Watch::new(self.keys_prefix(), key, opts)?;
        Ok(Watcher::new(self.clone(), watch, key, opts))
    }

    /// Drives any [`Task`] to completion: the adapter's only loop.
    ///
    /// # Errors
    /// Whatever the task ends with.
    pub async fn run<K: Task>(&self, mut task: K) -> Result<K::Output, Error> {
        loop {
            let step = task.poll(Instant::now(), &mut self.cluster());
            match step {
                Step::Done(result) => return result,
                Step::Wait(at) => async_std::task::sleep(at.saturating_duration_since(Instant::now())).await,
                Step::Send(t) => {
                    if let Some(line) = &t.curl {
                        eprintln!("{line}");
                    }
                    let send = self.inner.transport.send(t.request, t.deadline, t.max_body);
                    let outcome = transport::within(t.deadline, send).await;
                    let now = Instant::now();
                    match outcome {
                        Ok(r) => task.handle_response(now, &mut self.cluster(), t.attempt, r),
                        Err(f) => task.handle_failure(now, &mut self.cluster(), t.attempt, f),
                    }
                }
            }
        }
    }

    /// The cluster; a poisoned lock is taken over (the core never leaves it half-updated).
    fn cluster(&self) -> MutexGuard<'_, Cluster> {
        self.inner.cluster.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Api for Client {
    type Output<'a, T: Send + 'static> = BoxFuture<'a, Result<T, Error>>;

    fn execute<'a, T: Send + 'static>(&'a self, call: Result<Call<T>, Error>) -> Self::Output<'a, T> {
        Box::pin(async move {
            let op = Op::new(call?);
            self.run(match self.timeout {
                Some(t) => op.timeout(t),
                None => op,
            })
            .await
        })
    }

    fn keys_prefix(&self) -> &str {
        &self.inner.keys_prefix
    }
}
