//! Reading JSON tokens from a body's chunks, letting each chunk go once it is read
//!
//! The lexical half of [`crate::wire::keys_json`]: whitespace, strings (escapes, surrogate pairs,
//! UTF-8 checked), numbers (JSON's grammar; integers kept exactly), literals, and skipping a
//! whole value of any shape while checking its syntax. Tokens may straddle chunks. Strict as
//! `serde_json` is: control characters in strings, lone surrogates, leading zeros, trailing
//! commas and invalid UTF-8 are errors.

use alloc::vec::Vec;

use bytes::Bytes;

use crate::wire::body::Body;

/// Why a body is not the JSON expected, and where (a byte offset into the body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonError {
    /// Byte offset into the body.
    pub(crate) at: usize,
    /// What was wrong.
    pub(crate) what: &'static str,
    /// The decoding limit the body went over, if that is what was wrong (not its syntax).
    pub(crate) over: Option<Limit>,
}

/// A limit on what a body may decode to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// Nodes nested deeper than this many levels.
    Depth(usize),
    /// Decoded nodes taking more than this many bytes.
    Size(usize),
}

/// A JSON number as the decoder needs it: integers exactly, anything else only as valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Number {
    /// A non-negative integer that fits a `u64`.
    Unsigned(u64),
    /// A negative integer that fits an `i64`.
    Negative(i64),
    /// A fraction, an exponent, `-0`, or an integer too large for 64 bits.
    Other,
}

/// Nesting deeper than this is refused (Go's `encoding/json` limit). Skipped values are
/// tracked on the heap, so only this bounds them; nodes, which the decoder builds and which
/// code walks recursively, have a lower limit ([`crate::MAX_NODE_DEPTH`]).
pub(crate) const MAX_DEPTH: usize = 10_000;

/// A position in a body being read; chunks already read are dropped.
#[derive(Debug)]
pub(crate) struct Cursor {
    chunk: Bytes,
    pos: usize,
    rest: alloc::vec::IntoIter<Bytes>,
    /// Bytes of the chunks before `chunk`.
    before: usize,
}

impl Cursor {
    pub(crate) fn new(body: Body) -> Self {
        let (chunk, rest) = body.into_parts();
        Self {
            chunk,
            pos: 0,
            rest: rest.into_iter(),
            before: 0,
        }
    }

    /// Byte offset into the body.
    pub(crate) fn offset(&self) -> usize {
        self.before + self.pos
    }

    pub(crate) fn error(&self, what: &'static str) -> JsonError {
        JsonError {
            at: self.offset(),
            what,
            over: None,
        }
    }

    /// The body went over `limit` here.
    pub(crate) fn over(&self, limit: Limit, what: &'static str) -> JsonError {
        JsonError {
            over: Some(limit),
            ..self.error(what)
        }
    }

    /// The next byte, not consumed; `None` at the end of the body.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        match self.chunk.get(self.pos) {
            Some(&b) => Some(b),
            None => self.next_chunk(),
        }
    }

    /// Moves to the next non-empty chunk, dropping the one read; its first byte.
    #[cold]
    fn next_chunk(&mut self) -> Option<u8> {
        loop {
            let next = self.rest.next()?;
            self.before += self.chunk.len();
            self.chunk = next;
            self.pos = 0;
            if let Some(&b) = self.chunk.first() {
                return Some(b);
            }
        }
    }

    /// Consumes the byte [`peek`](Self::peek) returned.
    #[inline]
    pub(crate) fn bump(&mut self) {
        self.pos += 1;
    }

    /// The next byte, consumed.
    fn next(&mut self) -> Result<u8, JsonError> {
        let b = self
            .peek()
            .ok_or_else(|| self.error("unexpected end of body"))?;
        self.bump();
        Ok(b)
    }

    /// Skips whitespace; the next byte, not consumed.
    #[inline]
    pub(crate) fn skip_ws(&mut self) -> Option<u8> {
        loop {
            let b = self.peek()?;
            if !is_ws(b) {
                return Some(b);
            }
            self.bump();
        }
    }

    /// Skips whitespace; the next byte, not consumed; the end of the body is an error.
    #[inline]
    pub(crate) fn skip_ws_expecting(&mut self) -> Result<u8, JsonError> {
        self.skip_ws()
            .ok_or_else(|| self.error("unexpected end of body"))
    }

    /// After a member name: its `:` (whitespace around it allowed); the value's first byte,
    /// peeked.
    #[inline]
    pub(crate) fn colon_then_value(&mut self) -> Result<u8, JsonError> {
        // The common case, `"name":value` with no whitespace, in this chunk.
        if let [b':', first, ..] = self.chunk[self.pos..] {
            if !is_ws(first) {
                self.pos += 1;
                return Ok(first);
            }
        }
        self.expect(b':', "expected `:`")?;
        self.skip_ws_expecting()
    }

    /// Skips whitespace, then consumes `byte` or fails with `what`.
    pub(crate) fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), JsonError> {
        if self.skip_ws_expecting()? == byte {
            self.bump();
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// Consumes `first` (the byte just peeked) if it is `byte`, else fails with `what`.
    pub(crate) fn bump_expecting(
        &mut self,
        first: u8,
        byte: u8,
        what: &'static str,
    ) -> Result<(), JsonError> {
        if first == byte {
            self.bump();
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// Consumes the rest of a literal whose first byte was peeked (`true`, `false`, `null`).
    pub(crate) fn literal(&mut self, word: &'static [u8]) -> Result<(), JsonError> {
        for &want in word {
            if self.peek() != Some(want) {
                return Err(self.error("invalid literal"));
            }
            self.bump();
        }
        Ok(())
    }

    /// Reads a number whose first byte was peeked (`-` or a digit).
    pub(crate) fn number(&mut self) -> Result<Number, JsonError> {
        // The common case: a non-negative integer of up to 19 digits, all in this chunk.
        let rest = &self.chunk[self.pos..];
        let digits = rest
            .iter()
            .take(20)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let ends_here = matches!(rest.get(digits), Some(b) if !matches!(b, b'.' | b'e' | b'E'));
        if (1..20).contains(&digits) && ends_here && (rest[0] != b'0' || digits == 1) {
            let value = rest[..digits]
                .iter()
                .fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'));
            self.pos += digits;
            return Ok(Number::Unsigned(value));
        }
        self.number_slow()
    }

    /// [`number`](Self::number) in general: signs, fractions, exponents, chunk ends.
    fn number_slow(&mut self) -> Result<Number, JsonError> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.bump();
        }
        let mut value: Option<u64> = Some(0);
        match self.peek() {
            Some(b'0') => {
                self.bump();
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.error("invalid number (leading zero)"));
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(b @ b'0'..=b'9') = self.peek() {
                    self.bump();
                    value = value
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add(u64::from(b - b'0')));
                }
            }
            _ => return Err(self.error("invalid number")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.bump();
            integer = false;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            integer = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            self.digits()?;
        }
        Ok(match (integer, value, negative) {
            (true, Some(v), false) => Number::Unsigned(v),
            (true, Some(v), true) if v != 0 => {
                // `-v` fits an `i64` down to `i64::MIN`.
                0i64.checked_sub_unsigned(v)
                    .map_or(Number::Other, Number::Negative)
            }
            _ => Number::Other,
        })
    }

    /// One or more decimal digits.
    fn digits(&mut self) -> Result<(), JsonError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error("invalid number"));
        }
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.bump();
        }
        Ok(())
    }

    /// Skips one value of any shape, checking its syntax; `depth` is the nesting around it.
    pub(crate) fn skip_value(&mut self, depth: usize) -> Result<(), JsonError> {
        // Open containers: `true` for an object.
        let mut open: Vec<bool> = Vec::new();
        loop {
            // A value starts here.
            match self.skip_ws_expecting()? {
                c @ (b'{' | b'[') => {
                    self.bump();
                    if depth + open.len() >= MAX_DEPTH {
                        return Err(self.error("nested too deeply"));
                    }
                    let object = c == b'{';
                    let close = if object { b'}' } else { b']' };
                    if self.skip_ws_expecting()? == close {
                        self.bump();
                    } else {
                        open.push(object);
                        if object {
                            self.member_name()?;
                        }
                        continue;
                    }
                }
                b'"' => {
                    self.bump();
                    self.skip_string()?;
                }
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => return Err(self.error("expected a value")),
            }
            // A value ended: close what it ends, or go on to the next member or element.
            loop {
                let Some(&object) = open.last() else {
                    return Ok(());
                };
                match (self.skip_ws_expecting()?, object) {
                    (b',', _) => {
                        self.bump();
                        if object {
                            self.member_name()?;
                        }
                        break;
                    }
                    (b'}', true) | (b']', false) => {
                        self.bump();
                        open.pop();
                    }
                    _ => return Err(self.error("expected `,` or the end of the container")),
                }
            }
        }
    }

    /// A skipped object's member name and its colon.
    fn member_name(&mut self) -> Result<(), JsonError> {
        self.expect(b'"', "expected a member name")?;
        self.skip_string()?;
        self.expect(b':', "expected `:`")
    }
}

/// JSON's whitespace (not Rust's `is_ascii_whitespace`, which takes form feeds too).
#[inline]
fn is_ws(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\r' | b'\t')
}

mod strings;

#[cfg(test)]
mod tests;
