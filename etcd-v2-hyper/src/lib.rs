//! # etcd-v2-hyper: the async etcd v2 client, written once for every runtime
//!
//! [`Client`] drives the sans-IO core [`etcd_v2_proto`] over hyper-util's pooled HTTP/1 client
//! (keep-alive, connect timeouts, Happy Eyeballs where the connector does it). A runtime crate
//! (`etcd-v2-tokio`, `etcd-v2-async-std`) supplies only what differs between runtimes, as a
//! [`Runtime`]: a timer, a task spawner, a TCP/TLS connector and UDP sockets for SRV discovery.
//!
//! What this crate does on top of hyper: it reads the clock and hands the core's requests to a
//! [`Transport`], bounds each exchange by the core's header deadline and deadline, caps the
//! body at the core's limit, and sleeps when the core says so. Every decision (retries,
//! failover, redirects, outcome-unknown writes, watch indices) is the core's.

mod client;
mod exchange;
mod runtime;
#[cfg(feature = "srv")]
mod srv;
#[cfg(feature = "tls")]
mod tls;
mod tls_failure;
mod transport;
mod watcher;

pub use client::{Client, Pending};
pub use runtime::{Datagrams, Runtime, Spawned};
pub use transport::{HyperTransport, ResponseBody, Sending, Transport, full_body};
pub use watcher::Watcher;
