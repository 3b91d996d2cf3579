//! Errors and answers through the calls: Go's TestHTTPKeysAPI{Set,Get,Delete}{Error,Response}
//! (#63–64, #66–67, #69–70) and its keys examples (#95–96).

use etcd_v2_proto::call::keys;
use etcd_v2_proto::{
    Action, Call, Config, DeleteOptions, Error, ErrorCode, GetOptions, KeysResponse, Node, Op,
    SetOptions, TransportFailure,
};

use crate::support::{Answer, Harness, reply};
use crate::{is_invalid_json, node, ok, response};

/// The three error cases of #63/#66/#69 for one call: a transport error, 418 with an empty
/// body, 500 with an errorCode 300 body. Each ends in an error and no response.
fn three_error_cases<T: std::fmt::Debug>(name: &str, call: &Call<T>, writes_once: bool) {
    // 418 empty: decoded as an error body, which an empty body is not (Go: ErrInvalidJSON).
    let e = call.decode(response(418, &[], "")).unwrap_err();
    assert!(is_invalid_json(&e, 418), "{name} 418: {e:?}");

    // 500 with an etcd error body, fed to the decoder directly (Go's API-layer tests).
    let raft = r#"{"errorCode":300,"message":"Raft Internal Error","cause":"etcdserver: request timed out","index":0}"#;
    let e = call.decode(response(500, &[], raft)).unwrap_err();
    assert_eq!(
        e.code(),
        Some(ErrorCode::RAFT_INTERNAL),
        "{name} 500 decode: {e:?}"
    );

    // Through an Op, a 5xx never reaches the decoder: it fails the endpoint
    // (`docs/protocol.md#failover-and-pinning`).
    let mut h = Harness::ordered(&["http://127.0.0.1:1001"], Config::default());
    let e = h
        .run(Op::new(call.clone()), |_| reply(500, &[], raft))
        .unwrap_err();
    if writes_once {
        assert!(e.is_outcome_unknown(), "{name} 500 op: {e:?}");
    } else {
        assert!(matches!(e, Error::Cluster(_)), "{name} 500 op: {e:?}");
        assert!(e.to_string().contains("has no leader"), "{name}: {e}");
    }
    assert_eq!(e.code(), None, "{name}: the body of a 5xx is not decoded");

    // A transport error after sending.
    let mut h = Harness::ordered(&["http://127.0.0.1:1001"], Config::default());
    let e = h
        .run(Op::new(call.clone()), |_| {
            Answer::Fail(TransportFailure::Io("reset".into()))
        })
        .unwrap_err();
    if writes_once {
        assert!(e.is_outcome_unknown(), "{name} io: {e:?}");
    } else {
        assert!(
            matches!(e, Error::Cluster(ref c) if c.failures.len() == 1),
            "{name} io: {e:?}"
        );
    }
}

#[test]
fn set_errors_63() {
    three_error_cases(
        "set",
        &keys::set("/v2/keys", "/foo", "bar", &SetOptions::default()).unwrap(),
        true,
    );
    three_error_cases(
        "create",
        &keys::create("/v2/keys", "/foo", "bar").unwrap(),
        true,
    );
}

#[test]
fn get_errors_66() {
    three_error_cases(
        "get",
        &keys::get("/v2/keys", "/foo", GetOptions::default()).unwrap(),
        false,
    );
}

#[test]
fn delete_errors_69() {
    three_error_cases(
        "delete",
        &keys::delete("/v2/keys", "/foo", &DeleteOptions::default()).unwrap(),
        true,
    );
}

#[test]
fn set_response_64() {
    let call = keys::set("/pants", "/foo/bar/baz", "snarf", &SetOptions::default()).unwrap();
    let r = call
        .decode(response(
            200,
            &[("X-Etcd-Index", "21")],
            r#"{"action":"set","node":{"key":"/pants/foo/bar/baz","value":"snarf","modifiedIndex":21,"createdIndex":21},"prevNode":{"key":"/pants/foo/bar/baz","value":"snazz","modifiedIndex":20,"createdIndex":19}}"#,
        ))
        .unwrap();
    let want = KeysResponse {
        action: Action::Set,
        node: Some(node("/pants/foo/bar/baz", Some("snarf"), 21, 21)),
        prev_node: Some(node("/pants/foo/bar/baz", Some("snazz"), 19, 20)),
        index: 21,
        ..KeysResponse::default()
    };
    assert_eq!(r, want);
}

#[test]
fn get_response_67() {
    let call = keys::get("/pants", "/foo/bar", GetOptions::default().recursive(true)).unwrap();
    let r = call
        .decode(response(
            200,
            &[("X-Etcd-Index", "42")],
            r#"{"action":"get","node":{"key":"/pants/foo/bar","dir":true,"modifiedIndex":25,"createdIndex":10,"nodes":[{"key":"/pants/foo/bar/baz","value":"snarf","createdIndex":21,"modifiedIndex":25}]}}"#,
        ))
        .unwrap();
    let want = KeysResponse {
        action: Action::Get,
        node: Some(Node {
            dir: true,
            nodes: vec![node("/pants/foo/bar/baz", Some("snarf"), 21, 25)],
            ..node("/pants/foo/bar", None, 10, 25)
        }),
        index: 42,
        ..KeysResponse::default()
    };
    assert_eq!(r, want);
}

#[test]
fn delete_response_70() {
    let call = keys::delete("/pants", "/foo/bar/baz", &DeleteOptions::default()).unwrap();
    let r = call
        .decode(response(
            200,
            &[("X-Etcd-Index", "22")],
            r#"{"action":"delete","node":{"key":"/pants/foo/bar/baz","modifiedIndex":22,"createdIndex":19},"prevNode":{"key":"/pants/foo/bar/baz","value":"snazz","modifiedIndex":20,"createdIndex":19}}"#,
        ))
        .unwrap();
    let want = KeysResponse {
        action: Action::Delete,
        node: Some(node("/pants/foo/bar/baz", None, 19, 22)),
        prev_node: Some(node("/pants/foo/bar/baz", Some("snazz"), 19, 20)),
        index: 22,
        ..KeysResponse::default()
    };
    assert_eq!(r, want);
}

/// Go's `ExampleKeysAPI_directory` (#95) and set/get example (#96): read back what was written;
/// children sorted by key.
#[test]
fn examples_95_96() {
    let r = ok(
        200,
        &[("X-Etcd-Index", "9")],
        r#"{"action":"get","node":{"key":"/myNodes","dir":true,"nodes":[{"key":"/myNodes/key2","value":"value2","modifiedIndex":8,"createdIndex":8},{"key":"/myNodes/key1","value":"value1","modifiedIndex":7,"createdIndex":7}],"modifiedIndex":6,"createdIndex":6}}"#,
    );
    let mut children = r.node.unwrap().nodes;
    children.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    let pairs: Vec<(&str, &str)> = children
        .iter()
        .map(|n| (n.key.as_str(), n.value_str()))
        .collect();
    assert_eq!(
        pairs,
        [("/myNodes/key1", "value1"), ("/myNodes/key2", "value2")]
    );

    let r = ok(
        200,
        &[],
        r#"{"action":"get","node":{"key":"/foo","value":"bar","modifiedIndex":5,"createdIndex":5}}"#,
    );
    let n = r.node.unwrap();
    assert_eq!((n.key.as_str(), n.value_str()), ("/foo", "bar"));
}
