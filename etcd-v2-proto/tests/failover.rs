//! Failover, pinning, one-shot writes, 5xx handling, deadlines and header timeouts
//! (`docs/protocol.md#failover-and-pinning`): Go's TestHTTPClusterClientDo* and
//! TestHTTPClusterClientReset* in `client/client_test.go` (numbered #8–16, #35–36 when
//! collected) and the TestV2NoRetry*/TestV2RetryRefuse integration tests (#92–94).

mod support;

use std::time::Duration;

use etcd_v2_proto::{AttemptFailure, Config, Error, GetOptions, Op, TransportFailure, call};
use support::{Answer, FOO_BAR, Harness, KEY_NOT_FOUND, refused, reply};

const A: &str = "http://127.0.0.1:1001";
const B: &str = "http://127.0.0.1:1002";
const C: &str = "http://127.0.0.1:1003";

fn get() -> Op<etcd_v2_proto::KeysResponse> {
    Op::new(call::keys::get("/v2/keys", "/foo", GetOptions::default()).unwrap())
}

fn create() -> Op<etcd_v2_proto::KeysResponse> {
    Op::new(call::keys::create("/v2/keys", "/foo", "bar").unwrap())
}

fn delete() -> Op<etcd_v2_proto::KeysResponse> {
    Op::new(call::keys::delete("/v2/keys", "/foo", &Default::default()).unwrap())
}

#[test]
fn a_4xx_answer_ends_the_call_and_keeps_the_pin() {
    // #8: A answers (any non-5xx status is an answer), B is never tried.
    let mut h = Harness::ordered(&[A, B], Config::default());
    let err = h
        .run(get(), |_| reply(404, &[], KEY_NOT_FOUND))
        .unwrap_err();
    assert!(err.is_key_not_found());
    assert_eq!(h.endpoints_tried(), [A]);
    assert_eq!(h.cluster.pinned().unwrap().as_str(), A);
}

#[test]
fn a_transport_error_moves_on_and_repins() {
    // #9: A fails, B answers: the answer is returned and B becomes the pin.
    let mut h = Harness::ordered(&[A, B], Config::default());
    let r = h
        .run(get(), |req| {
            if req.uri().port_u16() == Some(1001) {
                refused()
            } else {
                reply(200, &[], FOO_BAR)
            }
        })
        .unwrap();
    assert_eq!(r.node.unwrap().value.as_deref(), Some("bar"));
    assert_eq!(h.endpoints_tried(), [A, B]);
    assert_eq!(h.cluster.pinned().unwrap().as_str(), B);
    // The next call starts at the new pin.
    h.sent.clear();
    h.run(get(), |_| reply(200, &[], FOO_BAR)).unwrap();
    assert_eq!(h.endpoints_tried(), [B]);
}

#[test]
fn every_endpoint_failing_is_a_cluster_error_naming_each() {
    // #12, with our fix: each endpoint's own failure is kept, with the endpoint.
    let mut h = Harness::ordered(&[A, B, C], Config::default());
    let err = h.run(get(), |_| refused()).unwrap_err();
    let Error::Cluster(ce) = &err else {
        panic!("{err:?}")
    };
    let eps: Vec<&str> = ce.failures.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(eps, [A, B, C]);
    assert!(
        err.to_string()
            .starts_with("client: etcd cluster is unavailable or misconfigured; error #0: ")
    );
    assert_eq!(ce.detail().lines().count(), 3);
    // All failed: the pin does not move.
    assert_eq!(h.cluster.pinned().unwrap().as_str(), A);
}

#[test]
fn failover_order_starts_at_the_pin_and_wraps() {
    let mut h = Harness::ordered(&[A, B, C], Config::default());
    // Pin C by a success there.
    h.run(get(), |req| {
        if req.uri().port_u16() == Some(1003) {
            reply(200, &[], FOO_BAR)
        } else {
            refused()
        }
    })
    .unwrap();
    assert_eq!(h.cluster.pinned().unwrap().as_str(), C);
    h.sent.clear();
    let _ = h.run(get(), |_| refused());
    assert_eq!(h.endpoints_tried(), [C, A, B]);
}

#[test]
fn server_errors_fail_over_with_go_texts() {
    // #13: A→502, B answers; the 5xx texts are Go's.
    let mut h = Harness::ordered(&[A, B], Config::default());
    let r = h.run(get(), |req| {
        if req.uri().port_u16() == Some(1001) {
            reply(502, &[], "")
        } else {
            reply(200, &[], FOO_BAR)
        }
    });
    assert!(r.is_ok());
    assert_eq!(h.cluster.pinned().unwrap().as_str(), B);

    let mut h = Harness::ordered(&[A, B, C], Config::default());
    let mut statuses = vec![503, 500, 599].into_iter();
    let err = h
        .run(get(), move |_| reply(statuses.next().unwrap(), &[], "{}"))
        .unwrap_err();
    let texts: Vec<String> = match err {
        Error::Cluster(ce) => ce.failures.iter().map(|(_, f)| f.to_string()).collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        texts,
        [
            format!("client: etcd member {A} has no leader"),
            format!("client: etcd member {B} has no leader"),
            format!("client: etcd member {C} returns server error []"),
        ]
    );
}

#[test]
fn one_shot_write_that_reached_a_server_is_outcome_unknown_and_moves_the_pin() {
    // #14 / #92 / #93: create and delete are sent once; the pin moves for the next call.
    for op in [create(), delete()] {
        let mut h = Harness::ordered(&[A, B], Config::default());
        let err = h.run(op, |_| reply(502, &[], "")).unwrap_err();
        match err.outcome_unknown() {
            Some(unknown) => {
                let (endpoint, failure) = (&unknown.endpoint, &unknown.failure);
                assert_eq!(endpoint, A);
                assert_eq!(
                    failure.to_string(),
                    format!("client: etcd member {A} returns server error [Bad Gateway]")
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(err.is_outcome_unknown());
        assert_eq!(h.endpoints_tried(), [A]);
        assert_eq!(h.cluster.pinned().unwrap().as_str(), B);
    }
    // EOF after sending (#92): one request only.
    let mut h = Harness::ordered(&[A, B], Config::default());
    let err = h
        .run(create(), |_| {
            Answer::Fail(TransportFailure::Io("unexpected EOF".into()))
        })
        .unwrap_err();
    assert!(err.is_outcome_unknown());
    assert_eq!(h.sent.len(), 1);
}

#[test]
fn one_shot_write_refused_before_sending_fails_over() {
    // Our improvement: a refused connection sent nothing, so another member may try.
    let mut h = Harness::ordered(&[A, B], Config::default());
    let r = h.run(create(), |req| {
        if req.uri().port_u16() == Some(1001) {
            refused()
        } else {
            reply(201, &[], FOO_BAR)
        }
    });
    assert!(r.is_ok());
    assert_eq!(h.endpoints_tried(), [A, B]);
}

#[test]
fn header_timeout_is_an_endpoint_failure_with_go_text() {
    let config = Config::default().header_timeout(Some(Duration::from_millis(300)));
    let mut h = Harness::ordered(&[A, B], config);
    let err = h.run(get(), |_| Answer::Stall).unwrap_err();
    let Error::Cluster(ce) = err else { panic!() };
    assert_eq!(
        ce.failures[0].1.to_string(),
        format!("client: endpoint {A} exceeded header timeout")
    );
    assert!(matches!(
        ce.failures[1].1,
        AttemptFailure::HeaderTimeout { .. }
    ));
    assert_eq!(h.sent[0].deadline, Some(Duration::from_millis(300)));
    assert_eq!(h.now - h.start, Duration::from_millis(600));
}

#[test]
fn deadline_ends_the_call_and_wins_over_header_timeout() {
    // #15: the call's own deadline is returned bare, even mid-failover.
    let config = Config::default().header_timeout(Some(Duration::from_secs(1)));
    let mut h = Harness::ordered(&[A, B], config);
    let err = h
        .run(get().timeout(Duration::from_millis(1500)), |_| {
            Answer::Stall
        })
        .unwrap_err();
    assert_eq!(err, Error::DeadlineExceeded);
    assert_eq!(h.sent.len(), 2);
    assert_eq!(h.sent[1].deadline, Some(Duration::from_millis(500)));

    // A one-shot write cut by the deadline may have been applied: outcome unknown.
    let mut h = Harness::ordered(&[A], Config::default().header_timeout(None));
    let err = h
        .run(create().timeout(Duration::from_millis(10)), |_| {
            Answer::Stall
        })
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
}

#[test]
fn request_timeout_from_config_applies_to_calls() {
    let config = Config::default()
        .header_timeout(None)
        .request_timeout(Some(Duration::from_secs(2)));
    let mut h = Harness::ordered(&[A], config);
    let err = h.run(get(), |_| Answer::Stall).unwrap_err();
    assert_eq!(err, Error::DeadlineExceeded);
    assert_eq!(h.now - h.start, Duration::from_secs(2));
}

#[test]
fn stale_answers_are_ignored() {
    use etcd_v2_proto::{Step, Task};
    let mut h = Harness::ordered(&[A, B], Config::default());
    let mut op = get();
    let Step::Send(t1) = op.poll(h.now, &mut h.cluster) else {
        panic!()
    };
    op.handle_failure(
        h.now,
        &mut h.cluster,
        t1.attempt,
        TransportFailure::Connect("x".into()),
    );
    let Step::Send(t2) = op.poll(h.now, &mut h.cluster) else {
        panic!()
    };
    // A late answer to the first attempt changes nothing.
    op.handle_response(
        h.now,
        &mut h.cluster,
        t1.attempt,
        support::response(200, &[], FOO_BAR),
    );
    op.handle_response(
        h.now,
        &mut h.cluster,
        t2.attempt,
        support::response(404, &[], KEY_NOT_FOUND),
    );
    let Step::Done(r) = op.poll(h.now, &mut h.cluster) else {
        panic!()
    };
    assert!(r.unwrap_err().is_key_not_found());
    // Polling a finished op is a typed error, not a panic.
    let Step::Done(again) = op.poll(h.now, &mut h.cluster) else {
        panic!()
    };
    assert!(matches!(again, Err(Error::Usage(_))));
}

#[test]
fn bodies_over_the_limit_are_refused() {
    let mut h = Harness::ordered(&[A], Config::default().max_body_bytes(16));
    let err = h.run(get(), |_| reply(200, &[], FOO_BAR)).unwrap_err();
    assert!(matches!(
        err,
        Error::Protocol(etcd_v2_proto::ProtocolError::BodyTooLarge { limit: 16 })
    ));
}

#[test]
fn a_member_of_another_cluster_is_skipped_when_the_id_is_pinned() {
    let mut h = Harness::ordered(&[A, B], Config::default().expected_cluster_id("abc"));
    let r = h.run(get(), |req| {
        let id = if req.uri().port_u16() == Some(1001) {
            "def"
        } else {
            "abc"
        };
        reply(200, &[("X-Etcd-Cluster-Id", id)], FOO_BAR)
    });
    assert_eq!(r.unwrap().cluster_id.as_deref(), Some("abc"));
    assert_eq!(h.endpoints_tried(), [A, B]);
}

#[test]
fn credentials_are_sent_and_curl_lines_hide_them() {
    let config = Config::default().credentials("u1", "p:w").curl_debug(true);
    let mut h = Harness::ordered(&[A], config);
    h.run(
        Op::new(
            call::keys::set(
                "/v2/keys",
                "/d",
                "",
                &etcd_v2_proto::SetOptions::default().dir(true),
            )
            .unwrap(),
        ),
        |_| reply(201, &[], FOO_BAR),
    )
    .unwrap();
    assert_eq!(h.sent[0].authorization.as_deref(), Some("Basic dTE6cDp3"));
    let curl = h.sent[0].curl.as_deref().unwrap();
    assert_eq!(
        curl,
        format!("cURL Command: curl -X PUT {A}/v2/keys/d?dir=true -d \"\"")
    );
    assert!(!curl.contains("p:w") && !curl.contains("dTE6cDp3"));
    // Without credentials there is no Authorization header; without debug no curl line.
    let mut h = Harness::ordered(&[A], Config::default());
    h.run(get(), |_| reply(200, &[], FOO_BAR)).unwrap();
    assert_eq!(h.sent[0].authorization, None);
    assert_eq!(h.sent[0].curl, None);
}

#[test]
fn no_endpoints_is_refused_up_front() {
    // #11, #35
    assert_eq!(
        etcd_v2_proto::Cluster::new(Config::default()).unwrap_err(),
        Error::NoEndpoints
    );
    let err = etcd_v2_proto::Cluster::new(Config::new([":"])).unwrap_err();
    assert!(matches!(err, Error::Usage(_)));
    let mut h = Harness::ordered(&[A], Config::default());
    assert!(h.cluster.set_endpoints::<&str>(&[]).is_err());
    assert!(h.cluster.set_endpoints(&["localhost:2379"]).is_err());
    assert_eq!(
        h.cluster.endpoints(),
        [A],
        "a failed set keeps the old list"
    );
}

#[test]
fn shuffle_is_uniform_over_seeds() {
    // #36 as a property: over 2000 seeds, each of 3 endpoints is pinned about 1/3 of the time.
    let eps = [
        "http://127.0.0.1:4001",
        "http://127.0.0.1:4002",
        "http://127.0.0.1:4003",
    ];
    let hits = (0..2000u64)
        .filter(|seed| {
            let c = etcd_v2_proto::Cluster::new(Config::new(eps).seed(*seed)).unwrap();
            c.pinned().unwrap().as_str() == eps[0]
        })
        .count();
    let share = hits as f64 / 2000.0;
    assert!((share - 1.0 / 3.0).abs() < 0.05, "share {share}");
}

#[test]
fn an_unhealthy_member_answers_health_instead_of_failing_over() {
    let mut h = Harness::ordered(&[A, B], Config::default());
    let health = h
        .run(Op::new(call::misc::health().unwrap()), |_| {
            reply(503, &[], "{\"health\":\"false\"}\n")
        })
        .unwrap();
    assert!(!health.healthy);
    assert_eq!(h.endpoints_tried(), [A]);
}

#[test]
fn a_body_over_the_transport_cap_ends_the_call_without_failover() {
    let mut h = Harness::ordered(&[A, B], Config::default());
    let err = h
        .run(get(), |_| {
            Answer::Fail(TransportFailure::BodyTooLarge { limit: 10 })
        })
        .unwrap_err();
    assert_eq!(
        err,
        Error::Protocol(etcd_v2_proto::ProtocolError::BodyTooLarge { limit: 10 })
    );
    assert_eq!(h.endpoints_tried(), [A]);
}

#[test]
fn curl_lines_redact_passwords_in_auth_bodies() {
    let mut h = Harness::ordered(&[A], Config::default().curl_debug(true));
    h.run(
        Op::new(call::auth::add_user("bob", "hunter2").unwrap()),
        |_| reply(201, &[], "{}"),
    )
    .unwrap();
    let curl = h.sent[0].curl.as_deref().unwrap();
    assert!(!curl.contains("hunter2"), "{curl}");
    assert!(curl.contains("redacted"), "{curl}");
    assert!(
        String::from_utf8_lossy(&h.sent[0].body).contains("hunter2"),
        "the request itself carries it"
    );
}

#[test]
fn endpoints_list_the_pinned_one_first_after_a_failover() {
    let mut h = Harness::ordered(&[A, B, C], Config::default());
    assert_eq!(h.cluster.endpoints(), [A, B, C]);
    let get = || Op::new(call::keys::get("/v2/keys", "/foo", GetOptions::default()).unwrap());
    h.run(get(), |req| match req.uri().port_u16() {
        Some(1003) => reply(200, &[], FOO_BAR),
        _ => refused(),
    })
    .unwrap();
    // C answered: it is pinned, and the list is the order the next call tries.
    assert_eq!(h.cluster.pinned().unwrap().as_str(), C);
    assert_eq!(h.cluster.endpoints(), [C, A, B]);
}

#[test]
fn unauthorized_answers_are_recognised_from_every_api() {
    let keys = Error::Etcd(etcd_v2_proto::EtcdError {
        code: etcd_v2_proto::ErrorCode::UNAUTHORIZED,
        message: "The request requires user authentication".into(),
        cause: "Insufficient credentials".into(),
        index: 0,
    });
    let api = Error::Api(etcd_v2_proto::ApiError {
        status: 401,
        message: "Insufficient credentials".into(),
    });
    assert!(keys.is_unauthorized() && api.is_unauthorized());
    assert!(Error::UnexpectedStatus(401).is_unauthorized());
    assert!(!Error::UnexpectedStatus(403).is_unauthorized());
    assert!(!Error::DeadlineExceeded.is_unauthorized());
}

#[test]
fn curl_debug_can_be_turned_on_and_off_between_calls() {
    let mut h = Harness::ordered(&[A], Config::default());
    let get = || Op::new(call::keys::get("/v2/keys", "/foo", GetOptions::default()).unwrap());
    h.run(get(), |_| reply(200, &[], FOO_BAR)).unwrap();
    h.cluster.set_curl_debug(true);
    h.run(get(), |_| reply(200, &[], FOO_BAR)).unwrap();
    h.cluster.set_curl_debug(false);
    h.run(get(), |_| reply(200, &[], FOO_BAR)).unwrap();
    let lines: Vec<_> = h.sent.iter().map(|s| s.curl.is_some()).collect();
    assert_eq!(lines, [false, true, false]);
    assert!(h.sent[1].curl.as_deref().unwrap().contains("curl -X GET"));
}
