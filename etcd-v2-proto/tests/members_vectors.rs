//! Members API vectors (`docs/protocol.md#members`): Go's `client/members_test.go` (numbered
//! #76–91 when collected; the case labels keep those numbers) and what etcd 3.4 answers to
//! removing an unknown or removed member (#106).

use bytes::Bytes;
use etcd_v2_proto::call::members;
use etcd_v2_proto::{Credentials, Endpoint, Error, Idempotency, Member, UsageError};
use http::{Method, Request, header};

mod framing;
mod support;
use support::{
    api_error as api, assert_invalid_json, call_request as request, example_endpoint as example,
    json_response as response,
};

const MEMBER_E1: &str = r#"{"id":"886b03c4ae679a15","name":"e1","peerURLs":["http://127.0.0.1:24800"],"clientURLs":["http://127.0.0.1:24790"]}"#;

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
fn member_decode_83() {
    let leader = members::leader().unwrap();
    let cases = [
        (
            r#"{"id":"c","name":"dungarees"}"#,
            member("c", "dungarees", &[], &[]),
        ),
        (
            r#"{"id":"d","name":"wranglers","peerURLs":["http://127.0.0.1:4002"],"clientURLs":["http://127.0.0.1:4001"]}"#,
            member(
                "d",
                "wranglers",
                &["http://127.0.0.1:4002"],
                &["http://127.0.0.1:4001"],
            ),
        ),
        (
            r#"{"id":"ba","name":"levis","peerURLs":["http://127.0.0.1:4002","http://127.0.0.1:7002"],"clientURLs":["http://127.0.0.1:4001"]}"#,
            member(
                "ba",
                "levis",
                &["http://127.0.0.1:4002", "http://127.0.0.1:7002"],
                &["http://127.0.0.1:4001"],
            ),
        ),
        (
            r#"{"id":"b4","name":"carharrt","peerURLs":["http://127.0.0.1:4002"],"clientURLs":["http://127.0.0.1:4001","http://127.0.0.1:8001"]}"#,
            member(
                "b4",
                "carharrt",
                &["http://127.0.0.1:4002"],
                &["http://127.0.0.1:4001", "http://127.0.0.1:8001"],
            ),
        ),
        (
            r#"{"id":"10241ead6d447db9","name":"","peerURLs":["http://127.0.0.1:24801"],"clientURLs":[]}"#,
            member("10241ead6d447db9", "", &["http://127.0.0.1:24801"], &[]),
        ),
        (
            r#"{"id":"e","name":"n","peerURLs":null,"clientURLs":null}"#,
            member("e", "n", &[], &[]),
        ),
    ];
    for (body, want) in cases {
        assert_eq!(leader.decode(response(200, body)), Ok(want), "{body}");
    }
    assert_invalid_json(leader.decode(response(200, r#"{"peerU"#)));
}

#[test]
fn collection_decode_84_and_list_90() {
    let list = members::list().unwrap();
    assert_invalid_json(list.decode(response(200, "{")));
    assert_invalid_json(list.decode(response(200, r#"[{"id":"XX"#)));
    assert_invalid_json(list.decode(response(200, "")));
    for body in ["{}", r#"{"members":[]}"#, r#"{"members":null}"#] {
        assert_eq!(list.decode(response(200, body)), Ok(vec![]), "{body}");
    }
    let three = r#"{"members":[
        {"id":"c","name":"node3","peerURLs":["http://127.0.0.1:4003"]},
        {"id":"a","name":"node1"},
        {"id":"b","name":"node2","clientURLs":["http://127.0.0.1:4002"]}]}"#;
    assert_eq!(
        list.decode(response(200, three)),
        Ok(vec![
            member("c", "node3", &["http://127.0.0.1:4003"], &[]),
            member("a", "node1", &[], &[]),
            member("b", "node2", &[], &["http://127.0.0.1:4002"]),
        ])
    );
    let observed = format!(r#"{{"members":[{MEMBER_E1}]}}"#);
    assert_eq!(list.decode(response(200, &observed)), Ok(vec![e1()]));
    for status in [201, 404, 418] {
        assert_eq!(
            list.decode(response(status, &observed)),
            Err(Error::UnexpectedStatus(status))
        );
    }
}

#[test]
fn add_decode_86_87() {
    let add = members::add("http://127.0.0.1:7002").unwrap();
    assert_eq!(
        add.decode(response(
            201,
            r#"{"id":"94088180e21eb87b","peerURLs":["http://127.0.0.1:7002"]}"#
        )),
        Ok(member(
            "94088180e21eb87b",
            "",
            &["http://127.0.0.1:7002"],
            &[]
        ))
    );
    assert_eq!(
        add.decode(response(409, r#"{"message":"fail!"}"#)),
        Err(api(409, "fail!"))
    );
    assert_eq!(
        add.decode(response(409, r#"{"message":"membership: peerURL exists"}"#)),
        Err(api(409, "membership: peerURL exists"))
    );
    assert_invalid_json(add.decode(response(409, r#"{"message":"#)));
    assert_invalid_json(add.decode(response(201, r#"{"id":"#)));
    assert_eq!(
        add.decode(response(418, "")),
        Err(Error::UnexpectedStatus(418))
    );
    assert_eq!(
        add.decode(response(200, MEMBER_E1)),
        Err(Error::UnexpectedStatus(200))
    );
    for (status, body) in [
        (400, r#"{"message":"no valid URLs given"}"#),
        (
            415,
            r#"{"message":"Bad Content-Type application/x-www-form-urlencoded, accept application/json"}"#,
        ),
        (500, r#"{"message":"Internal Server Error"}"#),
    ] {
        assert_eq!(
            add.decode(response(status, body)),
            Err(Error::UnexpectedStatus(status))
        );
    }
    assert!(matches!(
        members::add(":").unwrap_err(),
        Error::Usage(UsageError::InvalidUrl { .. })
    ));
}

#[test]
fn update_decode() {
    let update = members::update("1234", &["http://127.0.0.1:24801"]).unwrap();
    assert_eq!(update.decode(response(204, "")), Ok(()));
    let cases = [
        (
            404,
            r#"{"message":"No such member: 1234"}"#,
            Err(api(404, "No such member: 1234")),
        ),
        (
            409,
            r#"{"message":"membership: peerURL exists"}"#,
            Err(api(409, "membership: peerURL exists")),
        ),
        (
            500,
            r#"{"message":"Internal Server Error"}"#,
            Err(Error::UnexpectedStatus(500)),
        ),
        (200, "", Err(Error::UnexpectedStatus(200))),
        (400, r#"{"message":"x"}"#, Err(Error::UnexpectedStatus(400))),
    ];
    for (status, body, want) in cases {
        assert_eq!(
            update.decode(response(status, body)),
            want,
            "{status} {body}"
        );
    }
    assert_invalid_json(update.decode(response(404, "404 page not found")));
}

#[test]
fn remove_decode_88_89_106() {
    let remove = members::remove("ff895a676de1e754").unwrap();
    let cases = [
        (204, "", Ok(())),
        (
            410,
            r#"{"message":"Member permanently removed: ff895a676de1e754"}"#,
            Ok(()),
        ),
        (
            404,
            r#"{"message":"No such member: 1234"}"#,
            Err(Error::UnexpectedStatus(404)),
        ),
        (500, "", Err(Error::UnexpectedStatus(500))),
        (405, "Method Not Allowed", Err(Error::UnexpectedStatus(405))),
        (200, "", Err(Error::UnexpectedStatus(200))),
    ];
    for (status, body, want) in cases {
        assert_eq!(
            remove.decode(response(status, body)),
            want,
            "{status} {body}"
        );
    }
    assert_eq!(
        members::remove("1234")
            .unwrap()
            .decode(response(404, ""))
            .unwrap_err()
            .to_string(),
        "unexpected status code 404"
    );
}

#[test]
fn leader_decode_91() {
    let leader = members::leader().unwrap();
    assert_eq!(leader.decode(response(200, MEMBER_E1)), Ok(e1()));
    assert_eq!(
        leader.decode(response(418, "")),
        Err(Error::UnexpectedStatus(418))
    );
    assert_eq!(
        leader.decode(response(503, r#"{"message":"During election"}"#)),
        Err(Error::UnexpectedStatus(503))
    );
    assert_invalid_json(leader.decode(response(200, r#"{"id":"XX"#)));
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

fn member(id: &str, name: &str, peers: &[&str], clients: &[&str]) -> Member {
    Member {
        id: id.to_string(),
        name: name.to_string(),
        peer_urls: peers.iter().map(ToString::to_string).collect(),
        client_urls: clients.iter().map(ToString::to_string).collect(),
    }
}

fn e1() -> Member {
    member(
        "886b03c4ae679a15",
        "e1",
        &["http://127.0.0.1:24800"],
        &["http://127.0.0.1:24790"],
    )
}
