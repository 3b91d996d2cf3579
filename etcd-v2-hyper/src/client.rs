//! [`Client`]: the core's tasks driven over a [`Transport`] on runtime `R`

use std::convert::Infallible;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use etcd_v2_proto::{
    Api, AutoSync, Call, Cluster, Config, EndpointSync, Error, Op, Step, Task, Watch, WatchOptions,
};
use futures_core::future::BoxFuture;

use crate::exchange::{OpenBody, exchange, read_chunk};
use crate::runtime::Runtime;
use crate::transport::{HyperTransport, Transport};
use crate::watcher::Watcher;

/// What an API call of the async client returns: a future of its result.
pub type Pending<'a, T> = BoxFuture<'a, Result<T, Error>>;

etcd_v2_proto::api_methods!(impl[R: Runtime] Client<R>, Pending);

/// An etcd v2 client on runtime `R` (Go: `client.Client` with its keys, members and auth
/// APIs). Cheap to clone (an `Arc` inside) and safe to share between tasks; clones share the
/// endpoint list, the pinned endpoint and the connection pool.
pub struct Client<R: Runtime> {
    inner: Arc<Inner>,
    timeout: Option<Duration>,
    runtime: PhantomData<fn() -> R>,
}

struct Inner {
    cluster: Mutex<Cluster>,
    transport: Box<dyn Transport>,
    keys_prefix: String,
}

impl<R: Runtime> Clone for Client<R> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            timeout: self.timeout,
            runtime: PhantomData,
        }
    }
}

impl<R: Runtime> std::fmt::Debug for Client<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoints", &self.endpoints())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> Client<R> {
    /// A client over the default [`HyperTransport`] (Go: `client.New`).
    ///
    /// # Errors
    /// [`Error::NoEndpoints`] or [`Error::Usage`] for an invalid endpoint URL.
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::with_transport(config, HyperTransport::<R>::new())
    }

    /// A client that performs its exchanges with `transport`.
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
            runtime: PhantomData,
        })
    }

    /// A handle on the same cluster whose every call has this overall deadline (Go's context
    /// deadline): calls end with [`Error::DeadlineExceeded`], or [`Error::OutcomeUnknown`] for
    /// a write that was sent. Applies to syncs and to each wait of a [`Watcher`] too.
    #[must_use]
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            timeout: Some(timeout),
            ..self.clone()
        }
    }

    /// Refreshes the endpoints from the member list (Go: `Sync`).
    ///
    /// # Errors
    /// Any call error, or [`Error::NoLeaderEndpoint`] in prioritize-leader mode.
    pub async fn sync(&self) -> Result<(), Error> {
        let sync = EndpointSync::new();
        self.run(match self.timeout {
            Some(t) => sync.timeout(t),
            None => sync,
        })
        .await
    }

    /// Syncs now and every `interval` (Go: `AutoSync`); ends only with the error that stopped
    /// it. Drop the future to stop it.
    ///
    /// # Errors
    /// The first sync that failed.
    pub async fn auto_sync(&self, interval: Duration) -> Result<Infallible, Error> {
        self.run(AutoSync::new(interval)).await
    }

    /// A watcher of `key` (Go: `KeysAPI.Watcher`).
    ///
    /// # Errors
    /// [`etcd_v2_proto::UsageError::KeyEscapesPrefix`] for a key like `../x`.
    pub fn watcher(&self, key: &str, opts: WatchOptions) -> Result<Watcher<R>, Error> {
        Watcher::new(self.clone(), key, opts)
    }

    /// The core's watch of `key`, bounded by this handle's timeout.
    pub(crate) fn new_watch(&self, key: &str, opts: WatchOptions) -> Result<Watch, Error> {
        let mut watch = Watch::new(&self.inner.keys_prefix, key, opts)?;
        watch.set_timeout(self.timeout);
        Ok(watch)
    }

    /// Drives any core [`Task`] to its end. The cluster lock is held only inside the task's
    /// synchronous steps, never across an exchange or a wait; answers are decoded with it
    /// released, so the client's other calls go on meanwhile.
    ///
    /// # Errors
    /// Whatever the task ends with.
    pub(crate) async fn run<K: Task>(&self, task: K) -> Result<K::Output, Error> {
        self.run_with(task, &mut None).await
    }

    /// [`Client::run`] with the open body of a stream exchange (a streaming watch's), kept in
    /// `open` from one run to the next.
    pub(crate) async fn run_with<K: Task>(
        &self,
        task: K,
        open: &mut OpenBody,
    ) -> Result<K::Output, Error> {
        #[cfg(feature = "tracing")]
        let task = etcd_v2_proto::trace::Traced::new(task);
        self.drive(task, open).await
    }

    /// [`Client::run`]'s loop.
    async fn drive<K: Task>(&self, mut task: K, open: &mut OpenBody) -> Result<K::Output, Error> {
        loop {
            let step = task.poll(Instant::now(), &mut self.cluster());
            let transmit = match step {
                Step::Done(result) => return result,
                Step::Wait(at) => {
                    R::sleep_until(at).await;
                    continue;
                }
                Step::Read { attempt, deadline } => {
                    let chunk = read_chunk::<R>(open, attempt, deadline).await;
                    task.handle_chunk(Instant::now(), &mut self.cluster(), attempt, chunk);
                    task.decode_answer();
                    continue;
                }
                Step::Send(transmit) => transmit,
            };
            *open = None;
            let attempt = transmit.attempt;
            match exchange::<R>(&*self.inner.transport, transmit, open).await {
                Ok(r) => task.handle_response(Instant::now(), &mut self.cluster(), attempt, r),
                Err(f) => task.handle_failure(Instant::now(), &mut self.cluster(), attempt, f),
            }
            task.decode_answer();
        }
    }

    /// The cluster; a panic elsewhere cannot leave it half-updated (the core changes it only
    /// in short synchronous steps), so poisoning is ignored.
    fn cluster(&self) -> MutexGuard<'_, Cluster> {
        self.inner
            .cluster
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<R: Runtime> Api for Client<R> {
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
