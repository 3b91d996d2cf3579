//! On async-std: `etcd-v2-async-std`, and hyper's HTTP/1 connections over async-std TCP
//! (what it is built on) for the plain baseline ([`crate::raw_conn`]).

use std::future::Future;
use std::net::SocketAddr;

use async_std::net::TcpStream;
use etcd_v2_proto::{Config, Error, KeysResponse, WatchOptions};
use hyper::client::conn::http1;
use smol_hyper::rt::FuturesIo;

use crate::async_runs::Spawner;
use crate::ours_async::WatchClient;
use crate::raw_conn::{Dial, Sender};

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

/// Dials async-std TCP for [`crate::raw_conn::RawConn`], driving each connection on async-std's executor.
#[derive(Clone, Copy)]
pub(crate) struct AsyncStdDial;

impl Dial for AsyncStdDial {
    async fn dial(&self, addr: SocketAddr) -> Result<Sender, String> {
        let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
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
