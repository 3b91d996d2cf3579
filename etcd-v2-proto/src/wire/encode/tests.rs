//! Unit tests of the parent module.

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

/// The example in the docs of `escape.rs` (1).
#[test]
fn doc_example_escape_1() {
    assert_eq!(escape_path("/v2/keys/a b?"), "/v2/keys/a%20b%3F");
    assert_eq!(escape_path("ü€"), "%C3%BC%E2%82%AC");
}

/// The example in the docs of `escape.rs` (2).
#[test]
fn doc_example_escape_2() {
    assert_eq!(unescape_path("a%20b+c").as_deref(), Some("a b+c"));
    assert_eq!(unescape_path("a%2"), None);
}

/// The example in the docs of `escape.rs` (3).
#[test]
fn doc_example_escape_3() {
    assert_eq!(escape_query_value("p v&x"), "p+v%26x");
}

/// The example in the docs of `form.rs` (4).
#[test]
fn doc_example_form_4() {
    let form = Form::new().with("value", "a b").with("ttl", "10");
    assert_eq!(form.encode(), "ttl=10&value=a+b");
}

/// The example in the docs of `paths.rs` (5).
#[test]
fn doc_example_paths_5() {
    assert_eq!(clean_path("//a/./b/../c/"), "/a/c");
    assert_eq!(clean_path("/.."), "/");
    assert_eq!(clean_path(""), ".");
}

/// The example in the docs of `paths.rs` (6).
#[test]
fn doc_example_paths_6() {
    assert_eq!(canonical_url_path("v2//keys/foo/"), "/v2/keys/foo/");
    assert_eq!(canonical_url_path(""), "/");
}

/// The example in the docs of `paths.rs` (7).
#[test]
fn doc_example_paths_7() {
    assert_eq!(keys_path("/v2/keys", "a/../b").unwrap(), "/v2/keys/b");
    assert_eq!(keys_path("/v2/keys", "foo/").unwrap(), "/v2/keys/foo/");
    assert!(keys_path("/v2/keys", "../x").is_err());
}

/// The example in the docs of `paths.rs` (8).
#[test]
fn doc_example_paths_8() {
    assert_eq!(join_base_path("/base/", "/v2/keys/k"), "/base/v2/keys/k");
    assert_eq!(join_base_path("", "/v2/keys/"), "/v2/keys/");
}
