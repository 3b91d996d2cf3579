//! Watches as an async `next()` and a `Stream`

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use etcd_v2_proto::Watch;
use futures_core::Stream;
use futures_core::future::BoxFuture;

use crate::{Client, Error, KeysResponse, lock};

/// A watch of a key or directory (Go: `Watcher`): each [`Watcher::next`] yields the next event.
///
/// Also a [`Stream`] that never ends by itself. The poll in flight lives in the watcher, so
/// dropping a `next()` future (e.g. in `tokio::select!`) loses nothing: the next call goes on
/// with the same long poll.
pub struct Watcher {
    client: Client,
    watch: Arc<Mutex<Watch>>,
    pending: Option<BoxFuture<'static, Result<KeysResponse, Error>>>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher")
            .field("wait_index", &self.wait_index())
            .finish_non_exhaustive()
    }
}

impl Watcher {
    pub(crate) fn new(client: Client, watch: Watch) -> Self {
        Self {
            client,
            watch: Arc::new(Mutex::new(watch)),
            pending: None,
        }
    }

    /// Waits for the next event (a client made with [`Client::with_timeout`] bounds each wait).
    ///
    /// # Errors
    /// Any call error; [`Error::EventsLost`] or error 401 when the history was cleared. The
    /// watcher stays usable after an error.
    pub async fn next(&mut self) -> Result<KeysResponse, Error> {
        poll_fn(|cx| self.poll_event(cx)).await
    }

    /// The `waitIndex` the next poll sends (0: only events after the poll is registered).
    pub fn wait_index(&self) -> u64 {
        lock(&self.watch).wait_index()
    }

    /// Continues from `after_index + 1` (e.g. after re-reading state following error 401);
    /// a poll in flight is abandoned.
    pub fn resume_after(&mut self, after_index: u64) {
        self.pending = None;
        lock(&self.watch).resume_after(after_index);
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<KeysResponse, Error>> {
        let pending = self.pending.get_or_insert_with(|| {
            let (client, task) = (self.client.clone(), Arc::clone(&self.watch));
            Box::pin(async move { client.run(task).await })
        });
        let out = std::task::ready!(pending.as_mut().poll(cx));
        self.pending = None;
        Poll::Ready(out)
    }
}

impl Stream for Watcher {
    type Item = Result<KeysResponse, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx).map(Some)
    }
}
