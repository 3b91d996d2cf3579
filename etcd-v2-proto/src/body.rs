//! Gathering a response body as it arrives, within `Transmit::max_body`.
//!
//! Adapters push each chunk the moment it arrives, so the transport can reuse its buffers
//! and a large listing is held once (in one contiguous buffer), not once as chunks and again
//! as their concatenation while it is being decoded.

use alloc::vec::Vec;

use bytes::Bytes;

use crate::error::TransportFailure;

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
/// assert_eq!(&body.finish()[..], b"{\"a\":1}");
/// assert!(BodyBuffer::new(4, None).push(Bytes::from_static(b"12345")).is_err());
/// # Ok::<(), etcd_v2_proto::TransportFailure>(())
/// ```
#[derive(Debug)]
pub struct BodyBuffer {
    /// The first chunk, until a second one arrives.
    first: Bytes,
    /// Every chunk, once there has been more than one.
    joined: Vec<u8>,
    reserve: usize,
    limit: usize,
}

impl BodyBuffer {
    /// An empty body that may grow to `limit` bytes; `size_hint` (e.g. the Content-Length)
    /// reserves room up front, never more than `limit`.
    pub fn new(limit: usize, size_hint: Option<u64>) -> Self {
        let reserve = size_hint.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
        Self {
            first: Bytes::new(),
            joined: Vec::new(),
            reserve: reserve.min(limit),
            limit,
        }
    }

    /// Appends one chunk.
    ///
    /// # Errors
    /// [`TransportFailure::BodyTooLarge`] once the body would exceed the limit (the chunk is
    /// not kept).
    pub fn push(&mut self, chunk: Bytes) -> Result<(), TransportFailure> {
        if chunk.len() > self.limit - self.len() {
            return Err(TransportFailure::BodyTooLarge { limit: self.limit });
        }
        if chunk.is_empty() {
            return Ok(());
        }
        if self.joined.is_empty() && self.first.is_empty() {
            self.first = chunk;
            return Ok(());
        }
        if self.joined.is_empty() {
            // A second chunk: from now on, one contiguous buffer (the first chunk's memory,
            // likely the transport's read buffer, is let go).
            let first = core::mem::take(&mut self.first);
            let size = self.reserve.max(first.len() + chunk.len());
            self.joined.reserve_exact(size);
            self.joined.extend_from_slice(&first);
        }
        self.joined.extend_from_slice(&chunk);
        Ok(())
    }

    /// Bytes gathered so far.
    pub fn len(&self) -> usize {
        self.first.len() + self.joined.len()
    }

    /// Whether nothing has been gathered yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole body.
    ///
    /// A body of unknown length grew by doubling, so up to half of its buffer may be spare:
    /// that is given back first (usually in place), since the body stays alive while it is
    /// decoded, when a large listing's nodes need the memory.
    pub fn finish(mut self) -> Bytes {
        if self.joined.is_empty() {
            self.first
        } else {
            self.joined.shrink_to_fit();
            Bytes::from(self.joined)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(s: &'static [u8]) -> Bytes {
        Bytes::from_static(s)
    }

    #[test]
    fn gathers_chunks_up_to_the_limit_exactly() {
        let mut body = BodyBuffer::new(6, Some(6));
        body.push(chunk(b"abc")).unwrap();
        body.push(chunk(b"")).unwrap();
        body.push(chunk(b"de")).unwrap();
        body.push(chunk(b"f")).unwrap();
        assert_eq!(body.len(), 6);
        assert_eq!(
            body.push(chunk(b"g")),
            Err(TransportFailure::BodyTooLarge { limit: 6 })
        );
        assert_eq!(&body.finish()[..], b"abcdef");
    }

    #[test]
    fn a_body_grown_by_doubling_gives_its_spare_room_back() {
        let mut body = BodyBuffer::new(1 << 20, None);
        for _ in 0..100 {
            body.push(chunk(b"0123456789abc")).unwrap();
        }
        assert!(body.joined.capacity() > 1300, "{}", body.joined.capacity());
        let whole = body
            .finish()
            .try_into_mut()
            .expect("the only handle on the body");
        assert_eq!((whole.len(), whole.capacity()), (1300, 1300));
    }

    #[test]
    fn one_chunk_is_kept_as_it_is() {
        let data = chunk(b"{}");
        let mut body = BodyBuffer::new(10, None);
        body.push(data.clone()).unwrap();
        assert_eq!(body.finish().as_ptr(), data.as_ptr());
        assert!(BodyBuffer::new(10, None).finish().is_empty());
    }

    #[test]
    fn a_first_chunk_over_the_limit_is_refused() {
        let mut body = BodyBuffer::new(2, None);
        assert!(body.push(chunk(b"abc")).is_err());
        assert!(body.is_empty());
    }

    #[test]
    fn a_size_hint_beyond_the_limit_reserves_only_the_limit() {
        let mut body = BodyBuffer::new(16, Some(u64::MAX));
        body.push(chunk(b"a")).unwrap();
        body.push(chunk(b"b")).unwrap();
        assert!(body.joined.capacity() <= 16 * 2);
        assert_eq!(&body.finish()[..], b"ab");
    }
}
