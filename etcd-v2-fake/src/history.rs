//! Store events, the last [`HISTORY`] of them, and the watches waiting on them
//!
//! A watch first looks for a matching event from its `since` index in the history (error 401
//! if that index was already dropped), else waits for the next matching write. One rule
//! decides a match in both cases (etcd's history scan differs slightly: it tests ancestor
//! deletes with a plain string prefix and does not skip hidden keys).

use std::collections::{BTreeMap, VecDeque};

use crate::store::StoreError;
use crate::tree::{children_prefix, is_below};
use etcd_v2_proto::ErrorCode;
use etcd_v2_proto::{Action, Node};

/// Events kept for watches, like etcd.
pub const HISTORY: usize = 1000;

/// One store event: the answer to a read or write, or what a watch delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub action: Action,
    /// The node after the operation (no value for deletes and expiries).
    pub node: Node,
    /// The node before a write that replaced or removed one.
    pub prev_node: Option<Node>,
    /// A TTL refresh: kept in the history but never delivered to watches.
    pub refresh: bool,
    /// `X-Etcd-Index`: the store index after the write, or when the watch was registered.
    pub etcd_index: u64,
}

impl Event {
    /// An event that is not a refresh.
    pub fn new(action: Action, node: Node, prev_node: Option<Node>, etcd_index: u64) -> Self {
        Self {
            action,
            node,
            prev_node,
            refresh: false,
            etcd_index,
        }
    }

    /// The event's index (its node's modified index).
    pub fn index(&self) -> u64 {
        self.node.modified_index
    }

    /// Answered with 201: a create, or a set that replaced nothing.
    pub fn is_created(&self) -> bool {
        self.action == Action::Create || (self.action == Action::Set && self.prev_node.is_none())
    }
}

/// A registered watch waiting for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WatcherId(u64);

/// The start of a watch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // one per watch
pub enum Watching {
    /// A matching event was in the history.
    Ready(Event),
    /// No event yet: ask [`crate::Store::take_event`] after later writes.
    Pending(WatcherId),
}

#[derive(Debug)]
struct Watcher {
    key: String,
    recursive: bool,
    since: u64,
    start_index: u64,
    event: Option<Event>,
}

/// The event ring and the live watchers.
#[derive(Debug, Default)]
pub(crate) struct History {
    events: VecDeque<Event>,
    /// True once an event was dropped: older indexes answer 401.
    cleared: bool,
    watchers: BTreeMap<WatcherId, Watcher>,
    next_id: u64,
}

impl History {
    /// Appends an event (dropping the oldest past [`HISTORY`]) and hands it to every waiting
    /// watch it matches, unless it is a refresh.
    pub(crate) fn record(&mut self, event: Event) -> Event {
        if self.events.len() == HISTORY {
            self.events.pop_front();
            self.cleared = true;
        }
        self.events.push_back(event.clone());
        if !event.refresh {
            for w in self.watchers.values_mut() {
                let wanted = event.index() >= w.since && matches(&w.key, w.recursive, &event);
                if w.event.is_none() && wanted {
                    w.event = Some(event.clone());
                }
            }
        }
        event
    }

    /// Go's `watcherHub.watch`: the first matching event from `since` in the history, or a
    /// registered watch; `index` is the current store index.
    pub(crate) fn watch(
        &mut self,
        key: String,
        recursive: bool,
        since: u64,
        index: u64,
    ) -> Result<Watching, StoreError> {
        let oldest = self.events.front().map_or(0, Event::index);
        if self.cleared && since < oldest {
            let cause = format!("the requested history has been cleared [{oldest}/{since}]");
            return Err(StoreError::new(
                ErrorCode::EVENT_INDEX_CLEARED,
                cause,
                index,
            ));
        }
        let mut past = self
            .events
            .iter()
            .filter(|e| e.index() >= since && !e.refresh);
        if let Some(event) = past.find(|e| matches(&key, recursive, e)) {
            return Ok(Watching::Ready(Event {
                etcd_index: index,
                ..event.clone()
            }));
        }
        let id = WatcherId(self.next_id);
        self.next_id += 1;
        let watcher = Watcher {
            key,
            recursive,
            since,
            start_index: index,
            event: None,
        };
        self.watchers.insert(id, watcher);
        Ok(Watching::Pending(id))
    }

    /// The event a watch got, if any, with the registration index; the watch is then over.
    pub(crate) fn take(&mut self, id: WatcherId) -> Option<Event> {
        let event = self.watchers.get_mut(&id)?.event.take()?;
        let start = self.watchers.remove(&id).map_or(0, |w| w.start_index);
        Some(Event {
            etcd_index: start,
            ..event
        })
    }

    pub(crate) fn cancel(&mut self, id: WatcherId) {
        self.watchers.remove(&id);
    }
}

/// Whether a watch of `key` gets `event`: the key itself; with `recursive`, a key below it
/// unless hidden (a `_` segment below `key`); and the delete or expiry of a directory above it.
fn matches(key: &str, recursive: bool, event: &Event) -> bool {
    let k = &event.node.key;
    if k == key {
        return true;
    }
    let hidden = || {
        k[children_prefix(key).len()..]
            .split('/')
            .any(|s| s.starts_with('_'))
    };
    if recursive && is_below(k, key) && !hidden() {
        return true;
    }
    let dir_gone = matches!(event.action, Action::Delete | Action::Expire)
        && event.prev_node.as_ref().is_some_and(|p| p.dir);
    dir_gone && is_below(key, k)
}
