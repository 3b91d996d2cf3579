//! Go's unmarshalling tests: TestUnmarshalSuccessfulResponse (#50–56),
//! TestUnmarshalFailedKeysResponse (#57), TestUnmarshalFailedKeysResponseBadJSON (#58).

use std::time::Duration;

use bytes::Bytes;
use etcd_v2_proto::{Action, Error, ErrorCode, EtcdError, ProtocolError, decode_keys_response};
use http::Response;

use crate::{decode, is_invalid_json, node, ok, ts};

#[test]
fn success_without_node_50() {
    let r = ok(200, &[("X-Etcd-Index", "1")], r#"{"action":"delete"}"#);
    assert_eq!(r.action, Action::Delete);
    assert_eq!(r.index, 1);
    assert_eq!(r.node, None);
    assert_eq!(r.prev_node, None);
    assert_eq!(r.cluster_id, None);
}

#[test]
fn only_prev_node_51() {
    let r = ok(
        200,
        &[("X-Etcd-Index", "15")],
        r#"{"action":"delete","prevNode":{"key":"/foo","value":"bar","modifiedIndex":12,"createdIndex":10}}"#,
    );
    assert_eq!(r.index, 15);
    assert_eq!(r.node, None);
    assert_eq!(r.prev_node, Some(node("/foo", Some("bar"), 10, 12)));
}

#[test]
fn ttl_and_expiration_52() {
    let r = ok(
        200,
        &[("X-Etcd-Index", "15")],
        r#"{"action":"get","node":{"key":"/foo","value":"bar","modifiedIndex":12,"createdIndex":10,"ttl":10,"expiration":"2015-04-07T04:40:23.044979686Z"}}"#,
    );
    let n = r.node.unwrap();
    assert_eq!(n.ttl, Some(10));
    assert_eq!(n.ttl_duration(), Duration::from_secs(10));
    assert_eq!(n.expiration, Some(ts(1_428_381_623, 44_979_686)));
    assert_eq!(
        n.expiration.unwrap().to_string(),
        "2015-04-07T04:40:23.044979686Z"
    );
}

#[test]
fn dir_and_cluster_id_53() {
    let r = ok(
        200,
        &[("X-Etcd-Index", "15"), ("X-Etcd-Cluster-ID", "abcdef")],
        r#"{"action":"get","node":{"key":"/foo","dir":true,"modifiedIndex":12,"createdIndex":10}}"#,
    );
    let n = r.node.unwrap();
    assert!(n.dir);
    assert_eq!(n.value, None);
    assert!(n.nodes.is_empty());
    assert_eq!(r.cluster_id.as_deref(), Some("abcdef"));
}

#[test]
fn node_and_prev_node_54() {
    let r = ok(
        200,
        &[("X-Etcd-Index", "15")],
        r#"{"action":"update","prevNode":{"key":"/foo","value":"baz","modifiedIndex":10,"createdIndex":10},"node":{"key":"/foo","value":"bar","modifiedIndex":12,"createdIndex":10}}"#,
    );
    assert_eq!(r.action, Action::Update);
    assert_eq!(r.node, Some(node("/foo", Some("bar"), 10, 12)));
    assert_eq!(r.prev_node, Some(node("/foo", Some("baz"), 10, 10)));
}

#[test]
fn garbage_body_55() {
    let e = decode(200, &[("X-Etcd-Index", "15")], "garbage").unwrap_err();
    assert!(is_invalid_json(&e, 200), "{e:?}");
    assert!(
        e.to_string().starts_with(
            "client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint"
        ),
        "{e}"
    );
}

#[test]
fn bad_index_header_56() {
    let e = decode(200, &[("X-Etcd-Index", "poo")], "{}").unwrap_err();
    assert_eq!(
        e,
        Error::Protocol(ProtocolError::BadHeader {
            name: "x-etcd-index",
            value: "poo".into()
        })
    );
    for (name, value) in [
        ("X-Etcd-Index", "-1"),
        ("X-Etcd-Index", "1.5"),
        ("X-Etcd-Index", "18446744073709551616"),
        ("X-Raft-Index", "x"),
        ("X-Raft-Term", "0x10"),
    ] {
        let e = decode(200, &[(name, value)], r#"{"action":"get"}"#).unwrap_err();
        assert!(
            matches!(&e, Error::Protocol(ProtocolError::BadHeader { name: n, value: v }) if n.eq_ignore_ascii_case(name) && v == value),
            "{name}: {value}: {e:?}"
        );
    }
}

/// Go parses X-Etcd-Index with `strconv.ParseUint`, which refuses a sign and any byte that is
/// not a digit; a present, non-empty but unparsable header fails the call. (The core
/// once treated a non-ASCII value as absent and accepted a leading `+`.)
#[test]
fn unparsable_index_headers_are_errors() {
    let bad_bytes = Response::builder()
        .status(200)
        .header(
            "X-Etcd-Index",
            http::HeaderValue::from_bytes(b"5\xff").unwrap(),
        )
        .body(Bytes::from_static(br#"{"action":"get"}"#))
        .unwrap();
    let e = decode_keys_response(bad_bytes);
    assert!(
        matches!(e, Err(Error::Protocol(ProtocolError::BadHeader { .. }))),
        "non-ASCII header: {e:?}"
    );
    for value in ["+5", " 5", "5 ", "٣"] {
        let e = decode(200, &[("X-Etcd-Index", value)], r#"{"action":"get"}"#);
        assert!(
            matches!(e, Err(Error::Protocol(ProtocolError::BadHeader { .. }))),
            "{value:?}: {e:?}"
        );
    }
}

#[test]
fn error_body_57() {
    let e = decode(
        404,
        &[("X-Etcd-Index", "18")],
        r#"{"errorCode":100,"message":"Key not found","cause":"/foo","index":18}"#,
    )
    .unwrap_err();
    let want = EtcdError {
        code: ErrorCode::KEY_NOT_FOUND,
        message: "Key not found".into(),
        cause: "/foo".into(),
        index: 18,
    };
    assert_eq!(e, Error::Etcd(want.clone()));
    assert_eq!(e.etcd(), Some(&want));
    assert!(e.is_key_not_found());
    assert!(!e.is_test_failed());
    assert_eq!(e.to_string(), "100: Key not found (/foo) [18]");
}

#[test]
fn truncated_error_body_58() {
    let e = decode(404, &[], r#"{"er"#).unwrap_err();
    assert!(is_invalid_json(&e, 404), "{e:?}");
    assert_eq!(e.etcd(), None);
    assert_eq!(e.code(), None);
    assert!(!e.is_key_not_found());
}
