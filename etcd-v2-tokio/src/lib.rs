//! # etcd-v2-tokio: an etcd v2 client for tokio
//!
//! The shared async client ([`etcd_v2_hyper`]) on tokio: hyper-util's pooled HTTP/1 client
//! over tokio's sockets, tokio's timer for deadlines and waits. Every policy (failover,
//! redirects, timeouts, outcome-unknown writes, watch indices) is the core's
//! ([`etcd_v2_proto`]).
//!
//! ```no_run
//! use etcd_v2_tokio::{Client, Config, GetOptions, SetOptions};
//!
//! # async fn quickstart() -> Result<(), etcd_v2_tokio::Error> {
//! let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
//! client.set("/foo", "bar", SetOptions::default()).await?;
//! let resp = client.get("/foo", GetOptions::default()).await?;
//! assert_eq!(resp.node.and_then(|n| n.value).as_deref(), Some("bar"));
//! # Ok(()) }
//! ```
//!
//! **The runtime needs its IO and time drivers** (see [`Tokio`]).
//!
//! **Cancellation** is dropping the future (e.g. in `tokio::select!` or `tokio::time::timeout`).
//! Dropping the future of a write that was already sent leaves its outcome unknown: it may or
//! may not have been applied. Prefer [`Client::with_timeout`], which lets the core classify the
//! end ([`Error::DeadlineExceeded`] or [`Error::OutcomeUnknown`]).

mod runtime;

pub use etcd_v2_hyper::{Pending, ResponseBody, Sending, Transport, full_body};
pub use etcd_v2_proto as proto;
pub use etcd_v2_proto::client_api::*;
pub use runtime::{Connector, Tokio, Udp};

/// An etcd v2 client on tokio; cheap to clone, safe to share between tasks.
pub type Client = etcd_v2_hyper::Client<Tokio>;

/// A watch as a `Stream` of events (see [`etcd_v2_hyper::Watcher`]).
pub type Watcher = etcd_v2_hyper::Watcher<Tokio>;

/// The default transport: hyper-util's pooled client on tokio.
pub type HyperTransport = etcd_v2_hyper::HyperTransport<Tokio>;
