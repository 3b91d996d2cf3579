//! # etcd-v2-blocking: a blocking etcd v2 client
//!
//! A thin adapter that drives the sans-IO core [`etcd_v2_proto`] over [`ureq`]: it sends the
//! requests the core asks for, reads the clock and sleeps. Every policy (failover, redirects,
//! timeouts, outcome-unknown writes, watch indices) lives in the core. Every API call is an
//! inherent method of [`Client`] (the same methods make the [`Api`] trait, for generic code).
//!
//! ```no_run
//! use etcd_v2_blocking::{Client, Config, GetOptions, SetOptions};
//!
//! let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
//! let resp = client.set("/foo", "bar", SetOptions::default())?;
//! println!("set is done, metadata: {resp:?}");
//! let resp = client.get("/foo", GetOptions::default())?;
//! let node = resp.node.expect("a get answers with a node");
//! println!("{:?} key has {:?} value", node.key, node.value);
//! # Ok::<(), etcd_v2_blocking::Error>(())
//! ```
//!
//! `https://` endpoints need the `tls` feature. Another HTTP stack can be plugged in through
//! [`Transport`] and [`Client::with_transport`].

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub use etcd_v2_proto as proto;
pub use etcd_v2_proto::Transmit;
pub use etcd_v2_proto::client_api::*;
pub use ureq;

use etcd_v2_proto::{AutoSync, Call, Cluster, EndpointSync, Op, Step, Task, Watch};

#[cfg(feature = "srv")]
mod srv;
mod transport;
mod watcher;

#[cfg(feature = "srv")]
pub use srv::{discover_srv, discover_srv_with};
pub use transport::{Answer, StreamBody, Transport, UreqTransport};
pub use watcher::Watcher;

/// A stream exchange's body, left open between a watcher's runs.
pub(crate) type Open = Option<(etcd_v2_proto::AttemptId, StreamBody)>;

/// What an API call of the blocking client returns.
pub type Reply<'a, T> = Result<T, Error>;

etcd_v2_proto::api_methods!(impl[] Client, Reply);

/// An etcd v2 client (Go: `client.Client` with its keys, members and auth APIs).
///
/// Cheap to clone (an `Arc` inside) and safe to share between threads; clones share the
/// endpoint list and the pinned endpoint. All API calls come from [`Api`].
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
    /// A client over the default [`UreqTransport`].
    ///
    /// # Errors
    /// [`Error::NoEndpoints`] or [`Error::Usage`] for an invalid endpoint URL.
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::with_transport(config, UreqTransport::new())
    }

    /// A client that performs its HTTP exchanges through `transport`.
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn with_transport(mut config: Config, transport: impl Transport) -> Result<Self, Error> {
        // The core reads no entropy: the endpoint shuffle is seeded here.
        config.seed.get_or_insert_with(|| fastrand::u64(..));
        let inner = Inner {
            keys_prefix: config.keys_prefix.clone(),
            cluster: Mutex::new(Cluster::new(config)?),
            transport: Box::new(transport),
        };
        Ok(Self {
            inner: Arc::new(inner),
            timeout: None,
        })
    }

    /// A handle on the same cluster whose every call must end within `timeout`, failover
    /// included (Go: a context deadline); the call then fails with [`Error::DeadlineExceeded`].
    ///
    /// ```no_run
    /// # use etcd_v2_blocking::{Client, Config, GetOptions};
    /// # let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
    /// let quick = client.with_timeout(std::time::Duration::from_secs(1));
    /// quick.get("/foo", GetOptions::default())?;
    /// # Ok::<(), etcd_v2_blocking::Error>(())
    /// ```
    #[must_use]
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            timeout: Some(timeout),
        }
    }

    /// Refreshes the endpoints from the member list (Go: `Sync`).
    ///
    /// # Errors
    /// The member list could not be read, or no leader was found in prioritize-leader mode.
    pub fn sync(&self) -> Result<(), Error> {
        let sync = EndpointSync::new();
        self.run(match self.timeout {
            Some(t) => sync.timeout(t),
            None => sync,
        })
    }

    /// Syncs every `interval` until a sync fails (Go: `AutoSync`). Run it on a thread of its
    /// own.
    ///
    /// # Errors
    /// The first sync that failed: the only way it ends.
    pub fn auto_sync(&self, interval: Duration) -> Result<std::convert::Infallible, Error> {
        self.run(AutoSync::new(interval))
    }

    /// A watch of `key` (Go: `KeysAPI.Watcher`); iterate it to block for each event.
    ///
    /// ```no_run
    /// # use etcd_v2_blocking::{Client, Config, WatchOptions};
    /// # let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
    /// for event in client.watcher("/foo", WatchOptions::default().recursive(true))?.take(3) {
    ///     println!("{:?}", event?.action);
    /// }
    /// # Ok::<(), etcd_v2_blocking::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Usage`] for a key that escapes the keys prefix.
    pub fn watcher(&self, key: &str, opts: WatchOptions) -> Result<Watcher, Error> {
        let mut watch = Watch::new(&self.inner.keys_prefix, key, opts)?;
        watch.set_timeout(self.timeout);
        Ok(Watcher::new(self.clone(), watch))
    }

    /// Drives any core [`Task`] to completion: the adapter's only loop. The cluster lock is
    /// never held while sending or sleeping.
    ///
    /// # Errors
    /// Whatever the task ends with.
    pub(crate) fn run<K: Task>(&self, task: K) -> Result<K::Output, Error> {
        self.run_with(task, &mut None)
    }

    /// [`Client::run`] with a stream's open body (a streaming watch's), kept between runs.
    pub(crate) fn run_with<K: Task>(&self, task: K, open: &mut Open) -> Result<K::Output, Error> {
        #[cfg(feature = "tracing")]
        let task = etcd_v2_proto::trace::Traced::new(task);
        self.drive(task, open)
    }

    /// [`Client::run`]'s loop.
    fn drive<K: Task>(&self, mut task: K, open: &mut Open) -> Result<K::Output, Error> {
        loop {
            // Its own statement: the cluster's lock guard must not live through the match.
            let step = task.poll(Instant::now(), &mut self.cluster());
            let mut t = match step {
                Step::Done(result) => return result,
                Step::Wait(at) => {
                    std::thread::sleep(at.saturating_duration_since(Instant::now()));
                    continue;
                }
                Step::Read { attempt, .. } => {
                    // ureq bounds the open body as a whole, by its exchange's deadline.
                    let body = open.as_mut().filter(|(a, _)| *a == attempt);
                    let chunk = body.map_or(Ok(None), |(_, body)| transport::read_chunk(body));
                    if !matches!(chunk, Ok(Some(_))) {
                        *open = None;
                    }
                    task.handle_chunk(Instant::now(), &mut self.cluster(), attempt, chunk);
                    task.decode_answer();
                    continue;
                }
                Step::Send(t) => t,
            };
            if let Some(line) = t.curl.take() {
                eprintln!("{line}"); // with `tracing`, an event of target `etcd_v2::curl`
            }
            let (attempt, stream) = (t.attempt, t.stream);
            *open = None;
            match self.inner.transport.send(t) {
                Ok(answer) => {
                    let (response, body) = answer.into_parts(stream);
                    *open = body.map(|body| (attempt, body));
                    task.handle_response(Instant::now(), &mut self.cluster(), attempt, response);
                }
                Err(f) => task.handle_failure(Instant::now(), &mut self.cluster(), attempt, f),
            }
            task.decode_answer();
        }
    }

    /// The cluster; a panic elsewhere cannot leave it half-updated, so poisoning is ignored.
    fn cluster(&self) -> MutexGuard<'_, Cluster> {
        self.inner
            .cluster
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Api for Client {
    type Output<'a, T: Send + 'static>
        = Result<T, Error>
    where
        Self: 'a;

    fn execute<T: Send + 'static>(&self, call: Result<Call<T>, Error>) -> Result<T, Error> {
        let op = Op::new(call?);
        match self.timeout {
            Some(timeout) => self.run(op.timeout(timeout)),
            None => self.run(op),
        }
    }

    fn keys_prefix(&self) -> &str {
        &self.inner.keys_prefix
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoints", &self.endpoints())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
