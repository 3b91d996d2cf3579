//! Reading JSON tokens from a body's chunks, letting each chunk go once it is read
//!
//! The lexical half of [`crate::wire::keys_json`]: whitespace, strings (escapes, surrogate pairs,
//! UTF-8 checked), numbers (JSON's grammar; integers kept exactly), literals, and skipping a
//! whole value of any shape while checking its syntax. Tokens may straddle chunks. Strict as
//! `serde_json` is: control characters in strings, lone surrogates, leading zeros, trailing
//! commas and invalid UTF-8 are errors.

use alloc::string::String;
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
    fn skip_string_split(&mut self) -> Result<(), JsonError> {
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
    fn string_slow(&mut self, out: &mut Vec<u8>, strict: bool) -> Result<(), JsonError> {
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
    fn string_stop(&mut self) -> Result<Stop, JsonError> {
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
    fn escape(&mut self, out: Option<&mut Vec<u8>>) -> Result<(), JsonError> {
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
    fn escape_lenient(&mut self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        self.escape(None)?;
        // Stands for whatever it was; only the UTF-8 around it is checked later.
        out.push(b' ');
        Ok(())
    }

    /// The character a `\u` escape stands for, reading its trailing surrogate if it needs one.
    fn code_point(&mut self, unit: u16) -> Result<char, JsonError> {
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

    fn hex4(&mut self) -> Result<u16, JsonError> {
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

/// Where a run of plain string bytes stopped.
#[derive(Debug, Clone, Copy)]
enum Stop {
    Quote,
    Escape,
    /// The chunk ended (the string goes on in the next).
    Chunk,
}

/// Index of the first `"`, `\` or control character in `bytes` (or its length), and whether
/// every byte before it is ASCII (then that text needs no UTF-8 check).
#[inline]
fn special(bytes: &[u8]) -> (usize, bool) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(chunks: &[&'static str]) -> Cursor {
        Cursor::new(Body::from_chunks(
            chunks
                .iter()
                .map(|c| Bytes::from_static(c.as_bytes()))
                .collect(),
        ))
    }

    #[test]
    fn special_finds_the_first_quote_backslash_or_control_byte() {
        assert_eq!(special(b""), (0, true));
        assert_eq!(special(b"abc"), (3, true));
        assert_eq!(special(b"abcdefghij\"k"), (10, true));
        assert_eq!(special(b"abcdefgh\\"), (8, true));
        assert_eq!(special(b"ab\ncdefghijk\""), (2, true));
        assert_eq!(special(b"\x1fabcdefgh"), (0, true));
        assert_eq!(special("añ\u{7f}x\u{ff}xxxxxxx\"".as_bytes()), (14, false));
        // Non-ASCII only after the special byte does not count.
        assert_eq!(special("abcdefghijkl\"ñ".as_bytes()), (12, true));
        assert_eq!(special("abc\"ñ".as_bytes()), (3, true));
        for i in 0..40 {
            for b in [b'"', b'\\', 0, 0x1f] {
                let mut bytes = alloc::vec![b'a'; 40];
                bytes[i] = b;
                bytes.extend_from_slice(b"\"");
                assert_eq!(special(&bytes), (i, true), "byte {b} at {i}");
                for j in (0..40).filter(|&j| j != i) {
                    let mut high = bytes.clone();
                    high[j] = 0xC3;
                    assert_eq!(special(&high), (i, j > i), "0xC3 at {j}, byte {b} at {i}");
                }
            }
            let mut bytes = alloc::vec![0x20u8; 40];
            bytes[i] = 0x7f;
            assert_eq!(special(&bytes), (40, true));
        }
    }

    #[test]
    fn strings_across_chunks_with_escapes() {
        let mut c = cursor(&["\"a\\u00e9", "b\\ud83d", "\\ude00\\n\"", "x"]);
        assert_eq!(c.next(), Ok(b'"'));
        assert_eq!(c.string().unwrap(), "aéb😀\n");
        assert_eq!(c.peek(), Some(b'x'));
        let mut c = cursor(&["\"caf\u{e9}", "\"   "]);
        c.bump();
        assert_eq!(c.string().unwrap(), "café");
        assert_eq!(c.skip_ws(), None);
    }

    #[test]
    fn a_character_split_across_chunks_is_joined() {
        let e_acute = "é".as_bytes();
        let first: &'static [u8] = &[b'"', b'a', 0xC3];
        let second: &'static [u8] = &[0xA9, b'"'];
        assert_eq!(&[0xC3, 0xA9], e_acute);
        for skip in [false, true] {
            let body = Body::from_chunks(alloc::vec![
                Bytes::from_static(first),
                Bytes::from_static(second)
            ]);
            let mut c = Cursor::new(body);
            c.bump();
            if skip {
                c.skip_string().unwrap();
            } else {
                assert_eq!(c.string().unwrap(), "aé");
            }
            assert_eq!(c.peek(), None);
        }
    }

    #[test]
    fn bad_strings_are_errors() {
        for bad in [
            "\"abc",
            "\"a\\x\"",
            "\"a\\u12\"",
            "\"a\\u12g4\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"\\udc00\"",
            "\"a\nb\"",
            "\"a\\",
        ] {
            let mut c = cursor(&[bad]);
            c.bump();
            assert!(c.string().is_err(), "{bad:?}");
        }
        let mut c = Cursor::new(Body::from(alloc::vec![b'"', 0xFF, b'"']));
        c.bump();
        assert!(c.string().is_err());
        let mut c = Cursor::new(Body::from(alloc::vec![b'"', 0xFF, b'"']));
        c.bump();
        assert!(c.skip_string().is_err());
        // A skipped string may hold a lone surrogate, as `serde_json` lets it.
        let mut c = cursor(&["\"\\ud800\""]);
        c.bump();
        assert_eq!(c.skip_string(), Ok(()));
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        let cases: &[(&str, Option<Number>)] = &[
            ("0", Some(Number::Unsigned(0))),
            ("42", Some(Number::Unsigned(42))),
            ("18446744073709551615", Some(Number::Unsigned(u64::MAX))),
            ("18446744073709551616", Some(Number::Other)),
            ("-1", Some(Number::Negative(-1))),
            ("-9223372036854775808", Some(Number::Negative(i64::MIN))),
            ("-9223372036854775809", Some(Number::Other)),
            ("-0", Some(Number::Other)),
            ("1.5", Some(Number::Other)),
            ("1e3", Some(Number::Other)),
            ("1E+3", Some(Number::Other)),
            ("0.0e-1", Some(Number::Other)),
            ("01", None),
            ("-", None),
            ("-a", None),
            ("1.", None),
            ("1.e3", None),
            ("1e", None),
            ("1e+", None),
        ];
        for &(text, want) in cases {
            let mut c = cursor(&[text, ","]);
            let got = c.number().ok();
            assert_eq!(got, want, "{text}");
            if want.is_some() {
                assert_eq!(c.peek(), Some(b','), "{text} read to its end");
            }
        }
        // Split across chunks.
        let mut c = cursor(&["12", "34", "5 "]);
        assert_eq!(c.number(), Ok(Number::Unsigned(12345)));
    }

    #[test]
    fn skipping_checks_syntax() {
        for good in [
            "1",
            "\"s\"",
            "null",
            "true",
            "false",
            "[]",
            "{}",
            "[1, [2, {\"a\": [null]}], \"x\"]",
            "{\"a\": {\"b\": {}}, \"c\": [ ]}",
        ] {
            let mut c = cursor(&[good, " ,"]);
            assert_eq!(c.skip_value(0), Ok(()), "{good}");
            assert_eq!(c.skip_ws(), Some(b','), "{good} skipped whole");
        }
        for bad in [
            "",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":}",
            "{1:2}",
            "{\"a\":1,}",
            "[}",
            "nul",
            "tru",
            "{\"a\":1",
            "]",
        ] {
            let mut c = cursor(&[bad]);
            assert!(c.skip_value(0).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 1);
        let mut c = Cursor::new(Body::from(deep));
        assert_eq!(c.skip_value(0).unwrap_err().what, "nested too deeply");
    }
}
