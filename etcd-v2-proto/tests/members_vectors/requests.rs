//! What the members calls send: Go's request vectors, base paths, URL and ID checks,
//! idempotency and credentials.

use bytes::Bytes;
use etcd_v2_proto::call::members;
use etcd_v2_proto::{Credentials, Endpoint, Error, Idempotency, UsageError};
use http::{Method, Request, header};

use crate::framing;
use crate::support::{call_request as request, example_endpoint as example};

/// (name, request, method, path or URI, JSON content type, body)
type RequestCase = (
    &'static str,
    Request<Bytes>,
    Method,
    &'static str,
    bool,
    &'static str,
);

#[test]
fn requests_76_to_80() {
    let cases: [RequestCase; 6] = [
        (
            "#76 list",
            request(&members::list().unwrap()),
            Method::GET,
            "http://example.com/v2/members",
            false,
            "",
        ),
        (
            "#77 add (one URL: the public add takes one)",
            request(&members::add("https://127.0.0.1:8081").unwrap()),
            Method::POST,
            "http://example.com/v2/members",
            true,
            r#"{"peerURLs":["https://127.0.0.1:8081"]}"#,
        ),
        (
            "#78 update",
            request(&members::update("0xabcd", &["https://127.0.0.1:8081"]).unwrap()),
            Method::PUT,
            "http://example.com/v2/members/0xabcd",
            true,
            r#"{"peerURLs":["https://127.0.0.1:8081"]}"#,
        ),
        (
            "#77 URLs through update: sorted by string like Go's types.NewURLs",
            request(
                &members::update(
                    "0xabcd",
                    &["https://127.0.0.1:8081", "http://127.0.0.1:8080"],
                )
                .unwrap(),
            ),
            Method::PUT,
            "http://example.com/v2/members/0xabcd",
            true,
            r#"{"peerURLs":["http://127.0.0.1:8080","https://127.0.0.1:8081"]}"#,
        ),
        (
            "#79 remove",
            request(&members::remove("XXX").unwrap()),
            Method::DELETE,
            "http://example.com/v2/members/XXX",
            false,
            "",
        ),
        (
            "#80 leader",
            request(&members::leader().unwrap()),
            Method::GET,
            "http://example.com/v2/members/leader",
            false,
            "",
        ),
    ];
    for (name, req, method, uri, json, body) in cases {
        assert_eq!(req.method(), method, "{name}");
        assert_eq!(req.uri().to_string(), uri, "{name}");
        if json {
            assert_eq!(
                framing::api_headers(&req).len(),
                1,
                "{name}: {:?}",
                framing::api_headers(&req)
            );
            assert_eq!(
                req.headers()[header::CONTENT_TYPE],
                "application/json",
                "{name}"
            );
        } else {
            assert!(
                framing::api_headers(&req).is_empty(),
                "{name}: {:?}",
                framing::api_headers(&req)
            );
        }
        assert_eq!(std::str::from_utf8(req.body()).unwrap(), body, "{name}");
    }
}

#[test]
fn base_path_82() {
    let ep = Endpoint::parse("http://foo.example.com:4002/pants").unwrap();
    let cases = [
        (
            members::list().unwrap().to_request(&ep, None),
            "http://foo.example.com:4002/pants/v2/members",
        ),
        (
            members::leader().unwrap().to_request(&ep, None),
            "http://foo.example.com:4002/pants/v2/members/leader",
        ),
        (
            members::remove("abc").unwrap().to_request(&ep, None),
            "http://foo.example.com:4002/pants/v2/members/abc",
        ),
    ];
    for (req, uri) in cases {
        assert_eq!(req.unwrap().uri().to_string(), uri);
    }
    let slash = Endpoint::parse("http://foo.example.com:4002/pants/").unwrap();
    let req = members::list().unwrap().to_request(&slash, None).unwrap();
    assert_eq!(
        req.uri().to_string(),
        "http://foo.example.com:4002/pants/v2/members"
    );
}

#[test]
fn create_request_encode_85() {
    let call = members::update("1", &["http://127.0.0.1:8081", "https://127.0.0.1:8080"]).unwrap();
    let req = call.to_request(&example(), None).unwrap();
    assert_eq!(
        req.body().as_ref(),
        br#"{"peerURLs":["http://127.0.0.1:8081","https://127.0.0.1:8080"]}"#
    );
}

#[test]
fn add_trims_and_normalises_the_url() {
    let call = members::add("  HTTP://127.0.0.1:24801\n").unwrap();
    let req = call.to_request(&example(), None).unwrap();
    assert_eq!(
        req.body().as_ref(),
        br#"{"peerURLs":["http://127.0.0.1:24801"]}"#
    );
}

#[test]
fn peer_url_validation() {
    let bad = [
        ":",
        "127.0.0.1:1",
        "ftp://127.0.0.1:1",
        "http://127.0.0.1",
        "http://127.0.0.1:1/",
        "http://127.0.0.1:1/path",
        "http://127.0.0.1:1?q=1",
        "http://u:p@127.0.0.1:1",
        "http://127.0.0.1:port",
        "",
        "   ",
    ];
    for url in bad {
        // A password is masked in the error.
        let masked = url.replace(":p@", ":***@");
        let err = members::add(url).unwrap_err();
        assert!(
            matches!(&err, Error::Usage(UsageError::InvalidUrl { url: u, .. }) if *u == masked),
            "add({url:?}): {err:?}"
        );
        let err = members::update("1", &["http://127.0.0.1:1", url]).unwrap_err();
        assert!(
            matches!(&err, Error::Usage(UsageError::InvalidUrl { url: u, .. }) if *u == masked),
            "update(.., {url:?}): {err:?}"
        );
    }
    for good in [
        "http://a:1",
        "https://a:1",
        "unix://a:1",
        "unixs://a:1",
        "http://[::1]:2380",
    ] {
        assert!(members::add(good).is_ok(), "{good}");
    }
}

#[test]
fn update_refuses_empty_list_and_bad_ids() {
    let none: [&str; 0] = [];
    assert_eq!(
        members::update("1", &none).unwrap_err(),
        Error::Usage(UsageError::Empty("peer URLs"))
    );
    for id in ["", "a/b", "..", "."] {
        let invalid = Error::Usage(UsageError::InvalidName(id.to_string()));
        assert_eq!(
            members::update(id, &["http://a:1"]).unwrap_err(),
            invalid,
            "{id:?}"
        );
        assert_eq!(members::remove(id).unwrap_err(), invalid, "{id:?}");
    }
}

#[test]
fn idempotency() {
    assert_eq!(members::list().unwrap().idempotency(), Idempotency::Read);
    assert_eq!(members::leader().unwrap().idempotency(), Idempotency::Read);
    assert_eq!(
        members::add("http://a:1").unwrap().idempotency(),
        Idempotency::NotIdempotent
    );
    assert_eq!(
        members::update("1", &["http://a:1"]).unwrap().idempotency(),
        Idempotency::Idempotent
    );
    assert_eq!(
        members::remove("1").unwrap().idempotency(),
        Idempotency::Idempotent
    );
    assert!(!members::list().unwrap().is_wait());
}

#[test]
fn credentials_add_basic_auth() {
    let creds = Credentials::new("u1", "p:w");
    let ep = example();
    for req in [
        members::list().unwrap().to_request(&ep, Some(&creds)),
        members::add("http://a:1")
            .unwrap()
            .to_request(&ep, Some(&creds)),
        members::remove("1").unwrap().to_request(&ep, Some(&creds)),
    ] {
        assert_eq!(
            req.unwrap().headers()[header::AUTHORIZATION],
            "Basic dTE6cDp3"
        );
    }
    let without = request(&members::list().unwrap());
    assert!(without.headers().get(header::AUTHORIZATION).is_none());
}

#[test]
fn ids_are_path_escaped() {
    let req = members::remove("a b?")
        .unwrap()
        .to_request(&example(), None)
        .unwrap();
    assert_eq!(
        req.uri().to_string(),
        "http://example.com/v2/members/a%20b%3F"
    );
}
