//! Wire encoding shared by every request: key paths, percent-encoding, forms and Basic auth.
//!
//! Everything here is byte-exact with what the Go client (`go.etcd.io/etcd/client`) puts on the
//! wire: Go's `path.Clean`, etcd's `CanonicalURLPath`, the path escaping of `url.URL.String`, and
//! `url.Values.Encode` for query strings and form bodies (see `docs/protocol.md#keys-api`).

use alloc::borrow::{Cow, ToOwned};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Lexically cleans a slash-separated path with the semantics of Go's `path.Clean`.
///
/// Repeated `/` are collapsed, `.` segments dropped, `..` resolved against the preceding segment
/// (a rooted `/..` stays `/`; leading `..` of a relative path are kept) and the trailing `/` is
/// removed. The empty path becomes `.`.
///
/// ```text
/// use etcd_v2_proto::clean_path;
/// assert_eq!(clean_path("//a/./b/../c/"), "/a/c");
/// assert_eq!(clean_path("/.."), "/");
/// assert_eq!(clean_path(""), ".");
/// ```
pub fn clean_path(raw: &str) -> String {
    if is_clean(raw) {
        return raw.to_owned();
    }
    let rooted = raw.starts_with('/');
    let mut segments: Vec<&str> = Vec::new();
    // Number of leading `..` segments that cannot be resolved (relative paths only).
    let mut fixed = 0;
    for segment in raw.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if segments.len() > fixed {
                    segments.pop();
                } else if !rooted {
                    segments.push("..");
                    fixed = segments.len();
                }
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(raw.len());
    if rooted {
        out.push('/');
    }
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(segment);
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Whether no segment of `segments` (a path without its leading `/`) is empty, `.` or `..`.
///
/// The empty string has one empty segment.
fn segments_are_clean(segments: &[u8]) -> bool {
    let mut start = 0;
    for (i, &byte) in segments.iter().enumerate() {
        if byte == b'/' {
            if !segment_is_clean(&segments[start..i]) {
                return false;
            }
            start = i + 1;
        }
    }
    segments.get(start..).is_some_and(segment_is_clean)
}

fn segment_is_clean(segment: &[u8]) -> bool {
    !matches!(segment, b"" | b"." | b"..")
}

/// A sufficient condition for `clean_path(raw) == raw`: `raw` is `/`, or it has no empty, `.`
/// or `..` segment (so no `//` and no trailing `/`) after an optional leading `/`.
///
/// (Some clean relative paths, those starting with `..`, are not recognised: they take the
/// general route, which returns them unchanged too.)
fn is_clean(raw: &str) -> bool {
    match raw.as_bytes() {
        b"/" => true,
        [b'/', rest @ ..] => segments_are_clean(rest),
        other => segments_are_clean(other),
    }
}

/// Exactly when `canonical_url_path(raw) == raw`, as far as the fast paths need it: `raw` is
/// `/`, or it is rooted and clean, or it is rooted and clean but for one trailing `/` (and not
/// `//`).
fn is_canonical(raw: &str) -> bool {
    match raw.as_bytes() {
        b"/" => true,
        [b'/', rest @ ..] => segments_are_clean(rest.strip_suffix(b"/").unwrap_or(rest)),
        _ => false,
    }
}

/// etcd's `CanonicalURLPath`: the path made absolute and cleaned, keeping a trailing slash.
///
/// The empty path becomes `/`; a missing leading `/` is added; the result is cleaned with
/// [`clean_path`]; if `raw` ended with `/` and the cleaned path is not `/`, the `/` is re-appended.
///
/// ```text
/// use etcd_v2_proto::canonical_url_path;
/// assert_eq!(canonical_url_path("v2//keys/foo/"), "/v2/keys/foo/");
/// assert_eq!(canonical_url_path(""), "/");
/// ```
pub(crate) fn canonical_url_path(raw: &str) -> String {
    if is_canonical(raw) {
        return raw.to_owned();
    }
    if raw.is_empty() {
        return "/".to_owned();
    }
    let mut cleaned = if raw.starts_with('/') {
        clean_path(raw)
    } else {
        let mut rooted = String::with_capacity(raw.len() + 1);
        rooted.push('/');
        rooted.push_str(raw);
        clean_path(&rooted)
    };
    if raw.ends_with('/') && cleaned != "/" {
        cleaned.push('/');
    }
    cleaned
}

/// A key whose cleaned path leaves the keys prefix (through `..` segments).
///
/// The Go client silently sends such keys outside the prefix (`../x` becomes `/v2/x`); this crate
/// refuses them instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathEscapesPrefix {
    /// The key as given by the caller.
    pub key: String,
}

impl fmt::Display for PathEscapesPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key {:?} escapes the keys prefix", self.key)
    }
}

impl core::error::Error for PathEscapesPrefix {}

/// Prepends `/` unless `part` is empty or already rooted.
fn push_rooted(out: &mut String, part: &str) {
    if !part.is_empty() && !part.starts_with('/') {
        out.push('/');
    }
    out.push_str(part);
}

/// The canonical request path of `key` under the keys `prefix` (Go's `keysURL` after the
/// endpoint: leading slashes, concatenation, canonicalisation), without the endpoint's base path
/// (see [`join_base_path`]).
///
/// A non-empty `prefix` and `key` each get a leading `/` if missing; both are concatenated and
/// canonicalised with [`canonical_url_path`] (a trailing `/` of the key is kept). A result that
/// is the root without a trailing slash is returned as `""`, so that [`join_base_path`] adds
/// nothing to the endpoint's base path.
///
/// # Errors
/// [`PathEscapesPrefix`] if the result is not the cleaned prefix itself or below it, i.e. a `..`
/// segment of the key climbed out of the prefix. An empty prefix never errors.
///
/// ```text
/// use etcd_v2_proto::keys_path;
/// assert_eq!(keys_path("/v2/keys", "a/../b").unwrap(), "/v2/keys/b");
/// assert_eq!(keys_path("/v2/keys", "foo/").unwrap(), "/v2/keys/foo/");
/// assert!(keys_path("/v2/keys", "../x").is_err());
/// ```
pub(crate) fn keys_path(prefix: &str, key: &str) -> Result<String, PathEscapesPrefix> {
    let mut raw = String::with_capacity(prefix.len() + key.len() + 2);
    push_rooted(&mut raw, prefix);
    let prefix_len = raw.len();
    push_rooted(&mut raw, key);
    if is_canonical(&raw) {
        // No `.`, `..` or empty segment: the path is `raw` itself, and the prefix part of it
        // (whole segments, `/` or the end follows) is its own cleaned prefix, so it is inside.
        return Ok(raw);
    }
    let mut path = canonical_url_path(&raw);
    if path == "/" && !raw.ends_with('/') {
        // The root without a trailing slash: joining it to a base path must add nothing
        // (Go canonicalises `base + prefix + key` at once: `/v2/keys` + `` + `` is `/v2/keys`).
        path.clear();
    }
    if prefix.is_empty() {
        return Ok(path);
    }
    let base = raw.get(..prefix_len).map(clean_path).unwrap_or_default();
    let inside = base == "/"
        || path
            .strip_prefix(base.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if inside {
        Ok(path)
    } else {
        Err(PathEscapesPrefix {
            key: key.to_owned(),
        })
    }
}

/// Prefixes the canonical `path` with an endpoint's base `path` (`""`, `/` or e.g. `/base/`).
///
/// This is `canonical_url_path(base + path)`, exactly how Go joins the endpoint path with the
/// keys path, so a trailing slash of `path` is kept.
///
/// Unlike Go, which canonicalises `base + prefix + key` in one go, the key has already been
/// canonicalised on its own by [`keys_path`]: with an empty keys prefix a key starting with `..`
/// therefore stays below the base path instead of climbing out of it.
///
/// ```text
/// use etcd_v2_proto::join_base_path;
/// assert_eq!(join_base_path("/base/", "/v2/keys/k"), "/base/v2/keys/k");
/// assert_eq!(join_base_path("", "/v2/keys/"), "/v2/keys/");
/// ```
#[cfg(test)] // the tests' entry point
pub(crate) fn join_base_path(base: &str, path: &str) -> String {
    join_base_path_cow(base, path).into_owned()
}

/// [`join_base_path`], borrowing `path` when it is the result (no base path, already canonical).
#[cfg(test)] // the tests' entry point
pub(crate) fn join_base_path_cow<'a>(base: &str, path: &'a str) -> Cow<'a, str> {
    if base.is_empty() && is_canonical(path) {
        return Cow::Borrowed(path);
    }
    join_base_path_owned(base, path)
}

/// [`join_base_path`] of a non-empty [`keys_path`] result, which is canonical already: without
/// a base path it is the answer as it is, with no second look at it.
pub(crate) fn join_keys_path<'a>(base: &str, keys_path: &'a str) -> Cow<'a, str> {
    debug_assert!(
        keys_path.is_empty() || is_canonical(keys_path),
        "{keys_path:?}"
    );
    if base.is_empty() && !keys_path.is_empty() {
        return Cow::Borrowed(keys_path);
    }
    join_base_path_owned(base, keys_path)
}

fn join_base_path_owned<'a>(base: &str, path: &str) -> Cow<'a, str> {
    let mut raw = String::with_capacity(base.len() + path.len());
    raw.push_str(base);
    raw.push_str(path);
    Cow::Owned(canonical_url_path(&raw))
}

/// Bytes that Go's URL path escaping leaves as they are.
const fn path_safe(byte: u8) -> bool {
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
const fn query_safe(byte: u8) -> bool {
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

const PATH_SAFE: [bool; 256] = table!(path_safe);
const QUERY_SAFE: [bool; 256] = table!(query_safe);

fn push_percent(out: &mut String, byte: u8) {
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
fn push_escaped(out: &mut String, s: &str, safe: &[bool; 256], space_as_plus: bool) {
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

const fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes a percent-encoded URL path (the inverse of [`escape_path`]); `+` stays a plus.
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
fn push_escaped_query_value(out: &mut String, s: &str) {
    push_escaped(out, s, &QUERY_SAFE, true);
}

/// Query-string or form-body parameters, encoded like Go's `url.Values.Encode`.
///
/// Parameters are kept in insertion order and sorted by name (byte order) only when encoding; the
/// sort is stable, so repeated names keep their insertion order, as in Go.
///
/// ```text
/// use etcd_v2_proto::Form;
/// let form = Form::new().with("value", "a b").with("ttl", "10");
/// assert_eq!(form.encode(), "ttl=10&value=a+b");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Form {
    pairs: Vec<(&'static str, Cow<'static, str>)>,
}

impl Form {
    /// An empty form.
    pub(crate) const fn new() -> Self {
        Self { pairs: Vec::new() }
    }

    /// Appends the parameter `name=value`.
    pub(crate) fn push(&mut self, name: &'static str, value: impl Into<String>) -> &mut Self {
        self.pairs.push((name, Cow::Owned(value.into())));
        self
    }

    /// Appends the parameter `name=value` for a value known at compile time (no allocation).
    pub(crate) fn push_static(&mut self, name: &'static str, value: &'static str) -> &mut Self {
        self.pairs.push((name, Cow::Borrowed(value)));
        self
    }

    /// Appends the parameter `name=value` (builder style).
    #[must_use]
    #[cfg(test)] // the tests' entry point
    pub(crate) fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.push(name, value);
        self
    }

    /// Whether no parameter has been added.
    #[cfg(test)] // the tests' entry point
    pub(crate) fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The number of parameters added.
    #[cfg(test)] // the tests' entry point
    pub(crate) fn len(&self) -> usize {
        self.pairs.len()
    }

    /// `name=value` pairs sorted by name, joined with `&`, both sides escaped with
    /// [`escape_query_value`]; the empty form encodes to `""`.
    pub(crate) fn encode(&self) -> String {
        // Exact unless something needs escaping.
        let len = self
            .pairs
            .iter()
            .map(|(name, value)| name.len() + value.len() + 2)
            .sum::<usize>();
        let mut out = String::with_capacity(len.saturating_sub(1));
        let sorted = self
            .pairs
            .windows(2)
            .all(|w| w[0].0.as_bytes() <= w[1].0.as_bytes());
        if sorted {
            // Already in order (the calls add their parameters sorted): no sort, no copy.
            for (i, (name, value)) in self.pairs.iter().enumerate() {
                push_pair(&mut out, i, name, value);
            }
        } else {
            let mut refs: Vec<&(&'static str, Cow<'static, str>)> = self.pairs.iter().collect();
            // Stable: repeated names keep their insertion order.
            refs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            for (i, (name, value)) in refs.into_iter().enumerate() {
                push_pair(&mut out, i, name, value);
            }
        }
        out
    }
}

/// Appends the `i`-th encoded pair (`&`-separated) of a form.
fn push_pair(out: &mut String, i: usize, name: &str, value: &str) {
    if i > 0 {
        out.push('&');
    }
    push_escaped_query_value(out, name);
    out.push('=');
    push_escaped_query_value(out, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn clean_path_matches_go() {
        // Cases from Go's path.Clean tests.
        let cases = [
            ("", "."),
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            ("a/b/c", "a/b/c"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            ("abc/", "abc"),
            ("abc/def/", "abc/def"),
            ("a/b/c/", "a/b/c"),
            ("./", "."),
            ("../", ".."),
            ("../../", "../.."),
            ("/abc/", "/abc"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("//abc", "/abc"),
            ("///abc", "/abc"),
            ("//abc//", "/abc"),
            ("abc//", "abc"),
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/.", "abc"),
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/def/..", "abc"),
            ("abc/def/../..", "."),
            ("/abc/def/../..", "/"),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
            ("abc/./../def", "def"),
            ("abc//./../def", "def"),
            ("abc/../../././../def", "../../def"),
            ("/..", "/"),
            ("/../a", "/a"),
            ("a/../..", ".."),
            ("..a/b", "..a/b"),
            ("a/.b/..c", "a/.b/..c"),
        ];
        for (input, want) in cases {
            assert_eq!(clean_path(input), want, "clean_path({input:?})");
        }
    }

    #[test]
    fn canonical_url_path_cases() {
        let cases = [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("a", "/a"),
            ("a/", "/a/"),
            ("/a//b/", "/a/b/"),
            ("/a/./b/..", "/a"),
            ("/a/b/../", "/a/"),
            ("/..", "/"),
            ("/../", "/"),
            ("/v2/keys/.", "/v2/keys"),
        ];
        for (input, want) in cases {
            assert_eq!(
                canonical_url_path(input),
                want,
                "canonical_url_path({input:?})"
            );
        }
    }

    #[test]
    fn keys_path_table_from_reference() {
        let ok = [
            ("/v2/keys", "foo", "/v2/keys/foo"),
            ("/v2/keys", "/foo", "/v2/keys/foo"),
            ("/v2/keys", "foo/", "/v2/keys/foo/"),
            ("/v2/keys", "/foo/", "/v2/keys/foo/"),
            ("/v2/keys", "//a//b", "/v2/keys/a/b"),
            ("/v2/keys", "a/./b", "/v2/keys/a/b"),
            ("/v2/keys", "a/../b", "/v2/keys/b"),
            ("/v2/keys", "", "/v2/keys"),
            ("/v2/keys", ".", "/v2/keys"),
            ("/v2/keys", "/", "/v2/keys/"),
            ("/v2/keys", "foo/bar/baz", "/v2/keys/foo/bar/baz"),
            ("/v2/keys", "a/..", "/v2/keys"),
            ("/v2/keys", "../keys/x", "/v2/keys/x"),
            ("", "k", "/k"),
            ("", "", ""), // the root without trailing slash: joins to the base path as is
            ("", "../x", "/x"),
            ("v2/keys", "k", "/v2/keys/k"),
            ("/v2/keys/", "k", "/v2/keys/k"),
            ("/v2/keys/", "", "/v2/keys/"),
            ("/pfx//x", "k", "/pfx/x/k"),
            ("/pfx", "foo", "/pfx/foo"),
            ("/foo/", "/bar", "/foo/bar"),
            ("/version", "", "/version"),
            ("/", "k", "/k"),
            ("/", "../k", "/k"),
            ("/a/../b", "k", "/b/k"),
        ];
        for (prefix, key, want) in ok {
            assert_eq!(
                keys_path(prefix, key).as_deref(),
                Ok(want),
                "keys_path({prefix:?}, {key:?})"
            );
        }
        let escaping = [
            ("/v2/keys", "../x"),
            ("/v2/keys", ".."),
            ("/v2/keys", "../"),
            ("/v2/keys", "a/../../x"),
            ("/v2/keys", "../keysx"),
            ("/v2/keys/", "../../.."),
            ("v2/keys", "/../k"),
        ];
        for (prefix, key) in escaping {
            assert_eq!(
                keys_path(prefix, key),
                Err(PathEscapesPrefix {
                    key: key.to_string()
                }),
                "keys_path({prefix:?}, {key:?})"
            );
        }
    }

    #[test]
    fn path_escapes_prefix_display() {
        let err = PathEscapesPrefix {
            key: "../x".to_string(),
        };
        assert_eq!(err.to_string(), "key \"../x\" escapes the keys prefix");
    }

    #[test]
    fn join_base_path_cases() {
        let cases = [
            ("/base/", "/v2/keys/k", "/base/v2/keys/k"),
            ("/base", "/v2/keys/k", "/base/v2/keys/k"),
            ("", "/v2/keys/", "/v2/keys/"),
            ("/", "/v2/keys/", "/v2/keys/"),
            ("", "/v2/keys", "/v2/keys"),
            ("", "/", "/"),
            ("", "", "/"),
            ("/v2/keys", "", "/v2/keys"),
            ("/pants", "/v2/keys/foo/", "/pants/v2/keys/foo/"),
        ];
        for (base, path, want) in cases {
            assert_eq!(
                join_base_path(base, path),
                want,
                "join_base_path({base:?}, {path:?})"
            );
        }
    }

    #[test]
    fn escaped_path_len_is_the_escaped_length() {
        for path in [
            "",
            "/v2/keys/a",
            "/a b?#%",
            "ü€😀",
            "/k\u{0}\n\u{7f}~$&+,/:;=@",
        ] {
            assert_eq!(escaped_path_len(path), escape_path(path).len(), "{path:?}");
        }
    }

    #[test]
    fn escape_path_vectors() {
        let cases = [
            ("a b", "a%20b"),
            ("a%20b", "a%2520b"),
            ("a%b", "a%25b"),
            ("ü€", "%C3%BC%E2%82%AC"),
            ("#", "%23"),
            ("?", "%3F"),
            ("\t", "%09"),
            ("+", "+"),
            ("&", "&"),
            ("=", "="),
            ("@", "@"),
            ("$", "$"),
            (",", ","),
            (";", ";"),
            (":", ":"),
            ("/a/b/", "/a/b/"),
            ("AZaz09-_.~", "AZaz09-_.~"),
            ("!", "%21"),
            ("\"", "%22"),
            ("'", "%27"),
            ("(", "%28"),
            (")", "%29"),
            ("*", "%2A"),
            ("<", "%3C"),
            (">", "%3E"),
            ("[", "%5B"),
            ("]", "%5D"),
            ("\\", "%5C"),
            ("^", "%5E"),
            ("`", "%60"),
            ("{", "%7B"),
            ("|", "%7C"),
            ("}", "%7D"),
            ("\u{7f}", "%7F"),
            ("\0", "%00"),
            ("a&b=c", "a&b=c"),
            ("a:b@c$d,e;f", "a:b@c$d,e;f"),
            ("a!b*c(d)e'f", "a%21b%2Ac%28d%29e%27f"),
            ("/esc/a+b", "/esc/a+b"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(escape_path(input), want, "escape_path({input:?})");
            assert_eq!(
                unescape_path(want).as_deref(),
                Some(input),
                "unescape_path({want:?})"
            );
        }
    }

    #[test]
    fn unescape_path_rejects_bad_input() {
        let cases = ["%", "%2", "%zz", "a%g0", "%C3", "%FF", "%C3%", "%e2%82"];
        for input in cases {
            assert_eq!(unescape_path(input), None, "unescape_path({input:?})");
        }
        assert_eq!(unescape_path("%c3%bc").as_deref(), Some("ü"));
        assert_eq!(unescape_path("a+b").as_deref(), Some("a+b"));
    }

    #[test]
    fn escape_query_value_vectors() {
        let cases = [
            ("p v&x", "p+v%26x"),
            ("a b&c=d+e%ü", "a+b%26c%3Dd%2Be%25%C3%BC"),
            ("bar baz", "bar+baz"),
            ("line1\nline2 \"q\" ü", "line1%0Aline2+%22q%22+%C3%BC"),
            ("AZaz09-_.~", "AZaz09-_.~"),
            ("$&+,/:;=?@", "%24%26%2B%2C%2F%3A%3B%3D%3F%40"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(
                escape_query_value(input),
                want,
                "escape_query_value({input:?})"
            );
        }
    }

    #[test]
    fn form_encodes_like_url_values() {
        let cases: [(&[(&'static str, &str)], &str); 7] = [
            (&[], ""),
            (&[("value", "")], "value="),
            (&[("value", "baz")], "value=baz"),
            (&[("value", ""), ("ttl", "180")], "ttl=180&value="),
            (
                &[("value", ""), ("ttl", "180"), ("refresh", "true")],
                "refresh=true&ttl=180&value=",
            ),
            (
                &[("wait", "true"), ("waitIndex", "12"), ("recursive", "true")],
                "recursive=true&wait=true&waitIndex=12",
            ),
            (
                &[("b", "2"), ("a", "x y"), ("b", "1"), ("a", "z")],
                "a=x+y&a=z&b=2&b=1",
            ),
        ];
        for (pairs, want) in cases {
            let mut form = Form::new();
            for &(name, value) in pairs {
                form.push(name, value);
            }
            assert_eq!(form.encode(), want, "{pairs:?}");
            assert_eq!(form.is_empty(), pairs.is_empty());
            assert_eq!(form.len(), pairs.len());
        }
        let chained = Form::new()
            .with("quorum", "false")
            .with("sorted", "false")
            .with("recursive", "false");
        assert_eq!(
            chained.encode(),
            "quorum=false&recursive=false&sorted=false"
        );
        assert_eq!(Form::default(), Form::new());
        // Byte order: upper case sorts before lower case.
        assert_eq!(
            Form::new().with("b", "1").with("B", "2").encode(),
            "B=2&b=1"
        );
        // Names are escaped too.
        assert_eq!(Form::new().with("a b", "c").encode(), "a+b=c");
    }
}

#[cfg(test)]
mod fast_paths;
#[cfg(test)]
mod props;
