//! Request vectors of the keys API: paths, escaping, query and form encoding and the operations
//! of `docs/protocol.md#keys-api`, the Go client's request tests (`client/keys_test.go`), what
//! etcd 3.4 was seen to do, and where this client deliberately differs from Go (README,
//! "Differences from the Go client").
//!
//! The numbers in test names and case labels (`_44`, `"#45 prevValue"`) are the ones these
//! vectors got when they were collected: #37–75 from Go's `keys_test.go` (each group's comment
//! names the Go test), #97 from etcd's own tests using the client, #100 and above from probing a
//! real etcd 3.4. They are kept so that history stays searchable.
//!
//! Every request is checked completely: method, exact URI (query order included), the exact
//! header set (GET has none; PUT, POST and DELETE have exactly the form Content-Type) and the
//! body bytes.

mod framing;

use std::time::Duration;

use bytes::Bytes;
use etcd_v2_proto::call::keys;
use etcd_v2_proto::unescape_path;
use etcd_v2_proto::{
    Call, CreateInOrderOptions, Credentials, DeleteOptions, Endpoint, Error, GetOptions,
    Idempotency, PrevExist, SetOptions, UsageError, Watch, WatchOptions,
};
use http::{Method, Request, header};

const FORM: &str = "application/x-www-form-urlencoded";
const DEFAULT: &str = keys::DEFAULT_PREFIX;

fn endpoint(url: &str) -> Endpoint {
    Endpoint::parse(url).unwrap_or_else(|e| panic!("endpoint {url:?}: {e}"))
}

fn request<T>(call: &Call<T>, ep: &str) -> Request<Bytes> {
    call.to_request(&endpoint(ep), None)
        .unwrap_or_else(|e| panic!("request at {ep}: {e}"))
}

/// What one request must look like on the wire.
struct Want<'a> {
    method: Method,
    uri: &'a str,
    /// `None`: no header at all; `Some(ct)`: exactly one header, `Content-Type: ct`.
    content_type: Option<&'a str>,
    body: &'a str,
}

fn check(name: &str, req: &Request<Bytes>, want: &Want<'_>) {
    assert_eq!(req.method(), want.method, "{name}: method");
    assert_eq!(req.uri().to_string(), want.uri, "{name}: uri");
    match want.content_type {
        None => assert!(
            framing::api_headers(req).is_empty(),
            "{name}: headers {:?}",
            req.headers()
        ),
        Some(ct) => {
            assert_eq!(
                framing::api_headers(req).len(),
                1,
                "{name}: headers {:?}",
                req.headers()
            );
            assert_eq!(
                req.headers()[header::CONTENT_TYPE],
                ct,
                "{name}: content type"
            );
        }
    }
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        want.body,
        "{name}: body"
    );
}

fn get_want(uri: &str) -> Want<'_> {
    Want {
        method: Method::GET,
        uri,
        content_type: None,
        body: "",
    }
}

fn form_want<'a>(method: Method, uri: &'a str, body: &'a str) -> Want<'a> {
    Want {
        method,
        uri,
        content_type: Some(FORM),
        body,
    }
}

fn usage(result: Result<impl core::fmt::Debug, Error>) -> UsageError {
    match result {
        Err(Error::Usage(u)) => u,
        other => panic!("expected a usage error, got {other:?}"),
    }
}

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

// ---------------------------------------------------------------------------------------------
// Actions (Go: TestGetAction, TestWaitAction, TestSetAction, TestCreateInOrderAction,
// TestDeleteAction: #42–49)
// ---------------------------------------------------------------------------------------------

/// Go's TestGetAction (#42) and TestHTTPKeysAPIGetAction (#65): get (endpoint path `/v2/keys`,
/// empty prefix, key `/foo/bar`).
#[test]
fn get_action_42_65() {
    let base = "http://example.com/v2/keys/foo/bar";
    let cases = [
        (
            GetOptions::default(),
            "quorum=false&recursive=false&sorted=false",
        ),
        (
            GetOptions::default().recursive(true),
            "quorum=false&recursive=true&sorted=false",
        ),
        (
            GetOptions::default().sort(true),
            "quorum=false&recursive=false&sorted=true",
        ),
        (
            GetOptions::default().recursive(true).sort(true),
            "quorum=false&recursive=true&sorted=true",
        ),
        (
            GetOptions::default().quorum(true),
            "quorum=true&recursive=false&sorted=false",
        ),
        (
            GetOptions::default()
                .quorum(true)
                .recursive(true)
                .sort(true),
            "quorum=true&recursive=true&sorted=true",
        ),
    ];
    for (opts, query) in cases {
        let call = keys::get("", "/foo/bar", opts).unwrap();
        assert_eq!(call.method(), Method::GET);
        assert!(!call.is_wait());
        let uri = format!("{base}?{query}");
        check(
            &format!("get {opts:?}"),
            &request(&call, "http://example.com/v2/keys"),
            &get_want(&uri),
        );
    }
}

/// Go's TestWaitAction (#43): wait (no body, no headers, all three parameters always present);
/// also the cURL debug line Go prints for it.
#[test]
fn wait_action_43() {
    let base = "http://example.com/v2/keys/foo/bar";
    let cases = [
        (false, 0, "recursive=false&wait=true&waitIndex=0"),
        (false, 12, "recursive=false&wait=true&waitIndex=12"),
        (true, 12, "recursive=true&wait=true&waitIndex=12"),
        (
            true,
            u64::MAX,
            "recursive=true&wait=true&waitIndex=18446744073709551615",
        ),
    ];
    for (recursive, index, query) in cases {
        let call = keys::wait("", "/foo/bar", recursive, index).unwrap();
        assert!(call.is_wait(), "a wait is a long poll");
        let uri = format!("{base}?{query}");
        check(
            &format!("wait {recursive} {index}"),
            &request(&call, "http://example.com/v2/keys"),
            &get_want(&uri),
        );
    }
    let call = keys::wait(DEFAULT, "k", true, 10).unwrap();
    check(
        "§4.13 wait",
        &request(&call, "http://127.0.0.1:24790"),
        &get_want("http://127.0.0.1:24790/v2/keys/k?recursive=true&wait=true&waitIndex=10"),
    );
}

/// etcd's own tests (#97): a watcher after `modifiedIndex - 1` first asks for `waitIndex =
/// modifiedIndex`; Go's TestHTTPKeysAPIWatcherAction (#61): after index 0 asks for 0.
#[test]
fn watch_after_index_97() {
    let w = Watch::new(DEFAULT, "/foo7", WatchOptions::default().after_index(41)).unwrap();
    assert_eq!(w.wait_index(), 42);
    let w = Watch::new(DEFAULT, "/foo7", WatchOptions::default()).unwrap();
    assert_eq!(w.wait_index(), 0);
    let w = Watch::new(
        DEFAULT,
        "/foo7",
        WatchOptions::default().after_index(19).recursive(true),
    )
    .unwrap();
    assert_eq!(w.wait_index(), 20);
}

/// Go's TestSetAction (#44): set paths (endpoint `http://example.com`, PUT, form Content-Type, body
/// `value=`).
#[test]
fn set_action_paths_44() {
    let cases = [
        (DEFAULT, "foo", "http://example.com/v2/keys/foo"),
        ("/pfx", "foo", "http://example.com/pfx/foo"),
        ("", "foo", "http://example.com/foo"),
        (
            DEFAULT,
            "foo/bar/baz",
            "http://example.com/v2/keys/foo/bar/baz",
        ),
        ("/foo/", "/bar", "http://example.com/foo/bar"),
        (DEFAULT, "/foo/", "http://example.com/v2/keys/foo/"),
    ];
    for (prefix, key, uri) in cases {
        let call = keys::set(prefix, key, "", &SetOptions::default()).unwrap();
        check(
            &format!("set {prefix:?} {key:?}"),
            &request(&call, "http://example.com"),
            &form_want(Method::PUT, uri, "value="),
        );
    }
}

/// Go's TestSetAction (#45–47) and TestHTTPKeysAPISetAction (#62): set options → query and body
/// (Go's vectors where our validation agrees).
#[test]
fn set_action_options_45_to_47() {
    let url = "http://example.com/v2/keys/foo";
    let cases: Vec<(&str, &str, SetOptions, String, &str)> = vec![
        // (name, value, options, uri, body)
        (
            "#45 value",
            "baz",
            SetOptions::default(),
            url.into(),
            "value=baz",
        ),
        (
            "#45 prevExist ignore",
            "",
            SetOptions::default().prev_exist(PrevExist::Ignore),
            url.into(),
            "value=",
        ),
        (
            "#45 prevExist true",
            "",
            SetOptions::default().prev_exist(PrevExist::Exist),
            format!("{url}?prevExist=true"),
            "value=",
        ),
        (
            "#45 prevExist false",
            "",
            SetOptions::default().prev_exist(PrevExist::NoExist),
            format!("{url}?prevExist=false"),
            "value=",
        ),
        (
            "#45 prevValue",
            "",
            SetOptions::default().prev_value("bar baz"),
            format!("{url}?prevValue=bar+baz"),
            "value=",
        ),
        (
            "#45 prevIndex",
            "",
            SetOptions::default().prev_index(12),
            format!("{url}?prevIndex=12"),
            "value=",
        ),
        (
            "#46 ttl",
            "",
            SetOptions::default().ttl(Duration::from_secs(180)),
            url.into(),
            "ttl=180&value=",
        ),
        (
            "#46 ttl + refresh",
            "",
            SetOptions::default()
                .ttl(Duration::from_secs(180))
                .refresh(true),
            url.into(),
            "refresh=true&ttl=180&value=",
        ),
        (
            "#47 dir",
            "",
            SetOptions::default().dir(true),
            format!("{url}?dir=true"),
            "",
        ),
        (
            "#47 dir + prevExist",
            "",
            SetOptions::default().dir(true).prev_exist(PrevExist::Exist),
            format!("{url}?dir=true&prevExist=true"),
            "",
        ),
        (
            "#47 dir + ttl",
            "",
            SetOptions::default().dir(true).ttl(Duration::from_secs(60)),
            format!("{url}?dir=true"),
            "ttl=60",
        ),
        (
            "#47 noValueOnSuccess",
            "",
            SetOptions::default().no_value_on_success(true),
            format!("{url}?noValueOnSuccess=true"),
            "value=",
        ),
        (
            // #62 without Dir (Dir + PrevValue is refused, see
            // `conflicting_set_options_are_refused`).
            "#62 full options",
            "",
            SetOptions::default()
                .prev_value("baz")
                .prev_index(13)
                .prev_exist(PrevExist::Exist)
                .ttl(Duration::from_secs(60)),
            format!("{url}?prevExist=true&prevIndex=13&prevValue=baz"),
            "ttl=60&value=",
        ),
        (
            "#62 full options with dir",
            "",
            SetOptions::default()
                .prev_index(13)
                .prev_exist(PrevExist::Exist)
                .ttl(Duration::from_secs(60))
                .dir(true),
            format!("{url}?dir=true&prevExist=true&prevIndex=13"),
            "ttl=60",
        ),
        (
            "query escaping of values",
            "a b&c=d+e%ü",
            SetOptions::default().prev_value("a b&c=d+e%ü"),
            format!("{url}?prevValue=a+b%26c%3Dd%2Be%25%C3%BC"),
            "value=a+b%26c%3Dd%2Be%25%C3%BC",
        ),
        (
            "§4.13 value with newline and quotes",
            "line1\nline2 \"q\" ü",
            SetOptions::default(),
            url.into(),
            "value=line1%0Aline2+%22q%22+%C3%BC",
        ),
    ];
    for (name, value, opts, uri, body) in cases {
        let call =
            keys::set(DEFAULT, "foo", value, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        check(
            name,
            &request(&call, "http://example.com"),
            &form_want(Method::PUT, &uri, body),
        );
    }
}

/// The cURL line Go printed for a set against etcd 3.4:
/// `curl -X PUT http://127.0.0.1:24790/v2/keys/k?noValueOnSuccess=true&prevExist=true&prevIndex=7&prevValue=p+v%26x -d "refresh=true&ttl=1&value=a+b%26c%3Dd%2Be%25%C3%BC"`.
///
/// That line combines `refresh` with a non-empty value, which this crate refuses (the
/// server answers 211 to it anyway). So the query part is reproduced with a non-refresh set of
/// the same value, and the `refresh=true&ttl=1` body part with a refresh of an empty value.
#[test]
fn observed_curl_set_example() {
    let ep = "http://127.0.0.1:24790";
    let query = "noValueOnSuccess=true&prevExist=true&prevIndex=7&prevValue=p+v%26x";
    let conditions = SetOptions::default()
        .prev_value("p v&x")
        .prev_index(7)
        .prev_exist(PrevExist::Exist)
        .no_value_on_success(true)
        .ttl(Duration::from_secs(1));

    let set = keys::set(DEFAULT, "k", "a b&c=d+e%ü", &conditions).unwrap();
    let uri = format!("{ep}/v2/keys/k?{query}");
    check(
        "curl query",
        &request(&set, ep),
        &form_want(Method::PUT, &uri, "ttl=1&value=a+b%26c%3Dd%2Be%25%C3%BC"),
    );

    let refresh = keys::set(DEFAULT, "k", "", &conditions.clone().refresh(true)).unwrap();
    check(
        "curl refresh body",
        &request(&refresh, ep),
        &form_want(Method::PUT, &uri, "refresh=true&ttl=1&value="),
    );

    // The refused original.
    assert!(matches!(
        usage(keys::set(
            DEFAULT,
            "k",
            "a b&c=d+e%ü",
            &conditions.refresh(true)
        )),
        UsageError::ConflictingOptions(_)
    ));
}

/// The cURL lines Go printed for a dir set and a delete.
#[test]
fn observed_curl_lines() {
    let ep = "http://127.0.0.1:24790";
    let mkdir = keys::set(DEFAULT, "d", "", &SetOptions::default().dir(true)).unwrap();
    check(
        "mkdir",
        &request(&mkdir, ep),
        &form_want(Method::PUT, "http://127.0.0.1:24790/v2/keys/d?dir=true", ""),
    );
    let del = keys::delete(
        DEFAULT,
        "k",
        &DeleteOptions::default()
            .dir(true)
            .prev_index(3)
            .prev_value("v")
            .recursive(true),
    )
    .unwrap();
    check(
        "delete",
        &request(&del, ep),
        &form_want(
            Method::DELETE,
            "http://127.0.0.1:24790/v2/keys/k?dir=true&prevIndex=3&prevValue=v&recursive=true",
            "",
        ),
    );
    let post = keys::create_in_order(
        DEFAULT,
        "q",
        "v",
        CreateInOrderOptions::default().ttl(Duration::from_secs(10)),
    )
    .unwrap();
    check(
        "post",
        &request(&post, ep),
        &form_want(
            Method::POST,
            "http://127.0.0.1:24790/v2/keys/q",
            "ttl=10&value=v",
        ),
    );
}

/// Go's TestCreateInOrderAction (#48) and TestHTTPKeysAPICreateInOrderAction (#72):
/// create-in-order (POST, no query, form Content-Type).
#[test]
fn create_in_order_action_48_72() {
    let cases = [
        (
            "default prefix",
            DEFAULT,
            "foo",
            "",
            None,
            "http://example.com/v2/keys/foo",
            "value=",
        ),
        (
            "prefix /pfx",
            "/pfx",
            "foo",
            "",
            None,
            "http://example.com/pfx/foo",
            "value=",
        ),
        (
            "no prefix",
            "",
            "foo",
            "",
            None,
            "http://example.com/foo",
            "value=",
        ),
        (
            "deep",
            DEFAULT,
            "foo/bar/baz",
            "",
            None,
            "http://example.com/v2/keys/foo/bar/baz",
            "value=",
        ),
        (
            "prefix /foo/ key /bar",
            "/foo/",
            "/bar",
            "",
            None,
            "http://example.com/foo/bar",
            "value=",
        ),
        (
            "trailing slash kept",
            DEFAULT,
            "/foo/",
            "",
            None,
            "http://example.com/v2/keys/foo/",
            "value=",
        ),
        (
            "value",
            DEFAULT,
            "foo",
            "baz",
            None,
            "http://example.com/v2/keys/foo",
            "value=baz",
        ),
        (
            "ttl 3 min",
            DEFAULT,
            "foo",
            "",
            Some(180),
            "http://example.com/v2/keys/foo",
            "ttl=180&value=",
        ),
        (
            "#72",
            DEFAULT,
            "/foo",
            "bar",
            None,
            "http://example.com/v2/keys/foo",
            "value=bar",
        ),
    ];
    for (name, prefix, dir, value, ttl, uri, body) in cases {
        let opts = CreateInOrderOptions {
            ttl: ttl.map(Duration::from_secs),
        };
        let call = keys::create_in_order(prefix, dir, value, opts).unwrap();
        assert_eq!(call.method(), Method::POST, "{name}");
        check(
            name,
            &request(&call, "http://example.com"),
            &form_want(Method::POST, uri, body),
        );
    }
}

/// Go's TestDeleteAction (#49) and TestHTTPKeysAPIDeleteAction (#68): delete (form Content-Type
/// although there is no body).
#[test]
fn delete_action_49_68() {
    let paths = [
        (DEFAULT, "foo", "http://example.com/v2/keys/foo"),
        ("/pfx", "foo", "http://example.com/pfx/foo"),
        ("", "foo", "http://example.com/foo"),
        (
            DEFAULT,
            "foo/bar/baz",
            "http://example.com/v2/keys/foo/bar/baz",
        ),
        ("/foo/", "/bar", "http://example.com/foo/bar"),
        (DEFAULT, "/foo/", "http://example.com/v2/keys/foo/"),
    ];
    for (prefix, key, uri) in paths {
        let call = keys::delete(prefix, key, &DeleteOptions::default()).unwrap();
        check(
            &format!("delete {prefix:?} {key:?}"),
            &request(&call, "http://example.com"),
            &form_want(Method::DELETE, uri, ""),
        );
    }
    let url = "http://example.com/v2/keys/foo";
    let cases = [
        (
            "recursive",
            DeleteOptions::default().recursive(true),
            "?recursive=true",
        ),
        (
            "prevValue",
            DeleteOptions::default().prev_value("bar baz"),
            "?prevValue=bar+baz",
        ),
        (
            "prevIndex",
            DeleteOptions::default().prev_index(12),
            "?prevIndex=12",
        ),
        ("dir", DeleteOptions::default().dir(true), "?dir=true"),
        (
            "#68 full",
            DeleteOptions::default()
                .prev_value("baz")
                .prev_index(13)
                .recursive(true),
            "?prevIndex=13&prevValue=baz&recursive=true",
        ),
    ];
    for (name, opts, query) in cases {
        let call = keys::delete(DEFAULT, "foo", &opts).unwrap();
        let uri = format!("{url}{query}");
        check(
            name,
            &request(&call, "http://example.com"),
            &form_want(Method::DELETE, &uri, ""),
        );
    }
}

/// Go's TestHTTPKeysAPICreateAction (#71) and TestHTTPKeysAPIUpdateAction (#73): create and
/// update are sets with exactly one condition.
#[test]
fn create_and_update_71_73() {
    let create = keys::create(DEFAULT, "/foo", "bar").unwrap();
    check(
        "#71 create",
        &request(&create, "http://example.com"),
        &form_want(
            Method::PUT,
            "http://example.com/v2/keys/foo?prevExist=false",
            "value=bar",
        ),
    );
    let same = keys::set(
        DEFAULT,
        "/foo",
        "bar",
        &SetOptions::default().prev_exist(PrevExist::NoExist),
    )
    .unwrap();
    let (a, b) = (request(&same, "http://h"), request(&create, "http://h"));
    assert_eq!(
        (a.method(), a.uri(), a.headers(), a.body()),
        (b.method(), b.uri(), b.headers(), b.body())
    );
    assert_eq!(same.idempotency(), create.idempotency());

    let update = keys::update(DEFAULT, "/foo", "bar").unwrap();
    check(
        "#73 update",
        &request(&update, "http://example.com"),
        &form_want(
            Method::PUT,
            "http://example.com/v2/keys/foo?prevExist=true",
            "value=bar",
        ),
    );
}

/// Credentials add exactly the Basic header, next to the form Content-Type.
#[test]
fn credentials_add_basic_auth() {
    let creds = Credentials::new("u1", "p:w");
    let call = keys::set(DEFAULT, "k", "v", &SetOptions::default()).unwrap();
    let req = call
        .to_request(&endpoint("http://h:1"), Some(&creds))
        .unwrap();
    assert_eq!(framing::api_headers(&req).len(), 2);
    assert_eq!(req.headers()[header::AUTHORIZATION], "Basic dTE6cDp3");
    assert_eq!(req.headers()[header::CONTENT_TYPE], FORM);
    let get = keys::get(DEFAULT, "k", GetOptions::default()).unwrap();
    let req = get
        .to_request(&endpoint("http://h:1"), Some(&creds))
        .unwrap();
    assert_eq!(framing::api_headers(&req).len(), 1);
    assert_eq!(req.headers()[header::AUTHORIZATION], "Basic dTE6cDp3");
}

// ---------------------------------------------------------------------------------------------
// Deliberate differences from Go (README, "Differences from the Go client")
// ---------------------------------------------------------------------------------------------

/// Go sends a 999 ms TTL as `ttl=0` (#100), deleting the key at once; here a TTL is rounded
/// up to whole seconds and never sent as `ttl=0`.
#[test]
fn ttl_rounds_up_never_to_zero() {
    let cases = [
        (Duration::from_millis(999), "ttl=1&value=v"),
        (Duration::from_nanos(1), "ttl=1&value=v"),
        (Duration::from_millis(1000), "ttl=1&value=v"),
        (Duration::from_millis(1001), "ttl=2&value=v"),
        (Duration::from_millis(1500), "ttl=2&value=v"),
        (Duration::from_secs(180), "ttl=180&value=v"),
    ];
    for (ttl, body) in cases {
        let set = keys::set(DEFAULT, "k", "v", &SetOptions::default().ttl(ttl)).unwrap();
        assert_eq!(
            request(&set, "http://h").body().as_ref(),
            body.as_bytes(),
            "set ttl {ttl:?}"
        );
        let post =
            keys::create_in_order(DEFAULT, "q", "v", CreateInOrderOptions::default().ttl(ttl))
                .unwrap();
        assert_eq!(
            request(&post, "http://h").body().as_ref(),
            body.as_bytes(),
            "post ttl {ttl:?}"
        );
    }
    assert_eq!(
        usage(keys::set(
            DEFAULT,
            "k",
            "v",
            &SetOptions::default().ttl(Duration::ZERO)
        )),
        UsageError::ZeroTtl
    );
    assert_eq!(
        usage(keys::create_in_order(
            DEFAULT,
            "q",
            "v",
            CreateInOrderOptions::default().ttl(Duration::ZERO)
        )),
        UsageError::ZeroTtl
    );
}

/// Go's TestSetAction (#47) and etcd's 211/212 (#101): contradictory options are usage
/// errors, not silently dropped fields or server errors 211/212.
#[test]
fn conflicting_set_options_are_refused() {
    let ttl = Duration::from_secs(10);
    let cases: [(&str, &str, SetOptions); 7] = [
        ("dir + value (#47)", "bar", SetOptions::default().dir(true)),
        (
            "dir + prev_value (#47)",
            "",
            SetOptions::default().dir(true).prev_value("bar"),
        ),
        (
            "refresh + value (#101, server 211)",
            "val",
            SetOptions::default().refresh(true).ttl(ttl),
        ),
        (
            "refresh without ttl (#101, server 212)",
            "",
            SetOptions::default().refresh(true),
        ),
        (
            "no-exist + prev_value",
            "v",
            SetOptions::default()
                .prev_exist(PrevExist::NoExist)
                .prev_value("x"),
        ),
        (
            "no-exist + prev_index",
            "v",
            SetOptions::default()
                .prev_exist(PrevExist::NoExist)
                .prev_index(3),
        ),
        (
            "#62 full options with dir",
            "",
            SetOptions::default()
                .prev_value("baz")
                .prev_index(13)
                .prev_exist(PrevExist::Exist)
                .ttl(Duration::from_secs(60))
                .dir(true),
        ),
    ];
    for (name, value, opts) in cases {
        let err = usage(keys::set(DEFAULT, "k", value, &opts));
        assert!(
            matches!(err, UsageError::ConflictingOptions(_)),
            "{name}: {err:?}"
        );
        assert!(
            err.to_string().starts_with("conflicting options: "),
            "{name}: {err}"
        );
    }
    // Refresh with an empty value and a TTL is the valid refresh.
    let ok = keys::set(
        DEFAULT,
        "k",
        "",
        &SetOptions::default().refresh(true).ttl(ttl),
    )
    .unwrap();
    assert_eq!(
        request(&ok, "http://h").body().as_ref(),
        b"refresh=true&ttl=10&value="
    );
}

/// Conditions are `Option`s; the unexpressible-in-Go empty prev value and index 0 are
/// refused rather than dropped.
#[test]
fn empty_prev_value_and_zero_prev_index_are_refused() {
    assert_eq!(
        usage(keys::set(
            DEFAULT,
            "k",
            "v",
            &SetOptions::default().prev_value("")
        )),
        UsageError::EmptyPrevValue
    );
    assert_eq!(
        usage(keys::set(
            DEFAULT,
            "k",
            "v",
            &SetOptions::default().prev_index(0)
        )),
        UsageError::ZeroPrevIndex
    );
    assert_eq!(
        usage(keys::delete(
            DEFAULT,
            "k",
            &DeleteOptions::default().prev_value("")
        )),
        UsageError::EmptyPrevValue
    );
    assert_eq!(
        usage(keys::delete(
            DEFAULT,
            "k",
            &DeleteOptions::default().prev_index(0)
        )),
        UsageError::ZeroPrevIndex
    );
    // A set of an empty value with a real condition is still sent as `value=`.
    let call = keys::set(DEFAULT, "k", "", &SetOptions::default().prev_value("old")).unwrap();
    let req = request(&call, "http://h");
    assert_eq!(req.uri().query(), Some("prevValue=old"));
    assert_eq!(req.body().as_ref(), b"value=");
}

/// Idempotency: reads and watches are reads; plain set, update and mkdir are idempotent;
/// compare-and-swap, create, in-order create, delete and compare-and-delete are not.
#[test]
fn idempotency_of_keys_calls() {
    let cases = [
        (
            "get",
            keys::get(DEFAULT, "k", GetOptions::default())
                .unwrap()
                .idempotency(),
            Idempotency::Read,
        ),
        (
            "wait",
            keys::wait(DEFAULT, "k", true, 3).unwrap().idempotency(),
            Idempotency::Read,
        ),
        (
            "set",
            keys::set(DEFAULT, "k", "v", &SetOptions::default())
                .unwrap()
                .idempotency(),
            Idempotency::Idempotent,
        ),
        (
            "compare-and-swap",
            keys::set(
                DEFAULT,
                "k",
                "v",
                &SetOptions::default().prev_value("o").prev_index(2),
            )
            .unwrap()
            .idempotency(),
            Idempotency::NotIdempotent,
        ),
        (
            "update",
            keys::update(DEFAULT, "k", "v").unwrap().idempotency(),
            Idempotency::Idempotent,
        ),
        (
            "mkdir",
            keys::set(DEFAULT, "d", "", &SetOptions::default().dir(true))
                .unwrap()
                .idempotency(),
            Idempotency::Idempotent,
        ),
        (
            "create",
            keys::create(DEFAULT, "k", "v").unwrap().idempotency(),
            Idempotency::NotIdempotent,
        ),
        (
            "set with prev_exist=NoExist",
            keys::set(
                DEFAULT,
                "k",
                "v",
                &SetOptions::default().prev_exist(PrevExist::NoExist),
            )
            .unwrap()
            .idempotency(),
            Idempotency::NotIdempotent,
        ),
        (
            "create_in_order",
            keys::create_in_order(DEFAULT, "q", "v", CreateInOrderOptions::default())
                .unwrap()
                .idempotency(),
            Idempotency::NotIdempotent,
        ),
        (
            "delete",
            keys::delete(DEFAULT, "k", &DeleteOptions::default())
                .unwrap()
                .idempotency(),
            Idempotency::NotIdempotent,
        ),
        (
            "compare-and-delete",
            keys::delete(DEFAULT, "k", &DeleteOptions::default().prev_index(4))
                .unwrap()
                .idempotency(),
            Idempotency::NotIdempotent,
        ),
    ];
    for (name, got, want) in cases {
        assert_eq!(got, want, "{name}");
    }
}

/// A huge TTL must neither panic nor reach the server as something that expires at once.
///
/// `ttl_seconds` (src/call/keys.rs) computes `ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0)`:
/// for `Duration::MAX` that overflows (a panic in debug builds, `ttl=0` in release builds: the
/// key is deleted at once, exactly what rounding up is there to prevent). And etcd computes the
/// expiry as `time.Duration(ttl) * time.Second` in i64 nanoseconds, so any TTL over 9 223 372 036 s
/// (the largest Go's client can send) wraps on the server (`ttl=18446744073709551615` is -1 s).
#[test]
fn huge_ttls_are_refused_or_clamped() {
    const GO_MAX_TTL_SECS: u64 = 9_223_372_036;
    for ttl in [
        Duration::MAX,
        Duration::new(u64::MAX, 0),
        Duration::from_secs(GO_MAX_TTL_SECS + 1),
    ] {
        let built = std::panic::catch_unwind(|| {
            keys::set(DEFAULT, "k", "v", &SetOptions::default().ttl(ttl))
                .map(|call| request(&call, "http://h").body().clone())
        });
        let Ok(built) = built else {
            panic!("set with ttl {ttl:?} panicked");
        };
        match built {
            Err(Error::Usage(_)) => {}
            Err(e) => panic!("ttl {ttl:?}: unexpected error {e:?}"),
            Ok(body) => {
                let body = std::str::from_utf8(&body).unwrap();
                let secs: u64 = body
                    .strip_prefix("ttl=")
                    .and_then(|rest| rest.split('&').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("ttl {ttl:?}: body {body:?}"));
                assert!(
                    (1..=GO_MAX_TTL_SECS).contains(&secs),
                    "ttl {ttl:?} sent as ttl={secs}"
                );
            }
        }
    }
}
