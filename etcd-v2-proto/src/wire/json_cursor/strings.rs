//! Strings: escapes, surrogate pairs, UTF-8, member names, and skipping them unread

use alloc::string::String;
use alloc::vec::Vec;

use super::*;

impl Cursor {
    /// Reads a string whose opening quote was consumed, to its closing quote.
    pub(crate) fn string(&mut self) -> Result<String, JsonError> {
        let rest = &self.chunk[self.pos..];
        let (end, _) = special(rest);
        if rest.get(end) == Some(&b'"') {
            // The common case: no escapes, all in this chunk.
            let text =
                core::str::from_utf8(&rest[..end]).map_err(|_| self.error("invalid UTF-8"))?;
            let text = String::from(text);
            self.pos += end + 1;
            return Ok(text);
        }
        let mut bytes = Vec::new();
        self.string_slow(&mut bytes, true)?;
        String::from_utf8(bytes).map_err(|_| self.error("invalid UTF-8"))
    }

    /// Reads an object key whose opening quote was consumed and gives what `classify` makes of
    /// its text; keys with escapes or across chunks are gathered in `scratch`.
    #[inline]
    pub(crate) fn key<F>(
        &mut self,
        scratch: &mut Vec<u8>,
        classify: impl Fn(&[u8]) -> F,
    ) -> Result<F, JsonError> {
        let rest = &self.chunk[self.pos..];
        let (end, ascii) = special(rest);
        if rest.get(end) == Some(&b'"') {
            let name = &rest[..end];
            if !ascii && core::str::from_utf8(name).is_err() {
                return Err(self.error("invalid UTF-8"));
            }
            let field = classify(name);
            self.pos += end + 1;
            return Ok(field);
        }
        scratch.clear();
        self.string_slow(scratch, true)?;
        if core::str::from_utf8(scratch).is_err() {
            return Err(self.error("invalid UTF-8"));
        }
        Ok(classify(scratch))
    }

    /// Skips a string whose opening quote was consumed (checked, not kept).
    pub(crate) fn skip_string(&mut self) -> Result<(), JsonError> {
        loop {
            let rest = &self.chunk[self.pos..];
            let (end, ascii) = special(rest);
            if !ascii && core::str::from_utf8(&rest[..end]).is_err() {
                // A character split across chunks lands here too: check it byte by byte.
                return self.skip_string_split();
            }
            self.pos += end;
            match self.string_stop()? {
                Stop::Quote => return Ok(()),
                Stop::Escape => self.escape(None)?,
                Stop::Chunk => {}
            }
        }
    }

    /// [`skip_string`](Self::skip_string) for a string with a character split across chunks.
    pub(super) fn skip_string_split(&mut self) -> Result<(), JsonError> {
        let mut bytes = Vec::new();
        self.string_slow(&mut bytes, false)?;
        if core::str::from_utf8(&bytes).is_err() {
            return Err(self.error("invalid UTF-8"));
        }
        Ok(())
    }

    /// Gathers a string's bytes (escapes decoded) into `out`, to and past its closing quote.
    /// The caller checks the UTF-8. `strict` refuses lone surrogates (off for skipped
    /// strings, as `serde_json`).
    pub(super) fn string_slow(&mut self, out: &mut Vec<u8>, strict: bool) -> Result<(), JsonError> {
        loop {
            let rest = &self.chunk[self.pos..];
            let (end, _) = special(rest);
            out.extend_from_slice(&rest[..end]);
            self.pos += end;
            match self.string_stop()? {
                Stop::Quote => return Ok(()),
                Stop::Escape if strict => self.escape(Some(out))?,
                Stop::Escape => self.escape_lenient(out)?,
                Stop::Chunk => {}
            }
        }
    }

    /// What stopped a run of plain string bytes ([`special`]): the closing quote or a
    /// backslash (consumed), or the end of the chunk; a control character or the end of the
    /// body is an error.
    pub(super) fn string_stop(&mut self) -> Result<Stop, JsonError> {
        match self.peek() {
            None => Err(self.error("unexpected end of body in a string")),
            Some(b'"') => {
                self.bump();
                Ok(Stop::Quote)
            }
            Some(b'\\') => {
                self.bump();
                Ok(Stop::Escape)
            }
            Some(b) if b < 0x20 => Err(self.error("control character in a string")),
            Some(_) => Ok(Stop::Chunk),
        }
    }

    /// An escape after its backslash; decoded into `out` if given. Surrogates must pair.
    pub(super) fn escape(&mut self, out: Option<&mut Vec<u8>>) -> Result<(), JsonError> {
        let decoded = match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if out.is_none() {
                    // Skipped: any four hex digits will do (as `serde_json`).
                    return Ok(());
                }
                self.code_point(unit)?
            }
            _ => return Err(self.error("invalid escape")),
        };
        if let Some(out) = out {
            let mut utf8 = [0; 4];
            out.extend_from_slice(decoded.encode_utf8(&mut utf8).as_bytes());
        }
        Ok(())
    }

    /// An escape in a skipped string gathered because of a split character: checked only.
    pub(super) fn escape_lenient(&mut self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        self.escape(None)?;
        // Stands for whatever it was; only the UTF-8 around it is checked later.
        out.push(b' ');
        Ok(())
    }

    /// The character a `\u` escape stands for, reading its trailing surrogate if it needs one.
    pub(super) fn code_point(&mut self, unit: u16) -> Result<char, JsonError> {
        let lone = "lone surrogate in a \\u escape";
        let code = match unit {
            0xD800..=0xDBFF => {
                if self.next()? != b'\\' || self.next()? != b'u' {
                    return Err(self.error(lone));
                }
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error(lone));
                }
                0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error(lone)),
            _ => u32::from(unit),
        };
        char::from_u32(code).ok_or_else(|| self.error(lone))
    }

    pub(super) fn hex4(&mut self) -> Result<u16, JsonError> {
        let mut unit = 0u16;
        for _ in 0..4 {
            let digit = match self.next()? {
                b @ b'0'..=b'9' => b - b'0',
                b @ b'a'..=b'f' => b - b'a' + 10,
                b @ b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(self.error("invalid \\u escape")),
            };
            unit = (unit << 4) | u16::from(digit);
        }
        Ok(unit)
    }
}

/// Where a run of plain string bytes stopped.
#[derive(Debug, Clone, Copy)]
pub(super) enum Stop {
    Quote,
    Escape,
    /// The chunk ended (the string goes on in the next).
    Chunk,
}

/// Index of the first `"`, `\` or control character in `bytes` (or its length), and whether
/// every byte before it is ASCII (then that text needs no UTF-8 check).
#[inline]
pub(super) fn special(bytes: &[u8]) -> (usize, bool) {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let mut words = bytes.chunks_exact(8);
    let mut start = 0;
    let mut high = 0;
    for word in &mut words {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        let w = u64::from_le_bytes(eight);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        // A byte's high bit is set here if the byte is zero / below 0x20; the lowest set bit
        // is exact (borrows only run upwards).
        let found = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | w.wrapping_sub(ONES * 0x20) & !w)
            & HIGH;
        if found != 0 {
            let at = (found.trailing_zeros() / 8) as usize;
            // Only the bytes before `at`: a mask of their high bits.
            let before = (1u64 << (at * 8)).wrapping_sub(1);
            return (start + at, (high | w & before) & HIGH == 0);
        }
        high |= w;
        start += 8;
    }
    let tail = words.remainder();
    let at = tail
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(tail.len());
    let ascii = high & HIGH == 0 && tail[..at].is_ascii();
    (start + at, ascii)
}
