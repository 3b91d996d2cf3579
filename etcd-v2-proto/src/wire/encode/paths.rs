//! Key paths: Go's `path.Clean`, etcd's canonical URL paths, prefixes and base paths

use alloc::borrow::{Cow, ToOwned};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

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
pub(super) fn segments_are_clean(segments: &[u8]) -> bool {
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

pub(super) fn segment_is_clean(segment: &[u8]) -> bool {
    !matches!(segment, b"" | b"." | b"..")
}

/// A sufficient condition for `clean_path(raw) == raw`: `raw` is `/`, or it has no empty, `.`
/// or `..` segment (so no `//` and no trailing `/`) after an optional leading `/`.
///
/// (Some clean relative paths, those starting with `..`, are not recognised: they take the
/// general route, which returns them unchanged too.)
pub(super) fn is_clean(raw: &str) -> bool {
    match raw.as_bytes() {
        b"/" => true,
        [b'/', rest @ ..] => segments_are_clean(rest),
        other => segments_are_clean(other),
    }
}

/// Exactly when `canonical_url_path(raw) == raw`, as far as the fast paths need it: `raw` is
/// `/`, or it is rooted and clean, or it is rooted and clean but for one trailing `/` (and not
/// `//`).
pub(super) fn is_canonical(raw: &str) -> bool {
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
pub(super) fn push_rooted(out: &mut String, part: &str) {
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

pub(super) fn join_base_path_owned<'a>(base: &str, path: &str) -> Cow<'a, str> {
    let mut raw = String::with_capacity(base.len() + path.len());
    raw.push_str(base);
    raw.push_str(path);
    Cow::Owned(canonical_url_path(&raw))
}
