//! Redirect following (reference §4.7, §8 #17–26, #103–104), with our fixes from §11.1.

mod support;

use etcd_v2_proto::{AttemptFailure, Config, Error, GetOptions, Op, call};
use support::{FOO_BAR, Harness, reply};

const A: &str = "http://127.0.0.1:1001";
const B: &str = "http://127.0.0.1:1002";

fn get(recursive: bool) -> Op<etcd_v2_proto::KeysResponse> {
    Op::new(
        call::keys::get(
            "/v2/keys",
            "/foo",
            GetOptions::default().recursive(recursive),
        )
        .unwrap(),
    )
}

fn only_failure(err: Error) -> AttemptFailure {
    match err {
        Error::Cluster(mut ce) => {
            assert_eq!(ce.failures.len(), 1);
            ce.failures.remove(0).1
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_redirect_keeps_method_and_body_and_replaces_the_url() {
    // #17
    let mut h = Harness::ordered(&[A], Config::default());
    let set = call::keys::set("/v2/keys", "/k", "v", &Default::default()).unwrap();
    let mut first = true;
    h.run(Op::new(set), |_| {
        if std::mem::take(&mut first) {
            reply(
                307,
                &[("Location", "http://127.0.0.1:9999/other/path?x=1")],
                "",
            )
        } else {
            reply(200, &[], FOO_BAR)
        }
    })
    .unwrap();
    assert_eq!(h.sent[1].method, "PUT");
    assert_eq!(h.sent[1].uri, "http://127.0.0.1:9999/other/path?x=1");
    assert_eq!(h.sent[1].body, h.sent[0].body);
}

#[test]
fn default_policy_allows_ten_redirects_then_fails_the_endpoint() {
    // #26 / #103: 11 requests, then `client: too many redirects`, as an endpoint failure.
    let mut h = Harness::ordered(&[A], Config::default());
    let err = h
        .run(get(false), |_| reply(307, &[("Location", A)], ""))
        .unwrap_err();
    assert_eq!(h.sent.len(), 11);
    assert_eq!(only_failure(err).to_string(), "client: too many redirects");

    // Ten redirects then an answer is fine.
    let mut h = Harness::ordered(&[A], Config::default());
    let mut n = 0;
    let r = h.run(get(false), |_| {
        n += 1;
        if n <= 10 {
            reply(307, &[("Location", A)], "")
        } else {
            reply(200, &[], FOO_BAR)
        }
    });
    assert!(r.is_ok());
}

#[test]
fn custom_redirect_budget() {
    // #20–22: a policy failing at via ≥ 2 allows one redirect.
    for (redirects, ok) in [(1, true), (2, false)] {
        let mut h = Harness::ordered(&[A], Config::default().max_redirects(1));
        let mut n = 0;
        let r = h.run(get(false), |_| {
            n += 1;
            if n <= redirects {
                reply(307, &[("Location", "http://example.com")], "")
            } else {
                reply(200, &[], FOO_BAR)
            }
        });
        assert_eq!(r.is_ok(), ok);
    }
}

#[test]
fn bad_locations_are_endpoint_failures_and_failover_goes_on() {
    // #23, #24
    let mut h = Harness::ordered(&[A], Config::default());
    let err = h.run(get(false), |_| reply(307, &[], "")).unwrap_err();
    assert_eq!(only_failure(err).to_string(), "location header not set");

    let mut h = Harness::ordered(&[A], Config::default());
    let err = h
        .run(get(false), |_| reply(302, &[("Location", ":")], ""))
        .unwrap_err();
    assert_eq!(
        only_failure(err).to_string(),
        "location header not valid URL: :"
    );

    // The next endpoint is tried after a redirect failure.
    let mut h = Harness::ordered(&[A, B], Config::default());
    let r = h.run(get(false), |req| {
        if req.uri().port_u16() == Some(1001) {
            reply(307, &[], "")
        } else {
            reply(200, &[], FOO_BAR)
        }
    });
    assert!(r.is_ok());
}

#[test]
fn relative_location_is_resolved_and_the_query_kept() {
    // #104 is Go's bug: a relative Location is resolved against the endpoint here, and the
    // original query survives when the Location has none.
    let mut h = Harness::ordered(&[A], Config::default());
    let mut first = true;
    h.run(get(true), |_| {
        if std::mem::take(&mut first) {
            reply(301, &[("Location", "/v2/keys/bar")], "")
        } else {
            reply(200, &[], FOO_BAR)
        }
    })
    .unwrap();
    assert_eq!(
        h.sent[1].uri,
        format!("{A}/v2/keys/bar?quorum=false&recursive=true&sorted=false")
    );
}

#[test]
fn credentials_never_follow_a_redirect_to_another_origin() {
    let config = Config::default().credentials("root", "secret");
    let mut h = Harness::ordered(&[A], config);
    let mut n = 0;
    h.run(get(false), |_| {
        n += 1;
        match n {
            1 => reply(
                307,
                &[("Location", "http://127.0.0.1:1001/v2/keys/same")],
                "",
            ),
            2 => reply(
                307,
                &[("Location", "http://127.0.0.1:7777/v2/keys/other")],
                "",
            ),
            _ => reply(200, &[], FOO_BAR),
        }
    })
    .unwrap();
    let auth: Vec<Option<&str>> = h.sent.iter().map(|s| s.authorization.as_deref()).collect();
    assert!(
        auth[0].is_some() && auth[1].is_some(),
        "same origin keeps credentials"
    );
    assert_eq!(auth[2], None, "another origin gets none");
}
