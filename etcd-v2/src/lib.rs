//! # etcd-v2: an etcd v2 client for Rust
//!
//! Pick the runtime by cargo feature; each adds a module with the same names:
//!
//! | feature | module | calls return | a watcher is |
//! | --- | --- | --- | --- |
//! | `tokio` | `tokio` | futures | a `Stream` |
//! | `async-std` | `async_std` | futures | a `Stream` |
//! | `blocking` | `blocking` | results | an `Iterator` |
//!
//! A watcher long-polls once per event by default; [`WatchOptions::stream`] (`stream(true)`)
//! reads etcd's `stream=true` answer instead, one open request for many events, with the same
//! guarantees (each event once, in order, resumed from the next index when it breaks).
//!
//! Features add up: enabling one never changes another. `tls` adds `https://` endpoints and
//! `srv` DNS SRV discovery to every runtime enabled. The types shared by all runtimes
//! (config, options, errors, answers) are at the root.
//!
//! ```no_run
//! # #[cfg(feature = "blocking")]
//! # fn main() -> Result<(), etcd_v2::Error> {
//! use etcd_v2::{Config, GetOptions, SetOptions, blocking::Client};
//!
//! let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
//! client.set("/foo", "bar", SetOptions::default())?;
//! let node = client.get("/foo", GetOptions::default())?.node;
//! println!("{:?}", node.and_then(|n| n.value));
//! # Ok(()) }
//! # #[cfg(not(feature = "blocking"))]
//! # fn main() {}
//! ```
//!
//! The runtime crates (`etcd-v2-tokio`, `etcd-v2-async-std`, `etcd-v2-blocking`) stay usable
//! alone; the sans-IO core is `etcd-v2-proto`, re-exported as [`proto`].

pub use etcd_v2_proto as proto;
pub use etcd_v2_proto::client_api::*;

/// The client on tokio (feature `tokio`): see [`etcd_v2_tokio`].
#[cfg(feature = "tokio")]
pub mod tokio {
    pub use etcd_v2_tokio::*;
}

/// The client on async-std (feature `async-std`): see [`etcd_v2_async_std`].
#[cfg(feature = "async-std")]
pub mod async_std {
    pub use etcd_v2_async_std::*;
}

/// The blocking client (feature `blocking`): see [`etcd_v2_blocking`].
#[cfg(feature = "blocking")]
pub mod blocking {
    pub use etcd_v2_blocking::*;
}
