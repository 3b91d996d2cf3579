//! The data etcd v2 carries: nodes, responses, members, users, roles, versions
//!
//! Plain data with serde; only `core`, `alloc` and serde are used here.

pub(crate) mod code;
mod credentials;
pub(crate) mod options;
mod stats;
pub(crate) mod timestamp;
mod tls_pem;

pub use credentials::Credentials;
pub use stats::{
    CountStats, FollowerStats, LatencyStats, LeaderInfo, LeaderStats, SelfStats, StoreStats,
};
pub use tls_pem::{ClientPair, TlsPem};

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::timestamp::Timestamp;

/// One key or directory (Go: `client.Node`).
///
/// Decoding follows Go: unknown fields are ignored, `null` and missing fields are zero values,
/// and anything but a JSON object is refused (serde alone would take an array).
///
/// `Debug`, `Clone`, `==`, `Serialize` and `Drop` recurse into [`nodes`](Self::nodes), one
/// call per level. A keys answer is refused ([`crate::ProtocolError::NestedTooDeep`]) if its
/// nodes nest deeper than [`crate::MAX_NODE_DEPTH`] (256) levels, where each of them fits a
/// 2 MiB thread stack with a wide margin, even in a debug build. A tree built by hand has no
/// such limit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Node {
    /// Full key path, e.g. `/foo/bar`; empty for the root directory.
    #[serde(default, deserialize_with = "null_as_default")]
    pub key: String,
    /// True for directories.
    #[serde(
        default,
        skip_serializing_if = "core::ops::Not::not",
        deserialize_with = "null_as_default"
    )]
    pub dir: bool,
    /// The value; `None` for directories and deleted or expired nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Children of a directory (only in listings; hidden `_keys` are left out by etcd).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    #[allow(clippy::use_self)] // the derive's generated code would read `Self` as its own type
    pub nodes: Vec<Node>,
    /// Index of the write that created the node.
    #[serde(default, deserialize_with = "null_as_default")]
    pub created_index: u64,
    /// Index of the last write to the node.
    #[serde(default, deserialize_with = "null_as_default")]
    pub modified_index: u64,
    /// When the node expires, if it has a TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Timestamp>,
    /// Seconds left to live when the response was made (ceiling), if the node has a TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
}

impl Serialize for Node {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Self::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(NodeObject)
    }
}

/// Accepts only a JSON object, then decodes it with the derived decoder.
struct NodeObject;

impl<'de> serde::de::Visitor<'de> for NodeObject {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Node, A::Error> {
        Node::deserialize(serde::de::value::MapAccessDeserializer::new(map))
    }
}

impl Node {
    /// The remaining TTL as a duration (Go: `TTLDuration`); zero when the node has none.
    pub fn ttl_duration(&self) -> Duration {
        Duration::from_secs(self.ttl.unwrap_or(0).max(0).unsigned_abs())
    }

    /// The value, or `""` for nodes without one.
    pub fn value_str(&self) -> &str {
        self.value.as_deref().unwrap_or("")
    }
}

impl fmt::Display for Node {
    /// Go's `Node.String()`: `{Key: /foo, CreatedIndex: 1, ModifiedIndex: 2, TTL: 0}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{Key: {}, CreatedIndex: {}, ModifiedIndex: {}, TTL: {}}}",
            self.key,
            self.created_index,
            self.modified_index,
            self.ttl.unwrap_or(0)
        )
    }
}

/// What a keys operation or watch event did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// A read.
    Get,
    /// An unconditional write.
    Set,
    /// A write that required the key not to exist.
    Create,
    /// A write that required the key to exist.
    Update,
    /// A removal.
    Delete,
    /// A conditional write on prev value / prev index.
    CompareAndSwap,
    /// A conditional removal.
    CompareAndDelete,
    /// A TTL ran out.
    Expire,
    /// Not sent by etcd: a watch with [`ResumePolicy::Resync`](crate::ResumePolicy::Resync)
    /// found the history cleared and re-read the watched key (recursively if it watches a
    /// directory). `node` is the state as of `index` (`None`: no such key then); the events
    /// after `index` follow.
    Resync,
    /// An action this client does not know.
    Other(String),
}

impl Action {
    /// The wire name, e.g. `compareAndSwap`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Get => "get",
            Self::Set => "set",
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::CompareAndSwap => "compareAndSwap",
            Self::CompareAndDelete => "compareAndDelete",
            Self::Expire => "expire",
            Self::Resync => "resync",
            Self::Other(s) => s,
        }
    }

    pub(crate) fn from_wire(s: &str) -> Self {
        match s {
            "get" => Self::Get,
            "set" => Self::Set,
            "create" => Self::Create,
            "update" => Self::Update,
            "delete" => Self::Delete,
            "compareAndSwap" => Self::CompareAndSwap,
            "compareAndDelete" => Self::CompareAndDelete,
            "expire" => Self::Expire,
            other => Self::Other(other.into()),
        }
    }
}

impl Default for Action {
    fn default() -> Self {
        Self::Other(String::new())
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <alloc::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Self::from_wire(&s))
    }
}

/// The answer to a keys operation or one watch event (Go: `client.Response`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeysResponse {
    /// What happened.
    #[serde(default, deserialize_with = "null_as_default")]
    pub action: Action,
    /// The node after the operation (`None` with `no_value_on_success`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<Node>,
    /// The node before the operation, for writes that replaced or removed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_node: Option<Node>,
    /// `X-Etcd-Index`: the etcd index of the answer (for watches: when the watch was registered).
    #[serde(skip)]
    pub index: u64,
    /// `X-Etcd-Cluster-Id`, if sent.
    #[serde(skip)]
    pub cluster_id: Option<String>,
    /// `X-Raft-Index`, if sent.
    #[serde(skip)]
    pub raft_index: Option<u64>,
    /// `X-Raft-Term`, if sent.
    #[serde(skip)]
    pub raft_term: Option<u64>,
}

/// A cluster member (Go: `client.Member`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// Hex member id, e.g. `886b03c4ae679a15`.
    #[serde(default)]
    pub id: String,
    /// Human-readable name; empty until the member has started.
    #[serde(default)]
    pub name: String,
    /// URLs the member uses for raft traffic.
    #[serde(rename = "peerURLs", default, deserialize_with = "null_as_empty")]
    pub peer_urls: Vec<String>,
    /// URLs the member serves the client API on; empty until it has started.
    #[serde(rename = "clientURLs", default, deserialize_with = "null_as_empty")]
    pub client_urls: Vec<String>,
}

/// Server and cluster versions from `/version` (Go: `version.Versions`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Version {
    /// The member's etcd version, e.g. `3.4.23`.
    #[serde(rename = "etcdserver", default)]
    pub server: String,
    /// The cluster's agreed version, e.g. `3.4.0` (`not_decided` early on).
    #[serde(rename = "etcdcluster", default)]
    pub cluster: String,
}

/// The answer of `/health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    /// True iff the member reported `"health":"true"`.
    pub healthy: bool,
}

/// An auth user (Go: `client.User`); the password is never kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct User {
    /// User name.
    pub user: String,
    /// Names of the roles granted to the user.
    pub roles: Vec<String>,
}

/// Which permission list a grant or revoke touches (Go: `PermissionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermissionType {
    /// Read access.
    Read,
    /// Write access.
    Write,
    /// Both.
    ReadWrite,
}

/// Key-prefix permissions of a role.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KvPermissions {
    /// Readable key patterns (exact keys or prefixes ending in `*`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub read: Vec<String>,
    /// Writable key patterns.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub write: Vec<String>,
}

/// The permissions of a role.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Permissions {
    /// Permissions on the keys store.
    #[serde(default)]
    pub kv: KvPermissions,
}

/// An auth role (Go: `client.Role`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Role {
    /// Role name.
    #[serde(default)]
    pub role: String,
    /// Its permissions.
    #[serde(default)]
    pub permissions: Permissions,
}

pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// `null` or missing is the zero value, as Go decodes it.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The answer to one long poll (or to a watch's look at its key between polls).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // one per long poll
#[non_exhaustive]
pub enum WatchPoll {
    /// An event.
    Event(KeysResponse),
    /// The poll ended without an event (proxy timeout, server shutdown, slow watcher dropped).
    Empty {
        /// `X-Etcd-Index` of the answer, if sent: the index when the poll was registered.
        index: Option<u64>,
    },
    /// A fresh read of the watched key (recursive for a directory) after the history was
    /// cleared: its action is [`Action::Resync`].
    Snapshot(KeysResponse),
    /// A plain read of the watched key: it was last modified at `modified` and nothing changed
    /// it up to `index` (the answer's `X-Etcd-Index`).
    Unchanged {
        /// The key's `modifiedIndex`.
        modified: u64,
        /// `X-Etcd-Index` of the answer.
        index: u64,
    },
}
