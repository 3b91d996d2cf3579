//! The custom-transport seam and the default hyper 1.x transport

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_core::future::BoxFuture;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_util::client::legacy::{Client as HyperClient, connect::HttpConnector};
use hyper_util::rt::TokioExecutor;

use crate::TransportFailure;

/// Performs one HTTP exchange for the client (implement it for a custom transport).
///
/// An implementation must not follow redirects, must not turn 4xx/5xx into errors, should give
/// up at `deadline` with [`TransportFailure::Timeout`] (the client also enforces it around the
/// returned future) and must stop reading a body longer than `max_body` bytes with
/// [`TransportFailure::BodyTooLarge`]. See `examples/tokio_unix_socket.rs` and
/// `examples/tokio_scripted_transport.rs`.
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
            let exchange = async {
                let response = client.request(request.map(Full::new)).await.map_err(|e| {
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
            match deadline {
                Some(at) => tokio::time::timeout_at(at.into(), exchange)
                    .await
                    .unwrap_or(Err(TransportFailure::Timeout)),
                None => exchange.await,
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
