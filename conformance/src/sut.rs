//! The system under test: one etcd v2 client of any adapter behind one blocking surface.
//!
//! [`Sut`] implements [`Api`] with `Output = Result<T, Error>` for all three adapters, so a
//! scenario is written once: the blocking client is called directly, the tokio client through
//! `Runtime::block_on`, the async-std client through `async_std::task::block_on`.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use etcd_v2_proto::{Api, Call, Config, Error, KeysResponse, WatchOptions};

/// How long [`SutWatcher::next`] waits for an event before failing the scenario.
pub const WATCH_BOUND: Duration = Duration::from_secs(15);

/// The adapter crates, one per runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Adapter {
    /// `etcd-v2-blocking` (ureq).
    Blocking,
    /// `etcd-v2-tokio` (hyper on a tokio runtime).
    Tokio,
    /// `etcd-v2-async-std` (hyper on async-std).
    AsyncStd,
}

impl Adapter {
    /// Every adapter, in report order.
    pub const ALL: [Self; 3] = [Self::Blocking, Self::Tokio, Self::AsyncStd];

    /// The name used in trial names and key prefixes: `blocking`, `tokio`, `async_std`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Blocking => "blocking",
            Self::Tokio => "tokio",
            Self::AsyncStd => "async_std",
        }
    }

    /// This adapter's SRV discovery (`discover_srv_with`): the client URLs advertised under
    /// `domain`, asked from `nameservers` in order, `timeout` each.
    ///
    /// # Errors
    /// [`Error::Discovery`] when both lookups fail.
    pub fn discover_srv_with(
        self,
        nameservers: &[SocketAddr],
        domain: &str,
        service_name: Option<&str>,
        timeout: Duration,
    ) -> Result<Vec<String>, Error> {
        let (servers, name) = (nameservers, service_name);
        match self {
            Self::Blocking => etcd_v2::blocking::discover_srv_with(servers, domain, name, timeout),
            Self::Tokio => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("building a tokio runtime")
                .block_on(etcd_v2::tokio::Client::discover_srv_with(
                    servers, domain, name, timeout,
                )),
            Self::AsyncStd => async_std::task::block_on(
                etcd_v2::async_std::Client::discover_srv_with(servers, domain, name, timeout),
            ),
        }
    }
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A client of one adapter, driven synchronously.
pub enum Sut {
    /// The blocking client, called directly.
    Blocking(etcd_v2::blocking::Client),
    /// The tokio client and the runtime its futures are blocked on (shared with
    /// [`Sut::with_timeout`] handles, whose pooled connections live on it).
    Tokio(Arc<tokio::runtime::Runtime>, etcd_v2::tokio::Client),
    /// The async-std client, blocked on with `async_std::task::block_on`.
    AsyncStd(etcd_v2::async_std::Client),
}

impl fmt::Debug for Sut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sut")
            .field("adapter", &self.adapter())
            .field("endpoints", &self.endpoints())
            .finish()
    }
}

impl Sut {
    /// A client of `kind` over `config` (with a fresh multi-threaded runtime for tokio).
    ///
    /// # Errors
    /// The adapter's `Client::new` error (no endpoints, invalid URL).
    pub fn new(kind: Adapter, config: Config) -> Result<Self, Error> {
        Ok(match kind {
            Adapter::Blocking => Self::Blocking(etcd_v2::blocking::Client::new(config)?),
            Adapter::Tokio => {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .expect("building a tokio runtime");
                Self::Tokio(Arc::new(rt), etcd_v2::tokio::Client::new(config)?)
            }
            Adapter::AsyncStd => Self::AsyncStd(etcd_v2::async_std::Client::new(config)?),
        })
    }

    /// Which adapter this is.
    pub fn adapter(&self) -> Adapter {
        match self {
            Self::Blocking(_) => Adapter::Blocking,
            Self::Tokio(..) => Adapter::Tokio,
            Self::AsyncStd(_) => Adapter::AsyncStd,
        }
    }

    /// A handle on the same client whose every call must end within `timeout`.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        match self {
            Self::Blocking(c) => Self::Blocking(c.with_timeout(timeout)),
            Self::Tokio(rt, c) => Self::Tokio(Arc::clone(rt), c.with_timeout(timeout)),
            Self::AsyncStd(c) => Self::AsyncStd(c.with_timeout(timeout)),
        }
    }

    /// The endpoints in the order they are tried (Go: `Endpoints()`).
    pub fn endpoints(&self) -> Vec<String> {
        match self {
            Self::Blocking(c) => c.endpoints(),
            Self::Tokio(_, c) => c.endpoints(),
            Self::AsyncStd(c) => c.endpoints(),
        }
    }

    /// The endpoint the next call tries first.
    pub fn pinned_endpoint(&self) -> Option<String> {
        match self {
            Self::Blocking(c) => c.pinned_endpoint(),
            Self::Tokio(_, c) => c.pinned_endpoint(),
            Self::AsyncStd(c) => c.pinned_endpoint(),
        }
    }

    /// Replaces the endpoints (Go: `SetEndpoints()`).
    ///
    /// # Errors
    /// An empty or invalid list.
    pub fn set_endpoints(&self, endpoints: &[&str]) -> Result<(), Error> {
        match self {
            Self::Blocking(c) => c.set_endpoints(endpoints),
            Self::Tokio(_, c) => c.set_endpoints(endpoints),
            Self::AsyncStd(c) => c.set_endpoints(endpoints),
        }
    }

    /// Refreshes the endpoints from the member list (Go: `Sync`).
    ///
    /// # Errors
    /// Whatever the sync ends with.
    pub fn sync(&self) -> Result<(), Error> {
        match self {
            Self::Blocking(c) => c.sync(),
            Self::Tokio(rt, c) => rt.block_on(c.sync()),
            Self::AsyncStd(c) => async_std::task::block_on(c.sync()),
        }
    }

    /// A watcher of `key` (Go: `KeysAPI.Watcher`).
    ///
    /// # Errors
    /// A usage error for a key that escapes the keys prefix.
    pub fn watch(&self, key: &str, opts: WatchOptions) -> Result<SutWatcher, Error> {
        Ok(match self {
            Self::Blocking(c) => {
                SutWatcher::Blocking(BlockingWatcher::spawn(c.watcher(key, opts)?))
            }
            Self::Tokio(rt, c) => SutWatcher::Tokio(Arc::clone(rt), c.watcher(key, opts)?),
            Self::AsyncStd(c) => SutWatcher::AsyncStd(c.watcher(key, opts)?),
        })
    }
}

impl Api for Sut {
    type Output<'a, T: Send + 'static> = Result<T, Error>;

    fn execute<T: Send + 'static>(&self, call: Result<Call<T>, Error>) -> Result<T, Error> {
        match self {
            Self::Blocking(c) => c.execute(call),
            Self::Tokio(rt, c) => rt.block_on(c.execute(call)),
            Self::AsyncStd(c) => async_std::task::block_on(c.execute(call)),
        }
    }

    fn keys_prefix(&self) -> &str {
        match self {
            Self::Blocking(c) => c.keys_prefix(),
            Self::Tokio(_, c) => c.keys_prefix(),
            Self::AsyncStd(c) => c.keys_prefix(),
        }
    }
}

/// A watcher of any adapter, with bounded blocking waits.
pub enum SutWatcher {
    /// The blocking iterator, run on a helper thread so a wait can be bounded.
    Blocking(BlockingWatcher),
    /// The tokio watcher and the runtime it runs on.
    Tokio(Arc<tokio::runtime::Runtime>, etcd_v2::tokio::Watcher),
    /// The async-std watcher.
    AsyncStd(etcd_v2::async_std::Watcher),
}

impl fmt::Debug for SutWatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SutWatcher").finish_non_exhaustive()
    }
}

impl SutWatcher {
    /// The next event, waiting at most [`WATCH_BOUND`].
    ///
    /// # Errors
    /// The adapter's error for this poll.
    ///
    /// # Panics
    /// If nothing arrives within [`WATCH_BOUND`] (the scenario fails instead of hanging).
    #[expect(
        clippy::should_implement_trait,
        reason = "the adapters' name; it panics on timeout, so not an Iterator"
    )]
    pub fn next(&mut self) -> Result<KeysResponse, Error> {
        self.next_within(WATCH_BOUND)
            .unwrap_or_else(|| panic!("the watcher returned nothing within {WATCH_BOUND:?}"))
    }

    /// The next event, or `None` if nothing arrived within `bound` (the poll stays in flight
    /// and the next call picks it up).
    pub fn next_within(&mut self, bound: Duration) -> Option<Result<KeysResponse, Error>> {
        match self {
            Self::Blocking(w) => w.next_within(bound),
            // The timer must be created inside the runtime.
            Self::Tokio(rt, w) => rt
                .block_on(async { tokio::time::timeout(bound, next_event(w)).await })
                .ok(),
            Self::AsyncStd(w) => {
                let next = async_std::future::timeout(bound, next_event(w));
                async_std::task::block_on(next).ok()
            }
        }
    }

    /// The `waitIndex` the next poll sends.
    pub fn wait_index(&mut self) -> u64 {
        match self {
            Self::Blocking(w) => w.wait_index(),
            Self::Tokio(_, w) => w.wait_index(),
            Self::AsyncStd(w) => w.wait_index(),
        }
    }

    /// Continues from `index + 1`.
    pub fn resume_after(&mut self, index: u64) {
        match self {
            Self::Blocking(w) => w.resume_after(index),
            Self::Tokio(_, w) => w.resume_after(index),
            Self::AsyncStd(w) => w.resume_after(index),
        }
    }
}

enum Command {
    Next,
    WaitIndex(Sender<u64>),
    Resume(u64),
}

/// A blocking [`etcd_v2::blocking::Watcher`] owned by a helper thread.
///
/// The blocking iterator cannot be interrupted, so it runs on its own thread and answers
/// commands in order; a wait that times out leaves the thread blocked in its poll, whose event
/// the next [`SutWatcher::next_within`] receives.
pub struct BlockingWatcher {
    commands: Sender<Command>,
    events: Receiver<Result<KeysResponse, Error>>,
    /// `Next` commands sent whose answer has not been received yet.
    outstanding: usize,
}

impl BlockingWatcher {
    fn spawn(mut watcher: etcd_v2::blocking::Watcher) -> Self {
        let (commands, rx) = mpsc::channel::<Command>();
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for command in rx {
                match command {
                    Command::Next => {
                        let event = watcher.next().expect("the blocking watcher never ends");
                        if tx.send(event).is_err() {
                            return;
                        }
                    }
                    Command::WaitIndex(reply) => {
                        let _ = reply.send(watcher.wait_index());
                    }
                    Command::Resume(index) => watcher.resume_after(index),
                }
            }
        });
        Self {
            commands,
            events,
            outstanding: 0,
        }
    }

    fn next_within(&mut self, bound: Duration) -> Option<Result<KeysResponse, Error>> {
        if self.outstanding == 0 {
            self.commands.send(Command::Next).ok()?;
            self.outstanding += 1;
        }
        match self.events.recv_timeout(bound) {
            Ok(event) => {
                self.outstanding -= 1;
                Some(event)
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!("the blocking watcher thread died"),
        }
    }

    fn wait_index(&mut self) -> u64 {
        let (tx, rx) = mpsc::channel();
        self.commands
            .send(Command::WaitIndex(tx))
            .expect("watcher thread alive");
        rx.recv_timeout(WATCH_BOUND)
            .expect("the watcher thread is stuck in a poll")
    }

    fn resume_after(&mut self, index: u64) {
        assert_eq!(
            self.outstanding, 0,
            "resume_after while a blocking poll is in flight"
        );
        let _ = self.commands.send(Command::Resume(index));
    }
}

/// The next item of an async watcher: a `Stream` that never ends by itself.
pub async fn next_event<W>(watcher: &mut W) -> Result<KeysResponse, Error>
where
    W: futures_core::Stream<Item = Result<KeysResponse, Error>> + Unpin,
{
    let next = std::future::poll_fn(|cx| std::pin::Pin::new(&mut *watcher).poll_next(cx));
    next.await.expect("an async watcher never ends")
}
