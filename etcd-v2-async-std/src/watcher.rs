//! Watches as an async method and a [`Stream`].

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use etcd_v2_proto::{Api, Error, KeysResponse, UsageError, Watch, WatchOptions};
use futures_core::Stream;
use futures_core::future::BoxFuture;

use crate::Client;

type Poll1 = BoxFuture<'static, (Watch, Result<KeysResponse, Error>)>;

/// A watch on a key or directory (Go: `Watcher`); made by [`Client::watcher`].
///
/// Each [`next`](Self::next) yields the next event; as a [`Stream`] it never ends by itself.
/// Dropping a `next()` future keeps the poll in flight: the following call picks it up.
pub struct Watcher {
    client: Client,
    /// `None` while a poll is in flight (then `pending` owns it).
    watch: Option<Watch>,
    pending: Option<Poll1>,
    wait_index: u64,
    key: String,
    opts: WatchOptions,
}

impl Watcher {
    pub(crate) fn new(client: Client, watch: Watch, key: &str, opts: WatchOptions) -> Self {
        let wait_index = watch.wait_index();
        Self { client, watch: Some(watch), pending: None, wait_index, key: key.to_owned(), opts }
    }

    /// Waits for the next event.
    ///
    /// # Errors
    /// Any call error (the watch can be polled again), or [`Error::EventsLost`] / error 401
    /// when etcd no longer has the events asked for.
    pub async fn next(&mut self) -> Result<KeysResponse, Error> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// The `waitIndex` the next poll sends (0: only events after it is registered).
    pub fn wait_index(&self) -> u64 {
        self.watch.as_ref().map_or(self.wait_index, Watch::wait_index)
    }

    /// Continues from `index + 1` (e.g. after re-reading state), dropping a poll in flight.
    pub fn resume_after(&mut self, index: u64) {
        if self.watch.is_none() {
            self.pending = None;
            self.watch = Watch::new(self.client.keys_prefix(), &self.key, self.opts).ok();
        }
        if let Some(watch) = &mut self.watch {
            watch.resume_after(index);
            self.wait_index = watch.wait_index();
        }
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<KeysResponse, Error>> {
        if self.pending.is_none() {
            let Some(mut watch) = self.watch.take() else {
                return Poll::Ready(Err(UsageError::TaskFinished.into()));
            };
            let client = self.client.clone();
            self.pending = Some(Box::pin(async move {
                let result = client.run(&mut watch).await;
                (watch, result)
            }));
        }
        let Some(pending) = self.pending.as_mut() else { return Poll::Pending };
        let (watch, result) = ready!(pending.as_mut().poll(cx));
        self.pending = None;
        self.wait_index = watch.wait_index();
        self.watch = Some(watch);
        Poll::Ready(result)
    }
}

impl Stream for Watcher {
    type Item = Result<KeysResponse, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx).map(Some)
    }
}
