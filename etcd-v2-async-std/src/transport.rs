//! The custom-transport seam and the default transport (hyper HTTP/1 over async-std TCP).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_std::net::TcpStream;
use bytes::Bytes;
use etcd_v2_proto::TransportFailure;
use etcd_v2_proto::body::{Body, BodyBuffer};
use futures_core::future::BoxFuture;
use http::{HeaderValue, Request, Response, Uri, header, uri::PathAndQuery};
use http_body_util::{BodyExt, Full};
use hyper::body::Body as _;
use hyper::client::conn::http1::{self, SendRequest};

use crate::io::Io;
use crate::lock;

/// Performs one HTTP exchange: no redirects followed, 4xx/5xx returned as answers, the whole
/// body read (over `max_body` bytes: [`TransportFailure::BodyTooLarge`]), given up with
/// [`TransportFailure::Timeout`] if the response headers have not arrived by `header_deadline`,
/// and at `deadline` in any case, body included (the client enforces `deadline` too, unless
/// [`Transport::enforces_deadline`] says the transport does). A watch has a `header_deadline`
/// but usually no `deadline`: etcd sends its headers at once, only its body waits for an event.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` (its URI is absolute) and returns the answer with its body.
    fn send(
        &self,
        request: Request<Bytes>,
        deadline: Option<Instant>,
        header_deadline: Option<Instant>,
        max_body: usize,
    ) -> BoxFuture<'static, Result<Response<Body>, TransportFailure>>;

    /// Whether [`Transport::send`] itself always gives up by `deadline`, so the client need not
    /// arm a timer of its own around it (one timer less per request). `false` unless a
    /// transport promises it; the default transport does.
    fn enforces_deadline(&self) -> bool {
        false
    }
}

type Idle = HashMap<String, Vec<SendRequest<Full<Bytes>>>>;

/// Idle connections kept per host: as many as callers a busy program runs at once, so that
/// 64 concurrent callers do not close and reopen connections on every call (8 did: it halved
/// their throughput). Each idle connection holds about 30 KiB of buffers.
pub const MAX_IDLE_PER_HOST: usize = 128;

/// hyper's low-level HTTP/1 client over async-std TCP, keeping up to [`MAX_IDLE_PER_HOST`] idle
/// connections per host. `https` needs the `tls` feature (rustls with the webpki roots; use
/// `HyperTransport::with_tls` to trust a private CA); without it, it is
/// [`TransportFailure::InvalidRequest`].
#[derive(Clone, Default)]
pub struct HyperTransport {
    idle: Arc<Mutex<Idle>>,
    #[cfg(feature = "tls")]
    tls: Option<futures_rustls::TlsConnector>,
}

impl HyperTransport {
    /// A transport with an empty connection pool (same as `default()`).
    ///
    /// With the `tls` feature, `https://` endpoints are verified against the webpki roots.
    pub fn new() -> Self {
        Self::default()
    }

    /// Like [`HyperTransport::new`], with `https://` endpoints verified by `config` (its roots,
    /// e.g. a private CA, its client certificate if any).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// let mut roots = rustls::RootCertStore::empty();
    /// # let ca_der: Vec<rustls::pki_types::CertificateDer<'static>> = Vec::new();
    /// roots.add_parsable_certificates(ca_der); // the cluster's CA, DER-encoded
    /// let config = rustls::ClientConfig::builder()
    ///     .with_root_certificates(roots)
    ///     .with_no_client_auth();
    /// let transport = etcd_v2_async_std::HyperTransport::with_tls(Arc::new(config));
    /// # let _ = transport;
    /// ```
    #[cfg(feature = "tls")]
    pub fn with_tls(config: Arc<rustls::ClientConfig>) -> Self {
        Self {
            idle: Arc::default(),
            tls: Some(futures_rustls::TlsConnector::from(config)),
        }
    }

    #[cfg(feature = "tls")]
    fn tls(&self) -> Option<futures_rustls::TlsConnector> {
        static WEBPKI: std::sync::OnceLock<futures_rustls::TlsConnector> =
            std::sync::OnceLock::new();
        let webpki = || futures_rustls::TlsConnector::from(Arc::new(webpki_config()));
        Some(
            self.tls
                .clone()
                .unwrap_or_else(|| WEBPKI.get_or_init(webpki).clone()),
        )
    }

    #[cfg(not(feature = "tls"))]
    fn tls(&self) -> Option<Tls> {
        None
    }
}

/// Stands for `futures_rustls::TlsConnector` without the `tls` feature.
#[cfg(not(feature = "tls"))]
#[derive(Clone)]
enum Tls {}

#[cfg(feature = "tls")]
type Tls = futures_rustls::TlsConnector;

/// rustls (ring) trusting the webpki roots.
#[cfg(feature = "tls")]
fn webpki_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

impl Transport for HyperTransport {
    fn send(
        &self,
        request: Request<Bytes>,
        deadline: Option<Instant>,
        header_deadline: Option<Instant>,
        max_body: usize,
    ) -> BoxFuture<'static, Result<Response<Body>, TransportFailure>> {
        // Most calls have one instant for both deadlines: then one timer bounds the whole
        // exchange (a timer costs about as much as the core's work for a call). The connect
        // keeps its own bound, so that running out of time there still says nothing was sent.
        let head_only = header_deadline.filter(|&at| Some(at) != deadline);
        let exchange = exchange(
            self.idle.clone(),
            self.tls(),
            request,
            Deadlines {
                connect: header_deadline,
                head: head_only,
            },
            max_body,
        );
        Box::pin(within(deadline, exchange))
    }

    fn enforces_deadline(&self) -> bool {
        true
    }
}

/// The bounds one exchange applies itself (the caller bounds the whole of it).
struct Deadlines {
    /// Opening a connection (a failure here means nothing was sent).
    connect: Option<Instant>,
    /// The head: connect, send and the response headers.
    head: Option<Instant>,
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

type Answer = Result<Response<Body>, TransportFailure>;

/// How many pooled connections one exchange tries whose driver hands the request back unsent
/// (closed under it) before it opens a fresh connection.
const POOLED_ATTEMPTS: usize = 2;

/// One exchange whose connect and head are given up at `deadlines`; the caller bounds the
/// whole of it, body included.
async fn exchange(
    idle: Arc<Mutex<Idle>>,
    tls: Option<Tls>,
    request: Request<Bytes>,
    deadlines: Deadlines,
    max_body: usize,
) -> Answer {
    let (mut head, body) = request.into_parts();
    let (authority, tls) = match (head.uri.scheme_str(), head.uri.authority(), tls) {
        (Some("http"), Some(authority), _) => (authority.clone(), None),
        (Some("https"), Some(authority), Some(tls)) => (authority.clone(), Some(tls)),
        (Some("https"), _, None) => return Err(invalid("https needs the `tls` feature")),
        _ => return Err(invalid("not an http(s)://host URL")),
    };
    let host = HeaderValue::from_str(authority.as_str()).map_err(invalid)?;
    head.headers.insert(header::HOST, host);
    let target = head.uri.path_and_query().cloned();
    head.uri = Uri::from(target.unwrap_or_else(|| PathAndQuery::from_static("/")));
    let port = authority.port_u16();
    let port = port.unwrap_or(if tls.is_some() { 443 } else { 80 });
    let addr = format!("{}:{port}", authority.host());
    // The pool is keyed by scheme too: a plain and a TLS connection are not interchangeable.
    let key = format!("{}://{addr}", if tls.is_some() { "https" } else { "http" });
    let mut request = Request::from_parts(head, Full::new(body));
    let io = |e: &dyn std::error::Error| TransportFailure::Io(e.to_string());
    // A pooled connection may have been closed by the server without the driver noticing yet;
    // hyper then hands the request back unsent, and it is sent again on another connection.
    let mut unsent = 0;
    let head = async {
        loop {
            let pooled = if unsent < POOLED_ATTEMPTS {
                checkout(&idle, &key).await
            } else {
                None
            };
            let fresh = pooled.is_none();
            let mut sender = match pooled {
                Some(sender) => sender,
                // Boxed: a TLS handshake future is large, and most exchanges reuse a connection.
                None => Box::pin(connect(&addr, tls.clone(), deadlines.connect)).await?,
            };
            match sender.try_send_request(request).await {
                Ok(response) => break Ok((sender, response)),
                Err(mut e) => match e.take_message() {
                    Some(back) if !fresh => {
                        request = back;
                        unsent += 1;
                    }
                    // Closed before it was written: nothing was sent, as for a failed connect.
                    Some(_) => {
                        let why = e.into_error();
                        let msg = format!("{addr}: closed before the request was sent: {why}");
                        break Err(TransportFailure::Connect(msg));
                    }
                    None => break Err(io(&e.into_error())),
                },
            }
        }
    };
    // A watch's headers come at once even when its body waits for an event.
    let (sender, response) = within(deadlines.head, head).await?;
    let (head, mut body) = response.into_parts();
    let mut buffer = BodyBuffer::new(max_body, body.size_hint().exact());
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.map_err(|e| io(&e))?.into_data() {
            buffer.push(data)?;
        }
    }
    let mut pool = lock(&idle);
    let conns = pool.entry(key).or_default();
    if conns.len() < MAX_IDLE_PER_HOST {
        conns.push(sender);
    }
    Ok(Response::from_parts(head, buffer.finish()))
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
    tls: Option<Tls>,
    deadline: Option<Instant>,
) -> Result<SendRequest<Full<Bytes>>, TransportFailure> {
    let failed = |e: &dyn std::fmt::Display| TransportFailure::Connect(format!("{addr}: {e}"));
    let left = || {
        deadline.map_or(Duration::MAX, |d| {
            d.saturating_duration_since(Instant::now())
        })
    };
    let connecting = async_std::io::timeout(left(), TcpStream::connect(addr));
    let stream = connecting.await.map_err(|e| failed(&e))?;
    stream.set_nodelay(true).map_err(|e| failed(&e))?;
    let Some(tls) = tls else {
        return start(Io::new(stream)).await.map_err(|e| failed(&e));
    };
    #[cfg(feature = "tls")]
    {
        let host = addr.rsplit_once(':').map_or(addr, |(host, _)| host);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = rustls::pki_types::ServerName::try_from(host.to_owned())
            .map_err(|e| TransportFailure::InvalidRequest(format!("{addr}: {e}")))?;
        let handshake = async_std::io::timeout(left(), tls.connect(name, stream)).await;
        let stream = handshake.map_err(|e| match e.kind() {
            std::io::ErrorKind::TimedOut => failed(&"TLS handshake timed out"),
            _ => TransportFailure::Tls(format!("{addr}: {e}")),
        })?;
        start(Io::new(stream)).await.map_err(|e| failed(&e))
    }
    #[cfg(not(feature = "tls"))]
    match tls {}
}

/// The HTTP/1 handshake over `io` (sends nothing); spawns the connection's driver, which ends
/// when the server closes, an exchange fails or every sender is dropped.
async fn start<T>(io: T) -> hyper::Result<SendRequest<Full<Bytes>>>
where
    T: hyper::rt::Read + hyper::rt::Write + Send + Unpin + 'static,
{
    let (sender, conn) = http1::handshake(io).await?;
    async_std::task::spawn(conn);
    Ok(sender)
}
