//! The store's nodes: entries keyed by clean path, the TTL index, and how etcd shows a node
//!
//! The root `/` is implicit (never an entry). Listings are always in key order: etcd's
//! unsorted order is arbitrary, so sorted is one of its valid orders.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use std::time::Instant;

use crate::store::StoreError;
use etcd_v2_proto::ErrorCode;
use etcd_v2_proto::Node;
use etcd_v2_proto::Timestamp;
use etcd_v2_proto::clean_path;

/// Wall-clock time of a store's epoch unless set otherwise, for `expiration`
/// (2026-01-01T00:00:00Z).
pub const WALL_EPOCH_UNIX: i64 = 1_767_225_600;

/// A file or directory.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) created: u64,
    pub(crate) modified: u64,
    /// `None` for directories.
    pub(crate) value: Option<String>,
    pub(crate) expires: Option<Instant>,
}

impl Entry {
    pub(crate) fn new(
        created: u64,
        modified: u64,
        value: Option<String>,
        expires: Option<Instant>,
    ) -> Self {
        Self {
            created,
            modified,
            value,
            expires,
        }
    }

    pub(crate) fn is_dir(&self) -> bool {
        self.value.is_none()
    }

    /// The node of a delete or expiry event: key, indexes, `dir`, nothing else.
    pub(crate) fn bare(&self, key: &str, modified: u64) -> Node {
        Node {
            key: key.to_string(),
            dir: self.is_dir(),
            created_index: self.created,
            modified_index: modified,
            ..Node::default()
        }
    }
}

/// Every node but the root, and the TTL index.
#[derive(Debug)]
pub(crate) struct Tree {
    nodes: BTreeMap<String, Entry>,
    ttls: BTreeSet<(Instant, String)>,
    epoch: Instant,
    /// The wall-clock time of `epoch`, since the Unix epoch.
    wall_epoch: Duration,
}

impl Tree {
    pub(crate) fn new(epoch: Instant) -> Self {
        Self {
            nodes: BTreeMap::new(),
            ttls: BTreeSet::new(),
            epoch,
            wall_epoch: Duration::from_secs(WALL_EPOCH_UNIX.unsigned_abs()),
        }
    }

    /// Shows `epoch` as `wall` (time since the Unix epoch) in `expiration` fields.
    pub(crate) fn set_wall_epoch(&mut self, wall: Duration) {
        self.wall_epoch = wall;
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Entry> {
        self.nodes.get(key)
    }

    /// The earliest expiry and its key.
    pub(crate) fn first_expiry(&self) -> Option<&(Instant, String)> {
        self.ttls.first()
    }

    /// Inserts or replaces an entry, keeping the TTL index in step.
    pub(crate) fn put(&mut self, key: &str, entry: Entry) {
        if let Some(at) = entry.expires {
            self.ttls.insert((at, key.to_string()));
        }
        if let Some(Entry {
            expires: Some(at), ..
        }) = self.nodes.insert(key.to_string(), entry)
        {
            if self.nodes.get(key).and_then(|e| e.expires) != Some(at) {
                self.ttls.remove(&(at, key.to_string()));
            }
        }
    }

    /// Removes a node and everything below it.
    pub(crate) fn remove_tree(&mut self, key: &str) {
        let below = children_prefix(key);
        let doomed: Vec<String> = std::iter::once(key.to_string())
            .chain(self.descendants(&below).map(|(k, _)| k.clone()))
            .collect();
        for k in doomed {
            if let Some(Entry {
                expires: Some(at), ..
            }) = self.nodes.remove(&k)
            {
                self.ttls.remove(&(at, k));
            }
        }
    }

    /// Every entry whose key starts with `prefix`, in key order.
    fn descendants<'a>(
        &'a self,
        prefix: &str,
    ) -> impl Iterator<Item = (&'a String, &'a Entry)> + use<'a> {
        let prefix = prefix.to_string();
        self.nodes
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
    }

    /// Direct children of a directory, in key order.
    pub(crate) fn children<'a>(
        &'a self,
        dir: &str,
    ) -> impl Iterator<Item = (&'a String, &'a Entry)> + use<'a> {
        let prefix = children_prefix(dir);
        let len = prefix.len();
        self.descendants(&prefix)
            .filter(move |(k, _)| !k[len..].contains('/'))
    }

    /// Walks to `key` like Go's `internalGet` (`None` is the root): 100 at the first missing
    /// component, 104 at a file with components below it.
    pub(crate) fn resolve(&self, key: &str, index: u64) -> Result<Option<&Entry>, StoreError> {
        let mut found: Option<&Entry> = None;
        for prefix in ancestors_and_self(key) {
            if found.is_some_and(|e| !e.is_dir()) {
                return Err(StoreError::new(ErrorCode::NOT_DIR, parent(prefix), index));
            }
            let entry = self.nodes.get(prefix);
            found = Some(
                entry.ok_or_else(|| StoreError::new(ErrorCode::KEY_NOT_FOUND, prefix, index))?,
            );
        }
        Ok(found)
    }

    /// A node as etcd shows it (`entry == None` is the root); `list` adds a directory's
    /// visible (non-`_`) children, each listed further only if `recursive`.
    pub(crate) fn render(
        &self,
        key: &str,
        entry: Option<&Entry>,
        list: bool,
        recursive: bool,
        now: Instant,
    ) -> Node {
        let mut node = match entry {
            None => Node {
                dir: true,
                ..Node::default()
            },
            Some(e) => Node {
                value: e.value.clone(),
                ..e.bare(key, e.modified)
            },
        };
        if let Some(at) = entry.and_then(|e| e.expires) {
            node.expiration = self.wall(at);
            node.ttl = Some(ttl_seconds(at, now)).filter(|t| *t != 0);
        }
        if node.dir && list {
            node.nodes = self
                .children(key)
                .filter(|(k, _)| !last_segment(k).starts_with('_'))
                .map(|(k, e)| self.render(k, Some(e), recursive, recursive, now))
                .collect();
        }
        node
    }

    /// The node at `key` as a write answers it (no children).
    pub(crate) fn render_key(&self, key: &str, now: Instant) -> Node {
        self.render(key, self.get(key), false, false, now)
    }

    /// The wall-clock `expiration` of an instant.
    fn wall(&self, at: Instant) -> Option<Timestamp> {
        let d = self
            .wall_epoch
            .checked_add(at.saturating_duration_since(self.epoch))?;
        Timestamp::from_unix(i64::try_from(d.as_secs()).ok()?, d.subsec_nanos())
    }
}

/// etcd's `ttl`: the ceiling of the seconds left (truncated once past).
fn ttl_seconds(at: Instant, now: Instant) -> i64 {
    let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    if at >= now {
        let left = at - now;
        secs(left).saturating_add(i64::from(left.subsec_nanos() > 0))
    } else {
        -secs(now - at)
    }
}

/// A key as the store keys it: absolute and cleaned (`a//b/` → `/a/b`, `""` → `/`).
pub fn clean(key: &str) -> String {
    clean_path(&format!("/{key}"))
}

/// Strictly below `dir`.
pub(crate) fn is_below(key: &str, dir: &str) -> bool {
    key != dir && key.starts_with(&children_prefix(dir))
}

/// `dir/` (or `/` for the root): what every key below `dir` starts with.
pub(crate) fn children_prefix(dir: &str) -> String {
    if dir == "/" {
        dir.to_string()
    } else {
        format!("{dir}/")
    }
}

pub(crate) fn parent(key: &str) -> &str {
    match key.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &key[..i],
    }
}

fn last_segment(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or("")
}

/// `/a`, `/a/b`, `/a/b/c` for `/a/b/c`; nothing for the root.
pub(crate) fn ancestors_and_self(key: &str) -> impl Iterator<Item = &str> {
    let ends = key.match_indices('/').map(|(i, _)| i).skip(1);
    ends.chain((key != "/").then_some(key.len()))
        .map(move |end| &key[..end])
}
