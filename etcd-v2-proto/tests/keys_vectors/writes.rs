//! Writes: set, create, update, create-in-order and delete requests (Go: TestSetAction,
//! TestCreateInOrderAction, TestDeleteAction and the TestHTTPKeysAPI*Action tests, #44–49, #62–73).

use std::time::Duration;

use etcd_v2_proto::call::keys;
use etcd_v2_proto::{CreateInOrderOptions, DeleteOptions, PrevExist, SetOptions};
use http::Method;

use crate::{DEFAULT, check, form_want, request};

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
            "value with newline and quotes",
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
