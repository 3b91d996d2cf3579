//! The custom-transport seam and the default transport (hyper HTTP/1 over async-std TCP).

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_io::Timer;
use async_std::net::TcpStream;
use bytes::Bytes;
use etcd_v2_proto::TransportFailure;
use etcd_v2_proto::body::{Body, BodyBuffer};
use etcd_v2_proto::deadlines::Deadline;
use etcd_v2_proto::pool::{
    FALLBACK_DELAY, IdlePool, Origin, Outgoing, Phases, Sent, check_in, dial_first, origin_form,
    race, send_pooled,
};
use futures_core::future::BoxFuture;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper::client::conn::TrySendError;
use hyper::client::conn::http1::{self, SendRequest};

use crate::alarm;
use crate::io::Io;

/// Go's dial timeout.
const DIAL_TIMEOUT: Duration = Duration::from_secs(30);

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

/// hyper's low-level HTTP/1 client over async-std TCP, keeping idle connections for reuse in
/// the core's pool (up to [`MAX_IDLE_PER_ORIGIN`](etcd_v2_proto::pool::MAX_IDLE_PER_ORIGIN)
/// per origin). `https` needs the `tls` feature (rustls with the webpki roots; use
/// `HyperTransport::with_tls` to trust a private CA); without it, it is
/// [`TransportFailure::InvalidRequest`].
#[derive(Clone, Default)]
pub struct HyperTransport {
    idle: Arc<Mutex<IdlePool<Sender>>>,
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
        // Made ready here, not in the exchange: what an `async fn` takes apart keeps its room
        // in the future beside what it makes of it.
        let (mut parts, body) = request.into_parts();
        let origin = match origin_form(&mut parts, cfg!(feature = "tls")) {
            Ok(origin) => origin,
            Err(e) => return Box::pin(std::future::ready(Err(e))),
        };
        // The connector only for `https` origins (a clone of it per call otherwise).
        let tls = origin.tls().then(|| self.tls()).flatten();
        let outgoing = Outgoing::new(Request::from_parts(parts, Full::new(body)));
        let phases = Phases::new(deadline, header_deadline);
        let idle = self.idle.clone();
        Box::pin(exchange(idle, tls, origin, outgoing, phases, max_body))
    }

    fn enforces_deadline(&self) -> bool {
        true
    }
}

/// Runs the future `make` makes until `deadline`, then reports [`TransportFailure::Timeout`].
///
/// It takes a maker, not a future, so that the future is made in place: an `async fn` keeps a
/// future argument beside what it moves it into, which doubles a large future's room (as
/// `async_std::future::timeout` does). The same [`race`] and deadline as an exchange's phases.
pub(crate) async fn within<T, F>(
    deadline: Option<Instant>,
    make: impl FnOnce() -> F,
) -> Result<T, TransportFailure>
where
    F: Future<Output = Result<T, TransportFailure>>,
{
    let mut deadline = deadline.map(alarm::start);
    let future = pin!(make());
    let finished = race(future, |cx| poll_deadline(&mut deadline, cx)).await;
    finished.unwrap_or(Err(TransportFailure::Timeout))
}

type Answer = Result<Response<Body>, TransportFailure>;

/// A connection's sending half (its driver runs as a task of its own).
type Sender = SendRequest<Full<Bytes>>;

/// One exchange on a pooled or new connection to the request's origin, given up at its
/// [`Phases`]' deadlines: one deadline (the process's alarm watches it), raced by reference with
/// futures made in place (a timeout wrapper per phase would keep room for what it wraps twice). The request is kept
/// once, in `outgoing`, and hyper's own future is awaited as it is.
#[allow(clippy::manual_async_fn)] // an `async fn` would keep each argument twice
fn exchange(
    idle: Arc<Mutex<IdlePool<Sender>>>,
    tls: Option<Tls>,
    origin: Origin,
    mut outgoing: Outgoing<Request<Full<Bytes>>>,
    phases: Phases,
    max_body: usize,
) -> impl Future<Output = Answer> + Send + 'static {
    // An `async` block, not an `async fn`: an `async fn` moves its arguments into locals, and
    // keeps room for both.
    async move {
        // The process's alarm thread watches the deadline: no async-io timer per call.
        let mut deadline = phases.head.map(alarm::start);
        // Boxed: a TLS handshake future is large, and most exchanges reuse a connection.
        let connect = || Box::pin(connect(&origin, tls.clone()));
        // In a block of its own: the head's room is free again for the body's phase.
        let answered = {
            let head = pin!(send_pooled(
                &idle,
                &origin,
                &mut outgoing,
                usable,
                connect,
                |sender, request| sender.try_send_request(request),
                sent,
            ));
            race(head, |cx| poll_deadline(&mut deadline, cx)).await
        };
        // Until a connection holds the request, running out of time means nothing was sent,
        // which the core must know to fail over a write.
        let (sender, response) = answered.ok_or_else(|| outgoing.timed_out())??;
        if phases.body_differs() {
            deadline = phases.body.map(alarm::start);
        }
        let (head, mut body) = response.into_parts();
        let mut buffer = BodyBuffer::new(max_body, body.size_hint().exact());
        loop {
            let frame = race(pin!(body.frame()), |cx| poll_deadline(&mut deadline, cx)).await;
            let Some(frame) = frame.ok_or(TransportFailure::Timeout)? else {
                break;
            };
            let frame = frame.map_err(|e| TransportFailure::Io(e.to_string()))?;
            if let Ok(data) = frame.into_data() {
                buffer.push(data)?;
            }
        }
        check_in(&idle, &origin, sender);
        Ok(Response::from_parts(head, buffer.finish()))
    }
}

/// Whether the exchange's deadline (if it has one) has passed.
fn poll_deadline(deadline: &mut Option<Deadline<'_>>, cx: &mut Context<'_>) -> Poll<()> {
    deadline.as_mut().map_or(Poll::Pending, |d| d.poll(cx))
}

/// A pooled connection if it is still open and ready for a request: an idle one is ready at
/// once; `ready` only waits out a driver still finishing the previous exchange, and fails if
/// the connection closed meanwhile.
async fn usable(mut sender: Sender) -> Option<Sender> {
    (!sender.is_closed() && sender.ready().await.is_ok()).then_some(sender)
}

/// What became of a request hyper's connection was given: answered, handed back unsent (the
/// connection closed before writing it), or failed.
fn sent(
    answer: Result<Response<Incoming>, TrySendError<Request<Full<Bytes>>>>,
) -> Sent<Request<Full<Bytes>>, Response<Incoming>> {
    match answer {
        Ok(response) => Sent::Answered(response),
        Err(mut e) => match e.take_message() {
            Some(back) => Sent::Unsent(back, e.into_error().to_string()),
            None => Sent::Failed(e.into_error().to_string()),
        },
    }
}

/// Opens a connection to `origin` and spawns its driver; nothing has been sent if this fails,
/// so every failure here is [`TransportFailure::Connect`] (or `Tls`). The exchange's timer
/// bounds it; the dial alone is also given up after Go's 30 s.
async fn connect(origin: &Origin, tls: Option<Tls>) -> Result<Sender, TransportFailure> {
    let addr = origin.authority();
    let failed = |e: &dyn std::fmt::Display| TransportFailure::Connect(format!("{addr}: {e}"));
    let connecting = async_std::io::timeout(DIAL_TIMEOUT, dial(origin.host(), origin.port()));
    let stream = connecting.await.map_err(|e| failed(&e))?;
    stream.set_nodelay(true).map_err(|e| failed(&e))?;
    let Some(tls) = tls else {
        return start(Io::new(stream)).await.map_err(|e| failed(&e));
    };
    #[cfg(feature = "tls")]
    {
        let name = rustls::pki_types::ServerName::try_from(origin.host().to_owned())
            .map_err(|e| TransportFailure::InvalidRequest(format!("{addr}: {e}")))?;
        let stream = tls
            .connect(name, stream)
            .await
            .map_err(|e| TransportFailure::Tls(format!("{addr}: {e}")))?;
        start(Io::new(stream)).await.map_err(|e| failed(&e))
    }
    #[cfg(not(feature = "tls"))]
    match tls {}
}

/// Connects to `host`'s first address that answers: the core's [`dial_first`] (Go's "Happy
/// Eyeballs" fast fallback) over async-std's resolver and sockets and async-io's timer.
async fn dial(host: &str, port: u16) -> std::io::Result<TcpStream> {
    use async_std::net::ToSocketAddrs;
    let addrs: Vec<_> = (host, port).to_socket_addrs().await?.collect();
    let fallback = || async {
        Timer::after(FALLBACK_DELAY).await;
    };
    let no_address = || std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
    let connect = |addr| TcpStream::connect(addr);
    dial_first(addrs, connect, fallback)
        .await
        .map_err(|e| e.unwrap_or_else(no_address))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dial_resolves_a_host_name_and_a_refused_address_is_an_error() {
        async_std::task::block_on(async {
            let open = async_std::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap();
            let port = open.local_addr().unwrap().port();
            let stream = dial("localhost", port).await.unwrap();
            assert_eq!(stream.peer_addr().unwrap().port(), port);
            drop(open);
            let err = dial("127.0.0.1", port).await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
        });
    }

    /// The size of the future `f` returns.
    fn future_size<A, B, C, D, E, G, F>(_: fn(A, B, C, D, E, G) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    /// Every call boxes one exchange: glibc's thread cache serves up to 1,032 bytes, and a
    /// larger box is a slower allocation (its free list is searched and consolidated). It was
    /// 1,768 bytes and more before the request was kept once and the arguments of the `async`
    /// code were no longer kept twice.
    #[test]
    fn an_exchange_fits_the_allocators_thread_cache() {
        let size = future_size(exchange);
        assert!(size <= 1032, "the exchange future is {size} bytes");
    }
}
