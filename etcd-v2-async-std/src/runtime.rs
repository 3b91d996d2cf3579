//! async-std's pieces for the shared client: async-io's timer, async-std's spawner and sockets

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use etcd_v2_hyper::{Datagrams, Runtime, Spawned};
use etcd_v2_proto::dns;

use crate::connector::Connector;

/// The async-std runtime (async-io's reactor and timers), as the shared client sees it; it
/// also runs under `smol`.
#[derive(Debug, Clone, Copy)]
pub struct AsyncStd;

impl Runtime for AsyncStd {
    type Sleep = Sleep;
    type Connector = Connector;
    type Executor = Self;
    type Timer = Self;
    type Udp = Udp;

    fn sleep_until(at: Instant) -> Sleep {
        Sleep(async_io::Timer::at(at))
    }

    fn executor_and_timer() -> (Self, Self) {
        (Self, Self)
    }

    #[cfg(feature = "tls")]
    fn connector(
        tls: std::sync::Arc<rustls::ClientConfig>,
        server_name: Option<rustls::pki_types::ServerName<'static>>,
    ) -> Connector {
        Connector::new(tls, server_name)
    }

    #[cfg(not(feature = "tls"))]
    fn connector() -> Connector {
        Connector::new()
    }

    async fn udp_connect(server: SocketAddr) -> io::Result<Udp> {
        let socket = async_std::net::UdpSocket::bind(dns::bind_addr(server)).await?;
        socket.connect(server).await?;
        Ok(Udp(socket))
    }
}

impl hyper::rt::Executor<Spawned> for AsyncStd {
    fn execute(&self, task: Spawned) {
        async_std::task::spawn(task);
    }
}

impl hyper::rt::Timer for AsyncStd {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Sleep(async_io::Timer::after(duration)))
    }

    fn sleep_until(&self, at: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Sleep(async_io::Timer::at(at)))
    }
}

/// A sleep on async-io's timer.
#[derive(Debug)]
pub struct Sleep(async_io::Timer);

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

impl hyper::rt::Sleep for Sleep {}

/// A UDP socket connected to a nameserver.
#[derive(Debug)]
pub struct Udp(async_std::net::UdpSocket);

impl Datagrams for Udp {
    async fn send(&self, datagram: &[u8]) -> io::Result<usize> {
        self.0.send(datagram).await
    }

    async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf).await
    }
}
