//! Opening connections for hyper-util's pool: async-std TCP, and TLS through futures-rustls

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_std::net::TcpStream;
use futures_io::{AsyncRead, AsyncWrite};
use http::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};

use crate::io::Io;

/// Go's dial timeout.
const DIAL_TIMEOUT: Duration = Duration::from_secs(30);

/// A byte stream hyper can speak HTTP/1 over: plain TCP or TLS.
pub trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// A connection of the pool.
pub type Conn = Io<Box<dyn Stream>>;

impl Connection for Conn {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

/// Connects to a URI's host and port (the addresses it resolves to, one after another, within
/// Go's dial timeout), over TLS for `https` with the `tls` feature.
#[derive(Clone)]
pub struct Connector {
    #[cfg(feature = "tls")]
    tls: futures_rustls::TlsConnector,
    /// The name certificates are checked against, if not each endpoint's host.
    #[cfg(feature = "tls")]
    server_name: Option<rustls::pki_types::ServerName<'static>>,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector").finish_non_exhaustive()
    }
}

impl Connector {
    /// A connector whose `https` connections are verified by `tls`.
    #[cfg(feature = "tls")]
    pub(crate) fn new(
        tls: std::sync::Arc<rustls::ClientConfig>,
        server_name: Option<rustls::pki_types::ServerName<'static>>,
    ) -> Self {
        Self {
            tls: futures_rustls::TlsConnector::from(tls),
            server_name,
        }
    }

    /// A connector for `http` only.
    #[cfg(not(feature = "tls"))]
    pub(crate) fn new() -> Self {
        Self {}
    }
}

impl tower_service::Service<Uri> for Connector {
    type Response = Conn;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Conn>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        #[cfg(feature = "tls")]
        let (tls, server_name) = (self.tls.clone(), self.server_name.clone());
        Box::pin(async move {
            let https = uri.scheme_str() == Some("https");
            let host = uri.host().unwrap_or_default();
            let host = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
            let dial = TcpStream::connect((host.as_str(), port));
            let tcp = async_std::io::timeout(DIAL_TIMEOUT, dial).await?;
            tcp.set_nodelay(true)?;
            if !https {
                return Ok(Io::new(Box::new(tcp) as Box<dyn Stream>));
            }
            #[cfg(feature = "tls")]
            {
                let name = match server_name {
                    Some(name) => name,
                    None => rustls::pki_types::ServerName::try_from(host)
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?,
                };
                let stream = tls.connect(name, tcp).await?;
                Ok(Io::new(Box::new(stream) as Box<dyn Stream>))
            }
            #[cfg(not(feature = "tls"))]
            Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "https needs the `tls` feature",
            ))
        })
    }
}
