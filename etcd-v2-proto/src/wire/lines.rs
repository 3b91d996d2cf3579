//! A streaming watch's body cut into lines: one JSON event per line, as etcd writes them
//!
//! etcd encodes each event of a `stream=true` watch with Go's `json.Encoder`, which ends it
//! with `\n`, and flushes it as one or more chunks. A [`LineSplitter`] takes the chunks as they
//! arrive and hands out each complete line as a [`Body`] made of slices of those chunks (no
//! copy), whatever the chunk boundaries: a line may span many chunks (and split a UTF-8
//! character), a chunk may hold many lines. A line longer than the limit is an error as soon
//! as that many bytes arrived without a newline: memory stays bounded by the limit plus one
//! chunk. Small chunks are copied together (a server trickling one byte per chunk must not
//! cost a queue entry per byte).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use bytes::{Bytes, BytesMut};

use crate::error::ProtocolError;
use crate::wire::body::Body;

/// Cuts a stream of chunks into `\n`-terminated lines of at most `limit` bytes each.
///
/// ```
/// use bytes::Bytes;
/// use etcd_v2_proto::body::LineSplitter;
/// let mut lines = LineSplitter::new(64);
/// lines.push(Bytes::from_static(b"{\"a\":1}\n{\"a\""));
/// assert_eq!(&lines.next_line().unwrap().unwrap().contiguous()[..], b"{\"a\":1}");
/// assert!(lines.next_line().is_none()); // the rest is not a line yet
/// lines.push(Bytes::from_static(b":2}\n"));
/// assert_eq!(&lines.next_line().unwrap().unwrap().contiguous()[..], b"{\"a\":2}");
/// ```
#[derive(Debug, Clone)]
pub struct LineSplitter {
    /// Chunks received and not handed out yet.
    queue: VecDeque<Bytes>,
    /// How many chunks at the front of `queue` are known to hold no newline.
    scanned: usize,
    /// Their length in bytes: the current line so far.
    held: usize,
    /// Small chunks, copied together, after those in `queue`.
    tail: BytesMut,
    /// How many bytes at the start of `tail` are known to hold no newline.
    tail_scanned: usize,
    limit: usize,
}

/// Chunks shorter than this are copied into the tail instead of queued.
const SMALL: usize = 512;

impl LineSplitter {
    /// A splitter whose lines may be at most `limit` bytes long (newline not counted).
    pub fn new(limit: usize) -> Self {
        Self {
            queue: VecDeque::new(),
            scanned: 0,
            held: 0,
            tail: BytesMut::new(),
            tail_scanned: 0,
            limit,
        }
    }

    /// Adds the next chunk of the stream.
    pub fn push(&mut self, chunk: Bytes) {
        if chunk.len() < SMALL {
            self.tail.extend_from_slice(&chunk);
        } else {
            self.flush_tail();
            self.queue.push_back(chunk);
        }
    }

    /// Moves the tail to the end of the queue.
    fn flush_tail(&mut self) {
        if !self.tail.is_empty() {
            self.queue.push_back(self.tail.split().freeze());
            self.tail_scanned = 0;
        }
    }

    /// Whether bytes of an unfinished line are waiting for their newline.
    pub fn has_partial(&self) -> bool {
        !self.queue.is_empty() || !self.tail.is_empty()
    }

    /// The next complete line, without its `\n` (blank lines are skipped); `None` until one
    /// has arrived; [`ProtocolError::BodyTooLarge`] for a line over the limit, after which the
    /// splitter is empty (the stream it came from is not worth reading on).
    pub fn next_line(&mut self) -> Option<Result<Body, ProtocolError>> {
        loop {
            let Some(chunk) = self.queue.get(self.scanned) else {
                // Past the queue: a newline in the tail makes its start a chunk of the queue.
                let unseen = &self.tail[self.tail_scanned..];
                match unseen.iter().position(|&b| b == b'\n') {
                    Some(at) => {
                        let line = self.tail.split_to(self.tail_scanned + at + 1).freeze();
                        self.queue.push_back(line);
                        self.tail_scanned = 0;
                        continue;
                    }
                    None => {
                        self.tail_scanned = self.tail.len();
                        if self.held + self.tail.len() > self.limit {
                            return Some(Err(self.overlong()));
                        }
                        return None;
                    }
                }
            };
            let Some(at) = chunk.iter().position(|&b| b == b'\n') else {
                self.held += chunk.len();
                self.scanned += 1;
                if self.held > self.limit {
                    return Some(Err(self.overlong()));
                }
                continue;
            };
            let len = self.held + at;
            if len > self.limit {
                return Some(Err(self.overlong()));
            }
            let mut parts: Vec<Bytes> = self.queue.drain(..self.scanned).collect();
            let mut last = self.queue.pop_front()?;
            let rest = last.split_off(at + 1);
            last.truncate(at);
            if !rest.is_empty() {
                self.queue.push_front(rest);
            }
            parts.push(last);
            self.scanned = 0;
            self.held = 0;
            let line = Body::from_chunks(parts);
            if !line
                .chunks()
                .flat_map(|c| c.iter())
                .all(u8::is_ascii_whitespace)
            {
                return Some(Ok(line));
            }
        }
    }

    /// At the end of the stream: what is left as a last line (a server that ends its body
    /// without the final newline), if it is not blank. Empties the splitter.
    pub fn finish(&mut self) -> Option<Result<Body, ProtocolError>> {
        if let Some(line) = self.next_line() {
            return Some(line);
        }
        self.flush_tail();
        let rest: Vec<Bytes> = self.queue.drain(..).collect();
        self.scanned = 0;
        self.held = 0;
        let line = Body::from_chunks(rest);
        if line.len() > self.limit {
            return Some(Err(ProtocolError::BodyTooLarge { limit: self.limit }));
        }
        let blank = line
            .chunks()
            .flat_map(|c| c.iter())
            .all(u8::is_ascii_whitespace);
        (!blank).then_some(Ok(line))
    }

    fn overlong(&mut self) -> ProtocolError {
        self.queue.clear();
        self.tail.clear();
        self.tail_scanned = 0;
        self.scanned = 0;
        self.held = 0;
        ProtocolError::BodyTooLarge { limit: self.limit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn lines(splitter: &mut LineSplitter) -> Vec<Result<String, ProtocolError>> {
        core::iter::from_fn(|| splitter.next_line())
            .map(|l| l.map(|b| String::from_utf8(b.contiguous().into_owned()).unwrap()))
            .collect()
    }

    fn push(splitter: &mut LineSplitter, s: &'static [u8]) {
        splitter.push(Bytes::from_static(s));
    }

    #[test]
    fn a_line_may_span_many_chunks() {
        let mut s = LineSplitter::new(100);
        for part in [&b"{\"act"[..], b"ion\":", b"\"set\"", b"}"] {
            push(&mut s, part);
            assert!(s.next_line().is_none());
        }
        push(&mut s, b"\n");
        assert_eq!(lines(&mut s), [Ok(r#"{"action":"set"}"#.into())]);
        assert!(!s.has_partial());
    }

    #[test]
    fn a_chunk_may_hold_many_lines_and_the_start_of_another() {
        let mut s = LineSplitter::new(100);
        push(&mut s, b"{\"a\":1}\n{\"a\":2}\n\n{\"a\":3}\n{\"a\"");
        assert_eq!(
            lines(&mut s),
            [
                Ok(r#"{"a":1}"#.into()),
                Ok(r#"{"a":2}"#.into()),
                Ok(r#"{"a":3}"#.into())
            ]
        );
        assert!(s.has_partial());
        push(&mut s, b":4}\n");
        assert_eq!(lines(&mut s), [Ok(r#"{"a":4}"#.into())]);
    }

    #[test]
    fn a_utf8_character_split_across_chunks_comes_out_whole() {
        let text = "{\"value\":\"h\u{e9}\u{1f600}\"}\n".as_bytes();
        for cut in 0..text.len() {
            let mut s = LineSplitter::new(100);
            s.push(Bytes::copy_from_slice(&text[..cut]));
            s.push(Bytes::copy_from_slice(&text[cut..]));
            assert_eq!(
                lines(&mut s),
                [Ok("{\"value\":\"h\u{e9}\u{1f600}\"}".into())]
            );
        }
    }

    #[test]
    fn an_overlong_line_is_an_error_before_its_newline_arrives() {
        let mut s = LineSplitter::new(8);
        push(&mut s, b"12345");
        assert!(s.next_line().is_none());
        push(&mut s, b"6789");
        assert_eq!(
            s.next_line(),
            Some(Err(ProtocolError::BodyTooLarge { limit: 8 }))
        );
        assert!(!s.has_partial(), "nothing of it is kept");
        // Exactly the limit is fine; one more byte before the newline is not.
        let mut s = LineSplitter::new(8);
        push(&mut s, b"12345678\n123456789\n");
        assert_eq!(
            lines(&mut s),
            [
                Ok("12345678".into()),
                Err(ProtocolError::BodyTooLarge { limit: 8 })
            ]
        );
    }

    #[test]
    fn one_byte_chunks_are_gathered_and_still_bounded() {
        let text = "{\"a\":1}\n{\"a\":2}\n".repeat(100);
        let mut s = LineSplitter::new(16);
        let mut got = 0;
        for b in text.bytes() {
            s.push(Bytes::copy_from_slice(&[b]));
            while let Some(line) = s.next_line() {
                let line = line.unwrap().contiguous().into_owned();
                assert!(line == b"{\"a\":1}" || line == b"{\"a\":2}");
                got += 1;
            }
        }
        assert_eq!(got, 200);
        assert!(s.queue.len() <= 1, "{}", s.queue.len());
        // Small and large chunks mixed keep their order.
        let mut s = LineSplitter::new(4096);
        s.push(Bytes::from_static(b"ab"));
        s.push(Bytes::from("c".repeat(600)));
        s.push(Bytes::from_static(b"d\ne"));
        let line = s.next_line().unwrap().unwrap().contiguous().into_owned();
        assert_eq!(
            line,
            [&b"ab"[..], "c".repeat(600).as_bytes(), b"d"].concat()
        );
        assert!(s.next_line().is_none() && s.has_partial());
        // A trickled line over the limit is refused before its newline.
        let mut s = LineSplitter::new(16);
        let mut refused = false;
        for _ in 0..17 {
            s.push(Bytes::from_static(b"x"));
            if let Some(Err(ProtocolError::BodyTooLarge { limit: 16 })) = s.next_line() {
                refused = true;
            }
        }
        assert!(refused && !s.has_partial());
    }

    #[test]
    fn garbage_is_a_line_like_any_other() {
        // The splitter only cuts; the watch decodes each line and reports garbage.
        let mut s = LineSplitter::new(100);
        push(&mut s, b"not json\n\x00\xff\n");
        let got: Vec<_> = core::iter::from_fn(|| s.next_line())
            .map(|l| l.unwrap().contiguous().into_owned())
            .collect();
        assert_eq!(got, [b"not json".to_vec(), b"\x00\xff".to_vec()]);
    }

    #[test]
    fn at_the_end_a_last_line_without_newline_is_handed_out_once() {
        let mut s = LineSplitter::new(100);
        push(&mut s, b"{\"a\":1}\n{\"a\"");
        push(&mut s, b":2}");
        assert_eq!(
            s.finish().map(|l| l.unwrap().contiguous().into_owned()),
            Some(b"{\"a\":1}".to_vec())
        );
        assert_eq!(
            s.finish().map(|l| l.unwrap().contiguous().into_owned()),
            Some(b"{\"a\":2}".to_vec())
        );
        assert!(s.finish().is_none());
        push(&mut s, b"  \r\n ");
        assert!(s.finish().is_none(), "blank lines are no events");
    }
}
