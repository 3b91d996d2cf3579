//! Keeps the TLS error that ended a connection where a request it turned away can find it.
//!
//! In TLS 1.3 a server refuses the client's certificate (or its lack of one) only after the
//! client's half of the handshake, so the connector reports success and the refusal arrives as
//! the connection's first read. If hyper reads it before the pooled request is handed to the
//! connection, the request comes back as "canceled: connection was not ready" and the TLS error
//! stays inside hyper's connection task. [`Recording`] wraps any connector so that each
//! connection notes such an error in a [`TlsFailure`], which hyper-util hands back with the
//! error of a request canceled on that connection (`Connected::extra`).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use tower_service::Service;

use crate::transport::is_tls;

/// The TLS error that ended one connection, if one did.
#[derive(Debug, Clone, Default)]
pub(crate) struct TlsFailure(Arc<OnceLock<String>>);

impl TlsFailure {
    /// The error's text, once the connection has failed with one.
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }

    /// Notes `result`'s error if it is a TLS one.
    fn note<T>(&self, result: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if let Poll::Ready(Err(e)) = &result {
            if is_tls(e) {
                let _ = self.0.set(e.to_string());
            }
        }
        result
    }
}

/// A connector whose connections note their TLS failure (see the module doc).
#[derive(Debug, Clone)]
pub(crate) struct Recording<C>(pub(crate) C);

impl<C> Service<Uri> for Recording<C>
where
    C: Service<Uri>,
    C::Future: Send + 'static,
{
    type Response = Recorded<C::Response>;
    type Error = C::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, C::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), C::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        // Only a TLS connection can fail so; a plain one carries no extra (hyper-util copies
        // an extra into every response's extensions: ~2 % of a call).
        let failure = (uri.scheme_str() == Some("https")).then(TlsFailure::default);
        let connecting = self.0.call(uri);
        Box::pin(async move {
            let io = connecting.await?;
            Ok(Recorded { io, failure })
        })
    }
}

/// A connection that notes a TLS error it reads or writes (if it is a TLS one).
#[derive(Debug)]
pub(crate) struct Recorded<T> {
    io: T,
    failure: Option<TlsFailure>,
}

impl<T> Recorded<T> {
    /// `result`, its TLS error noted.
    fn note<R>(&self, result: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        match &self.failure {
            Some(failure) => failure.note(result),
            None => result,
        }
    }
}

impl<T: Connection> Connection for Recorded<T> {
    fn connected(&self) -> Connected {
        let connected = self.io.connected();
        match &self.failure {
            Some(failure) => connected.extra(failure.clone()),
            None => connected,
        }
    }
}

impl<T: Read + Unpin> Read for Recorded<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let result = Pin::new(&mut self.io).poll_read(cx, buf);
        self.note(result)
    }
}

impl<T: Write + Unpin> Write for Recorded<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.io).poll_write(cx, buf);
        self.note(result)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.note(result)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let result = Pin::new(&mut self.io).poll_flush(cx);
        self.note(result)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
