//! The custom-transport seam and the default transport (hyper HTTP/1 over async-std TCP).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use async_std::net::TcpStream;
use bytes::Bytes;
use etcd_v2_proto::TransportFailure;
use futures_core::future::BoxFuture;
use http::uri::PathAndQuery;
use http::{HeaderValue, Request, Response, Uri, header};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use smol_hyper::rt::FuturesIo;

/// Performs one HTTP exchange for the client.
///
/// It must not follow redirects nor turn 4xx/5xx into errors, must read the whole body (at
/// most `max_body` bytes, else [`TransportFailure::BodyTooLarge`]) and should give up at
/// `deadline` with [`TransportFailure::Timeout`] (the client enforces it as well).
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` (its URI is absolute) and returns the response with its body read.
    fn send(
        &self,
        request: Request<Bytes>,
        deadline: Option<Instant>,
        max_body: usize,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportFailure>>;
}

/// Idle connections kept per authority.
const MAX_IDLE: usize = 8;

type Pool = Mutex<HashMap<String, Vec<SendRequest<Full<Bytes>>>>>;

/// hyper's low-level HTTP/1 client over async-std TCP, keeping idle connections for reuse;
/// `http` only (`https` is refused with [`TransportFailure::InvalidRequest`]).
#[derive(Clone, Default)]
pub struct DefaultTransport {
    idle: Arc<Pool>,
}

impl Transport for DefaultTransport {
    fn send(
        &self,
        request: Request<Bytes>,
        deadline: Option<Instant>,
        max_body: usize,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportFailure>> {
        Box::pin(within(deadline, exchange(Arc::clone(&self.idle), request, max_body)))
    }
}

/// Runs `fut` until `deadline`, then reports [`TransportFailure::Timeout`].
pub(crate) async fn within<T>(
    deadline: Option<Instant>,
    fut: impl Future<Output = Result<T, TransportFailure>>,
) -> Result<T, TransportFailure> {
    let Some(deadline) = deadline else { return fut.await };
    let left = deadline.saturating_duration_since(Instant::now());
    async_std::future::timeout(left, fut).await.unwrap_or(Err(TransportFailure::Timeout))
}

async fn exchange(idle: Arc<Pool>, request: Request<Bytes>, max_body: usize) -> Result<Response<Bytes>, TransportFailure> {
    let invalid = |msg: &str| TransportFailure::InvalidRequest(msg.to_owned());
    let (mut parts, body) = request.into_parts();
    match parts.uri.scheme_str() {
        Some("http") => {}
        Some("https") => return Err(invalid("https is not supported by this transport yet")),
        _ => return Err(invalid("only http:// URLs are supported")),
    }
    let authority = parts.uri.authority().ok_or_else(|| invalid("URL without a host"))?.clone();
    let host = HeaderValue::from_str(authority.as_str()).map_err(|e| invalid(&e.to_string()))?;
    parts.headers.insert(header::HOST, host);
    let target = parts.uri.path_and_query().cloned().unwrap_or_else(|| PathAndQuery::from_static("/"));
    parts.uri = Uri::from(target);

    let key = authority.as_str().to_owned();
    let mut sender = loop {
        let pooled = idle.lock().unwrap_or_else(PoisonError::into_inner).get_mut(&key).and_then(Vec::pop);
        match pooled {
            Some(mut s) => {
                if s.ready().await.is_ok() {
                    break s;
                }
            }
            None => break connect(&key, authority.port_u16().is_none()).await?,
        }
    };
    let response = sender
        .send_request(Request::from_parts(parts, Full::new(body)))
        .await
        .map_err(|e| TransportFailure::Io(e.to_string()))?;
    let (parts, body) = response.into_parts();
    let body = match Limited::new(body, max_body).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => return Err(TransportFailure::BodyTooLarge { limit: max_body }),
        Err(e) => return Err(TransportFailure::Io(e.to_string())),
    };
    let mut pool = idle.lock().unwrap_or_else(PoisonError::into_inner);
    let conns = pool.entry(key).or_default();
    if conns.len() < MAX_IDLE {
        conns.push(sender);
    }
    Ok(Response::from_parts(parts, body))
}

/// Opens a connection and spawns its driver; nothing has been sent if this fails.
async fn connect(authority: &str, default_port: bool) -> Result<SendRequest<Full<Bytes>>, TransportFailure> {
    let addr = if default_port { format!("{authority}:80") } else { authority.to_owned() };
    let failed = |e: &dyn std::fmt::Display| TransportFailure::Connect(format!("{addr}: {e}"));
    let stream = TcpStream::connect(&addr).await.map_err(|e| failed(&e))?;
    stream.set_nodelay(true).map_err(|e| failed(&e))?;
    let (sender, conn) = http1::handshake(FuturesIo::new(stream)).await.map_err(|e| failed(&e))?;
    async_std::task::spawn(async move {
        // Ends when the server closes, an exchange fails or every sender is dropped.
        let _ = conn.await;
    });
    Ok(sender)
}
