//! Redirect following (`docs/protocol.md#redirects`): Go's TestRedirectedHTTPAction,
//! TestRedirectFollowingHTTPClient and TestDefaultCheckRedirect in `client/client_test.go`
//! (numbered #17–26 when collected), what Go did against a redirecting server (#103–104), and
//! this client's fixes (relative `Location` resolved, query kept, no credentials cross-origin).

mod support;

use etcd_v2_proto::RedirectRefusal;
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
    // #17 (TestRedirectedHTTPAction)
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
    // #20–22 (TestRedirectFollowingHTTPClient): a policy failing at via ≥ 2 allows one redirect.
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
    // #23, #24 (TestRedirectFollowingHTTPClient)
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
    // Same origin (an explicit default port included) keeps the credentials; another origin is
    // refused, not followed without them (it used to be followed with `Authorization` stripped).
    let config = Config::default().credentials("root", "secret");
    let mut h = Harness::ordered(&["http://127.0.0.1"], config);
    let mut n = 0;
    let err = h
        .run(get(false), |_| {
            n += 1;
            match n {
                1 => reply(307, &[("Location", "http://127.0.0.1:80/v2/keys/same")], ""),
                2 => reply(
                    307,
                    &[("Location", "http://127.0.0.1:7777/v2/keys/other")],
                    "",
                ),
                _ => reply(200, &[], FOO_BAR),
            }
        })
        .unwrap_err();
    assert_eq!(h.sent.len(), 2);
    assert!(h.sent.iter().all(|s| s.authorization.is_some()));
    assert_eq!(refusal(err), RedirectRefusal::CrossOrigin);
}

// ----- hostile servers: what a redirect may never do -----

const HTTPS_A: &str = "https://127.0.0.1:1001";
const PASSWORD: &str = "hunter2-S3cr3t";

/// Runs `op` against `endpoint`, answering its first request with a 307 to `location` and any
/// later one with 200; returns the result and what was sent.
fn redirected<T>(
    endpoint: &str,
    config: Config,
    op: Op<T>,
    location: &str,
) -> (Result<T, Error>, Vec<support::Sent>) {
    let mut h = Harness::ordered(&[endpoint], config);
    let mut first = true;
    let r = h.run(op, |_| {
        if std::mem::take(&mut first) {
            reply(307, &[("Location", location)], "")
        } else {
            reply(200, &[("Content-Type", "application/json")], FOO_BAR)
        }
    });
    (r, h.sent)
}

fn add_user() -> Op<()> {
    Op::new(call::auth::add_user("alice", PASSWORD).unwrap())
}

fn change_password() -> Op<etcd_v2_proto::User> {
    Op::new(call::auth::change_password("alice", PASSWORD).unwrap())
}

/// Why the only endpoint's redirect was refused.
fn refusal(err: Error) -> RedirectRefusal {
    match only_failure(err) {
        AttemptFailure::RedirectRefused { reason, .. } => reason,
        other => panic!("{other:?}"),
    }
}

/// Nothing but the first request went out, and the call failed with this refusal.
fn assert_refused<T: std::fmt::Debug>(
    r: Result<T, Error>,
    sent: &[support::Sent],
    want: RedirectRefusal,
) {
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(refusal(r.unwrap_err()), want);
}

#[test]
fn a_password_body_never_follows_a_redirect_to_another_origin() {
    let other_port = "http://127.0.0.1:1002/v2/auth/users/alice";
    let (r, sent) = redirected(A, Config::default(), add_user(), other_port);
    assert_refused(r, &sent, RedirectRefusal::CrossOrigin);
    let (r, sent) = redirected(A, Config::default(), change_password(), other_port);
    assert_refused(r, &sent, RedirectRefusal::CrossOrigin);
    let other_host = "http://localhost:1001/v2/auth/users/alice";
    let (r, sent) = redirected(A, Config::default(), add_user(), other_host);
    assert_refused(r, &sent, RedirectRefusal::CrossOrigin);
    // https to http on the same host and port is another origin, and a downgrade.
    let downgrade = "http://127.0.0.1:1001/v2/auth/users/alice";
    let (r, sent) = redirected(HTTPS_A, Config::default(), add_user(), downgrade);
    assert_refused(r, &sent, RedirectRefusal::Downgrade);
    // A body without a password (roles) may go elsewhere, as any other call without credentials.
    let grant = Op::new(call::auth::grant_user("alice", &["r"]).unwrap());
    let (_, sent) = redirected(A, Config::default(), grant, other_port);
    assert_eq!(sent.len(), 2);
}

#[test]
fn a_refused_redirect_fails_over_to_the_next_endpoint() {
    // A refusal sent nothing to the new URL: the write can go to the next member.
    let mut h = Harness::ordered(&[A, B], Config::default());
    h.run(add_user(), |req| {
        if req.uri().port_u16() == Some(1001) {
            reply(307, &[("Location", "http://127.0.0.1:6666/")], "")
        } else {
            reply(201, &[], "")
        }
    })
    .unwrap();
    let ports: Vec<_> = h.sent.iter().map(|s| s.uri.as_str()).collect();
    assert_eq!(
        ports,
        [
            format!("{A}/v2/auth/users/alice"),
            format!("{B}/v2/auth/users/alice")
        ]
    );
}

#[test]
fn a_password_body_follows_a_redirect_within_its_origin() {
    let config = Config::default().credentials("root", "pw");
    let (r, sent) = redirected(A, config, add_user(), "/v2/auth/users/alice2");
    r.unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].uri, format!("{A}/v2/auth/users/alice2"));
    assert_eq!(sent[1].body, sent[0].body);
    assert!(sent[1].authorization.is_some());
}

#[test]
fn https_to_http_is_never_followed() {
    for location in [
        "http://127.0.0.1:1001/v2/keys/foo",
        "http://127.0.0.1:1002/v2/keys/foo",
    ] {
        let (r, sent) = redirected(HTTPS_A, Config::default(), get(false), location);
        assert_refused(r, &sent, RedirectRefusal::Downgrade);
    }
    // Upwards is fine, and so is https to https.
    let (r, _) = redirected(A, Config::default(), get(false), "https://127.0.0.1:1002/x");
    r.unwrap();
    let (r, _) = redirected(HTTPS_A, Config::default(), get(false), "https://h:1/x");
    r.unwrap();
}

#[test]
fn a_location_with_a_port_above_65535_is_refused() {
    for location in [
        "http://127.0.0.1:99999/v2/keys/foo",
        "http://127.0.0.1:65536/v2/keys/foo",
        "http://127.0.0.1:0/v2/keys/foo",
        "//127.0.0.1:1x/v2/keys/foo",
        "http://127.0.0.1:/v2/keys/foo",
    ] {
        let (r, sent) = redirected(A, Config::default(), get(false), location);
        assert_refused(r, &sent, RedirectRefusal::InvalidPort);
    }
    let (r, sent) = redirected(A, Config::default(), get(false), "http://127.0.0.1:65535/x");
    r.unwrap();
    assert_eq!(
        sent[1].uri,
        "http://127.0.0.1:65535/x?quorum=false&recursive=false&sorted=false"
    );
}

#[test]
fn a_location_with_userinfo_is_refused() {
    for location in [
        "http://user:pass@127.0.0.1:1001/v2/keys/foo",
        "http://user@127.0.0.1:1001/v2/keys/foo",
        "//user:pass@127.0.0.1:1002/v2/keys/foo",
        "HTTP://user:pass@127.0.0.1:1001/",
    ] {
        let (r, sent) = redirected(A, Config::default(), get(false), location);
        let err = r.unwrap_err();
        assert!(
            !format!("{err:?}{err}").contains("pass"),
            "{location}: {err}"
        );
        assert_refused::<()>(Err(err), &sent, RedirectRefusal::Userinfo);
    }
}

#[test]
#[allow(clippy::disallowed_types)] // the test's log, shared with the rule it gives the config
fn check_redirect_can_refuse_what_the_policy_allows() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    let config = Config::default().check_redirect(move |r| {
        log.lock()
            .unwrap()
            .push((r.to.to_string(), r.method.clone(), r.status, r.redirects));
        r.to.port_u16() == Some(1001)
    });
    assert!(format!("{config:?}").contains("check_redirect: Some(<fn>)"));
    let (r, sent) = redirected(A, config.clone(), get(false), "/v2/keys/bar");
    r.unwrap();
    assert_eq!(sent.len(), 2);
    let (r, sent) = redirected(A, config.clone(), get(false), "http://127.0.0.1:1002/x");
    assert_refused(r, &sent, RedirectRefusal::CheckRedirect);
    let q = "?quorum=false&recursive=false&sorted=false";
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (format!("{A}/v2/keys/bar{q}"), http::Method::GET, 307, 1),
            (
                format!("http://127.0.0.1:1002/x{q}"),
                http::Method::GET,
                307,
                1
            ),
        ]
    );
    // It is not asked about what the built-in policy refuses: it cannot allow it.
    let config = config.check_redirect(|_| true);
    let (r, sent) = redirected(HTTPS_A, config, get(false), "http://127.0.0.1:1001/");
    assert_refused(r, &sent, RedirectRefusal::Downgrade);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn no_request_ever_carries_userinfo() {
    // Whatever a hostile server sends, every URI the core emits is http(s)://host:port/...
    let locations = [
        "http://u:p@127.0.0.1:1001/",
        "//u@h/",
        "http://h:99999/",
        "http://h:1@evil:2/",
        "http://[::1]:1@h/",
        "\\\\evil/x",
        "/\\evil/x",
        "http:evil",
        "javascript:alert(1)",
        "..//u:p@h/x",
        "?@",
        "/@/x",
    ];
    for location in locations {
        let (_, sent) = redirected(A, Config::default(), get(false), location);
        for s in &sent {
            let uri: http::Uri = s.uri.parse().unwrap();
            let authority = uri.authority().unwrap().as_str();
            assert!(!authority.contains('@'), "{location:?} -> {}", s.uri);
            assert!(port_ok(authority), "{location:?} -> {}", s.uri);
        }
    }
}

/// No port, or a port `http` reads as the one written.
fn port_ok(authority: &str) -> bool {
    let after_host = authority.rsplit_once(']').map_or(authority, |(_, a)| a);
    match after_host.rsplit_once(':') {
        None => true,
        Some((_, port)) => port.parse::<u16>().is_ok_and(|p| p > 0),
    }
}

#[test]
fn locations_are_resolved_as_rfc_3986_says() {
    let q = "?quorum=false&recursive=false&sorted=false";
    let cases = [
        ("../x", format!("{A}/v2/x{q}")),
        ("./x", format!("{A}/v2/keys/x{q}")),
        ("x/../../y/./z", format!("{A}/v2/y/z{q}")),
        ("/a/b/../c", format!("{A}/a/c{q}")),
        ("/../../a", format!("{A}/a{q}")),
        ("//127.0.0.1:1002/p", format!("http://127.0.0.1:1002/p{q}")),
        ("//127.0.0.1:1002", format!("http://127.0.0.1:1002/{q}")),
        ("?q", format!("{A}/v2/keys/foo?q")),
        ("#frag", format!("{A}/v2/keys/foo{q}")),
        ("HTTP://127.0.0.1:1/x", format!("http://127.0.0.1:1/x{q}")),
        (
            "hTTp://127.0.0.1:1/a/./b/../c?z",
            "http://127.0.0.1:1/a/c?z".to_string(),
        ),
    ];
    for (location, want) in cases {
        let (r, sent) = redirected(A, Config::default(), get(false), location);
        assert!(r.is_ok(), "{location}: {r:?}");
        assert_eq!(sent[1].uri, want, "{location}");
    }
}
