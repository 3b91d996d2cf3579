//! On async-std: `etcd-v2-async-std`, and hyper's HTTP/1 connections over async-std TCP
//! (what it is built on) sending the same requests by hand, with a plain idle pool.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use async_std::net::TcpStream;
use bytes::Bytes;
use etcd_v2_proto::{Config, Error, KeysResponse, WatchOptions};
use http::{Request, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use smol_hyper::rt::FuturesIo;

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

impl WatchClient for etcd_v2_async_std::Client {
    type Watcher = etcd_v2_async_std::Watcher;

    fn connect(config: Config) -> Result<Self, Error> {
        Self::new(config)
    }

    fn watcher(&self, dir: &str, opts: WatchOptions) -> Result<Self::Watcher, Error> {
        Self::watcher(self, dir, opts)
    }

    async fn next_event(watcher: &mut Self::Watcher) -> Result<KeysResponse, Error> {
        watcher.next().await
    }
}

type Sender = SendRequest<Full<Bytes>>;

/// hyper HTTP/1 connections (TCP_NODELAY, as ours), kept in a plain idle list.
#[derive(Clone)]
pub(crate) struct Raw {
    addr: SocketAddr,
    host: Arc<str>,
    idle: Arc<Mutex<Vec<Sender>>>,
    body: Bytes,
}

impl Raw {
    pub(crate) fn new(endpoints: &[String]) -> Result<Self, String> {
        let host = endpoints[0]
            .trim_start_matches("http://")
            .trim_end_matches('/');
        Ok(Self {
            addr: host.parse().map_err(|e| format!("{host}: {e}"))?,
            host: host.into(),
            idle: Arc::default(),
            body: Bytes::from(raw::set_body()),
        })
    }

    fn take_idle(&self) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some(sender) = idle.pop() {
            if !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    fn put_idle(&self, sender: Sender) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.push(sender);
    }

    async fn connect(&self) -> Result<Sender, String> {
        let tcp = TcpStream::connect(self.addr)
            .await
            .map_err(|e| e.to_string())?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = http1::handshake(FuturesIo::new(tcp))
            .await
            .map_err(|e| e.to_string())?;
        async_std::task::spawn(async move {
            let _ = connection.await;
        });
        Ok(sender)
    }
}

impl Exchange for Raw {
    async fn exchange(&self, path_and_query: &str, put: bool) -> Result<(u16, Bytes), String> {
        let request = if put {
            Request::put(path_and_query)
                .header(header::CONTENT_TYPE, raw::FORM)
                .body(Full::new(self.body.clone()))
        } else {
            Request::get(path_and_query).body(Full::new(Bytes::new()))
        };
        let mut request = request.map_err(|e| e.to_string())?;
        let host = header::HeaderValue::from_str(&self.host).map_err(|e| e.to_string())?;
        request.headers_mut().insert(header::HOST, host);
        let mut sender = match self.take_idle() {
            Some(sender) => sender,
            None => self.connect().await?,
        };
        sender.ready().await.map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await;
        let body = body.map_err(|e| e.to_string())?.to_bytes();
        self.put_idle(sender);
        Ok((status, body))
    }
}
