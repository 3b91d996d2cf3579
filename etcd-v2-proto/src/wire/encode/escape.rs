//! Percent-encoding of paths and query values, byte-exact with Go's `net/url`

use alloc::string::String;
use alloc::vec::Vec;

pub(super) const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Bytes that Go's URL path escaping leaves as they are.
pub(super) const fn path_safe(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'-' | b'_'
                | b'.'
                | b'~'
                | b'$'
                | b'&'
                | b'+'
                | b','
                | b'/'
                | b':'
                | b';'
                | b'='
                | b'@'
        )
}

/// Bytes that Go's `url.QueryEscape` leaves as they are.
pub(super) const fn query_safe(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// Which bytes `$safe` leaves as they are, one lookup per byte instead of a chain of tests.
macro_rules! table {
    ($safe:ident) => {{
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 256 {
            table[byte] = $safe(byte as u8);
            byte += 1;
        }
        table
    }};
}

pub(super) const PATH_SAFE: [bool; 256] = table!(path_safe);
pub(super) const QUERY_SAFE: [bool; 256] = table!(query_safe);

pub(super) fn push_percent(out: &mut String, byte: u8) {
    out.push('%');
    out.push(char::from(UPPER_HEX[usize::from(byte >> 4)]));
    out.push(char::from(UPPER_HEX[usize::from(byte & 0x0f)]));
}

/// Percent-encodes a URL path like Go's `url.URL.String`.
///
/// Works byte by byte over the UTF-8 encoding: `A–Z a–z 0–9 - _ . ~` and `$ & + , / : ; = @`
/// are kept, every other byte becomes `%XX` with upper-case hex (space is `%20`, never `+`).
///
/// ```text
/// use etcd_v2_proto::escape_path;
/// assert_eq!(escape_path("/v2/keys/a b?"), "/v2/keys/a%20b%3F");
/// assert_eq!(escape_path("ü€"), "%C3%BC%E2%82%AC");
/// ```
#[cfg(test)] // the tests' entry point
pub(crate) fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    push_escaped_path(&mut out, path);
    out
}

/// Appends `path` escaped like [`escape_path`] to `out`.
pub(crate) fn push_escaped_path(out: &mut String, path: &str) {
    push_escaped(out, path, &PATH_SAFE, false);
}

/// The length of [`escape_path`]`(path)`, without building it.
pub(crate) fn escaped_path_len(path: &str) -> usize {
    path.bytes()
        .map(|byte| if PATH_SAFE[usize::from(byte)] { 1 } else { 3 })
        .sum()
}

/// Appends `s` to `out` with every byte that is not `safe` percent-encoded (a space as `+` if
/// `space_as_plus`); runs of safe bytes are copied at once.
pub(super) fn push_escaped(out: &mut String, s: &str, safe: &[bool; 256], space_as_plus: bool) {
    let mut start = 0;
    for (i, &byte) in s.as_bytes().iter().enumerate() {
        if safe[usize::from(byte)] {
            continue;
        }
        // Safe bytes are ASCII, so a non-empty run starts and ends on character boundaries.
        if let Some(run) = s.get(start..i) {
            out.push_str(run);
        }
        if space_as_plus && byte == b' ' {
            out.push('+');
        } else {
            push_percent(out, byte);
        }
        start = i + 1;
    }
    if let Some(run) = s.get(start..) {
        out.push_str(run);
    }
}

pub(super) const fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes a percent-encoded URL path (the inverse of Go's URL path escaping); `+` stays a plus.
///
/// Returns `None` for a `%` not followed by two hex digits, or if the decoded bytes are not
/// valid UTF-8.
///
/// ```text
/// use etcd_v2_proto::unescape_path;
/// assert_eq!(unescape_path("a%20b+c").as_deref(), Some("a b+c"));
/// assert_eq!(unescape_path("a%2"), None);
/// ```
pub fn unescape_path(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let high = hex_value(*bytes.get(i + 1)?)?;
            let low = hex_value(*bytes.get(i + 2)?)?;
            out.push(high << 4 | low);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Escapes a query parameter name or value like Go's `url.QueryEscape`.
///
/// `A–Z a–z 0–9 - _ . ~` are kept, space becomes `+`, every other byte `%XX` (upper-case hex).
///
/// ```text
/// use etcd_v2_proto::escape_query_value;
/// assert_eq!(escape_query_value("p v&x"), "p+v%26x");
/// ```
#[cfg(test)] // the tests' entry point
pub(crate) fn escape_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped_query_value(&mut out, s);
    out
}

/// Appends `s` escaped like [`escape_query_value`] to `out`.
pub(super) fn push_escaped_query_value(out: &mut String, s: &str) {
    push_escaped(out, s, &QUERY_SAFE, true);
}
