//! The HTTP seam: [`Transport`] and its default implementation over `ureq`.

use std::io::{self, Read as _};
use std::time::Instant;

use bytes::Bytes;
use etcd_v2_proto::body::{Body, BodyBuffer};
use etcd_v2_proto::{Transmit, TransportFailure};
use http::header::CONTENT_LENGTH;
use http::{Request, Response, Uri};
use ureq::config::{Config as UreqConfig, ConfigBuilder};
use ureq::typestate::AgentScope;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    ConnectionDetails, Connector, DefaultConnector, NextTimeout, Transport as UreqIo,
};
use ureq::{Agent, AsSendBody, Timeout};

/// Performs one HTTP exchange for the client (the custom-transport seam).
///
/// `exchange` is the core's description of it. An implementation sends `exchange.request` as
/// it is, must not follow redirects nor turn 4xx/5xx into errors, must give up with
/// [`TransportFailure::Timeout`] if the response headers have not arrived by
/// `exchange.header_deadline` and at `exchange.deadline` in any case (body included), must read
/// at most `exchange.max_body` bytes of body ([`TransportFailure::BodyTooLarge`] past that) and
/// must map its own errors to the other [`TransportFailure`] variants (`Connect` only when
/// nothing was sent). A watch has a `header_deadline` but usually no `deadline`: etcd sends its
/// headers at once, only its body waits for an event.
///
/// For a streaming watch (`exchange.stream`) it may hand a 2xx answer's body back unread, in
/// [`Answer::open`]; one that reads every body whole (canned answers) works too.
pub trait Transport: Send + Sync + 'static {
    /// Performs `exchange`.
    ///
    /// # Errors
    /// Any [`TransportFailure`]; the core decides what to do with it.
    fn send(&self, exchange: Transmit) -> Result<Answer, TransportFailure>;
}

/// What a [`Transport`] answers: the response, whole, or its head with the body left open.
pub struct Answer {
    /// The response; its body is empty when [`open`](Self::open) is set.
    pub response: Response<Body>,
    /// A stream exchange's 2xx body, to be read as it arrives.
    pub open: Option<StreamBody>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("response", &self.response)
            .field("open", &self.open.is_some())
            .finish()
    }
}

impl From<Response<Body>> for Answer {
    fn from(response: Response<Body>) -> Self {
        Self {
            response,
            open: None,
        }
    }
}

impl Answer {
    /// The response, and for a stream exchange with a 2xx status its body as a reader (the
    /// whole body read if the transport read it).
    pub(crate) fn into_parts(self, stream: bool) -> (Response<Body>, Option<StreamBody>) {
        if self.open.is_some() || !stream || !self.response.status().is_success() {
            return (self.response, self.open);
        }
        let (parts, body) = self.response.into_parts();
        let reader: StreamBody = Box::new(io::Cursor::new(body.into_bytes()));
        (Response::from_parts(parts, Body::default()), Some(reader))
    }
}

/// An open response body, read as it arrives (a streaming watch's).
pub type StreamBody = Box<dyn io::Read + Send + Sync>;

/// A shared transport, e.g. to keep a handle on a test double after giving it to a client.
impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(&self, exchange: Transmit) -> Result<Answer, TransportFailure> {
        (**self).send(exchange)
    }
}

/// The default [`Transport`]: a pooling `ureq` agent that never follows redirects.
///
/// ```
/// let transport = etcd_v2_blocking::UreqTransport::new();
/// # let _ = transport;
/// ```
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: Agent,
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl UreqTransport {
    /// An agent with no proxy, no redirects and status codes returned as responses.
    pub fn new() -> Self {
        Self::with_config(|c| c)
    }

    /// Like [`UreqTransport::new`], with `configure` applied to ureq's config (TLS roots, a
    /// proxy, pool sizes…); redirects and status-as-error stay off whatever it sets.
    ///
    /// ```
    /// use etcd_v2_blocking::UreqTransport;
    /// let transport = UreqTransport::with_config(|c| c.max_idle_connections_per_host(8));
    /// # let _ = transport;
    /// ```
    pub fn with_config(
        configure: impl FnOnce(ConfigBuilder<AgentScope>) -> ConfigBuilder<AgentScope>,
    ) -> Self {
        Self::with_parts(configure, None)
    }

    /// [`UreqTransport::with_config`], checking TLS certificates against `server_name` if
    /// given.
    fn with_parts(
        configure: impl FnOnce(ConfigBuilder<AgentScope>) -> ConfigBuilder<AgentScope>,
        server_name: Option<String>,
    ) -> Self {
        let config = configure(Agent::config_builder().proxy(None))
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .build();
        // ureq's default parts, wrapped so that running out of time before the connection is
        // up says so (see `NotConnected`).
        let connector = NotConnected(DefaultConnector::new(), server_name);
        let resolver = NotConnected(DefaultResolver::default(), None);
        Self {
            agent: Agent::with_parts(config, connector, resolver),
        }
    }

    /// Like [`UreqTransport::new`], with `https://` endpoints verified by `tls` (the `tls`
    /// feature): e.g. a private CA as the roots, and a client certificate if the cluster wants
    /// one.
    ///
    /// ```
    /// use etcd_v2_blocking::ureq::tls::{Certificate, RootCerts, TlsConfig};
    /// # let ca_der: Vec<u8> = Vec::new();
    /// let ca = Certificate::from_der(&ca_der).to_owned(); // the cluster's CA (or `from_pem`)
    /// let tls = TlsConfig::builder()
    ///     .root_certs(RootCerts::new_with_certs(&[ca]))
    ///     .build();
    /// let transport = etcd_v2_blocking::UreqTransport::with_tls(tls);
    /// # let _ = transport;
    /// ```
    #[cfg(feature = "tls")]
    pub fn with_tls(tls: ureq::tls::TlsConfig) -> Self {
        Self::with_config(|c| c.tls_config(tls))
    }

    /// Like [`UreqTransport::with_tls`], from PEM (etcdctl's `--cacert`, `--cert`, `--key`):
    /// the CA bundle as the only roots, and the client certificate if one is given.
    ///
    /// # Errors
    /// [`etcd_v2_proto::UsageError::InvalidTls`] for a PEM that holds no certificate or a bad
    /// key.
    #[cfg(feature = "tls")]
    pub fn with_pem(pem: &etcd_v2_proto::TlsPem) -> Result<Self, etcd_v2_proto::Error> {
        use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};
        let invalid = |what: &str, e: ureq::Error| {
            etcd_v2_proto::UsageError::InvalidTls(format!("{what}: {e}"))
        };
        let certs = |pem: &[u8], what: &str| {
            ureq::tls::parse_pem(pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(invalid(what, e))),
                })
                .collect::<Result<Vec<Certificate<'static>>, _>>()
        };
        let roots = certs(&pem.ca, "CA bundle")?;
        if roots.is_empty() {
            let msg = "the CA bundle holds no certificate".into();
            return Err(etcd_v2_proto::UsageError::InvalidTls(msg).into());
        }
        let client = match pem.client_pair()? {
            Some((cert, key)) => {
                let key = PrivateKey::from_pem(key).map_err(|e| invalid("client key", e))?;
                Some(ClientCert::new_with_certs(
                    &certs(cert, "client certificate")?,
                    key,
                ))
            }
            None => None,
        };
        let tls = TlsConfig::builder()
            .root_certs(RootCerts::new_with_certs(&roots))
            .client_cert(client)
            .build();
        Ok(Self::with_parts(
            |c| c.tls_config(tls),
            pem.server_name.clone(),
        ))
    }

    /// Performs `t` with `request`, its request as ureq sends it.
    fn run<B: AsSendBody>(
        &self,
        request: Request<B>,
        t: &Transmit,
    ) -> Result<Answer, TransportFailure> {
        let (deadline, header_deadline, max_body) = (t.deadline, t.header_deadline, t.max_body);
        let now = Instant::now();
        let timeout = deadline.map(|d| d.saturating_duration_since(now));
        let head = header_deadline.map(|d| d.saturating_duration_since(now));
        if [timeout, head]
            .into_iter()
            .flatten()
            .any(|left| left.is_zero())
        {
            return Err(TransportFailure::Timeout);
        }
        // One deadline for the whole exchange (resolve, connect, request, response and body);
        // a timeout before the connection is up comes back as `Timeout::{Resolve, Connect}`.
        let mut request = self
            .agent
            .configure_request(request)
            .timeout_global(timeout);
        // The head by the header deadline: ureq returns once the response headers are in, and
        // bounds each phase up to them. (It measures each phase's budget from the end of the
        // one before, so only a member slow in several phases can overrun it, by at most that.)
        // A watch's body, which waits for an event, is left to the global deadline. Most calls
        // have one instant for both: then the global deadline bounds the head too (each phase
        // timeout set costs ureq a look at it at every step).
        if let Some(head) = head.filter(|_| header_deadline != deadline) {
            request = request
                .timeout_resolve(Some(head))
                .timeout_connect(Some(head))
                .timeout_send_request(Some(head))
                .timeout_send_body(Some(head))
                .timeout_recv_response(Some(head));
        }
        let request = request.build();
        let fail = |e| failure(e, max_body);
        let (parts, body) = self.agent.run(request).map_err(fail)?.into_parts();
        if t.stream && parts.status.is_success() {
            return Ok(Answer {
                response: Response::from_parts(parts, Body::default()),
                open: Some(Box::new(body.into_reader())),
            });
        }
        let limit = u64::try_from(max_body).unwrap_or(u64::MAX);
        let mut buffer = BodyBuffer::new(max_body, body.content_length());
        let mut reader = body.into_with_config().limit(limit).reader();
        // Straight into the body's blocks: no buffer that doubles as it grows.
        loop {
            let n = reader.read(buffer.room()).map_err(|e| fail(e.into()))?;
            buffer.advance(n)?;
            if n == 0 {
                break;
            }
        }
        Ok(Response::from_parts(parts, buffer.finish()).into())
    }
}

/// The next chunk of a stream body (`None` at its end), with ureq's errors as the core's.
pub(crate) fn read_chunk(body: &mut StreamBody) -> Result<Option<Bytes>, TransportFailure> {
    let mut buf = [0; 16 * 1024];
    match body.read(&mut buf) {
        Ok(0) => Ok(None),
        Ok(n) => Ok(Some(Bytes::copy_from_slice(&buf[..n]))),
        Err(e) => Err(failure(e.into(), usize::MAX)),
    }
}

impl Transport for UreqTransport {
    fn send(&self, mut exchange: Transmit) -> Result<Answer, TransportFailure> {
        let request = std::mem::take(&mut exchange.request);
        if cfg!(not(feature = "tls")) && request.uri().scheme_str() == Some("https") {
            let msg = "https needs the `tls` feature of etcd-v2-blocking";
            return Err(TransportFailure::InvalidRequest(msg.into()));
        }
        if request.body().is_empty() && !request.headers().contains_key(CONTENT_LENGTH) {
            // No `Content-Length: 0` on GET/DELETE, like Go's client (the core sets one on
            // a bodyless PUT or POST: sent as an empty body of known length, not chunked).
            self.run(request.map(|_| ()), &exchange)
        } else {
            self.run(request.map(Vec::from), &exchange)
        }
    }
}

/// Wraps ureq's resolver or connector chain: a timeout there means the connection was not
/// established, so nothing was sent. ureq labels a timeout with the budget that ran out first,
/// which is the global one (our deadline) and would read as "may have been sent"; this
/// relabels it `Timeout::Resolve` / `Timeout::Connect`. (The connector only runs for a new
/// connection; TCP, proxy and TLS setup happen before the request is written.)
///
/// The connector also checks TLS certificates against a fixed name, if given, instead of the
/// endpoint's host (ureq names the TLS server after the URI it connects for; the addresses
/// are already resolved, so only that name changes).
#[derive(Debug)]
struct NotConnected<T>(T, Option<String>);

impl Connector for NotConnected<DefaultConnector> {
    type Out = Box<dyn UreqIo>;

    fn connect(
        &self,
        details: &ConnectionDetails<'_>,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let renamed_uri;
        let renamed;
        let details = match &self.1 {
            None => details,
            Some(name) => {
                let port = details.uri.port_u16().unwrap_or(443);
                renamed_uri = Uri::builder()
                    .scheme(details.uri.scheme_str().unwrap_or("https"))
                    .authority(format!("{name}:{port}"))
                    .path_and_query("/")
                    .build()
                    .map_err(|e| ureq::Error::BadUri(e.to_string()))?;
                renamed = ConnectionDetails {
                    uri: &renamed_uri,
                    addrs: details.addrs.clone(),
                    config: details.config,
                    request_level: details.request_level,
                    resolver: details.resolver,
                    now: details.now,
                    timeout: details.timeout,
                    current_time: details.current_time.clone(),
                    run_connector: details.run_connector.clone(),
                    register_shutdown: details.register_shutdown.clone(),
                };
                &renamed
            }
        };
        self.0.connect(details, chained).map_err(|e| match e {
            ureq::Error::Timeout(_) => ureq::Error::Timeout(Timeout::Connect),
            other => other,
        })
    }
}

impl Resolver for NotConnected<DefaultResolver> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &UreqConfig,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        // An IP literal needs no lookup; ureq would spawn a resolver thread per request
        // whenever a timeout is set, even for `127.0.0.1` (see BENCHMARKS.md).
        if let Some(addr) = ip_literal(uri) {
            let mut out = self.0.empty();
            out.push(addr);
            return Ok(out);
        }
        self.0.resolve(uri, config, timeout).map_err(|e| match e {
            ureq::Error::Timeout(_) => ureq::Error::Timeout(Timeout::Resolve),
            other => other,
        })
    }

    fn empty(&self) -> ResolvedSocketAddrs {
        self.0.empty()
    }
}

/// The socket address of a URI whose host is an IP address.
fn ip_literal(uri: &Uri) -> Option<std::net::SocketAddr> {
    let ip: std::net::IpAddr = uri.host()?.trim_matches(['[', ']']).parse().ok()?;
    let https = uri.scheme_str() == Some("https");
    Some((ip, uri.port_u16().unwrap_or(if https { 443 } else { 80 })).into())
}

/// `io::Error` kinds that only `connect()` returns: the request was not written.
const CONNECT_KINDS: [io::ErrorKind; 5] = [
    io::ErrorKind::ConnectionRefused,
    io::ErrorKind::HostUnreachable,
    io::ErrorKind::NetworkUnreachable,
    io::ErrorKind::NetworkDown,
    io::ErrorKind::AddrNotAvailable,
];

/// Maps ureq's errors to the core's vocabulary (see the adapter contract).
fn failure(error: ureq::Error, max_body: usize) -> TransportFailure {
    use ureq::Error as E;
    match error {
        // Out of time before the connection was up: nothing was sent (a connect timeout).
        E::Timeout(Timeout::Resolve | Timeout::Connect)
        | E::HostNotFound
        | E::ConnectionFailed
        | E::ConnectProxyFailed(_) => TransportFailure::Connect(error.to_string()),
        E::Io(ref e) if CONNECT_KINDS.contains(&e.kind()) => {
            TransportFailure::Connect(error.to_string())
        }
        E::Timeout(_) => TransportFailure::Timeout,
        E::BodyExceedsLimit(_) => TransportFailure::BodyTooLarge { limit: max_body },
        // A failed handshake: rustls' error inside the `io::Error` of ureq's TLS connector.
        #[cfg(feature = "tls")]
        E::Io(ref e) if e.get_ref().is_some_and(|i| i.is::<rustls::Error>()) => {
            TransportFailure::Tls(error.to_string())
        }
        E::Tls(_) | E::TlsRequired => TransportFailure::Tls(error.to_string()),
        #[cfg(feature = "tls")]
        E::Rustls(_) => TransportFailure::Tls(error.to_string()),
        E::BadUri(_) | E::Http(_) | E::RequireHttpsOnly(_) | E::InvalidProxyUrl => {
            TransportFailure::InvalidRequest(error.to_string())
        }
        other => TransportFailure::Io(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::ip_literal;

    #[test]
    fn ip_literals_skip_the_resolver_and_names_do_not() {
        let addr = |s: &str| ip_literal(&s.parse().unwrap()).map(|a| a.to_string());
        assert_eq!(
            addr("http://127.0.0.1:2379/v2/keys"),
            Some("127.0.0.1:2379".into())
        );
        assert_eq!(addr("http://127.0.0.1/x"), Some("127.0.0.1:80".into()));
        assert_eq!(addr("https://[::1]/x"), Some("[::1]:443".into()));
        assert_eq!(addr("http://localhost:2379/x"), None);
    }
}
