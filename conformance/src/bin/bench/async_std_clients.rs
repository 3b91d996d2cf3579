//! On async-std: `etcd-v2-async-std`, and hyper-util's pooled legacy client on async-std (what
//! it is built on) sending the same requests by hand: the adapter's executor and timer
//! (`etcd_v2::async_std::AsyncStd`: async-std's spawner, async-io's timer) and IO bridge
//! (`etcd_v2::async_std::Io`), and a minimal connector of async-std TCP.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_std::net::TcpStream;
use bytes::Bytes;
use etcd_v2::async_std::{Conn, Io, Stream};
use etcd_v2_proto::{Config, Error, KeysResponse, WatchOptions};
use http::{Request, Uri, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;

use crate::async_runs::Spawner;
use crate::ours_async::WatchClient;
use crate::raw;
use crate::raw_kv::Exchange;

/// Spawns on async-std's global executor.
#[derive(Clone, Copy)]
pub(crate) struct AsyncStd;

impl Spawner for AsyncStd {
    fn spawn<T: Send + 'static>(
        self,
        task: impl Future<Output = T> + Send + 'static,
    ) -> impl Future<Output = T> + Send + 'static {
        async_std::task::spawn(task)
    }
}

impl WatchClient for etcd_v2::async_std::Client {
    type Watcher = etcd_v2::async_std::Watcher;

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

/// Plain async-std TCP (TCP_NODELAY, as ours) for hyper-util's pool: no TLS, no dial timeout.
#[derive(Clone, Copy)]
pub(crate) struct PlainConnector;

impl tower_service::Service<Uri> for PlainConnector {
    type Response = Conn;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<Conn>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        Box::pin(async move {
            let host = uri.host().unwrap_or_default().to_owned();
            let tcp = TcpStream::connect((host.as_str(), uri.port_u16().unwrap_or(80))).await?;
            tcp.set_nodelay(true)?;
            Ok(Io::new(Box::new(tcp) as Box<dyn Stream>))
        })
    }
}

/// hyper-util's pooled client on async-std and hand-built requests.
#[derive(Clone)]
pub(crate) struct Raw {
    client: HyperClient<PlainConnector, Full<Bytes>>,
    base: Arc<str>,
    body: Bytes,
}

impl Raw {
    pub(crate) fn new(endpoints: &[String]) -> Self {
        use etcd_v2::async_std::AsyncStd as Runtime;
        Self {
            client: HyperClient::builder(Runtime)
                .pool_timer(Runtime)
                .build(PlainConnector),
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
