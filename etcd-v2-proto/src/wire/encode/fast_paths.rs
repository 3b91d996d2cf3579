//! The encoders' fast paths (already clean paths, nothing to escape, parameters already sorted,
//! URIs assembled from the endpoint's parsed parts) against the general algorithms they skip.
//!
//! The reference implementations below are the straightforward versions of the encoders, kept
//! as they were before the fast paths were added; every public encoder must agree with them
//! byte for byte on any input.

use super::{
    Form, canonical_url_path, clean_path, escape_path, escape_query_value, join_base_path,
    keys_path,
};
use crate::call::keys;
use crate::{Endpoint, GetOptions, SetOptions};
use http::Uri;
use proptest::prelude::*;

mod reference {
    /// Go's `path.Clean`, segment by segment.
    pub(crate) fn clean_path(raw: &str) -> String {
        let rooted = raw.starts_with('/');
        let mut segments: Vec<&str> = Vec::new();
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
        let mut out = String::new();
        if rooted {
            out.push('/');
        }
        out.push_str(&segments.join("/"));
        if out.is_empty() {
            out.push('.');
        }
        out
    }

    pub(crate) fn canonical_url_path(raw: &str) -> String {
        if raw.is_empty() {
            return "/".to_owned();
        }
        let mut cleaned = if raw.starts_with('/') {
            clean_path(raw)
        } else {
            clean_path(&format!("/{raw}"))
        };
        if raw.ends_with('/') && cleaned != "/" {
            cleaned.push('/');
        }
        cleaned
    }

    fn rooted(part: &str) -> String {
        if !part.is_empty() && !part.starts_with('/') {
            format!("/{part}")
        } else {
            part.to_owned()
        }
    }

    /// `None` where the real one says the key escapes the prefix.
    pub(crate) fn keys_path(prefix: &str, key: &str) -> Option<String> {
        let prefix_part = rooted(prefix);
        let raw = format!("{prefix_part}{}", rooted(key));
        let mut path = canonical_url_path(&raw);
        if path == "/" && !raw.ends_with('/') {
            path.clear();
        }
        if prefix.is_empty() {
            return Some(path);
        }
        let base = clean_path(&prefix_part);
        let inside = base == "/"
            || path
                .strip_prefix(base.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        inside.then_some(path)
    }

    pub(crate) fn join_base_path(base: &str, path: &str) -> String {
        canonical_url_path(&format!("{base}{path}"))
    }

    fn escape(s: &str, safe: impl Fn(u8) -> bool, space_as_plus: bool) -> String {
        let mut out = String::new();
        for &byte in s.as_bytes() {
            if safe(byte) {
                out.push(char::from(byte));
            } else if space_as_plus && byte == b' ' {
                out.push('+');
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }

    pub(crate) fn escape_path(s: &str) -> String {
        escape(
            s,
            |b| b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b),
            false,
        )
    }

    pub(crate) fn escape_query_value(s: &str) -> String {
        escape(
            s,
            |b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b),
            true,
        )
    }

    /// `url.Values.Encode`: a stable sort by name, then `name=value` joined with `&`.
    pub(crate) fn form_encode(pairs: &[(&str, String)]) -> String {
        let mut sorted: Vec<&(&str, String)> = pairs.iter().collect();
        sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        sorted
            .iter()
            .map(|(name, value)| {
                format!("{}={}", escape_query_value(name), escape_query_value(value))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Paths that hit both sides of every fast path: clean ones, and ones with `//`, `.`, `..`,
/// `...`, a trailing `/`, `%`, spaces, `?`, `#` and non-ASCII in their segments.
fn path_strategy() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        3 => "[a-z]{1,4}",
        1 => Just(String::new()),
        1 => Just(".".to_owned()),
        1 => Just("..".to_owned()),
        1 => Just("...".to_owned()),
        1 => Just(".a".to_owned()),
        1 => prop::sample::select(&["%", "%2F", "a b", "?", "#", "ü", "€😀", "+&=", "~"][..])
            .prop_map(str::to_owned),
        1 => "\\PC{1,3}",
    ];
    (
        any::<bool>(),
        prop::collection::vec(segment, 0..6),
        any::<bool>(),
    )
        .prop_map(|(rooted, segments, trailing)| {
            let mut path = segments.join("/");
            if rooted {
                path.insert(0, '/');
            }
            if trailing {
                path.push('/');
            }
            path
        })
}

/// Keys prefixes: mostly the usual ones, sometimes odd.
fn prefix_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(&["/v2/keys", "", "/", "/v2/keys/", "v2/keys", "/pfx"][..])
            .prop_map(str::to_owned),
        1 => path_strategy(),
    ]
}

/// Endpoint base paths as `Endpoint::base_path` stores them (decoded).
fn base_strategy() -> impl Strategy<Value = String> {
    prop::sample::select(&["", "/base", "/base/", "/a b/ü", "/x/../y", "//z"][..])
        .prop_map(str::to_owned)
}

const NAMES: &[&str] = &[
    "value",
    "ttl",
    "dir",
    "prevExist",
    "a b",
    "Z",
    "wait",
    "waitIndex",
];

#[test]
fn fixed_cases_agree_with_the_reference() {
    let paths = [
        "", "/", "//", "///", ".", "..", "/.", "/..", "./", "../", "a", "/a", "a/", "/a/", "/a//",
        "//a", "/a/.", "/a/..", "/a/./b", "/a/../b", "/a/b/", "/a/b//", "/...", "/.../", "/..a",
        "/a..", "/.a/", "/%", "/a b/", "/ü/€", "../a", "a/../..",
    ];
    for p in paths {
        assert_eq!(clean_path(p), reference::clean_path(p), "clean_path({p:?})");
        assert_eq!(
            canonical_url_path(p),
            reference::canonical_url_path(p),
            "canonical_url_path({p:?})"
        );
        for prefix in ["/v2/keys", "", "/", "/v2/keys/", "v2/keys", "/a/../b"] {
            assert_eq!(
                keys_path(prefix, p).ok(),
                reference::keys_path(prefix, p),
                "keys_path({prefix:?}, {p:?})"
            );
        }
        for base in ["", "/", "/base", "/base/"] {
            assert_eq!(
                join_base_path(base, p),
                reference::join_base_path(base, p),
                "join_base_path({base:?}, {p:?})"
            );
        }
    }
}

proptest! {
    #[test]
    fn clean_path_agrees_with_the_reference(p in path_strategy()) {
        prop_assert_eq!(clean_path(&p), reference::clean_path(&p));
    }

    #[test]
    fn canonical_url_path_agrees_with_the_reference(p in path_strategy()) {
        prop_assert_eq!(canonical_url_path(&p), reference::canonical_url_path(&p));
    }

    #[test]
    fn keys_path_agrees_with_the_reference(prefix in prefix_strategy(), key in path_strategy()) {
        prop_assert_eq!(keys_path(&prefix, &key).ok(), reference::keys_path(&prefix, &key));
    }

    #[test]
    fn join_base_path_agrees_with_the_reference(base in base_strategy(), p in path_strategy()) {
        prop_assert_eq!(join_base_path(&base, &p), reference::join_base_path(&base, &p));
    }

    #[test]
    fn escapes_agree_with_the_reference(s in any::<String>()) {
        prop_assert_eq!(escape_path(&s), reference::escape_path(&s));
        prop_assert_eq!(escape_query_value(&s), reference::escape_query_value(&s));
    }

    #[test]
    fn escapes_of_paths_agree_with_the_reference(s in path_strategy()) {
        prop_assert_eq!(escape_path(&s), reference::escape_path(&s));
        prop_assert_eq!(escape_query_value(&s), reference::escape_query_value(&s));
    }

    #[test]
    fn form_encode_agrees_with_the_reference(
        pairs in prop::collection::vec(
            (prop::sample::select(NAMES), prop_oneof!["[a-z0-9]{0,4}", any::<String>()]),
            0..6,
        ),
        presorted in any::<bool>(),
    ) {
        let mut pairs = pairs;
        if presorted {
            // Exercise the no-sort path as often as the sorting one.
            pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        }
        let mut form = Form::new();
        for (name, value) in &pairs {
            form.push(name, value.clone());
        }
        prop_assert_eq!(form.encode(), reference::form_encode(&pairs));
    }

    /// The URI assembled from the endpoint's parsed scheme and authority is the one parsed from
    /// the whole URL string.
    #[test]
    fn request_uri_is_the_parsed_url(
        base in base_strategy(),
        key in path_strategy(),
        recursive in any::<bool>(),
        quorum in any::<bool>(),
        value in "\\PC{0,8}",
    ) {
        let url = format!("http://127.0.0.1:2379{}", escape_path(&base));
        let endpoint = Endpoint::parse(&url).unwrap();
        let Some(path) = reference::keys_path("/v2/keys", &key) else {
            prop_assert!(keys::get("/v2/keys", &key, GetOptions::default()).is_err());
            return Ok(());
        };
        let joined = reference::escape_path(&reference::join_base_path(endpoint.base_path(), &path));
        let opts = GetOptions::default().recursive(recursive).quorum(quorum);
        let get = keys::get("/v2/keys", &key, opts).unwrap();
        let query = format!("quorum={quorum}&recursive={recursive}&sorted=false");
        let want: Uri = format!("http://127.0.0.1:2379{joined}?{query}").parse().unwrap();
        let got = get.to_request(&endpoint, None).unwrap();
        prop_assert_eq!(got.uri(), &want);
        prop_assert_eq!(got.uri().to_string(), want.to_string());

        let set = keys::set("/v2/keys", &key, &value, &SetOptions::default()).unwrap();
        let want: Uri = format!("http://127.0.0.1:2379{joined}").parse().unwrap();
        let got = set.to_request(&endpoint, None).unwrap();
        prop_assert_eq!(got.uri(), &want);
        prop_assert_eq!(got.uri().to_string(), want.to_string());
        let body = reference::form_encode(&[("value", value.clone())]);
        prop_assert_eq!(got.body().as_ref(), body.as_bytes());
    }
}
