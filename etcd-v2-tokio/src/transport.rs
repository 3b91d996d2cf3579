//! The custom-transport seam and the default hyper 1.x transport

use std::error::Error as StdError;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use etcd_v2_proto::body::{Body, BodyBuffer};
use etcd_v2_proto::deadlines::Deadline;
use etcd_v2_proto::pool::{
    IdlePool, Origin, Outgoing, Phases, Sent, check_in, origin_form, race, send_pooled,
};
use futures_core::future::BoxFuture;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper::client::conn::TrySendError;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;

use crate::TransportFailure;
use crate::alarm;

/// Performs one HTTP exchange for the client (implement it for a custom transport).
///
/// An implementation must not follow redirects, must not turn 4xx/5xx into errors, should give
/// up with [`TransportFailure::Timeout`] if the response headers have not arrived by
/// `header_deadline` and at `deadline` in any case (body included) — or with
/// [`TransportFailure::Connect`] if no connection was up yet, so nothing was sent (this matters
/// only for requests whose extensions carry
/// [`Idempotency::NotIdempotent`](crate::Idempotency::NotIdempotent); unless
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

/// A connection's sending half (its driver runs as a task of its own).
type Sender = SendRequest<Full<Bytes>>;

/// The default transport: hyper's HTTP/1 connections over tokio TCP, kept for reuse in the
/// core's pool (up to [`MAX_IDLE_PER_ORIGIN`](etcd_v2_proto::pool::MAX_IDLE_PER_ORIGIN) idle
/// per origin); dial timeout and TCP keep-alive 30 s (as Go's).
///
/// `https://` endpoints need the `tls` feature (rustls with the webpki roots; use
/// `HyperTransport::with_tls` to trust a private CA); without it only `http://` works.
#[derive(Clone, Default)]
pub struct HyperTransport {
    idle: Arc<Mutex<IdlePool<Sender>>>,
    #[cfg(feature = "tls")]
    tls: Option<tokio_rustls::TlsConnector>,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport").finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A transport with an empty connection pool (same as `default()`).
    ///
    /// With the `tls` feature, `https://` endpoints are verified against the webpki roots.
    pub fn new() -> Self {
        Self::default()
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
    /// let transport = etcd_v2_tokio::HyperTransport::with_tls(Arc::new(config));
    /// # let _ = transport;
    /// ```
    #[cfg(feature = "tls")]
    pub fn with_tls(config: Arc<rustls::ClientConfig>) -> Self {
        Self {
            tls: Some(tokio_rustls::TlsConnector::from(config)),
            ..Self::default()
        }
    }

    #[cfg(feature = "tls")]
    fn tls(&self) -> Option<Tls> {
        static WEBPKI: std::sync::OnceLock<Tls> = std::sync::OnceLock::new();
        let webpki = || Tls::from(Arc::new(webpki_config()));
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

/// Stands for `tokio_rustls::TlsConnector` without the `tls` feature.
#[cfg(not(feature = "tls"))]
#[derive(Clone)]
enum Tls {}

#[cfg(feature = "tls")]
type Tls = tokio_rustls::TlsConnector;

/// Go's dial timeout.
const DIAL_TIMEOUT: Duration = Duration::from_secs(30);

/// Go's TCP keep-alive period.
const KEEP_ALIVE: Duration = Duration::from_secs(30);

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
        let idle = Arc::clone(&self.idle);
        let phases = Phases::new(deadline, header_deadline);
        Box::pin(exchange(idle, tls, origin, outgoing, phases, max_body))
    }

    fn enforces_deadline(&self) -> bool {
        true
    }
}

/// One exchange on a pooled or new connection to the request's origin.
///
/// One deadline bounds both [`Phases`] (the process's alarm watches it), and the futures are
/// made in place and [`race`]d with it by reference: a timeout wrapper per phase kept room for
/// what it wraps twice, which made this future 3,000 bytes. The request is kept once, in
/// `outgoing`, and hyper's own future is awaited as it is: under the 1,032 bytes glibc's thread
/// cache serves, so boxing it costs a small allocation, not a large one.
#[allow(clippy::manual_async_fn)] // an `async fn` would keep each argument twice
fn exchange(
    idle: Arc<Mutex<IdlePool<Sender>>>,
    tls: Option<Tls>,
    origin: Origin,
    mut outgoing: Outgoing<Request<Full<Bytes>>>,
    phases: Phases,
    max_body: usize,
) -> impl Future<Output = Result<Response<Body>, TransportFailure>> + Send + 'static {
    // An `async` block, not an `async fn`: an `async fn` moves its arguments into locals, and
    // keeps room for both.
    async move {
        // The process's alarm thread watches the deadline: no tokio timer per call.
        let mut deadline = phases.head.map(alarm::start);
        // In a block of its own: the head's room is free again for the body's phase.
        let answered = {
            let head = pin!(send_pooled(
                &idle,
                &origin,
                &mut outgoing,
                usable,
                || connect(&origin, tls.clone()),
                |sender, request| sender.try_send_request(request),
                sent,
            ));
            race(head, |cx| poll_deadline(&mut deadline, cx)).await
        };
        // Until a connection holds the request, running out of time means nothing was sent, which
        // the core must know to fail over a write.
        let (sender, response) = answered.ok_or_else(|| outgoing.timed_out())??;
        if phases.body_differs() {
            deadline = phases.body.map(alarm::start);
        }
        let (parts, mut body) = response.into_parts();
        let mut buffer = BodyBuffer::new(max_body, body.size_hint().exact());
        loop {
            let frame = race(pin!(body.frame()), |cx| poll_deadline(&mut deadline, cx)).await;
            let Some(frame) = frame.ok_or(TransportFailure::Timeout)? else {
                break;
            };
            let frame = frame.map_err(|e| TransportFailure::Io(error_chain(&e)))?;
            if let Ok(data) = frame.into_data() {
                buffer.push(data)?;
            }
        }
        check_in(&idle, &origin, sender);
        Ok(Response::from_parts(parts, buffer.finish()))
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
            Some(back) => Sent::Unsent(back, error_chain(&e.into_error())),
            None => Sent::Failed(error_chain(&e.into_error())),
        },
    }
}

/// Opens a connection to `origin` (over `tls` if given: `https`) and spawns its driver; nothing
/// has been sent if this fails, so every failure here is [`TransportFailure::Connect`] (or
/// `Tls`).
/// Boxed: a TLS handshake future is large, and most exchanges reuse a connection.
fn connect(
    origin: &Origin,
    tls: Option<Tls>,
) -> BoxFuture<'static, Result<Sender, TransportFailure>> {
    let (host, port, authority) = (
        origin.host().to_owned(),
        origin.port(),
        origin.authority().to_owned(),
    );
    Box::pin(async move {
        let failed = |e: &(dyn StdError + 'static)| {
            TransportFailure::Connect(format!("{authority}: {}", error_chain(e)))
        };
        let dial = crate::dial::dial(&host, port);
        let stream = match tokio::time::timeout(DIAL_TIMEOUT, dial).await {
            Ok(stream) => stream.map_err(|e| failed(&e))?,
            Err(_) => {
                return Err(TransportFailure::Connect(format!(
                    "{authority}: dial timed out"
                )));
            }
        };
        stream.set_nodelay(true).map_err(|e| failed(&e))?;
        let keep_alive = socket2::TcpKeepalive::new().with_time(KEEP_ALIVE);
        socket2::SockRef::from(&stream)
            .set_tcp_keepalive(&keep_alive)
            .map_err(|e| failed(&e))?;
        let Some(tls) = tls else {
            return start(TokioIo::new(stream)).await.map_err(|e| failed(&e));
        };
        #[cfg(feature = "tls")]
        {
            let name = rustls::pki_types::ServerName::try_from(host)
                .map_err(|e| TransportFailure::InvalidRequest(format!("{authority}: {e}")))?;
            let stream = tls
                .connect(name, stream)
                .await
                .map_err(|e| TransportFailure::Tls(format!("{authority}: {}", error_chain(&e))))?;
            start(TokioIo::new(stream)).await.map_err(|e| failed(&e))
        }
        #[cfg(not(feature = "tls"))]
        match tls {}
    })
}

/// The HTTP/1 handshake over `io` (sends nothing); spawns the connection's driver, which ends
/// when the server closes, an exchange fails or every sender is dropped.
async fn start<T>(io: T) -> hyper::Result<Sender>
where
    T: hyper::rt::Read + hyper::rt::Write + Send + Unpin + 'static,
{
    let (sender, conn) = http1::Builder::new()
        .max_buf_size(MAX_READ_BUFFER)
        .handshake(io)
        .await?;
    tokio::spawn(conn);
    Ok(sender)
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

#[cfg(test)]
mod tests {
    use super::*;

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
