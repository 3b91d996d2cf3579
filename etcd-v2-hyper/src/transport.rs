//! The transport seam ([`Transport`]) and the default one over hyper-util's pooled client

use std::error::Error as StdError;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use etcd_v2_proto::TransportFailure;
use futures_core::future::BoxFuture;
use http::{Request, Response};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{self, Client as PooledClient};

use crate::runtime::Runtime;
use crate::tls_failure::{Recording, TlsFailure};

/// A response body as a transport hands it over: read by the client, frame by frame, within
/// the call's deadline and body limit.
pub type ResponseBody = UnsyncBoxBody<Bytes, Box<dyn StdError + Send + Sync>>;

/// A whole body known in advance, as a [`ResponseBody`] (for test transports).
///
/// ```
/// let body = etcd_v2_hyper::full_body("{}");
/// # let _ = body;
/// ```
pub fn full_body(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// An exchange a [`Transport`] has started: its response head to come.
pub struct Sending {
    pub(crate) response: BoxFuture<'static, Result<Response<ResponseBody>, TransportFailure>>,
    /// Set by [`HyperTransport`]: whether a connection took the request yet.
    pub(crate) taken: Option<Arc<AtomicBool>>,
}

impl Sending {
    /// An exchange whose head `response` resolves to. If the client gives up on it at the
    /// header deadline, it reports [`TransportFailure::Timeout`]: the request may have been
    /// sent.
    pub fn new(
        response: impl Future<Output = Result<Response<ResponseBody>, TransportFailure>>
        + Send
        + 'static,
    ) -> Self {
        Self {
            response: Box::pin(response),
            taken: None,
        }
    }

    /// Whether a request given up on now may have been sent.
    pub(crate) fn may_have_sent(&self) -> bool {
        self.taken
            .as_ref()
            .is_none_or(|taken| taken.load(Ordering::Acquire))
    }
}

/// Performs the client's HTTP exchanges (implement it for a test harness or another HTTP
/// stack; for another socket type, give [`HyperTransport`] a connector instead).
///
/// An implementation sends the request as it is (the core already encoded it), must not follow
/// redirects, must not turn 4xx/5xx into errors, and reports a failure before anything was
/// sent as [`TransportFailure::Connect`]: the core fails a write over only then. Deadlines and
/// the body limit are the client's: it drops the exchange when time is up.
pub trait Transport: Send + Sync + 'static {
    /// Starts sending `request`.
    fn send(&self, request: Request<Bytes>) -> Sending;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: Request<Bytes>) -> Sending {
        (**self).send(request)
    }
}

/// The most hyper buffers per read of a connection. Its default (~400 KiB, reached while a
/// large listing streams in) would be held beside the listing's decoded nodes.
const MAX_READ_BUFFER: usize = 64 * 1024;

/// The default transport: hyper-util's pooled HTTP/1 client on runtime `R`.
///
/// `https://` endpoints need the `tls` feature of the runtime crate.
pub struct HyperTransport<R: Runtime> {
    client: PooledClient<Recording<R::Connector>, TakenBody>,
    runtime: PhantomData<fn() -> R>,
}

impl<R: Runtime> Clone for HyperTransport<R> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            runtime: PhantomData,
        }
    }
}

impl<R: Runtime> std::fmt::Debug for HyperTransport<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport").finish_non_exhaustive()
    }
}

impl<R: Runtime> Default for HyperTransport<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: Runtime> HyperTransport<R> {
    /// A transport with an empty pool; with the `tls` feature, `https://` endpoints are
    /// verified against the webpki roots.
    pub fn new() -> Self {
        #[cfg(feature = "tls")]
        return Self::with_connector(R::connector(crate::tls::webpki(), None));
        #[cfg(not(feature = "tls"))]
        Self::with_connector(R::connector())
    }

    /// Like [`HyperTransport::new`], with `https://` endpoints verified by `config` (its roots,
    /// e.g. a private CA, and its client certificate if any).
    #[cfg(feature = "tls")]
    pub fn with_tls(config: Arc<rustls::ClientConfig>) -> Self {
        Self::with_connector(R::connector(config, None))
    }

    /// Like [`HyperTransport::with_tls`], from PEM (etcdctl's `--cacert`, `--cert`, `--key`),
    /// with rustls' ring provider whatever provider the process installed.
    ///
    /// # Errors
    /// [`etcd_v2_proto::UsageError::InvalidTls`] for a PEM that holds no certificate or a bad
    /// key.
    #[cfg(feature = "tls")]
    pub fn with_pem(pem: &etcd_v2_proto::TlsPem) -> Result<Self, etcd_v2_proto::Error> {
        let (config, server_name) = crate::tls::from_pem(pem)?;
        Ok(Self::with_connector(R::connector(config, server_name)))
    }

    /// A transport that opens its connections with `connector` (a unix socket, say).
    pub fn with_connector(connector: R::Connector) -> Self {
        let (executor, timer) = R::executor_and_timer();
        let client = legacy::Client::builder(executor)
            // hyper-util's pool defaults: every idle connection kept, each closed after 90 s
            // idle. A cap closed most of a watch fan-out's connections as their events came.
            .pool_timer(timer)
            .http1_max_buf_size(MAX_READ_BUFFER)
            .build(Recording(connector));
        Self {
            client,
            runtime: PhantomData,
        }
    }
}

impl<R: Runtime> Transport for HyperTransport<R> {
    fn send(&self, request: Request<Bytes>) -> Sending {
        if cfg!(not(feature = "tls")) && request.uri().scheme_str() == Some("https") {
            let msg = "https needs the `tls` feature of the runtime crate";
            return Sending::new(std::future::ready(Err(TransportFailure::InvalidRequest(
                msg.into(),
            ))));
        }
        let taken = Arc::new(AtomicBool::new(false));
        let request = request.map(|body| TakenBody {
            inner: Full::new(body),
            taken: Arc::clone(&taken),
        });
        let response = self.client.request(request);
        let response = async move {
            let response = response.await.map_err(failure)?;
            Ok(response.map(|body| body.map_err(Into::into).boxed_unsync()))
        };
        Sending {
            response: Box::pin(response),
            taken: Some(taken),
        }
    }
}

/// A request body that notes when a connection takes it: hyper asks a body whether it is
/// empty only once a connection starts writing its request, so until then a request given up
/// on was never sent (and a write may fail over).
pub(crate) struct TakenBody {
    inner: Full<Bytes>,
    taken: Arc<AtomicBool>,
}

impl hyper::body::Body for TakenBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        self.taken.store(true, Ordering::Release);
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.taken.store(true, Ordering::Release);
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// hyper-util's error in the core's terms: nothing was sent if no connection could be made or
/// the request was handed back unsent.
fn failure(error: legacy::Error) -> TransportFailure {
    let msg = error_chain(&error);
    let mut chain =
        std::iter::successors(Some(&error as &(dyn StdError + 'static)), |e| (*e).source());
    if chain.clone().any(is_tls) {
        // A refused handshake, also when TLS 1.3 reports it only on the first read (a client
        // certificate the server requires): the server took no request over it.
        TransportFailure::Tls(msg)
    } else if let Some(tls) = connection_tls_failure(&error) {
        // The same refusal, read by the connection before it took the request.
        TransportFailure::Tls(format!("{msg}: {tls}"))
    } else if error.is_connect()
        || chain.any(|e| {
            e.downcast_ref::<hyper::Error>()
                .is_some_and(hyper::Error::is_canceled)
        })
    {
        TransportFailure::Connect(msg)
    } else {
        TransportFailure::Io(msg)
    }
}

/// The TLS error that ended the connection `error` happened on, if any.
fn connection_tls_failure(error: &legacy::Error) -> Option<String> {
    let mut extras = http::Extensions::new();
    error.connect_info()?.get_extras(&mut extras);
    extras.get::<TlsFailure>()?.get().map(str::to_owned)
}

/// Whether `error` is a TLS error: rustls' own, or inside (nested) `io::Error`s.
pub(crate) fn is_tls(error: &(dyn StdError + 'static)) -> bool {
    #[cfg(feature = "tls")]
    if error.is::<rustls::Error>() {
        return true;
    }
    let inner = error
        .downcast_ref::<std::io::Error>()
        .and_then(|e| e.get_ref());
    inner.is_some_and(|inner| is_tls(inner))
}

/// `outer: cause: root cause`, the way hyper's errors are readable.
pub(crate) fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut msg = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        msg.push_str(": ");
        msg.push_str(&e.to_string());
        source = e.source();
    }
    msg
}
