//! What a runtime crate supplies: a timer, a spawner, a connector and UDP sockets

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Instant;

use http::Uri;
use hyper::rt::{Read, Write};
use hyper_util::client::legacy::connect::Connection;
use tower_service::Service;

/// A task hyper-util spawns to drive a connection.
pub type Spawned = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The pieces of an async runtime the client needs (implemented by `etcd-v2-tokio` and
/// `etcd-v2-async-std`; implement it to run the client elsewhere).
pub trait Runtime: Send + Sync + Sized + 'static {
    /// A sleep on the runtime's timer.
    type Sleep: Future<Output = ()> + Send + 'static;
    /// Opens connections for hyper-util's pool (TCP, and TLS for `https` when configured).
    type Connector: Service<
            Uri,
            Response: Connection + Read + Write + Send + Unpin + 'static,
            Error: Into<Box<dyn std::error::Error + Send + Sync>>,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static;
    /// Spawns the tasks that drive pooled connections.
    type Executor: hyper::rt::Executor<Spawned> + Clone + Send + Sync + 'static;
    /// hyper-util's timer (it expires idle pooled connections).
    type Timer: hyper::rt::Timer + Clone + Send + Sync + 'static;
    /// A UDP socket connected to one nameserver.
    type Udp: Datagrams;

    /// Sleeps until `at`.
    fn sleep_until(at: Instant) -> Self::Sleep;

    /// The executor and timer hyper-util's client runs on.
    fn executor_and_timer() -> (Self::Executor, Self::Timer);

    /// A connector for `http://` endpoints, and `https://` ones verified by `tls`, against
    /// `server_name` if given, else each endpoint's host.
    #[cfg(feature = "tls")]
    fn connector(
        tls: std::sync::Arc<rustls::ClientConfig>,
        server_name: Option<rustls::pki_types::ServerName<'static>>,
    ) -> Self::Connector;

    /// A connector for `http://` endpoints.
    #[cfg(not(feature = "tls"))]
    fn connector() -> Self::Connector;

    /// A UDP socket bound to an ephemeral port and connected to `server`.
    fn udp_connect(server: SocketAddr) -> impl Future<Output = io::Result<Self::Udp>> + Send;
}

/// A connected UDP socket (SRV discovery).
pub trait Datagrams: Send + Sync + 'static {
    /// Sends one datagram.
    fn send(&self, datagram: &[u8]) -> impl Future<Output = io::Result<usize>> + Send;
    /// Receives one datagram into `buf`.
    fn recv(&self, buf: &mut [u8]) -> impl Future<Output = io::Result<usize>> + Send;
}
