//! An in-memory model of etcd 3.4's v2 store (Go: `v2store`), on a simulated clock
//!
//! Every write takes the next global index. Every method takes `now` and first expires the
//! keys whose TTL ran out by then, one `expire` event (and index) each, in expiry order; etcd
//! expires within ~0.5 s of the expiration, the model exactly at it. Errors carry the code,
//! cause and index etcd puts in its `{"errorCode":…}` answer for the same failure.

use std::time::Duration;
use std::time::Instant;

use crate::history::{Event, History, WatcherId, Watching};
use crate::tree::{Entry, Tree, ancestors_and_self, clean, parent};
use etcd_v2_proto::Action;
use etcd_v2_proto::ErrorCode;

/// Index of the first write on a fresh store (a fresh etcd 3.4 spends 1–3 on membership).
pub const DEFAULT_FIRST_INDEX: u64 = 4;

/// A store or request error: what etcd writes as `{"errorCode":…}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// The v2 error code.
    pub code: ErrorCode,
    /// Context: the key, the failed comparison, the bad field.
    pub cause: String,
    /// The store index (0 for request-validation errors).
    pub index: u64,
}

impl StoreError {
    /// An error with this code, cause and index.
    pub fn new(code: ErrorCode, cause: impl Into<String>, index: u64) -> Self {
        Self {
            code,
            cause: cause.into(),
            index,
        }
    }

    /// etcd's fixed message for the code, e.g. `Key not found`.
    pub fn message(&self) -> &'static str {
        crate::wire::message(self.code)
    }
}

/// What store operations return.
pub type StoreResult = Result<Event, StoreError>;

/// TTL of a write: `ttl` from `now` (none: permanent, which removes an existing TTL), and
/// `refresh` (keep the value, reset the TTL, wake no watch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TtlOptions {
    /// Time to live from `now`.
    pub ttl: Option<Duration>,
    /// A refresh.
    pub refresh: bool,
}

/// The v2 store (see the module doc).
#[derive(Debug)]
pub struct Store {
    tree: Tree,
    index: u64,
    history: History,
}

impl Store {
    /// An empty store whose first write gets [`DEFAULT_FIRST_INDEX`]; `epoch` is the instant
    /// shown as [`crate::WALL_EPOCH_UNIX`] in `expiration` fields.
    pub fn new(epoch: Instant) -> Self {
        Self::with_first_index(epoch, DEFAULT_FIRST_INDEX)
    }

    /// An empty store whose first write gets `first` (at least 1).
    pub fn with_first_index(epoch: Instant, first: u64) -> Self {
        Self {
            tree: Tree::new(epoch),
            index: first.max(1) - 1,
            history: History::default(),
        }
    }

    /// Shows the epoch as `wall` (time since the Unix epoch) in `expiration` fields, instead
    /// of [`crate::WALL_EPOCH_UNIX`]: a store on real time shows real expirations.
    pub fn set_wall_epoch(&mut self, wall: Duration) {
        self.tree.set_wall_epoch(wall);
    }

    /// The current index (that of the last write).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The earliest pending expiry, if any key has a TTL.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.tree.first_expiry().map(|(at, _)| *at)
    }

    /// The value of a file; `None` if missing or a directory (for test assertions).
    pub fn value(&mut self, now: Instant, key: &str) -> Option<String> {
        self.expire(now);
        self.tree.get(&clean(key)).and_then(|e| e.value.clone())
    }

    /// Expires every key whose TTL ran out by `now`, in expiry order.
    pub fn expire(&mut self, now: Instant) {
        while let Some((at, key)) = self.tree.first_expiry().cloned() {
            if at > now {
                break;
            }
            let Some(old) = self.tree.get(&key).cloned() else {
                break;
            };
            // The previous node as it was at its expiry (etcd reaps within ~0.5 s).
            self.remove(at, &key, &old, Action::Expire);
        }
    }

    /// A read (Go: `Get`): a file, or a directory with its children (all levels if
    /// `recursive`).
    ///
    /// # Errors
    /// 100 for a missing key, 104 if a path component is a file.
    pub fn get(&mut self, now: Instant, key: &str, recursive: bool) -> StoreResult {
        self.expire(now);
        let key = clean(key);
        let entry = self.tree.resolve(&key, self.index)?;
        let node = self.tree.render(&key, entry, true, recursive, now);
        Ok(Event::new(Action::Get, node, None, self.index))
    }

    /// An unconditional write of a file, or (`value: None`) an empty directory (Go: `Set`).
    ///
    /// # Errors
    /// 107 on the root, 104 if a parent is a file, 102 onto a directory, 100 for a refresh of
    /// a missing key.
    pub fn set(
        &mut self,
        now: Instant,
        key: &str,
        value: Option<&str>,
        ttl: TtlOptions,
    ) -> StoreResult {
        self.expire(now);
        let key = clean(key);
        let mut value = value.map(str::to_string);
        if ttl.refresh {
            let old = self.tree.resolve(&key, self.index)?;
            value = value.map(|_| old.and_then(|e| e.value.clone()).unwrap_or_default());
        }
        match self.tree.resolve(&key, self.index) {
            Err(e) if e.code != ErrorCode::KEY_NOT_FOUND => return Err(e),
            _ => {}
        }
        let mut event = self.create(now, &key, value, (false, true), ttl.ttl, Action::Set)?;
        event.refresh = ttl.refresh;
        Ok(self.history.record(event))
    }

    /// A write that requires the key not to exist (Go: `Create`); `unique` creates
    /// `<key>/<20-digit index>` instead (POST: in-order keys). Missing parents are created.
    ///
    /// # Errors
    /// 107 on the root, 104 if a parent is a file, 105 if the key exists.
    pub fn create_node(
        &mut self,
        now: Instant,
        key: &str,
        value: Option<&str>,
        unique: bool,
        ttl: Option<Duration>,
    ) -> StoreResult {
        self.expire(now);
        let (key, value) = (clean(key), value.map(str::to_string));
        let event = self.create(now, &key, value, (unique, false), ttl, Action::Create)?;
        Ok(self.history.record(event))
    }

    /// A write that requires the key to exist (Go: `Update`); on a directory (empty value) only
    /// the TTL changes.
    ///
    /// # Errors
    /// 107 on the root, 100/104 as for [`Store::get`], 102 for a value on a directory.
    pub fn update(&mut self, now: Instant, key: &str, value: &str, ttl: TtlOptions) -> StoreResult {
        self.expire(now);
        let key = self.writable(key)?;
        let old = self.node(&key)?;
        if old.is_dir() && !value.is_empty() {
            return Err(self.err(ErrorCode::NOT_FILE, &key));
        }
        let keep = ttl.refresh || old.is_dir();
        let value = if keep {
            old.value.clone()
        } else {
            Some(value.to_string())
        };
        Ok(self.rewrite(now, &key, &old, value, ttl, Action::Update))
    }

    /// A write conditional on the current value and/or modified index (Go:
    /// `CompareAndSwap`; `""` and `0` mean "do not compare", as on the wire).
    ///
    /// # Errors
    /// 107 on the root, 100/104 as for [`Store::get`], 102 on a directory, 101 on a mismatch.
    pub fn compare_and_swap(
        &mut self,
        now: Instant,
        key: &str,
        prev: (&str, u64),
        value: &str,
        ttl: TtlOptions,
    ) -> StoreResult {
        self.expire(now);
        let key = self.writable(key)?;
        let old = self.compare(&key, prev)?;
        let value = if ttl.refresh {
            old.value.clone()
        } else {
            Some(value.to_string())
        };
        Ok(self.rewrite(now, &key, &old, value, ttl, Action::CompareAndSwap))
    }

    /// Removes a file, or a directory with `dir` (if empty) or `recursive` (Go: `Delete`).
    ///
    /// # Errors
    /// 107 on the root, 100/104 as for [`Store::get`], 102 for a directory without `dir`,
    /// 108 for a non-empty directory without `recursive`.
    pub fn delete(&mut self, now: Instant, key: &str, dir: bool, recursive: bool) -> StoreResult {
        self.expire(now);
        let key = self.writable(key)?;
        let old = self.node(&key)?;
        if old.is_dir() && !(dir || recursive) {
            return Err(self.err(ErrorCode::NOT_FILE, &key));
        }
        if old.is_dir() && !recursive && self.tree.children(&key).next().is_some() {
            return Err(self.err(ErrorCode::DIR_NOT_EMPTY, &key));
        }
        Ok(self.remove(now, &key, &old, Action::Delete))
    }

    /// Removes a file if its value and/or modified index match (Go: `CompareAndDelete`).
    ///
    /// # Errors
    /// 100/104 as for [`Store::get`], 102 on a directory, 101 on a mismatch.
    pub fn compare_and_delete(
        &mut self,
        now: Instant,
        key: &str,
        prev: (&str, u64),
    ) -> StoreResult {
        self.expire(now);
        let key = clean(key);
        let old = self.compare(&key, prev)?;
        Ok(self.remove(now, &key, &old, Action::CompareAndDelete))
    }

    /// Starts a watch of `key` (and below it if `recursive`) for events from index `since`
    /// (0: only future ones).
    ///
    /// # Errors
    /// 401 if `since` is older than the kept history (cause `[<oldest>/<since>]`).
    pub fn watch(
        &mut self,
        now: Instant,
        key: &str,
        recursive: bool,
        since: u64,
    ) -> Result<Watching, StoreError> {
        self.expire(now);
        let since = if since == 0 { self.index + 1 } else { since };
        self.history.watch(clean(key), recursive, since, self.index)
    }

    /// The event a pending watch got, if any (its `etcd_index` is the index when the watch
    /// was registered); the watch is then over.
    pub fn take_event(&mut self, id: WatcherId) -> Option<Event> {
        self.history.take(id)
    }

    /// Forgets a pending watch (the client went away).
    pub fn cancel_watch(&mut self, id: WatcherId) {
        self.history.cancel(id);
    }

    fn err(&self, code: ErrorCode, cause: &str) -> StoreError {
        StoreError::new(code, cause, self.index)
    }

    fn writable(&self, key: &str) -> Result<String, StoreError> {
        let key = clean(key);
        if key == "/" {
            return Err(self.err(ErrorCode::ROOT_R_ONLY, "/"));
        }
        Ok(key)
    }

    /// An existing node other than the root (the root is a directory: 102).
    fn node(&self, key: &str) -> Result<Entry, StoreError> {
        let entry = self.tree.resolve(key, self.index)?.cloned();
        entry.ok_or_else(|| self.err(ErrorCode::NOT_FILE, key))
    }

    /// A file whose value and index match `(prev_value, prev_index)` (`""`/`0`: any).
    fn compare(
        &self,
        key: &str,
        (prev_value, prev_index): (&str, u64),
    ) -> Result<Entry, StoreError> {
        let old = self.node(key)?;
        let Some(value) = &old.value else {
            return Err(self.err(ErrorCode::NOT_FILE, key));
        };
        let value_ok = prev_value.is_empty() || value == prev_value;
        let index_ok = prev_index == 0 || old.modified == prev_index;
        let (values, indexes) = (
            format!("[{prev_value} != {value}]"),
            format!("[{prev_index} != {}]", old.modified),
        );
        let cause = match (value_ok, index_ok) {
            (true, true) => return Ok(old),
            (false, true) => values,
            (true, false) => indexes,
            (false, false) => format!("{values} {indexes}"),
        };
        Err(self.err(ErrorCode::TEST_FAILED, &cause))
    }

    /// Go's `internalCreate` (`mode` is `(unique, replace)`); the event is not recorded yet.
    fn create(
        &mut self,
        now: Instant,
        key: &str,
        value: Option<String>,
        (unique, replace): (bool, bool),
        ttl: Option<Duration>,
        action: Action,
    ) -> StoreResult {
        let next = self.index + 1;
        let key = if unique {
            clean(&format!("{key}/{next:020}"))
        } else {
            key.to_string()
        };
        if key == "/" {
            return Err(self.err(ErrorCode::ROOT_R_ONLY, "/"));
        }
        let parents: Vec<&str> = ancestors_and_self(parent(&key)).collect();
        let is_file = |p: &&&str| self.tree.get(p).is_some_and(|e| !e.is_dir());
        if let Some(file) = parents.iter().find(is_file) {
            return Err(self.err(ErrorCode::NOT_DIR, file));
        }
        let mut prev_node = None;
        if let Some(old) = self.tree.get(&key) {
            if !replace {
                return Err(self.err(ErrorCode::NODE_EXIST, &key));
            }
            if old.is_dir() {
                return Err(self.err(ErrorCode::NOT_FILE, &key));
            }
            prev_node = Some(self.tree.render(&key, Some(old), false, false, now));
        }
        for p in parents {
            if self.tree.get(p).is_none() {
                self.tree.put(p, Entry::new(next, next, None, None));
            }
        }
        let expires = ttl.and_then(|t| now.checked_add(t));
        self.tree.put(&key, Entry::new(next, next, value, expires));
        self.index = next;
        let node = self.tree.render_key(&key, now);
        Ok(Event::new(action, node, prev_node, next))
    }

    /// Update / compare-and-swap: new value and TTL, same created index; recorded.
    fn rewrite(
        &mut self,
        now: Instant,
        key: &str,
        old: &Entry,
        value: Option<String>,
        ttl: TtlOptions,
        action: Action,
    ) -> Event {
        self.index += 1;
        let prev_node = self.tree.render(key, Some(old), false, false, now);
        let expires = ttl.ttl.and_then(|t| now.checked_add(t));
        self.tree
            .put(key, Entry::new(old.created, self.index, value, expires));
        let node = self.tree.render_key(key, now);
        let event = Event {
            refresh: ttl.refresh,
            ..Event::new(action, node, Some(prev_node), self.index)
        };
        self.history.record(event)
    }

    /// Delete / compare-and-delete / expire of a node and everything below it; recorded.
    fn remove(&mut self, now: Instant, key: &str, old: &Entry, action: Action) -> Event {
        self.index += 1;
        let prev_node = self.tree.render(key, Some(old), false, false, now);
        self.tree.remove_tree(key);
        let node = old.bare(key, self.index);
        self.history
            .record(Event::new(action, node, Some(prev_node), self.index))
    }
}
