//! URL construction from endpoint, prefix and key, and the escaping of keys in the path.

use etcd_v2_proto::call::keys;
use etcd_v2_proto::unescape_path;
use etcd_v2_proto::{
    CreateInOrderOptions, DeleteOptions, Error, GetOptions, SetOptions, UsageError, Watch,
    WatchOptions,
};

use crate::{DEFAULT, request, usage};

// ---------------------------------------------------------------------------------------------
// URL construction (Go: TestV2KeysURLHelper, #37–41)
// ---------------------------------------------------------------------------------------------

/// #37–41: `keysURL(ep, prefix, key)` through a get, comparing the URL without its query.
#[test]
fn keys_url_vectors_37_to_41() {
    let cases: [(&str, &str, &str, &str, &str); 9] = [
        // (vector, endpoint, prefix, key, URL without query)
        // #37 itself (empty prefix and key under an endpoint path) is `keys_url_vector_37`.
        (
            "#37 with key /",
            "http://example.com/v2/keys",
            "",
            "/",
            "http://example.com/v2/keys/",
        ),
        (
            "#38",
            "http://example.com/v2/keys",
            "",
            "/foo/bar",
            "http://example.com/v2/keys/foo/bar",
        ),
        (
            "#39",
            "http://example.com",
            "",
            "/foo/bar",
            "http://example.com/foo/bar",
        ),
        (
            "#40",
            "https://example.com:8080/v2/keys",
            "",
            "/foo/bar",
            "https://example.com:8080/v2/keys/foo/bar",
        ),
        (
            "#41 key",
            "http://example.com/foo",
            "/bar",
            "/baz",
            "http://example.com/foo/bar/baz",
        ),
        (
            "#41 empty key",
            "http://example.com/foo",
            "/bar",
            "",
            "http://example.com/foo/bar",
        ),
        (
            "#41 trailing slash",
            "http://example.com/foo",
            "/bar",
            "/baz/",
            "http://example.com/foo/bar/baz/",
        ),
        (
            "#39 root",
            "http://example.com",
            "",
            "",
            "http://example.com/",
        ),
        (
            "#37 default prefix",
            "http://example.com",
            DEFAULT,
            "",
            "http://example.com/v2/keys",
        ),
    ];
    for (name, ep, prefix, key, want) in cases {
        check_url(name, ep, prefix, key, want);
    }
}

fn check_url(name: &str, ep: &str, prefix: &str, key: &str, want: &str) {
    let req = request(&keys::get(prefix, key, GetOptions::default()).unwrap(), ep);
    let uri = req.uri();
    let without_query = format!(
        "{}://{}{}",
        uri.scheme_str().unwrap(),
        uri.authority().unwrap(),
        uri.path()
    );
    assert_eq!(
        without_query, want,
        "{name}: ep {ep:?} prefix {prefix:?} key {key:?}"
    );
    assert_eq!(
        uri.query(),
        Some("quorum=false&recursive=false&sorted=false"),
        "{name}"
    );
}

/// #37: endpoint `http://example.com/v2/keys`, prefix `""`, key `""` ⇒ path `/v2/keys`.
///
/// Go canonicalises `ep.Path + prefix + key` = `/v2/keys` (no trailing slash). The core
/// canonicalises `prefix + key` on its own first; it once turned the empty string into `/` and
/// joined `/v2/keys` + `/` = `/v2/keys/`, a trailing slash the caller never wrote. Same for
/// keys that clean to nothing (`.`, `a/..`) under an empty prefix, while `/` keeps its slash.
#[test]
fn keys_url_vector_37() {
    let ep = "http://example.com/v2/keys";
    check_url("#37", ep, "", "", "http://example.com/v2/keys");
    check_url("#37 key .", ep, "", ".", "http://example.com/v2/keys");
    check_url("#37 key a/..", ep, "", "a/..", "http://example.com/v2/keys");
    check_url(
        "#37 base /foo prefix /a/..",
        "http://example.com/foo",
        "/a/..",
        "",
        "http://example.com/foo",
    );
    check_url("#37 key /", ep, "", "/", "http://example.com/v2/keys/");
    check_url("#37 prefix /", ep, "/", "", "http://example.com/v2/keys/");
}

/// An endpoint path is a URL path: Go's `url.Parse` decodes `%20` in it to a space and the
/// request URL re-escapes it once (`/my%20base/v2/keys/k`).
///
/// `Endpoint::parse` keeps the path as written (still escaped, `/my%20base`) in `base_path`, and
/// `RequestSpec::uri_at` escapes it again with the key: the request goes to
/// `/my%2520base/v2/keys/k`, i.e. to a directory literally named `my%20base`.
#[test]
fn endpoint_base_path_is_escaped_once() {
    check_url(
        "escaped base",
        "http://example.com/my%20base",
        DEFAULT,
        "k",
        "http://example.com/my%20base/v2/keys/k",
    );
    check_url(
        "escaped base, escaped key",
        "http://example.com/a%3Fb/",
        DEFAULT,
        "c d",
        "http://example.com/a%3Fb/v2/keys/c%20d",
    );
}

/// The path table of `docs/protocol.md#paths`, and more (endpoint `http://127.0.0.1:24790`,
/// default prefix unless stated).
#[test]
fn keys_url_reference_table() {
    let ep = "http://127.0.0.1:24790";
    let cases: [(&str, &str, &str, &str); 19] = [
        // (endpoint, prefix, key, path)
        (ep, DEFAULT, "foo", "/v2/keys/foo"),
        (ep, DEFAULT, "/foo", "/v2/keys/foo"),
        (ep, DEFAULT, "foo/", "/v2/keys/foo/"),
        (ep, DEFAULT, "//a//b", "/v2/keys/a/b"),
        (ep, DEFAULT, "a/./b", "/v2/keys/a/b"),
        (ep, DEFAULT, "a/../b", "/v2/keys/b"),
        (ep, DEFAULT, "", "/v2/keys"),
        (ep, DEFAULT, ".", "/v2/keys"),
        (ep, DEFAULT, "/", "/v2/keys/"),
        (ep, DEFAULT, "a/..", "/v2/keys"),
        (ep, "", "k", "/k"),
        (ep, "v2/keys", "k", "/v2/keys/k"),
        (ep, "/v2/keys/", "k", "/v2/keys/k"),
        (ep, "/pfx//x", "k", "/pfx/x/k"),
        (ep, "/pfx", "foo", "/pfx/foo"),
        (ep, "/foo/", "/bar", "/foo/bar"),
        ("http://h/base/", DEFAULT, "k", "/base/v2/keys/k"),
        ("http://h/base", DEFAULT, "k", "/base/v2/keys/k"),
        ("http://h/base/", DEFAULT, "/k/", "/base/v2/keys/k/"),
    ];
    for (ep, prefix, key, want) in cases {
        let req = request(&keys::get(prefix, key, GetOptions::default()).unwrap(), ep);
        assert_eq!(
            req.uri().path(),
            want,
            "ep {ep:?} prefix {prefix:?} key {key:?}"
        );
    }
}

/// A key that climbs out of the prefix is refused by every keys call (Go sends
/// `../x` to `/v2/x`).
#[test]
fn keys_escaping_the_prefix_are_refused() {
    for key in [
        "../x",
        "..",
        "/..",
        "a/../../x",
        "//../x",
        "./../v2/keys2/x",
    ] {
        let want = UsageError::KeyEscapesPrefix(key.to_owned());
        assert_eq!(
            usage(keys::get(DEFAULT, key, GetOptions::default())),
            want,
            "get {key:?}"
        );
        assert_eq!(
            usage(keys::wait(DEFAULT, key, false, 0)),
            want,
            "wait {key:?}"
        );
        assert_eq!(
            usage(keys::set(DEFAULT, key, "v", &SetOptions::default())),
            want,
            "set {key:?}"
        );
        assert_eq!(
            usage(keys::create(DEFAULT, key, "v")),
            want,
            "create {key:?}"
        );
        assert_eq!(
            usage(keys::update(DEFAULT, key, "v")),
            want,
            "update {key:?}"
        );
        assert_eq!(
            usage(keys::create_in_order(
                DEFAULT,
                key,
                "v",
                CreateInOrderOptions::default()
            )),
            want,
            "create_in_order {key:?}"
        );
        assert_eq!(
            usage(keys::delete(DEFAULT, key, &DeleteOptions::default())),
            want,
            "delete {key:?}"
        );
        assert!(matches!(
            Watch::new(DEFAULT, key, WatchOptions::default()),
            Err(Error::Usage(UsageError::KeyEscapesPrefix(_)))
        ));
    }
    // A sibling whose name merely starts like the prefix is outside it too.
    assert_eq!(
        usage(keys::get("/v2/keys", "../keys2", GetOptions::default())),
        UsageError::KeyEscapesPrefix("../keys2".into())
    );
    // `..` that stays inside the prefix is fine.
    let req = request(
        &keys::get(DEFAULT, "a/b/../../c", GetOptions::default()).unwrap(),
        "http://h",
    );
    assert_eq!(req.uri().path(), "/v2/keys/c");
}

// ---------------------------------------------------------------------------------------------
// Path escaping (`docs/protocol.md#paths`)
// ---------------------------------------------------------------------------------------------

/// Go's path escaping of awkward keys (default prefix, endpoint without a path).
#[test]
fn path_escaping_table() {
    let cases: [(&str, &str); 22] = [
        ("a b", "/v2/keys/a%20b"),
        ("a%b", "/v2/keys/a%25b"),
        ("a?b", "/v2/keys/a%3Fb"),
        ("a#b", "/v2/keys/a%23b"),
        ("a+b", "/v2/keys/a+b"),
        ("a&b=c", "/v2/keys/a&b=c"),
        ("a:b@c$d,e;f", "/v2/keys/a:b@c$d,e;f"),
        ("a!b*c(d)e'f", "/v2/keys/a%21b%2Ac%28d%29e%27f"),
        ("ü€", "/v2/keys/%C3%BC%E2%82%AC"),
        ("a%20b", "/v2/keys/a%2520b"),
        ("a\tb", "/v2/keys/a%09b"),
        ("-_.~", "/v2/keys/-_.~"),
        (
            "a\"b<c>d[e]f\\g^h`i{j|k}l",
            "/v2/keys/a%22b%3Cc%3Ed%5Be%5Df%5Cg%5Eh%60i%7Bj%7Ck%7Dl",
        ),
        ("\u{1}\u{7f}", "/v2/keys/%01%7F"),
        ("/lead", "/v2/keys/lead"),
        ("trail/", "/v2/keys/trail/"),
        ("/both/", "/v2/keys/both/"),
        ("//a//b", "/v2/keys/a/b"),
        ("a/./b", "/v2/keys/a/b"),
        ("a/../b", "/v2/keys/b"),
        ("esc//x//y/", "/v2/keys/esc/x/y/"),
        ("dir/a b/c?d", "/v2/keys/dir/a%20b/c%3Fd"),
    ];
    for (key, path) in cases {
        let req = request(
            &keys::get(DEFAULT, key, GetOptions::default()).unwrap(),
            "http://example.com",
        );
        assert_eq!(req.uri().path(), path, "key {key:?}");
        assert_eq!(
            req.uri().to_string(),
            format!("http://example.com{path}?quorum=false&recursive=false&sorted=false"),
            "key {key:?}"
        );
        // The same path goes out for every method.
        let del = request(
            &keys::delete(DEFAULT, key, &DeleteOptions::default()).unwrap(),
            "http://example.com",
        );
        assert_eq!(del.uri().path(), path, "delete {key:?}");
    }
}

/// Round trip: what the server decodes from the path is the key, byte-identical
/// (the observed keys `a b`, `a+b`, `a%b`, … were read back unchanged).
#[test]
fn escaped_paths_decode_back_to_the_key() {
    let keys_list = [
        "a b",
        "a+b",
        "a%b",
        "a?b",
        "a#b",
        "a&b=c",
        "a:b@c$d,e;f",
        "a!b*c(d)e'f",
        "ü€",
        "a%20b",
        "a\tb",
    ];
    for key in keys_list {
        let req = request(
            &keys::get(DEFAULT, key, GetOptions::default()).unwrap(),
            "http://h",
        );
        let decoded = unescape_path(req.uri().path()).unwrap();
        assert_eq!(decoded, format!("/v2/keys/{key}"), "key {key:?}");
    }
}
