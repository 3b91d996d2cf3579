//! The custom-transport seam and the default hyper 1.x transport

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use bytes::Bytes;
use etcd_v2_proto::body::{Body, BodyBuffer};
use futures_core::future::BoxFuture;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Body as _;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::{HttpConnector, capture_connection};
use hyper_util::rt::TokioExecutor;

use crate::timer_keeper::TimerKeeper;
use crate::{Idempotency, TransportFailure};

/// Performs one HTTP exchange for the client (implement it for a custom transport).
///
/// An implementation must not follow redirects, must not turn 4xx/5xx into errors, should give
/// up with [`TransportFailure::Timeout`] if the response headers have not arrived by
/// `header_deadline` and at `deadline` in any case (body included) — or with
/// [`TransportFailure::Connect`] if no connection was up yet, so nothing was sent (this matters
/// only for requests whose extensions carry [`Idempotency::NotIdempotent`]; unless
/// [`Transport::enforces_deadline`] says so, the client also enforces `deadline` around the
/// returned future, shortly after it, and then can only report `Timeout`) — and must stop
/// reading a body longer than `max_body` bytes with [`TransportFailure::BodyTooLarge`]. A watch
/// has a `header_deadline` but usually no `deadline`: etcd sends its headers at once, only its
/// body waits for an event. See `examples/tokio_unix_socket.rs` and
/// `examples/tokio_scripted_transport.rs`.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and returns the answer with its body fully read.
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

#[cfg(not(feature = "tls"))]
type Connector = HttpConnector;
#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// The default transport: hyper-util's pooled client (HTTP/1.1, keep-alive) over TCP.
///
/// `https://` endpoints need the `tls` feature (rustls with the webpki roots; use
/// `HyperTransport::with_tls` to trust a private CA); without it only `http://` works.
#[derive(Debug, Clone)]
pub struct HyperTransport {
    client: HyperClient<Connector, Full<Bytes>>,
    keeper: std::sync::Arc<TimerKeeper>,
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl HyperTransport {
    /// A transport with a fresh connection pool; dial timeout and TCP keep-alive 30 s (as Go's).
    ///
    /// With the `tls` feature, `https://` endpoints are verified against the webpki roots.
    pub fn new() -> Self {
        #[cfg(feature = "tls")]
        return Self::with_tls(std::sync::Arc::new(webpki_config()));
        #[cfg(not(feature = "tls"))]
        Self::build(tcp_connector())
    }

    /// Like [`HyperTransport::new`], with `https://` endpoints verified by `config` (its roots,
    /// e.g. a private CA, its client certificate if any); ALPN is left to HTTP/1.1.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// let mut roots = rustls::RootCertStore::empty();
    /// # let ca_der: Vec<rustls::pki_types::CertificateDer<'static>> = Vec::new();
    /// roots.add_parsable_certificates(ca_der); // the cluster's CA, DER-encoded
    /// let config = rustls::ClientConfig::builder()
    ///     .with_root_certificates(roots)
    ///     .with_no_client_auth();
    /// # let _rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// # let _guard = _rt.enter();
    /// let transport = etcd_v2_tokio::HyperTransport::with_tls(Arc::new(config));
    /// # let _ = transport;
    /// ```
    #[cfg(feature = "tls")]
    pub fn with_tls(config: std::sync::Arc<rustls::ClientConfig>) -> Self {
        let mut tcp = tcp_connector();
        tcp.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(rustls::ClientConfig::clone(&config))
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        Self::build(connector)
    }

    fn build(connector: Connector) -> Self {
        let client = HyperClient::builder(TokioExecutor::new())
            .http1_max_buf_size(MAX_READ_BUFFER)
            .build(connector);
        let keeper = std::sync::Arc::default();
        Self { client, keeper }
    }
}

fn tcp_connector() -> HttpConnector {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(Duration::from_secs(30)));
    connector.set_keepalive(Some(Duration::from_secs(30)));
    connector
}

/// The most hyper buffers per read of a connection. Its default (~400 KiB, reached while
/// a large listing streams in) is held beside the listing's decoded nodes; the body is copied
/// out chunk by chunk anyway, so smaller reads cost a few more syscalls and nothing else.
/// W4 (a 1.8 MB listing, 3 × 3 runs side by side): growth 7.1–8.1 MB instead of 9.8–10.2 MB.
const MAX_READ_BUFFER: usize = 64 * 1024;

/// rustls (ring) trusting the webpki roots.
#[cfg(feature = "tls")]
fn webpki_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
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
        let client = self.client.clone();
        if header_deadline.is_some() {
            self.keeper.touch();
        }
        Box::pin(async move {
            let scheme = request.uri().scheme_str();
            let tls = cfg!(feature = "tls") && scheme == Some("https");
            if scheme != Some("http") && !tls {
                let msg = format!(
                    "{}: unsupported scheme (https needs the `tls` feature)",
                    request.uri()
                );
                return Err(TransportFailure::InvalidRequest(msg));
            }
            let must_not_repeat = request.extensions().get() == Some(&Idempotency::NotIdempotent);
            let mut request = request.map(Full::new);
            // Set by the client once it has a connection for this request, before writing it.
            // Only a write that must not be repeated needs to know (it costs about a tenth of
            // a call): any other call fails over after a timeout whether it was sent or not.
            let connection = must_not_repeat.then(|| capture_connection(&mut request));
            let timed_out = || match &connection {
                Some(c) if c.connection_metadata().is_none() => {
                    // Still resolving or connecting (to a host that never answers the SYN,
                    // say): nothing was sent, which the core must know to fail over a write.
                    TransportFailure::Connect("connect timed out".into())
                }
                _ => TransportFailure::Timeout,
            };
            // The head (connect, send, response headers) by the header deadline, and the whole
            // exchange by `deadline`. For most calls both are the same instant: then one timer
            // bounds both (a timer costs about as much as the core's work for a call).
            let head_only = header_deadline.filter(|&at| Some(at) != deadline);
            let exchange = async {
                let head = client.request(request);
                let head = match head_only {
                    Some(at) => match tokio::time::timeout_at(at.into(), head).await {
                        Ok(head) => head,
                        Err(_) => return Err(timed_out()),
                    },
                    None => head.await,
                };
                let response = head.map_err(|e| {
                    let msg = error_chain(&e);
                    if e.is_connect() && is_tls(&e) {
                        TransportFailure::Tls(msg)
                    } else if e.is_connect() {
                        TransportFailure::Connect(msg)
                    } else {
                        TransportFailure::Io(msg)
                    }
                })?;
                let (parts, mut body) = response.into_parts();
                let mut buffer = BodyBuffer::new(max_body, body.size_hint().exact());
                while let Some(frame) = body.frame().await {
                    let frame = frame.map_err(|e| TransportFailure::Io(error_chain(&e)))?;
                    if let Ok(data) = frame.into_data() {
                        buffer.push(data)?;
                    }
                }
                Ok(Response::from_parts(parts, buffer.finish()))
            };
            // A watch has no `deadline` (only a header deadline): its body waits for an event.
            match deadline {
                Some(at) => match tokio::time::timeout_at(at.into(), exchange).await {
                    Ok(answer) => answer,
                    Err(_) => Err(timed_out()),
                },
                None => exchange.await,
            }
        })
    }

    fn enforces_deadline(&self) -> bool {
        true
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

/// Whether `error` comes from rustls (a failed handshake: nothing was sent).
fn is_tls(error: &(dyn StdError + 'static)) -> bool {
    #[cfg(feature = "tls")]
    {
        // tokio-rustls hands rustls' error over inside an `io::Error`, which hyper-rustls wraps
        // in another: `source()` skips those, so look inside them.
        let mut next = Some(error);
        while let Some(e) = next {
            let inner = e
                .downcast_ref::<std::io::Error>()
                .and_then(std::io::Error::get_ref)
                .map(|i| i as &(dyn StdError + 'static));
            if e.is::<rustls::Error>() || inner.is_some_and(is_tls) {
                return true;
            }
            next = e.source();
        }
    }
    let _ = error;
    false
}
