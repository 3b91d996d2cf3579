//! Success bodies seen from etcd 3.4, and how the decoder treats odd but valid JSON.

use std::time::Duration;

use etcd_v2_proto::{Action, ErrorCode, KeysResponse, Node};

use crate::{decode, is_invalid_json, node, ok, ts};

const OBSERVED_HEADERS: [(&str, &str); 5] = [
    ("Content-Type", "application/json"),
    ("X-Etcd-Cluster-Id", "263de8252887371c"),
    ("X-Etcd-Index", "4"),
    ("X-Raft-Index", "6"),
    ("X-Raft-Term", "2"),
];

#[test]
fn observed_set_201_with_headers() {
    let r = ok(
        201,
        &OBSERVED_HEADERS,
        "{\"action\":\"set\",\"node\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":4,\"createdIndex\":4}}\n",
    );
    let want = KeysResponse {
        action: Action::Set,
        node: Some(node("/foo", Some("bar"), 4, 4)),
        prev_node: None,
        index: 4,
        cluster_id: Some("263de8252887371c".into()),
        raft_index: Some(6),
        raft_term: Some(2),
    };
    assert_eq!(r, want);
}

#[test]
fn headers_absent_or_empty() {
    let r = ok(200, &[], r#"{"action":"get"}"#);
    assert_eq!(
        (r.index, r.cluster_id, r.raft_index, r.raft_term),
        (0, None, None, None)
    );
    let empty = [
        ("X-Etcd-Index", ""),
        ("X-Etcd-Cluster-Id", ""),
        ("X-Raft-Index", ""),
        ("X-Raft-Term", ""),
    ];
    let r = ok(200, &empty, r#"{"action":"get"}"#);
    assert_eq!(
        (r.index, r.cluster_id, r.raft_index, r.raft_term),
        (0, None, None, None)
    );
    // Header names are case-insensitive; the largest index parses.
    let r = ok(
        200,
        &[
            ("x-etcd-index", "18446744073709551615"),
            ("X-ETCD-CLUSTER-ID", "c"),
        ],
        r#"{"action":"get"}"#,
    );
    assert_eq!(r.index, u64::MAX);
    assert_eq!(r.cluster_id.as_deref(), Some("c"));
}

#[test]
fn observed_overwrite_with_prev_node() {
    let r = ok(
        200,
        &[("X-Etcd-Index", "5")],
        r#"{"action":"set","node":{"key":"/foo","value":"baz","modifiedIndex":5,"createdIndex":5},"prevNode":{"key":"/foo","value":"bar","modifiedIndex":4,"createdIndex":4}}"#,
    );
    assert_eq!(r.action, Action::Set);
    assert_eq!(r.node, Some(node("/foo", Some("baz"), 5, 5)));
    assert_eq!(r.prev_node, Some(node("/foo", Some("bar"), 4, 4)));
    assert_eq!(r.index, 5);
}

#[test]
fn observed_write_bodies() {
    let prev = r#"{"key":"/foo","value":"old","modifiedIndex":5,"createdIndex":5}"#;
    let cases = [
        (
            201,
            r#"{"action":"create","node":{"key":"/newkey","value":"x","modifiedIndex":6,"createdIndex":6}}"#.to_owned(),
            Action::Create,
            node("/newkey", Some("x"), 6, 6),
            false,
        ),
        (
            200,
            format!(r#"{{"action":"update","node":{{"key":"/foo","value":"upd","modifiedIndex":7,"createdIndex":5}},"prevNode":{prev}}}"#),
            Action::Update,
            node("/foo", Some("upd"), 5, 7),
            true,
        ),
        (
            200,
            format!(r#"{{"action":"compareAndSwap","node":{{"key":"/foo","value":"cas","modifiedIndex":8,"createdIndex":5}},"prevNode":{prev}}}"#),
            Action::CompareAndSwap,
            node("/foo", Some("cas"), 5, 8),
            true,
        ),
        (
            200,
            r#"{"action":"delete","node":{"key":"/foo","modifiedIndex":25,"createdIndex":9},"prevNode":{"key":"/foo","value":"nv","modifiedIndex":9,"createdIndex":9}}"#.to_owned(),
            Action::Delete,
            node("/foo", None, 9, 25),
            true,
        ),
        (
            200,
            r#"{"action":"compareAndDelete","node":{"key":"/cad","modifiedIndex":28,"createdIndex":27},"prevNode":{"key":"/cad","value":"v","modifiedIndex":27,"createdIndex":27}}"#.to_owned(),
            Action::CompareAndDelete,
            node("/cad", None, 27, 28),
            true,
        ),
    ];
    for (status, body, action, want_node, has_prev) in cases {
        let r = ok(status, &[], &body);
        assert_eq!(r.action, action, "{body}");
        assert_eq!(
            r.action.as_str(),
            body.split('"').nth(3).unwrap(),
            "wire name"
        );
        assert_eq!(r.node.as_ref(), Some(&want_node), "{body}");
        assert_eq!(r.prev_node.is_some(), has_prev, "{body}");
    }
    // The deleted node has no value; the prev node keeps it.
    let r = ok(
        200,
        &[],
        r#"{"action":"delete","node":{"key":"/foo","modifiedIndex":25,"createdIndex":9},"prevNode":{"key":"/foo","value":"nv","modifiedIndex":9,"createdIndex":9}}"#,
    );
    assert_eq!(r.node.unwrap().value_str(), "");
    assert_eq!(r.prev_node.unwrap().value.as_deref(), Some("nv"));
}

#[test]
fn observed_ttl_node_expiration_exact() {
    let r = ok(
        201,
        &[],
        r#"{"action":"set","node":{"key":"/ttlkey","value":"t","expiration":"2026-11-25T16:28:13.988958999Z","ttl":100,"modifiedIndex":10,"createdIndex":10}}"#,
    );
    let n = r.node.unwrap();
    let exp = n.expiration.unwrap();
    assert_eq!(exp, ts(1_795_624_093, 988_958_999));
    assert_eq!(
        (exp.unix_seconds(), exp.subsec_nanos()),
        (1_795_624_093, 988_958_999)
    );
    assert_eq!(exp.to_string(), "2026-11-25T16:28:13.988958999Z");
    assert_eq!(n.ttl, Some(100));
    assert_eq!(n.ttl_duration(), Duration::from_secs(100));
}

#[test]
fn observed_expire_event() {
    let r = ok(
        200,
        &[("X-Etcd-Index", "51")],
        r#"{"action":"expire","node":{"key":"/rk","modifiedIndex":53,"createdIndex":46},"prevNode":{"key":"/rk","value":"v","expiration":"2026-11-25T16:28:13.988958999Z","modifiedIndex":46,"createdIndex":46}}"#,
    );
    assert_eq!(r.action, Action::Expire);
    assert_eq!(r.node, Some(node("/rk", None, 46, 53)));
    let prev = r.prev_node.unwrap();
    assert_eq!(prev.value.as_deref(), Some("v"));
    assert_eq!(prev.expiration, Some(ts(1_795_624_093, 988_958_999)));
    assert_eq!(prev.ttl, None);
    // The watch's X-Etcd-Index (registration) is lower than the event's index
    // (`docs/protocol.md#headers`).
    assert_eq!(r.index, 51);
}

#[test]
fn observed_no_value_on_success() {
    for status in [200, 201] {
        let r = ok(status, &[("X-Etcd-Index", "9")], "{\"action\":\"set\"}\n");
        assert_eq!(r.action, Action::Set);
        assert_eq!(r.node, None);
        assert_eq!(r.prev_node, None);
        assert_eq!(r.index, 9);
    }
}

#[test]
fn observed_root_and_empty_dirs() {
    let r = ok(
        200,
        &[],
        r#"{"action":"get","node":{"dir":true,"nodes":[{"key":"/foo","value":"bar","modifiedIndex":4,"createdIndex":4},{"key":"/dir1","dir":true,"modifiedIndex":12,"createdIndex":12}]}}"#,
    );
    let root = r.node.unwrap();
    assert_eq!(root.key, "");
    assert!(root.dir);
    assert_eq!((root.created_index, root.modified_index), (0, 0));
    assert_eq!(root.nodes.len(), 2);
    assert_eq!(root.nodes[0], node("/foo", Some("bar"), 4, 4));
    // A child directory of a non-recursive listing: no `nodes`.
    assert!(root.nodes[1].dir && root.nodes[1].nodes.is_empty() && root.nodes[1].value.is_none());

    let r = ok(
        200,
        &[],
        r#"{"action":"get","node":{"key":"/emptydir","dir":true,"modifiedIndex":23,"createdIndex":23}}"#,
    );
    let dir = r.node.unwrap();
    assert_eq!(
        dir,
        Node {
            dir: true,
            ..node("/emptydir", None, 23, 23)
        }
    );
}

#[test]
fn observed_html_escaped_strings() {
    let r = ok(
        200,
        &[],
        r#"{"action":"get","node":{"key":"/esc/\u003ca\u0026b\u003eé","value":"\u003ca\u0026b\u003eé","modifiedIndex":3,"createdIndex":3}}"#,
    );
    let n = r.node.unwrap();
    assert_eq!(n.key, "/esc/<a&b>é");
    assert_eq!(n.value.as_deref(), Some("<a&b>é"));
}

#[test]
fn value_presence_is_kept() {
    // An empty value is a value; a missing one is not (Go would give "" for both).
    let r = ok(
        200,
        &[],
        r#"{"action":"get","node":{"key":"/e","value":""}}"#,
    );
    assert_eq!(r.node.unwrap().value, Some(String::new()));
    let r = ok(200, &[], r#"{"action":"get","node":{"key":"/e"}}"#);
    assert_eq!(r.node.unwrap().value, None);
}

#[test]
fn unknown_keys_ignored_and_names_case_sensitive() {
    let r = ok(
        200,
        &[],
        r#"{"action":"get","extra":[1,{"x":null}],"node":{"key":"/k","value":"v","other":true}}"#,
    );
    assert_eq!(r.node.unwrap().value.as_deref(), Some("v"));
    // Go 3.3+ decodes case-sensitively: `Action`/`Node` are unknown keys.
    let r = ok(200, &[], r#"{"Action":"set","Node":{"key":"/k"}}"#);
    assert_eq!(r.action, Action::default());
    assert_eq!(r.action.as_str(), "");
    assert_eq!(r.node, None);
    // An unknown action is kept verbatim.
    let r = ok(200, &[], r#"{"action":"frobnicate"}"#);
    assert_eq!(r.action, Action::Other("frobnicate".into()));
    assert_eq!(r.action.to_string(), "frobnicate");
}

#[test]
fn wrongly_typed_fields_are_invalid_json() {
    for body in [
        r#"{"action":1}"#,
        r#"{"action":"get","node":{"key":"/k","createdIndex":-1}}"#,
        r#"{"action":"get","node":{"key":"/k","ttl":"10"}}"#,
        r#"{"action":"get","node":{"key":"/k","expiration":"2015-02-30T00:00:00Z"}}"#,
        r#"{"action":"get","node":{"key":"/k","dir":"true"}}"#,
        "{\"action\":\"get\"}{",
        // Not objects: serde would read a struct from an array, Go does not.
        "[]",
        r#"["get",{"key":"/k"}]"#,
        r#""get""#,
        "null",
        "  \n ",
    ] {
        let e = decode(200, &[], body).unwrap_err();
        assert!(is_invalid_json(&e, 200), "{body}: {e:?}");
    }
    // The same for error bodies: an array is not `{errorCode,…}`.
    let e = decode(404, &[], r#"[100,"Key not found","/x",5]"#).unwrap_err();
    assert!(is_invalid_json(&e, 404), "{e:?}");
}

/// Go refuses a JSON array where a node object belongs (`json: cannot unmarshal array into Go
/// struct field`) → ErrInvalidJSON. The core checks only the top level of the body
/// (`decode::json`), so serde's derived `Deserialize` reads a nested array as a node made of
/// positional fields: `"node":[]` becomes an empty node, `"node":["/k",false,"v"]` the node
/// `/k` with value `v`.
#[test]
fn nested_arrays_are_not_nodes() {
    for body in [
        r#"{"action":"get","node":[]}"#,
        r#"{"action":"get","node":["/k",false,"v"]}"#,
        r#"{"action":"delete","prevNode":[]}"#,
        r#"{"action":"get","node":{"key":"/d","dir":true,"nodes":[[]]}}"#,
    ] {
        let e = decode(200, &[], body);
        assert!(
            matches!(&e, Err(err) if is_invalid_json(err, 200)),
            "{body}: {e:?}"
        );
    }
}

/// Go (encoding/json and json-iterator alike) decodes `null` into a string, bool, number or
/// slice field as "leave the zero value"; the core's serde types refuse it, so
/// `{"key":null}` or `"nodes":null` fail the whole answer with ErrInvalidJSON. etcd itself
/// never writes these nulls (its fields are `omitempty`), so only proxies/other servers hit it.
#[test]
fn null_fields_are_zero_values() {
    let r = decode(
        200,
        &[],
        r#"{"action":"get","node":{"key":null,"dir":null,"nodes":null,"createdIndex":null,"modifiedIndex":null,"ttl":null,"expiration":null,"value":null}}"#,
    );
    assert_eq!(r.map(|r| r.node), Ok(Some(Node::default())));
    let e = decode(
        404,
        &[],
        r#"{"errorCode":null,"message":null,"cause":"/x","index":null}"#,
    );
    assert_eq!(e.map_err(|e| e.code()), Err(Some(ErrorCode(0))));
}
