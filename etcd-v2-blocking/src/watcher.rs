//! [`Watcher`]: a blocking iterator over a watch's events.

use etcd_v2_proto::{Error, KeysResponse, Watch};

use crate::Client;

/// The events of a watched key, one blocking long poll per item (Go: `Watcher`).
///
/// The iterator never ends: each `next()` returns the next event or the error that ended
/// that attempt; iterating again after an error starts a new attempt at the same index.
///
/// ```no_run
/// # use etcd_v2_blocking::{Client, Config, WatchOptions};
/// # let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
/// let mut watcher = client.watcher("/foo", WatchOptions::default())?;
/// if let Some(Ok(event)) = watcher.next() {
///     println!("{:?} at {}, next wait index {}", event.action, event.index, watcher.wait_index());
/// }
/// # Ok::<(), etcd_v2_blocking::Error>(())
/// ```
pub struct Watcher {
    client: Client,
    watch: Watch,
    /// In stream mode, the open body between events.
    body: crate::Open,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (client, watch) = (&self.client, &self.watch);
        f.debug_struct("Watcher")
            .field("client", client)
            .field("watch", watch)
            .finish()
    }
}

impl Watcher {
    pub(crate) fn new(client: Client, watch: Watch) -> Self {
        let body = None;
        Self {
            client,
            watch,
            body,
        }
    }

    /// The `waitIndex` the next poll sends (0: only events after it is registered).
    pub fn wait_index(&self) -> u64 {
        self.watch.wait_index()
    }

    /// Continues from `index + 1`, e.g. after re-reading the state following error 401.
    pub fn resume_after(&mut self, index: u64) {
        self.watch.resume_after(index);
        self.body = None;
    }
}

impl Iterator for Watcher {
    type Item = Result<KeysResponse, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.client.run_with(&mut self.watch, &mut self.body))
    }
}
