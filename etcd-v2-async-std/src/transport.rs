//! The custom-transport seam and the default transport (hyper HTTP/1 over async-std TCP).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_std::net::TcpStream;
use bytes::Bytes;
use etcd_v2_proto::TransportFailure;
use futures_core::future::BoxFuture;
use http::{HeaderValue, Request, Response, Uri, header, uri::PathAndQuery};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use smol_hyper::rt::FuturesIo;

use crate::lock;

/// Performs one HTTP exchange: no redirects followed, 4xx/5xx returned as answers, the whole
/// body read (over `max_body` bytes: [`TransportFailure::BodyTooLarge`]), given up at
/// `deadline` with [`TransportFailure::Timeout`] (the client enforces that too).
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` (its URI is absolute) and returns the answer with its body.
    fn send(
        &self,
        request: Request<Bytes>,
        deadline: Option<Instant>,
        max_body: usize,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportFailure>>;
}

type Idle = HashMap<String, Vec<SendRequest<Full<Bytes>>>>;

/// hyper's low-level HTTP/1 client over async-std TCP, keeping up to 8 idle connections per
/// host; `http` only (`https` is [`TransportFailure::InvalidRequest`]).
#[derive(Clone, Default)]
pub struct HyperTransport {
    idle: Arc<Mutex<Idle>>,
}

impl HyperTransport {
    /// A transport with an empty connection pool (same as `default()`).
    pub fn new() -> Self {
        Self::default()
    }
}

impl Transport for HyperTransport {
    fn send(
        &self,
        request: Request<Bytes>,
        deadline: Option<Instant>,
        max_body: usize,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportFailure>> {
        let exchange = exchange(self.idle.clone(), request, deadline, max_body);
        Box::pin(within(deadline, exchange))
    }
}

/// Runs `fut` until `deadline`, then reports [`TransportFailure::Timeout`].
pub(crate) async fn within<T>(
    deadline: Option<Instant>,
    fut: impl Future<Output = Result<T, TransportFailure>>,
) -> Result<T, TransportFailure> {
    let Some(left) = deadline.map(|d| d.saturating_duration_since(Instant::now())) else {
        return fut.await;
    };
    let timed = async_std::future::timeout(left, fut).await;
    timed.unwrap_or(Err(TransportFailure::Timeout))
}

fn invalid(msg: impl ToString) -> TransportFailure {
    TransportFailure::InvalidRequest(msg.to_string())
}

type Answer = Result<Response<Bytes>, TransportFailure>;

/// How many pooled connections one exchange tries whose driver hands the request back unsent
/// (closed under it) before it opens a fresh connection.
const POOLED_ATTEMPTS: usize = 2;

async fn exchange(
    idle: Arc<Mutex<Idle>>,
    request: Request<Bytes>,
    deadline: Option<Instant>,
    max_body: usize,
) -> Answer {
    let (mut head, body) = request.into_parts();
    let authority = match (head.uri.scheme_str(), head.uri.authority()) {
        (Some("http"), Some(authority)) => authority.clone(),
        (Some("https"), _) => return Err(invalid("https is not supported by this transport yet")),
        _ => return Err(invalid("not an http://host URL")),
    };
    let host = HeaderValue::from_str(authority.as_str()).map_err(invalid)?;
    head.headers.insert(header::HOST, host);
    let target = head.uri.path_and_query().cloned();
    head.uri = Uri::from(target.unwrap_or_else(|| PathAndQuery::from_static("/")));
    let port = authority.port_u16().unwrap_or(80);
    let addr = format!("{}:{port}", authority.host());
    let mut request = Request::from_parts(head, Full::new(body));
    let io = |e: &dyn std::error::Error| TransportFailure::Io(e.to_string());
    // A pooled connection may have been closed by the server without the driver noticing yet;
    // hyper then hands the request back unsent, and it is sent again on another connection.
    let mut unsent = 0;
    let (sender, response) = loop {
        let pooled = if unsent < POOLED_ATTEMPTS {
            checkout(&idle, &addr).await
        } else {
            None
        };
        let fresh = pooled.is_none();
        let mut sender = match pooled {
            Some(sender) => sender,
            None => connect(&addr, deadline).await?,
        };
        match sender.try_send_request(request).await {
            Ok(response) => break (sender, response),
            Err(mut e) => match e.take_message() {
                Some(back) if !fresh => {
                    request = back;
                    unsent += 1;
                }
                // Closed before it was written: nothing was sent, as for a failed connect.
                Some(_) => {
                    let why = e.into_error();
                    let msg = format!("{addr}: closed before the request was sent: {why}");
                    return Err(TransportFailure::Connect(msg));
                }
                None => return Err(io(&e.into_error())),
            },
        }
    };
    let (head, body) = response.into_parts();
    let body = Limited::new(body, max_body).collect().await.map_err(|e| {
        let too_large = e.is::<LengthLimitError>();
        if too_large {
            TransportFailure::BodyTooLarge { limit: max_body }
        } else {
            io(&*e)
        }
    })?;
    let mut pool = lock(&idle);
    let conns = pool.entry(addr).or_default();
    if conns.len() < 8 {
        conns.push(sender);
    }
    Ok(Response::from_parts(head, body.to_bytes()))
}

/// Takes an idle connection to `addr` that is still open and ready for a request, dropping
/// the ones found closed.
async fn checkout(idle: &Mutex<Idle>, addr: &str) -> Option<SendRequest<Full<Bytes>>> {
    loop {
        let mut pooled = lock(idle).get_mut(addr).and_then(Vec::pop)?;
        // An idle connection is ready at once; `ready` only waits out a driver that has not
        // yet finished the previous exchange, and fails if the connection closed meanwhile.
        if !pooled.is_closed() && pooled.ready().await.is_ok() {
            return Some(pooled);
        }
    }
}

/// Opens a connection and spawns its driver; nothing has been sent if this fails, so running
/// out of time here is [`TransportFailure::Connect`], not `Timeout`.
async fn connect(
    addr: &str,
    deadline: Option<Instant>,
) -> Result<SendRequest<Full<Bytes>>, TransportFailure> {
    let failed = |e: &dyn std::fmt::Display| TransportFailure::Connect(format!("{addr}: {e}"));
    let left = deadline.map_or(Duration::MAX, |d| {
        d.saturating_duration_since(Instant::now())
    });
    let connecting = async_std::io::timeout(left, TcpStream::connect(addr));
    let stream = connecting.await.map_err(|e| failed(&e))?;
    stream.set_nodelay(true).map_err(|e| failed(&e))?;
    let io = FuturesIo::new(stream);
    let (sender, conn) = http1::handshake(io).await.map_err(|e| failed(&e))?;
    // The driver ends when the server closes, an exchange fails or every sender is dropped.
    async_std::task::spawn(conn);
    Ok(sender)
}
