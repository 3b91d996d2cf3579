//!
//! An IO-free simulated etcd v2 backend for fast, deterministic tests of the core (and of
//! anything built on it): in addition to tests against a real etcd, never instead of them.
//!
//! * [`Store`] models etcd 3.4's v2 store: nodes, the global index, TTLs on a simulated clock,
//!   the 1000-event history and watches (reference §1–§3, §9).
//! * [`FakeCluster`] puts members with fault switches in front of one store and answers
//!   `http::Request`s like the real server ([`FakeEtcd`] is one member).
//! * [`Sim`] drives any [`crate::Task`] against the fake on simulated time.
//!
//! ```
//! use etcd_v2_proto::{call, GetOptions, Op};
//! use etcd_v2_proto::testing::Sim;
//!
//! let mut sim = Sim::new(3);
//! sim.run(Op::new(call::keys::set("/v2/keys", "/foo", "bar", &Default::default()).unwrap()))
//!     .unwrap();
//! let got = sim.run(Op::new(call::keys::get("/v2/keys", "/foo", GetOptions::default()).unwrap()));
//! assert_eq!(got.unwrap().node.unwrap().value.as_deref(), Some("bar"));
//! ```
//!
//! Not modelled: auth, stats, `/v2/machines`, member add/update/remove, redirects, streaming
//! watches, slow watchers being dropped, quorum loss (use `fail_with(500)` / `stalled`),
//! the Go mux's cleaning redirects for unclean paths; see each module for finer points.

mod fake_etcd;
mod sim;
mod store;
mod wire;

pub use fake_etcd::{
    CLUSTER_ID, CLUSTER_VERSION, FakeCluster, FakeEtcd, FakeMember, FakeReply, SERVER_VERSION,
};
pub use sim::{MAX_STEPS, Sim, SimRequest};
pub use store::{
    DEFAULT_FIRST_INDEX, Event, HISTORY, Store, StoreError, TtlOptions, WALL_EPOCH_UNIX, WatcherId,
    Watching, clean,
};
