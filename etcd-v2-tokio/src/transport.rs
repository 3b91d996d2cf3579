//! The custom-transport seam and the default hyper 1.x transport

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_core::future::BoxFuture;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::{HttpConnector, capture_connection};
use hyper_util::rt::TokioExecutor;

use crate::TransportFailure;

/// Performs one HTTP exchange for the client (implement it for a custom transport).
///
/// An implementation must not follow redirects, must not turn 4xx/5xx into errors, should give
/// up at `deadline` with [`TransportFailure::Timeout`] — or [`TransportFailure::Connect`] if no
/// connection was up yet, so nothing was sent (the client also enforces the deadline around the
/// returned future, shortly after it, and then can only report `Timeout`) — and must stop
/// reading a body longer than `max_body` bytes with [`TransportFailure::BodyTooLarge`]. See
/// `examples/tokio_unix_socket.rs` and `examples/tokio_scripted_transport.rs`.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and returns the answer with its body fully read.
    fn send(
        &self,
        request: Request<Bytes>,
        deadline: Option<Instant>,
        max_body: usize,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportFailure>>;
}

/// The default transport: hyper-util's pooled client (HTTP/1.1, keep-alive) over plain TCP.
///
/// Only `http://` endpoints are supported; use a custom [`Transport`] for TLS.
#[derive(Debug, Clone)]
pub struct HyperTransport {
    client: HyperClient<HttpConnector, Full<Bytes>>,
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl HyperTransport {
    /// A transport with a fresh connection pool; dial timeout and TCP keep-alive 30 s (as Go's).
    pub fn new() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(30)));
        connector.set_keepalive(Some(Duration::from_secs(30)));
        let client = HyperClient::builder(TokioExecutor::new()).build(connector);
        Self { client }
    }
}

impl Transport for HyperTransport {
    fn send(
        &self,
        request: Request<Bytes>,
        deadline: Option<Instant>,
        max_body: usize,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportFailure>> {
        let client = self.client.clone();
        Box::pin(async move {
            if request.uri().scheme_str() != Some("http") {
                let msg = format!("{}: only http:// is supported", request.uri());
                return Err(TransportFailure::InvalidRequest(msg));
            }
            let mut request = request.map(Full::new);
            // Set by the client once it has a connection for this request, before writing it.
            let connection = capture_connection(&mut request);
            let exchange = async {
                let response = client.request(request).await.map_err(|e| {
                    let msg = error_chain(&e);
                    if e.is_connect() {
                        TransportFailure::Connect(msg)
                    } else {
                        TransportFailure::Io(msg)
                    }
                })?;
                let (parts, body) = response.into_parts();
                match Limited::new(body, max_body).collect().await {
                    Ok(body) => Ok(Response::from_parts(parts, body.to_bytes())),
                    Err(e) if e.is::<LengthLimitError>() => {
                        Err(TransportFailure::BodyTooLarge { limit: max_body })
                    }
                    Err(e) => Err(TransportFailure::Io(error_chain(&*e))),
                }
            };
            let Some(at) = deadline else {
                return exchange.await;
            };
            match tokio::time::timeout_at(at.into(), exchange).await {
                Ok(outcome) => outcome,
                // Still resolving or connecting (to a host that never answers the SYN, say):
                // nothing was sent, which the core must know to fail over even a write.
                Err(_) if connection.connection_metadata().is_none() => {
                    Err(TransportFailure::Connect("connect timed out".into()))
                }
                Err(_) => Err(TransportFailure::Timeout),
            }
        })
    }
}

/// `outer: cause: root cause`, the way hyper's errors are readable.
fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut msg = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        msg.push_str(": ");
        msg.push_str(&e.to_string());
        source = e.source();
    }
    msg
}
