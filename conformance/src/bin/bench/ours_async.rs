//! Our async clients (`etcd-v2-tokio`, `etcd-v2-async-std`) as an [`AsyncKv`], written once:
//! both implement the core's `Api` with boxed futures, and [`WatchClient`] for watches.

use std::future::Future;
use std::sync::Arc;

use etcd_v2_proto::{Api, Config, Error, GetOptions, KeysResponse, SetOptions, WatchOptions};
use futures_core::future::BoxFuture;

use crate::async_runs::{AsyncKv, AsyncWatch};
use crate::plan::value;

/// What an async client of ours adds to `Api` for a watch.
pub(crate) trait WatchClient: Clone + Send + Sync + 'static {
    /// The client's watcher.
    type Watcher: Send + 'static;
    /// A client with default settings for `endpoints`.
    fn connect(config: Config) -> Result<Self, Error>;
    /// `Client::watcher`.
    fn watcher(&self, dir: &str, opts: WatchOptions) -> Result<Self::Watcher, Error>;
    /// `Watcher::next`.
    fn next_event(
        watcher: &mut Self::Watcher,
    ) -> impl Future<Output = Result<KeysResponse, Error>> + Send;
}

/// One of our async clients with its defaults.
#[derive(Clone)]
pub(crate) struct Ours<C> {
    client: C,
    value: Arc<str>,
}

impl<C: WatchClient> Ours<C> {
    pub(crate) fn new(endpoints: &[String]) -> Result<Self, String> {
        let client = C::connect(Config::new(endpoints.iter().cloned()));
        Ok(Self {
            client: client.map_err(|e| e.to_string())?,
            value: value().into(),
        })
    }
}

/// Our watcher, reporting each event's modified index.
pub(crate) struct OursWatch<C: WatchClient>(C::Watcher);

impl<C> AsyncKv for Ours<C>
where
    C: WatchClient
        + for<'a> Api<Output<'a, KeysResponse> = BoxFuture<'a, Result<KeysResponse, Error>>>,
{
    type Watch = OursWatch<C>;

    async fn set(&self, key: String) -> Result<(), String> {
        self.set_indexed(key).await.map(drop)
    }

    async fn set_indexed(&self, key: String) -> Result<u64, String> {
        let set = self.client.set(&key, &self.value, SetOptions::default());
        let response = set.await.map_err(|e| e.to_string())?;
        Ok(response.node.map_or(0, |n| n.modified_index))
    }

    async fn get(&self, key: String) -> Result<(), String> {
        let get = self.client.get(&key, GetOptions::default());
        get.await.map(drop).map_err(|e| e.to_string())
    }

    async fn list(&self, dir: String) -> Result<usize, String> {
        let get = self.client.get(&dir, GetOptions::default().recursive(true));
        let response = get.await.map_err(|e| e.to_string())?;
        Ok(response.node.map_or(0, |n| n.nodes.len()))
    }

    fn watch(&self, key: String, after: u64, recursive: bool) -> OursWatch<C> {
        let opts = WatchOptions::default()
            .recursive(recursive)
            .after_index(after);
        OursWatch(self.client.watcher(&key, opts).expect("a valid watch"))
    }
}

impl<C: WatchClient> AsyncWatch for OursWatch<C> {
    async fn next(&mut self) -> Result<u64, String> {
        let event = C::next_event(&mut self.0)
            .await
            .map_err(|e| e.to_string())?;
        Ok(event.node.map_or(0, |n| n.modified_index))
    }
}
