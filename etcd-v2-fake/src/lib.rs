//! # etcd-v2-fake: an in-memory fake etcd v2 cluster, for tests
//!
//! A model of etcd 3.4's v2 API for fast tests of the client: in addition to tests against a
//! real etcd, never instead of them. Not published, not a stable API.
//!
//! * [`Store`] models the v2 store: nodes, the global index, TTLs on a clock the caller
//!   passes in, the 1000-event history and watches.
//! * [`FakeCluster`] puts members with fault switches in front of one store and answers
//!   `http::Request`s like the real server ([`FakeEtcd`] is one member).
//! * [`Sim`] drives any [`etcd_v2_proto::Task`] against the fake on simulated time.
//! * [`FakeServer`] serves a fake cluster over HTTP/1.1 on loopback, on real time, for the
//!   runtime adapters.
//! * [`dns`] answers SRV queries from a fixed zone.
//!
//! ```
//! use etcd_v2_proto::{call, GetOptions, Op};
//! use etcd_v2_fake::Sim;
//!
//! let mut sim = Sim::new(3);
//! sim.run(Op::new(call::keys::set("/v2/keys", "/foo", "bar", &Default::default()).unwrap()))
//!     .unwrap();
//! let got = sim.run(Op::new(call::keys::get("/v2/keys", "/foo", GetOptions::default()).unwrap()));
//! assert_eq!(got.unwrap().node.unwrap().value.as_deref(), Some("bar"));
//! ```
//!
//! Not modelled: replication (every member reads and writes the one store at once: no stale
//! follower reads, no lag), elections and term changes (only the `leader` switch), auth, stats,
//! `/v2/machines`, member add/update/remove, redirects, streaming watches (a `stream=true`
//! watch is answered as a poll: one event, then the answer ends), slow watchers being
//! dropped, a watch broken by a fault switched on while it waits, quorum loss (approximate it
//! with `fail_with: Some(500)` or `stalled`), the Go mux's redirects for unclean paths, and
//! per-request expiry jitter (a key expires exactly at its expiration). See each module for
//! finer points.

pub mod dns;
pub mod fake_etcd;
pub mod history;
mod server;
pub mod sim;
pub mod store;
pub mod tree;
mod wire;

pub use fake_etcd::{
    CLUSTER_ID, CLUSTER_VERSION, FakeCluster, FakeEtcd, FakeMember, FakeReply, SERVER_VERSION,
};
pub use history::{Event, HISTORY, WatcherId, Watching};
pub use server::FakeServer;
pub use sim::{MAX_STEPS, Sim, SimRequest};
pub use store::{DEFAULT_FIRST_INDEX, Store, StoreError, TtlOptions};
pub use tree::{WALL_EPOCH_UNIX, clean};
