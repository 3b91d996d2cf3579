//! Writes are sent at most once by default: once an attempt may have reached a server, the
//! call ends with `OutcomeUnknown` — never a re-send, never a definite answer it cannot vouch
//! for, never `DeadlineExceeded`. Reads fail over freely; `WriteRetry` opts into re-sending.

mod support;

use std::time::Duration;

use etcd_v2_proto::call::keys;
use etcd_v2_proto::{
    AttemptFailure, Call, Config, CreateInOrderOptions, DeleteOptions, Error, ErrorCode,
    GetOptions, KeysResponse, Op, OutcomeUnknown, SetOptions, TransportFailure, WriteRetry,
};
use support::{Answer, FOO_BAR, Harness, refused, reply};

const A: &str = "http://127.0.0.1:1001";
const B: &str = "http://127.0.0.1:1002";
const C: &str = "http://127.0.0.1:1003";

const COMPARE_FAILED: &str =
    r#"{"errorCode":101,"message":"Compare failed","cause":"[v0 != v1]","index":9}"#;

/// Every kind of keys write, named.
fn writes() -> Vec<(&'static str, Call<KeysResponse>)> {
    let p = "/v2/keys";
    vec![
        (
            "set",
            keys::set(p, "/k", "v", &SetOptions::default()).unwrap(),
        ),
        ("update", keys::update(p, "/k", "v").unwrap()),
        ("create", keys::create(p, "/k", "v").unwrap()),
        (
            "cas on value",
            keys::set(p, "/k", "v1", &SetOptions::default().prev_value("v0")).unwrap(),
        ),
        (
            "cas on index",
            keys::set(p, "/k", "v1", &SetOptions::default().prev_index(7)).unwrap(),
        ),
        (
            "mkdir",
            keys::set(p, "/d", "", &SetOptions::default().dir(true)).unwrap(),
        ),
        (
            "delete",
            keys::delete(p, "/k", &DeleteOptions::default()).unwrap(),
        ),
        (
            "create in order",
            keys::create_in_order(p, "/q", "v", CreateInOrderOptions::default()).unwrap(),
        ),
    ]
}

/// A named way for an attempt to end.
type Ending = (&'static str, fn() -> Answer);

/// Ways an attempt can end after the request may have been written.
fn maybe_applied() -> Vec<Ending> {
    vec![
        ("503", || reply(503, &[], "")),
        ("500 raft timeout", || {
            reply(
                500,
                &[],
                r#"{"errorCode":300,"message":"Raft Internal Error"}"#,
            )
        }),
        ("reset", || {
            Answer::Fail(TransportFailure::Io("connection reset".into()))
        }),
        ("eof", || {
            Answer::Fail(TransportFailure::Io("unexpected EOF".into()))
        }),
        ("header timeout", || Answer::Stall),
    ]
}

fn get() -> Op<KeysResponse> {
    Op::new(keys::get("/v2/keys", "/k", GetOptions::default()).unwrap())
}

#[test]
fn no_write_is_sent_again_after_an_attempt_that_may_have_been_applied() {
    for (name, call) in writes() {
        for (how, answer) in maybe_applied() {
            let mut h = Harness::ordered(&[A, B, C], Config::default());
            let err = h.run(Op::new(call.clone()), |_| answer()).expect_err(name);
            let Some(OutcomeUnknown {
                endpoint,
                attempts,
                answer,
                ..
            }) = err.outcome_unknown()
            else {
                panic!("{name} after {how}: {err:?}")
            };
            assert_eq!(endpoint, A, "{name} after {how}");
            assert_eq!(attempts.len(), 1, "{name} after {how}: {attempts:?}");
            assert!(answer.is_none(), "{name} after {how}");
            assert_eq!(h.endpoints_tried(), [A], "{name} after {how}: sent once");
        }
    }
}

#[test]
fn reads_fail_over_after_the_same_failures() {
    for (how, answer) in maybe_applied() {
        let mut h = Harness::ordered(&[A, B], Config::default());
        let r = h.run(get(), |req| {
            if req.uri().port_u16() == Some(1001) {
                answer()
            } else {
                reply(200, &[], FOO_BAR)
            }
        });
        assert!(r.is_ok(), "get after {how}: {r:?}");
        assert_eq!(h.endpoints_tried(), [A, B], "get after {how}");
    }
}

#[test]
fn writes_that_surely_sent_nothing_still_fail_over() {
    let unsent: [fn() -> Answer; 3] = [
        refused,
        || Answer::Fail(TransportFailure::Tls("bad certificate".into())),
        || {
            let why = "127.0.0.1:1001: closed before the request was sent: canceled";
            Answer::Fail(TransportFailure::Connect(why.into()))
        },
    ];
    for (name, call) in writes() {
        for answer in unsent {
            let mut h = Harness::ordered(&[A, B], Config::default());
            let r = h.run(Op::new(call.clone()), |req| {
                if req.uri().port_u16() == Some(1001) {
                    answer()
                } else {
                    reply(201, &[], FOO_BAR)
                }
            });
            assert!(r.is_ok(), "{name}: {r:?}");
            assert_eq!(h.endpoints_tried(), [A, B], "{name}");
        }
    }
}

#[test]
fn a_deadline_after_a_write_was_sent_is_outcome_unknown_not_deadline_exceeded() {
    // The call's deadline passes while the write is in flight (the header timeout is longer).
    let config = Config::default()
        .header_timeout(Some(Duration::from_secs(5)))
        .request_timeout(Some(Duration::from_secs(1)));
    for (name, call) in writes() {
        let mut h = Harness::ordered(&[A, B], config.clone());
        let err = h.run(Op::new(call), |_| Answer::Stall).expect_err(name);
        assert!(
            matches!(
                err.outcome_unknown().map(|u| &u.failure),
                Some(AttemptFailure::Transport(TransportFailure::Timeout))
            ),
            "{name}: {err:?}"
        );
        assert_eq!(h.endpoints_tried(), [A], "{name}");
    }
    // A read in the same spot has nothing to be unknown about.
    let mut h = Harness::ordered(&[A, B], config.clone());
    let err = h.run(get(), |_| Answer::Stall).unwrap_err();
    assert_eq!(err, Error::DeadlineExceeded);
}

#[test]
fn a_deadline_before_anything_was_sent_is_deadline_exceeded() {
    // The dial to A is still not up when the call's deadline passes: nothing was sent.
    let config = Config::default()
        .header_timeout(Some(Duration::from_secs(5)))
        .request_timeout(Some(Duration::from_secs(1)));
    for (name, call) in writes() {
        let mut h = Harness::ordered(&[A, B], config.clone());
        let err = h
            .run(Op::new(call), |_| {
                let why = "timed out before the request was sent";
                Answer::StallThen(TransportFailure::Connect(why.into()))
            })
            .unwrap_err();
        assert_eq!(err, Error::DeadlineExceeded, "{name}");
        assert_eq!(h.endpoints_tried(), [A], "{name}");
    }
    // After a maybe-applied attempt (only possible when re-sending), the deadline is unknown.
    let config = config.write_retry(WriteRetry::ResendAll);
    let mut h = Harness::ordered(&[A, B], config);
    let err = h
        .run(Op::new(writes().remove(0).1), |req| {
            if req.uri().port_u16() == Some(1001) {
                reply(503, &[], "")
            } else {
                let why = "timed out before the request was sent";
                Answer::StallThen(TransportFailure::Connect(why.into()))
            }
        })
        .unwrap_err();
    let Some(OutcomeUnknown {
        endpoint, attempts, ..
    }) = err.outcome_unknown()
    else {
        panic!("{err:?}")
    };
    assert_eq!((endpoint.as_str(), attempts.len()), (A, 2), "{attempts:?}");
}

#[test]
fn resend_idempotent_re_sends_unconditional_writes_only() {
    let config = Config::default().write_retry(WriteRetry::ResendIdempotent);
    for (name, call) in writes() {
        let mut h = Harness::ordered(&[A, B], config.clone());
        let r = h.run(Op::new(call), |req| {
            if req.uri().port_u16() == Some(1001) {
                Answer::Fail(TransportFailure::Io("connection reset".into()))
            } else {
                reply(200, &[], FOO_BAR)
            }
        });
        let resent = matches!(name, "set" | "update" | "mkdir");
        if resent {
            assert!(r.is_ok(), "{name}: {r:?}");
            assert_eq!(h.endpoints_tried(), [A, B], "{name}");
        } else {
            assert!(r.unwrap_err().is_outcome_unknown(), "{name}");
            assert_eq!(h.endpoints_tried(), [A], "{name}");
        }
    }
}

#[test]
fn a_refusal_after_a_maybe_applied_attempt_is_not_definite() {
    // Go's behaviour: the CAS times out on A (its answer lost, the swap applied), is re-sent to
    // B and gets 101 because of the first attempt. The caller must not read that as "failed".
    let config = Config::default().write_retry(WriteRetry::ResendAll);
    let cas = keys::set(
        "/v2/keys",
        "/k",
        "v1",
        &SetOptions::default().prev_value("v0"),
    )
    .unwrap();
    let mut h = Harness::ordered(&[A, B], config.clone());
    let err = h
        .run(Op::new(cas), |req| {
            if req.uri().port_u16() == Some(1001) {
                Answer::Stall
            } else {
                reply(412, &[("X-Etcd-Index", "9")], COMPARE_FAILED)
            }
        })
        .unwrap_err();
    let Some(OutcomeUnknown {
        endpoint,
        failure,
        attempts,
        answer,
        ..
    }) = err.outcome_unknown()
    else {
        panic!("{err:?}")
    };
    assert_eq!(endpoint, A);
    assert!(
        matches!(failure, AttemptFailure::HeaderTimeout { .. }),
        "{failure:?}"
    );
    assert_eq!(attempts.len(), 1);
    assert_eq!(
        answer.as_ref().and_then(Error::code),
        Some(ErrorCode::TEST_FAILED)
    );
    assert_eq!(h.endpoints_tried(), [A, B]);
    assert!(!err.is_test_failed(), "not a definite compare failure");

    // The same refusal with no earlier maybe-applied attempt is definite.
    let cas = keys::set(
        "/v2/keys",
        "/k",
        "v1",
        &SetOptions::default().prev_value("v0"),
    )
    .unwrap();
    let mut h = Harness::ordered(&[A, B], config.clone());
    let err = h
        .run(Op::new(cas), |req| {
            if req.uri().port_u16() == Some(1001) {
                refused()
            } else {
                reply(412, &[], COMPARE_FAILED)
            }
        })
        .unwrap_err();
    assert!(err.is_test_failed(), "{err:?}");

    // Every member maybe-applied it: not a cluster error, the outcome is unknown.
    let mut h = Harness::ordered(&[A, B], config);
    let err = h
        .run(Op::new(writes().remove(0).1), |_| reply(503, &[], ""))
        .unwrap_err();
    let Some(OutcomeUnknown {
        endpoint, attempts, ..
    }) = err.outcome_unknown()
    else {
        panic!("{err:?}")
    };
    assert_eq!((endpoint.as_str(), attempts.len()), (B, 2));
}

#[test]
fn outcome_unknown_carries_the_index_seen_before_the_write() {
    let mut h = Harness::ordered(&[A, B], Config::default());
    h.run(get(), |_| reply(200, &[("X-Etcd-Index", "41")], FOO_BAR))
        .unwrap();
    assert_eq!(h.cluster.last_index(), Some(41));
    let err = h
        .run(Op::new(writes().remove(0).1), |_| Answer::Stall)
        .unwrap_err();
    let Some(OutcomeUnknown { index_before, .. }) = err.outcome_unknown() else {
        panic!("{err:?}")
    };
    assert_eq!(*index_before, Some(41));
}
