//! # etcd-v2-proto: the sans-IO core of an etcd v2 client
//!
//! This crate turns etcd v2 API calls into [`http::Request`] values and answers
//! ([`http::Response`]s of a [`body::Body`]) into typed results, and holds every policy decision of the
//! client: endpoint pinning and failover, selection modes, redirects, header timeouts and
//! deadlines, cluster errors, "outcome unknown" for writes that must not be repeated, watch
//! indices, membership sync. It does no IO, starts no threads, takes no locks and never reads the clock or the OS's
//! entropy (seeds come in through [`Config::seed`]):
//! time comes in as a `now: Instant` argument.
//!
//! ## In scope
//! Keys (get, set, create, update, compare-and-swap/delete, in-order create, TTL/refresh,
//! directories, watches), members, auth (users, roles, enable), version, health, stats,
//! machines; sync/auto-sync; SRV discovery (record names, DNS query and answer bytes, URL building);
//! curl debug lines.
//!
//! ## Out of scope
//! Sockets, TLS, DNS lookups, sleeping: the runtime adapters (`etcd-v2-tokio`,
//! `etcd-v2-async-std`, `etcd-v2-blocking`) do those and nothing else.
//!
//! ## The run loop
//! Build a [`Call`] (see [`call`]; invalid input fails here), wrap it in an [`Op`] (or use a
//! [`Watch`], [`EndpointSync`], [`AutoSync`]; all are [`Task`]s), then drain it:
//! `poll(now, &mut cluster)` returns a [`Step`]: `Send(Transmit)` (perform the exchange and
//! report with `handle_response`/`handle_failure`, then call `decode_answer` with the cluster
//! lock released), `Wait(instant)` (sleep, then poll again) or `Done(result)`. See [`Task`]
//! for the exact contract and [`Op`] for the state diagram; the runtime crates hold the loop
//! (`docs/adapter-contract.md`).
//!
//! ## Errors
//! One [`Error`] enum, typed by who is at fault: usage (nothing sent), etcd / API answers,
//! protocol violations, [`ClusterError`] (every endpoint failed, each failure kept), and
//! [`Error::OutcomeUnknown`] for a write that may have been applied (writes are sent at most
//! once by default: [`WriteRetry`]).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

// Most of the core is written against `core` + `alloc`; it needs `std` for `Instant` and the
// `http` crate, so it is a `std` crate.
extern crate alloc;

mod api;
pub mod call;
mod discovery;
mod error;
mod machines;
mod model;
#[cfg(feature = "tracing")]
pub mod trace;
mod wire;

pub use api::Api;
pub use call::{Call, Idempotency, WriteRetry};
pub use discovery::{dns, srv};
pub use error::MAX_SHOWN_CHARS;
pub use error::{
    ApiError, AttemptFailure, ClusterError, Error, EtcdError, OutcomeUnknown, ProtocolError,
    TransportFailure, UsageError,
};
pub use machines::cluster::Cluster;
pub use machines::config::{Config, SelectionMode};
pub use machines::op::Op;
pub use machines::redirect::{CheckRedirect, RedirectInfo, RedirectRefusal};
pub use machines::rng::Rng;
pub use machines::sync::{AutoSync, EndpointSync};
pub use machines::task::{AttemptId, Step, Task, Transmit};
pub use machines::watch::Watch;
pub use model::code::ErrorCode;
pub use model::options::{
    CreateInOrderOptions, DEFAULT_MAX_POLL_AGE, DeleteOptions, GetOptions, PrevExist, ResumePolicy,
    SetOptions, WatchOptions,
};
pub use model::timestamp::{Timestamp, TimestampError};
pub use model::{
    Action, ClientPair, CountStats, Credentials, FollowerStats, Health, KeysResponse,
    KvPermissions, LatencyStats, LeaderInfo, LeaderStats, Member, Node, PermissionType,
    Permissions, Role, SelfStats, StoreStats, TlsPem, User, Version, WatchPoll,
};
pub use wire::body;
pub use wire::decode::{CLUSTER_ID, ETCD_INDEX, RAFT_INDEX, RAFT_TERM};
pub use wire::encode::{clean_path, unescape_path};
pub use wire::endpoint::Endpoint;
pub use wire::keys_json::{MAX_DECODED_BYTES, MAX_NODE_DEPTH};

/// The names a program using a runtime crate needs, re-exported by each of them
/// (`etcd_v2_tokio::Config`, …).
pub mod client_api {
    pub use crate::{
        Action, Api, ApiError, AttemptFailure, ClusterError, Config, CreateInOrderOptions,
        Credentials, DeleteOptions, Error, ErrorCode, EtcdError, GetOptions, Health, Idempotency,
        KeysResponse, LeaderStats, Member, Node, PermissionType, PrevExist, ProtocolError,
        ResumePolicy, Role, SelectionMode, SelfStats, SetOptions, StoreStats, TlsPem,
        TransportFailure, UsageError, User, Version, WatchOptions,
    };
}

/// Decodes a keys answer outside of an [`Op`] (for tests, fuzzing and custom drivers).
///
/// # Errors
/// The etcd error the answer carries, or a protocol error (also for nodes nested deeper than
/// [`MAX_NODE_DEPTH`] or costing more than 4 × the body once decoded: see
/// [`MAX_DECODED_BYTES`]).
///
/// ```
/// let answer = http::Response::new(r#"{"action":"get","node":{"key":"/a","value":"1"}}"#);
/// let decoded = etcd_v2_proto::decode_keys_response(answer).unwrap();
/// assert_eq!(decoded.node.unwrap().value.as_deref(), Some("1"));
/// ```
pub fn decode_keys_response<B: Into<body::Body>>(
    response: http::Response<B>,
) -> Result<KeysResponse, Error> {
    wire::decode::keys_response(response.map(Into::into))
}
