//! hyper's IO traits over a futures-io stream, without zeroing hyper's read buffer.
//!
//! A bridge must hand futures-io an initialised `&mut [u8]`, and hyper offers uninitialised
//! spare capacity (8 KiB and up, growing past 100 KiB after a large body). Zeroing all of it
//! on every read, as a generic bridge must, costs more than the read itself for the small
//! answers etcd sends. This one reads into a buffer of its own, initialised once per
//! connection, and copies only the bytes read.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use hyper::rt::ReadBufCursor;

/// Bytes one read may fetch (a typical answer in one read; large bodies in several).
const SCRATCH: usize = 16 * 1024;

/// A futures-io stream as a hyper connection.
pub struct Io<T> {
    inner: T,
    scratch: Box<[u8]>,
}

impl<T> Io<T> {
    /// Bridges `inner`, with a read buffer of its own.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            scratch: vec![0; SCRATCH].into_boxed_slice(),
        }
    }
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for Io<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let room = buf.remaining().min(this.scratch.len());
        let read = Pin::new(&mut this.inner).poll_read(cx, &mut this.scratch[..room]);
        let n = std::task::ready!(read)?;
        buf.put_slice(&this.scratch[..n]);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> hyper::rt::Write for Io<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}
