//! Watches as an async `next()` and a [`Stream`].

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use etcd_v2_proto::Watch;
use futures_core::Stream;
use futures_core::future::BoxFuture;

use crate::{Client, Error, KeysResponse, lock};

/// A watch on a key or directory (Go: `Watcher`), made by [`Client::watcher`].
///
/// Each [`next`](Self::next) yields the next event; as a [`Stream`] it never ends by itself.
/// The poll in flight lives in the watcher: dropping a `next()` future loses nothing.
pub struct Watcher {
    client: Client,
    watch: Arc<Mutex<Watch>>,
    pending: Option<BoxFuture<'static, Result<KeysResponse, Error>>>,
}

impl Watcher {
    pub(crate) fn new(client: Client, watch: Watch) -> Self {
        let watch = Arc::new(Mutex::new(watch));
        Self {
            client,
            watch,
            pending: None,
        }
    }

    /// Waits for the next event.
    ///
    /// # Errors
    /// Any call error (the watcher stays usable), or [`Error::EventsLost`] / error 401 when
    /// etcd no longer has the events asked for.
    pub async fn next(&mut self) -> Result<KeysResponse, Error> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// The `waitIndex` the next poll sends (0: only events after it is registered).
    pub fn wait_index(&self) -> u64 {
        lock(&self.watch).wait_index()
    }

    /// Continues from `index + 1` (e.g. after re-reading state); a poll in flight is dropped.
    pub fn resume_after(&mut self, index: u64) {
        self.pending = None;
        lock(&self.watch).resume_after(index);
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<KeysResponse, Error>> {
        let pending = self.pending.get_or_insert_with(|| {
            let (client, task) = (self.client.clone(), Arc::clone(&self.watch));
            Box::pin(async move { client.run(task).await })
        });
        let event = ready!(pending.as_mut().poll(cx));
        self.pending = None;
        Poll::Ready(event)
    }
}

impl Stream for Watcher {
    type Item = Result<KeysResponse, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx).map(Some)
    }
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let wait_index = self.wait_index();
        f.debug_struct("Watcher")
            .field("wait_index", &wait_index)
            .finish_non_exhaustive()
    }
}
