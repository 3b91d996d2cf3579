//! # etcd-v2-async-std: an etcd v2 client for async-std
//!
//! The shared async client ([`etcd_v2_hyper`]) on async-std: hyper-util's pooled HTTP/1
//! client over async-std sockets, async-io's timer for deadlines and waits (so it also runs
//! under `smol`). Every policy (failover, redirects, timeouts, outcome-unknown writes, watch
//! indices) is the core's ([`etcd_v2_proto`]).
//!
//! ```no_run
//! use etcd_v2_async_std::{Client, Config, GetOptions, SetOptions};
//!
//! async_std::task::block_on(async {
//!     let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
//!     client.set("/foo", "bar", SetOptions::default()).await?;
//!     let resp = client.get("/foo", GetOptions::default()).await?;
//!     println!("{:?}", resp.node.and_then(|n| n.value));
//!     Ok::<(), etcd_v2_async_std::Error>(())
//! })?;
//! # Ok::<(), etcd_v2_async_std::Error>(())
//! ```
//!
//! **Cancellation** is dropping the future. Dropping the future of a write that was already
//! sent leaves its outcome unknown; prefer [`Client::with_timeout`], which lets the core
//! classify the end ([`Error::DeadlineExceeded`] or [`Error::OutcomeUnknown`]).

mod connector;
mod io;
mod runtime;

pub use connector::{Conn, Connector, Stream};
pub use etcd_v2_hyper::{Pending, ResponseBody, Sending, Transport, full_body};
pub use etcd_v2_proto as proto;
pub use etcd_v2_proto::client_api::*;
pub use io::Io;
pub use runtime::{AsyncStd, Sleep, Udp};

/// An etcd v2 client on async-std; cheap to clone, safe to share between tasks.
pub type Client = etcd_v2_hyper::Client<AsyncStd>;

/// A watch as a `Stream` of events (see [`etcd_v2_hyper::Watcher`]).
pub type Watcher = etcd_v2_hyper::Watcher<AsyncStd>;

/// The default transport: hyper-util's pooled client on async-std.
pub type HyperTransport = etcd_v2_hyper::HyperTransport<AsyncStd>;
