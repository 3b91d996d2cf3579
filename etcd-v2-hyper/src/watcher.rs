//! [`Watcher`]: a watch as a `Stream` of events

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use etcd_v2_proto::{Error, KeysResponse, Watch, WatchOptions};
use futures_core::Stream;
use futures_core::future::BoxFuture;

use crate::client::Client;
use crate::exchange::OpenBody;
use crate::runtime::Runtime;

/// A wait for the next event, which owns the watch (and a stream's open body) and hands it
/// back when it ends.
type Wait = BoxFuture<'static, (Box<Watch>, OpenBody, Result<KeysResponse, Error>)>;

/// A watch of a key or directory (Go: `Watcher`): a [`Stream`] of its events, read with
/// `StreamExt::next` (futures). Like the blocking watcher, an `Iterator` of the same items, it
/// never ends by itself; an error ends one wait, and the stream goes on from the same index (a
/// client made with `with_timeout` bounds each wait).
///
/// The wait in flight lives in the watcher, so dropping a `next()` future (e.g. in a `select!`)
/// loses nothing: the next call goes on with the same long poll.
///
/// ```ignore
/// use futures_util::StreamExt;
/// let mut watcher = client.watcher("/foo", WatchOptions::default())?;
/// while let Some(event) = watcher.next().await {
///     println!("{:?}", event?.action);
/// }
/// ```
pub struct Watcher<R: Runtime> {
    client: Client<R>,
    /// What the watch was made from, to make it anew when a wait in flight is abandoned.
    key: String,
    opts: WatchOptions,
    /// The watch between waits; `None` while `waiting` holds it.
    idle: Option<Box<Watch>>,
    /// In stream mode, the open body between waits.
    body: OpenBody,
    waiting: Option<Wait>,
    /// The `waitIndex` of the watch, as of its last answer.
    wait_index: u64,
}

impl<R: Runtime> std::fmt::Debug for Watcher<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher")
            .field("key", &self.key)
            .field("wait_index", &self.wait_index)
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> Watcher<R> {
    pub(crate) fn new(client: Client<R>, key: &str, opts: WatchOptions) -> Result<Self, Error> {
        let watch = client.new_watch(key, opts)?;
        Ok(Self {
            client,
            key: key.to_owned(),
            opts,
            wait_index: watch.wait_index(),
            idle: Some(Box::new(watch)),
            body: None,
            waiting: None,
        })
    }

    /// The `waitIndex` the next poll sends (0: a watch from "now" that has not learned its
    /// start index yet).
    pub fn wait_index(&self) -> u64 {
        self.wait_index
    }

    /// Continues from `after_index + 1` (e.g. after re-reading state following error 401);
    /// a wait in flight is abandoned.
    pub fn resume_after(&mut self, after_index: u64) {
        if self.idle.is_none() {
            // The watch went into the abandoned wait: the same watch, made anew, replaces it
            // (its key was checked when the watcher was made).
            self.idle = self
                .client
                .new_watch(&self.key, self.opts)
                .ok()
                .map(Box::new);
        }
        if let Some(watch) = &mut self.idle {
            self.waiting = None;
            self.body = None;
            watch.resume_after(after_index);
            self.wait_index = watch.wait_index();
        }
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<KeysResponse, Error>> {
        if let Some(mut watch) = self.idle.take() {
            let (client, mut body) = (self.client.clone(), self.body.take());
            self.waiting = Some(Box::pin(async move {
                let result = client.run_with(&mut *watch, &mut body).await;
                (watch, body, result)
            }));
        }
        let Some(wait) = &mut self.waiting else {
            return Poll::Pending; // unreachable: one of `idle` and `waiting` is always set
        };
        let (watch, body, result) = ready!(wait.as_mut().poll(cx));
        self.waiting = None;
        self.body = body;
        self.wait_index = watch.wait_index();
        self.idle = Some(watch);
        Poll::Ready(result)
    }
}

impl<R: Runtime> Stream for Watcher<R> {
    type Item = Result<KeysResponse, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx).map(Some)
    }
}
