//! Property tests of the wire encoders in `etcd_v2_proto::encode`.

use super::{
    Form, canonical_url_path, clean_path, escape_path, escape_query_value, join_base_path,
    keys_path, unescape_path,
};
use proptest::prelude::*;

/// Decodes `url.QueryUnescape` output of `escape_query_value` (test helper).
fn unescape_query(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Paths made of interesting segments: empty, `.`, `..`, names with odd bytes.
fn path_strategy() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        Just(String::new()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        "[a-z]{1,3}",
        "[ -~]{1,4}",
        "\\PC{1,3}",
    ];
    (
        any::<bool>(),
        prop::collection::vec(segment, 0..8),
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

fn is_path_safe(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&byte)
}

proptest! {
    #[test]
    fn escape_path_round_trips(s in "\\PC*") {
        prop_assert_eq!(unescape_path(&escape_path(&s)), Some(s));
    }

    #[test]
    fn escape_path_uses_only_safe_bytes(s in any::<String>()) {
        let escaped = escape_path(&s);
        let bytes = escaped.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = &escaped[i + 1..i + 3];
                prop_assert!(hex.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
                let value = u8::from_str_radix(hex, 16).unwrap();
                prop_assert!(!is_path_safe(value));
                i += 3;
            } else {
                prop_assert!(is_path_safe(bytes[i]));
                i += 1;
            }
        }
    }

    #[test]
    fn unescape_path_never_panics(s in any::<String>()) {
        let _ = unescape_path(&s);
    }

    #[test]
    fn escape_query_value_round_trips(s in any::<String>()) {
        let escaped = escape_query_value(&s);
        prop_assert!(escaped.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~+%".contains(&b)));
        prop_assert_eq!(unescape_query(&escaped), Some(s));
    }

    #[test]
    fn clean_path_is_idempotent_and_clean(p in path_strategy()) {
        let cleaned = clean_path(&p);
        prop_assert_eq!(clean_path(&cleaned), cleaned.clone());
        prop_assert!(!cleaned.is_empty());
        prop_assert_eq!(cleaned.starts_with('/'), p.starts_with('/'));
        prop_assert!(!cleaned.contains("//"));
        prop_assert!(cleaned == "/" || !cleaned.ends_with('/'));
        if cleaned.starts_with('/') {
            prop_assert!(cleaned.split('/').all(|s| s != "." && s != ".."));
        }
    }

    #[test]
    fn canonical_url_path_is_rooted_and_idempotent(p in path_strategy()) {
        let canonical = canonical_url_path(&p);
        prop_assert!(canonical.starts_with('/'));
        prop_assert_eq!(canonical_url_path(&canonical), canonical.clone());
        prop_assert_eq!(canonical.ends_with('/'), p.ends_with('/') || canonical == "/");
    }

    #[test]
    fn keys_path_stays_under_the_prefix(prefix in path_strategy(), key in path_strategy()) {
        match keys_path(&prefix, &key) {
            Ok(path) if path.is_empty() => {
                // The root without a trailing slash (joins to a base path as is).
                prop_assert_eq!(clean_path(&format!("/{prefix}/{key}")), "/");
            }
            Ok(path) => {
                prop_assert!(path.starts_with('/'));
                prop_assert_eq!(canonical_url_path(&path), path.clone());
                if !prefix.is_empty() {
                    let base = clean_path(&format!("/{prefix}"));
                    prop_assert!(
                        base == "/" || path == base || path.starts_with(&format!("{base}/")),
                        "{path} not under {base}"
                    );
                }
            }
            Err(err) => {
                prop_assert!(!prefix.is_empty());
                prop_assert!(key.split('/').any(|s| s == ".."));
                prop_assert_eq!(err.key, key);
            }
        }
    }

    #[test]
    fn keys_without_dot_dot_never_escape(key in "[a-z/.]{0,12}") {
        prop_assume!(!key.split('/').any(|s| s == ".."));
        let path = keys_path("/v2/keys", &key).unwrap();
        prop_assert!(path == "/v2/keys" || path.starts_with("/v2/keys/"));
    }

    #[test]
    fn join_base_path_keeps_the_path(base in "(/[a-z]{1,3}){0,3}/?", key in "[a-z/]{0,10}") {
        let path = keys_path("/v2/keys", &key).unwrap();
        let joined = join_base_path(&base, &path);
        let base_clean = canonical_url_path(&base);
        let base_clean = base_clean.trim_end_matches('/');
        prop_assert_eq!(joined, format!("{base_clean}{path}"));
    }

    #[test]
    fn form_is_sorted_and_decodable(
        pairs in prop::collection::vec((prop::sample::select(&["value", "ttl", "dir", "prevExist", "a b", "Z"][..]), any::<String>()), 0..6)
    ) {
        let mut form = Form::new();
        for (name, value) in &pairs {
            form.push(name, value.clone());
        }
        let encoded = form.encode();
        prop_assert_eq!(encoded.is_empty(), pairs.is_empty());
        let decoded: Vec<(String, String)> = if encoded.is_empty() {
            Vec::new()
        } else {
            encoded
                .split('&')
                .map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap();
                    (unescape_query(name).unwrap(), unescape_query(value).unwrap())
                })
                .collect()
        };
        let mut want: Vec<(String, String)> =
            pairs.iter().map(|(n, v)| ((*n).to_owned(), v.clone())).collect();
        want.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        prop_assert_eq!(decoded, want);
    }

}
