//! Response bodies: gathered as they arrive within `Transmit::max_body`, kept in the chunks
//! they were gathered in.
//!
//! Adapters push each chunk the moment it arrives, so the transport can reuse its buffers. A
//! body that comes in one chunk is kept as that chunk; a longer one is copied into blocks of
//! at most [`MAX_BLOCK`] bytes, never into one buffer that doubles as it grows. The keys
//! decoder reads a body block by block and lets each go once read, so a large listing's nodes
//! take over the body's memory as they are built instead of being added to it.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use bytes::Bytes;

use crate::error::TransportFailure;

pub use crate::wire::lines::LineSplitter;

/// The largest block a [`BodyBuffer`] copies chunks into (unless the length was announced).
pub const MAX_BLOCK: usize = 256 * 1024;
/// The first block of a body of unknown length is at least this big.
const MIN_BLOCK: usize = 16 * 1024;

/// A response body, as the chunks it was gathered in.
///
/// ```
/// use bytes::Bytes;
/// use etcd_v2_proto::body::Body;
/// let body = Body::from_chunks(vec![Bytes::from_static(b"{\"a\":"), Bytes::from_static(b"1}")]);
/// assert_eq!(body.len(), 7);
/// assert_eq!(&body.contiguous()[..], b"{\"a\":1}");
/// assert_eq!(Body::from("{}").contiguous(), Body::from(&b"{}"[..]).contiguous());
/// ```
#[derive(Clone, Default)]
pub struct Body {
    first: Bytes,
    rest: Vec<Bytes>,
}

impl Body {
    /// A body made of `chunks`, in order (empty chunks are dropped).
    pub fn from_chunks(chunks: Vec<Bytes>) -> Self {
        let mut chunks = chunks.into_iter().filter(|c| !c.is_empty());
        let first = chunks.next().unwrap_or_default();
        Self {
            first,
            rest: chunks.collect(),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.first.len() + self.rest.iter().map(Bytes::len).sum::<usize>()
    }

    /// Whether the body has no bytes.
    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// The chunks, in order.
    pub fn chunks(&self) -> impl Iterator<Item = &Bytes> {
        core::iter::once(&self.first)
            .filter(|c| !c.is_empty())
            .chain(&self.rest)
    }

    /// The whole body in one slice: borrowed when it is one chunk, else copied.
    pub fn contiguous(&self) -> Cow<'_, [u8]> {
        if self.rest.is_empty() {
            return Cow::Borrowed(&self.first);
        }
        let mut whole = Vec::with_capacity(self.len());
        for chunk in self.chunks() {
            whole.extend_from_slice(chunk);
        }
        Cow::Owned(whole)
    }

    /// Copies the body's first bytes into `out`, as many as fit; how many.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use etcd_v2_proto::body::Body;
    /// let body = Body::from_chunks(vec![Bytes::from_static(b"ab"), Bytes::from_static(b"cd")]);
    /// let mut start = [0; 3];
    /// assert_eq!(body.copy_start(&mut start), 3);
    /// assert_eq!(&start, b"abc");
    /// ```
    pub fn copy_start(&self, out: &mut [u8]) -> usize {
        let mut copied = 0;
        for chunk in self.chunks() {
            let n = chunk.len().min(out.len() - copied);
            out[copied..copied + n].copy_from_slice(&chunk[..n]);
            copied += n;
            if copied == out.len() {
                break;
            }
        }
        copied
    }

    /// The whole body as one `Bytes`: free when it is one chunk, else copied.
    pub fn into_bytes(self) -> Bytes {
        if self.rest.is_empty() {
            self.first
        } else {
            Bytes::from(self.contiguous().into_owned())
        }
    }

    /// The first chunk and the others.
    pub(crate) fn into_parts(self) -> (Bytes, Vec<Bytes>) {
        (self.first, self.rest)
    }
}

/// Another answer with the same status, version, headers and body (extensions are not kept).
///
/// Decoding consumes an answer; this is for decoding one more than once (tests, benchmarks,
/// fuzzing). `http::Response` itself is not `Clone`.
///
/// ```
/// use etcd_v2_proto::body::{clone_response, Body};
/// let answer = http::Response::builder().status(201).header("X-Etcd-Index", "7")
///     .body(Body::from("{}")).unwrap();
/// let again = clone_response(&answer);
/// assert_eq!((again.status(), again.headers(), again.body()), (answer.status(), answer.headers(), answer.body()));
/// ```
pub fn clone_response(response: &http::Response<Body>) -> http::Response<Body> {
    let mut copy = http::Response::new(response.body().clone());
    *copy.status_mut() = response.status();
    *copy.version_mut() = response.version();
    *copy.headers_mut() = response.headers().clone();
    copy
}

/// Bodies are equal if their bytes are, however they are cut into chunks.
impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.contiguous() == other.contiguous()
    }
}

impl Eq for Body {}

/// The first 256 bytes (as text, lossily) and the length.
impl core::fmt::Debug for Body {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        const SHOWN: usize = 256;
        let mut start = [0; SHOWN];
        let kept = self.copy_start(&mut start);
        let shown = alloc::string::String::from_utf8_lossy(&start[..kept]);
        let len = self.len();
        if len > SHOWN {
            write!(f, "Body({shown:?}… {len} bytes)")
        } else {
            f.debug_tuple("Body").field(&shown).finish()
        }
    }
}

impl From<Bytes> for Body {
    fn from(chunk: Bytes) -> Self {
        Self {
            first: chunk,
            rest: Vec::new(),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes::from(bytes).into()
    }
}

impl From<alloc::string::String> for Body {
    fn from(text: alloc::string::String) -> Self {
        Bytes::from(text).into()
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Bytes::from_static(text.as_bytes()).into()
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Bytes::from_static(bytes).into()
    }
}

/// A response body being read, refused past a size limit.
///
/// A body that arrives in one chunk (most answers) is kept as that chunk, without a copy.
///
/// ```
/// use bytes::Bytes;
/// use etcd_v2_proto::body::BodyBuffer;
/// let mut body = BodyBuffer::new(8, None);
/// body.push(Bytes::from_static(b"{\"a\":"))?;
/// body.push(Bytes::from_static(b"1}"))?;
/// assert_eq!(&body.finish().contiguous()[..], b"{\"a\":1}");
/// assert!(BodyBuffer::new(4, None).push(Bytes::from_static(b"12345")).is_err());
/// # Ok::<(), etcd_v2_proto::TransportFailure>(())
/// ```
#[derive(Debug)]
pub struct BodyBuffer {
    /// The first chunk, until a second one arrives.
    first: Bytes,
    /// Full blocks, once there has been more than one chunk.
    blocks: Vec<Bytes>,
    /// The block being filled.
    block: Vec<u8>,
    len: usize,
    /// The announced length (at most `limit`).
    announced: Option<usize>,
    limit: usize,
    /// What the last [`room`](Self::room) handed out.
    lent: Lent,
    /// Room for the read that should find the end of a body of announced length.
    probe: [u8; 16],
}

/// Where the bytes of the next [`BodyBuffer::advance`] are.
#[derive(Debug, Clone, Copy)]
enum Lent {
    Nothing,
    /// In `block`, from this offset.
    Block(usize),
    /// In `probe`.
    Probe,
}

impl BodyBuffer {
    /// An empty body that may grow to `limit` bytes; `size_hint` (e.g. the Content-Length)
    /// is the size of the one block a body of several chunks is then copied into, never more
    /// than `limit`.
    pub fn new(limit: usize, size_hint: Option<u64>) -> Self {
        let announced = size_hint.map(|n| usize::try_from(n).unwrap_or(usize::MAX).min(limit));
        Self {
            first: Bytes::new(),
            blocks: Vec::new(),
            block: Vec::new(),
            len: 0,
            announced,
            limit,
            lent: Lent::Nothing,
            probe: [0; 16],
        }
    }

    /// Appends one chunk.
    ///
    /// # Errors
    /// [`TransportFailure::BodyTooLarge`] once the body would exceed the limit (the chunk is
    /// not kept).
    pub fn push(&mut self, chunk: Bytes) -> Result<(), TransportFailure> {
        if chunk.len() > self.limit.saturating_sub(self.len) {
            return Err(TransportFailure::BodyTooLarge { limit: self.limit });
        }
        if chunk.is_empty() {
            return Ok(());
        }
        if self.len == 0 {
            self.len = chunk.len();
            self.first = chunk;
            return Ok(());
        }
        self.start_blocks(chunk.len());
        self.len += chunk.len();
        let mut rest = &chunk[..];
        while !rest.is_empty() {
            if self.block.capacity() == self.block.len() {
                self.seal(self.next_block());
            }
            let room = self.block.capacity() - self.block.len();
            let (now, later) = rest.split_at(room.min(rest.len()));
            self.block.extend_from_slice(now);
            rest = later;
        }
        Ok(())
    }

    /// Room to read the next bytes straight into (zeroed, at most 64 KiB, never empty); say
    /// how many were read with [`advance`](Self::advance) before anything else.
    ///
    /// For transports that read into a buffer (`std::io::Read`) rather than hand over chunks.
    ///
    /// ```
    /// use etcd_v2_proto::body::BodyBuffer;
    /// let mut body = BodyBuffer::new(1 << 20, Some(5));
    /// let room = body.room();
    /// room[..5].copy_from_slice(b"hello");
    /// body.advance(5)?;
    /// assert_eq!(body.room().len(), 16, "only a probe for the end, once all 5 are in");
    /// body.advance(0)?;
    /// assert_eq!(&body.finish().contiguous()[..], b"hello");
    /// # Ok::<(), etcd_v2_proto::TransportFailure>(())
    /// ```
    pub fn room(&mut self) -> &mut [u8] {
        const MAX_READ: usize = 64 * 1024;
        if self.announced.is_some_and(|n| self.len >= n) {
            // All announced bytes are in: this read should find the end.
            self.lent = Lent::Probe;
            return &mut self.probe;
        }
        self.start_blocks(1);
        if self.block.capacity() == self.block.len() {
            let size = if self.len == 0 {
                self.first_block(0, 1)
            } else {
                self.next_block()
            };
            self.seal(size);
        }
        let start = self.block.len();
        let end = self.block.capacity().min(start + MAX_READ);
        self.block.resize(end, 0);
        self.lent = Lent::Block(start);
        &mut self.block[start..]
    }

    /// Keeps the first `n` bytes of the last [`room`](Self::room) as read.
    ///
    /// # Errors
    /// [`TransportFailure::BodyTooLarge`] once the body exceeds the limit.
    pub fn advance(&mut self, n: usize) -> Result<(), TransportFailure> {
        match core::mem::replace(&mut self.lent, Lent::Nothing) {
            Lent::Nothing => {}
            Lent::Block(start) => {
                // The room began where the body ended.
                let kept = (start + n).min(self.block.len());
                self.block.truncate(kept);
                self.len += kept - start;
            }
            Lent::Probe => {
                // More than announced (HTTP/1 framing would not let this happen).
                let extra = Bytes::copy_from_slice(&self.probe[..n.min(self.probe.len())]);
                self.announced = None;
                return self.push(extra);
            }
        }
        if self.len > self.limit {
            return Err(TransportFailure::BodyTooLarge { limit: self.limit });
        }
        Ok(())
    }

    /// From a first chunk to blocks of our own, `need` more bytes coming (the first chunk's
    /// memory, likely the transport's read buffer, is let go).
    fn start_blocks(&mut self, need: usize) {
        if !self.first.is_empty() {
            let first = core::mem::take(&mut self.first);
            let size = self.first_block(first.len(), first.len() + need);
            self.block = Vec::with_capacity(size);
            self.block.extend_from_slice(&first);
        }
    }

    /// Moves the full block to `blocks` and starts one of `size` bytes.
    fn seal(&mut self, size: usize) {
        let full = core::mem::replace(&mut self.block, Vec::with_capacity(size));
        if !full.is_empty() {
            self.blocks.push(Bytes::from(full));
        }
    }

    /// The first block's size, `need` bytes being ready for it: the announced length if it
    /// holds them (one block for the whole body), else sized like the body so far.
    fn first_block(&self, first: usize, need: usize) -> usize {
        match self.announced {
            Some(n) if n >= need => n,
            _ => need.clamp(MIN_BLOCK, MAX_BLOCK).max(first),
        }
    }

    /// Each later block is as big as the body so far, from [`MIN_BLOCK`] to [`MAX_BLOCK`]:
    /// a small body wastes little, a large one is not cut into many pieces.
    fn next_block(&self) -> usize {
        self.len.clamp(MIN_BLOCK, MAX_BLOCK)
    }

    /// Bytes gathered so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been gathered yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The whole body. The last block gives back its spare room.
    pub fn finish(mut self) -> Body {
        if let Lent::Block(start) = self.lent {
            self.block.truncate(start);
        }
        if !self.block.is_empty() {
            self.block.shrink_to_fit();
            self.blocks.push(Bytes::from(self.block));
        }
        if self.blocks.is_empty() {
            return Body::from(self.first);
        }
        Body::from_chunks(self.blocks)
    }
}

#[cfg(test)]
mod tests;
