//! On tokio: `etcd-v2-tokio`, and hyper-util's pooled legacy client on tokio (what it is built
//! on: `HttpConnector`, `TokioExecutor`, `TokioTimer`) sending the same requests by hand.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use etcd_v2_proto::{Config, Error, KeysResponse, WatchOptions};
use http::{Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::async_runs::Spawner;
use crate::ours_async::WatchClient;
use crate::raw;
use crate::raw_kv::Exchange;

/// Spawns on the ambient tokio runtime.
#[derive(Clone, Copy)]
pub(crate) struct Tokio;

impl Spawner for Tokio {
    fn spawn<T: Send + 'static>(
        self,
        task: impl Future<Output = T> + Send + 'static,
    ) -> impl Future<Output = T> + Send + 'static {
        let handle = tokio::spawn(task);
        async move { handle.await.expect("a bench task panicked") }
    }
}

impl WatchClient for etcd_v2::tokio::Client {
    type Watcher = etcd_v2::tokio::Watcher;

    fn connect(config: Config) -> Result<Self, Error> {
        Self::new(config)
    }

    fn watcher(&self, dir: &str, opts: WatchOptions) -> Result<Self::Watcher, Error> {
        Self::watcher(self, dir, opts)
    }

    async fn next_event(watcher: &mut Self::Watcher) -> Result<KeysResponse, Error> {
        conformance::sut::next_event(watcher).await
    }
}

/// hyper-util's pooled client (TCP_NODELAY and the pool's timer, as ours) and hand-built
/// requests.
#[derive(Clone)]
pub(crate) struct Raw {
    client: HyperClient<HttpConnector, Full<Bytes>>,
    base: Arc<str>,
    body: Bytes,
}

impl Raw {
    pub(crate) fn new(endpoints: &[String]) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Self {
            client: HyperClient::builder(TokioExecutor::new())
                .pool_timer(TokioTimer::new())
                .build(connector),
            base: endpoints[0].trim_end_matches('/').into(),
            body: Bytes::from(raw::set_body()),
        }
    }
}

impl Exchange for Raw {
    async fn exchange(&self, path_and_query: &str, put: bool) -> Result<(u16, Bytes), String> {
        let uri = format!("{}{path_and_query}", self.base);
        let request = if put {
            Request::put(uri)
                .header(header::CONTENT_TYPE, raw::FORM)
                .body(Full::new(self.body.clone()))
        } else {
            Request::get(uri).body(Full::new(Bytes::new()))
        };
        let request = request.map_err(|e| e.to_string())?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await;
        Ok((status, body.map_err(|e| e.to_string())?.to_bytes()))
    }
}
