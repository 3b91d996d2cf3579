//! tokio's pieces for the shared client: its timer, its spawner, hyper-util's connector

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use etcd_v2_hyper::{Datagrams, Runtime};
use etcd_v2_proto::dns;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// Go's dial timeout and TCP keep-alive period.
const DIAL_TIMEOUT: Duration = Duration::from_secs(30);
const KEEP_ALIVE: Duration = Duration::from_secs(30);

/// The tokio runtime, as the shared client sees it.
///
/// **The runtime needs its IO and time drivers**: `#[tokio::main]` and
/// `Builder::new_*().enable_all()` have both; a runtime without `enable_time()` makes tokio
/// panic ("A Tokio 1.x context was found, but timers are disabled") at the first call.
#[derive(Debug, Clone, Copy)]
pub struct Tokio;

/// How connections are opened: TCP (Happy Eyeballs, Go's dial timeout and keep-alive), and
/// TLS for `https://` with the `tls` feature.
#[cfg(feature = "tls")]
pub type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
/// How connections are opened: TCP (Happy Eyeballs, Go's dial timeout and keep-alive).
#[cfg(not(feature = "tls"))]
pub type Connector = HttpConnector;

impl Runtime for Tokio {
    type Sleep = tokio::time::Sleep;
    type Connector = Connector;
    type Executor = TokioExecutor;
    type Timer = TokioTimer;
    type Udp = Udp;

    fn sleep_until(at: Instant) -> Self::Sleep {
        tokio::time::sleep_until(at.into())
    }

    fn executor_and_timer() -> (TokioExecutor, TokioTimer) {
        (TokioExecutor::new(), TokioTimer::new())
    }

    #[cfg(feature = "tls")]
    fn connector(
        tls: std::sync::Arc<rustls::ClientConfig>,
        server_name: Option<rustls::pki_types::ServerName<'static>>,
    ) -> Connector {
        let mut tcp = tcp();
        tcp.enforce_http(false);
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*tls).clone())
            .https_or_http();
        let builder = match server_name {
            Some(name) => {
                builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name))
            }
            None => builder,
        };
        builder.enable_http1().wrap_connector(tcp)
    }

    #[cfg(not(feature = "tls"))]
    fn connector() -> Connector {
        tcp()
    }

    async fn udp_connect(server: SocketAddr) -> io::Result<Udp> {
        let socket = tokio::net::UdpSocket::bind(dns::bind_addr(server)).await?;
        socket.connect(server).await?;
        Ok(Udp(socket))
    }
}

/// hyper-util's TCP connector with Go's settings.
fn tcp() -> HttpConnector {
    let mut tcp = HttpConnector::new();
    tcp.set_nodelay(true);
    tcp.set_keepalive(Some(KEEP_ALIVE));
    tcp.set_connect_timeout(Some(DIAL_TIMEOUT));
    tcp
}

/// A UDP socket connected to a nameserver.
#[derive(Debug)]
pub struct Udp(tokio::net::UdpSocket);

impl Datagrams for Udp {
    async fn send(&self, datagram: &[u8]) -> io::Result<usize> {
        self.0.send(datagram).await
    }

    async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf).await
    }
}
