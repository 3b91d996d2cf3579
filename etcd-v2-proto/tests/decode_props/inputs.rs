//! Generated answers: statuses, headers and bodies (mutated seeds, unknown members, any
//! JSON), the response built from them, and node trees.

use etcd_v2_proto::body::Body;
use etcd_v2_proto::{Action, KeysResponse, Node, Timestamp};
use http::{HeaderName, HeaderValue, Response};
use proptest::prelude::*;

const HEADER_NAMES: [&str; 7] = [
    "x-etcd-index",
    "x-etcd-cluster-id",
    "x-raft-index",
    "x-raft-term",
    "content-type",
    "location",
    "x-other",
];

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[0-9]{0,22}".prop_map(String::into_bytes),
        Just(b"18446744073709551616".to_vec()),
        Just(b"+5".to_vec()),
        Just(b"poo".to_vec()),
        "[ -~]{0,12}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..12),
    ]
}

pub(crate) fn headers() -> impl Strategy<Value = Vec<(usize, Vec<u8>)>> {
    proptest::collection::vec((0..HEADER_NAMES.len(), header_value()), 0..6)
}

/// Bodies that reach deep into the decoders: real etcd bodies, mutated; arbitrary JSON built
/// from the field names etcd uses; and plain random bytes.
const SEEDS: [&str; 12] = [
    r#"{"action":"set","node":{"key":"/foo","value":"bar","modifiedIndex":4,"createdIndex":4}}"#,
    r#"{"action":"get","node":{"key":"/d","dir":true,"nodes":[{"key":"/d/a","value":"1","ttl":5,"expiration":"2026-11-25T16:28:13.988958999Z","modifiedIndex":2,"createdIndex":2}]},"prevNode":{"key":"/d"}}"#,
    r#"{"errorCode":100,"message":"Key not found","cause":"/foo","index":18}"#,
    r#"{"message":"membership: peerURL exists"}"#,
    r#"{"members":[{"id":"886b03c4ae679a15","name":"e1","peerURLs":["http://127.0.0.1:24800"],"clientURLs":["http://127.0.0.1:24790"]}]}"#,
    r#"{"id":"94088180e21eb87b","name":"","peerURLs":["http://127.0.0.1:7002"],"clientURLs":[]}"#,
    r#"{"user":"root","roles":[{"role":"root","permissions":{"kv":{"read":["/*"],"write":["/*"]}}}]}"#,
    r#"{"users":[{"user":"a","roles":["r"]}],"roles":[{"role":"r","permissions":{"kv":{"read":null,"write":["/x"]}}}],"enabled":true}"#,
    r#"{"etcdserver":"3.4.23","etcdcluster":"3.4.0","health":"true"}"#,
    r#"{"name":"e1","id":"886b","state":"StateLeader","leaderInfo":{"leader":"886b","uptime":"2m","startTime":"x"},"recvAppendRequestCnt":0,"recvPkgRate":1.5}"#,
    r#"{"leader":"886b","followers":{"ff89":{"latency":{"current":1.0,"average":2,"standardDeviation":0.5,"minimum":0,"maximum":3},"counts":{"fail":0,"success":3}}}}"#,
    "http://127.0.0.1:24790, http://127.0.0.1:24791",
];

const FIELD_NAMES: [&str; 24] = [
    "action",
    "node",
    "prevNode",
    "key",
    "value",
    "dir",
    "nodes",
    "ttl",
    "expiration",
    "createdIndex",
    "modifiedIndex",
    "errorCode",
    "message",
    "cause",
    "index",
    "members",
    "id",
    "peerURLs",
    "clientURLs",
    "user",
    "roles",
    "role",
    "permissions",
    "health",
];

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::String),
        Just(Value::String("2026-11-25T16:28:13.988958999Z".into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            proptest::collection::vec((0..FIELD_NAMES.len(), inner), 0..6).prop_map(|fields| {
                serde_json::Value::Object(
                    fields
                        .into_iter()
                        .map(|(i, v)| (FIELD_NAMES[i].to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
}

fn mutated_seed() -> impl Strategy<Value = Vec<u8>> {
    (
        0..SEEDS.len(),
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 0..6),
        proptest::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(seed, edits, cut)| {
            let mut bytes = SEEDS[seed].as_bytes().to_vec();
            for (at, byte, kind) in edits {
                if bytes.is_empty() {
                    bytes.push(byte);
                    continue;
                }
                let i = at.index(bytes.len());
                match kind {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => {
                        bytes.remove(i);
                    }
                }
            }
            if let Some(cut) = cut {
                let len = cut.index(bytes.len() + 1);
                bytes.truncate(len);
            }
            bytes
        })
}

/// A keys answer of random nodes with random members of any type mixed in (known names
/// with the wrong type, unknown ones, `null`s), as bytes.
pub(crate) fn unknown_members() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::option::of(node_tree()),
        proptest::collection::vec((0..FIELD_NAMES.len(), json_value()), 0..4),
        proptest::collection::vec((0..FIELD_NAMES.len(), json_value()), 0..4),
    )
        .prop_map(|(node, top, inner)| {
            let sent = KeysResponse {
                action: Action::Get,
                node,
                ..KeysResponse::default()
            };
            let mut value = serde_json::to_value(&sent).unwrap();
            let object = value.as_object_mut().unwrap();
            for (name, v) in top {
                object.insert(FIELD_NAMES[name].to_owned(), v);
            }
            if let Some(node) = object.get_mut("node").and_then(|n| n.as_object_mut()) {
                for (name, v) in inner {
                    node.insert(FIELD_NAMES[name].to_owned(), v);
                }
            }
            serde_json::to_vec(&value).unwrap()
        })
}

pub(crate) fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        mutated_seed(),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        (0..SEEDS.len()).prop_map(|i| SEEDS[i].as_bytes().to_vec()),
    ]
}

/// Any status in 100..600, with the ones the decoders treat specially drawn more often.
pub(crate) fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        2 => prop::sample::select(vec![200u16, 201, 204, 400, 404, 409, 410, 412, 503]),
        3 => 100u16..600,
    ]
}

pub(crate) fn build(status: u16, headers: &[(usize, Vec<u8>)], body: Vec<u8>) -> Response<Body> {
    let mut b = Response::builder().status(status);
    for (name, value) in headers {
        // Values a real HTTP stack could not deliver (control bytes) are skipped.
        if let Ok(v) = HeaderValue::from_bytes(value) {
            b = b.header(HeaderName::from_static(HEADER_NAMES[*name]), v);
        }
    }
    b.body(Body::from(body)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Node trees, for the round trip and as members of generated bodies
// ---------------------------------------------------------------------------------------------

/// Unicode strings with the HTML-sensitive characters Go escapes.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        "[<&>\"\\\\/ a-z\u{e9}\u{20ac}\u{1F600}\u{2028}\u{2029}\u{0}-\u{1f}]{0,12}",
        any::<String>(),
    ]
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (-62_167_219_200_i64..=253_402_300_799, 0u32..1_000_000_000)
        .prop_map(|(secs, nanos)| Timestamp::from_unix(secs, nanos).unwrap())
}

fn leaf_node() -> impl Strategy<Value = Node> {
    (
        text(),
        any::<bool>(),
        proptest::option::of(text()),
        any::<u64>(),
        any::<u64>(),
        proptest::option::of(timestamp()),
        proptest::option::of(any::<i64>()),
    )
        .prop_map(
            |(key, dir, value, created_index, modified_index, expiration, ttl)| Node {
                key,
                dir,
                value,
                nodes: Vec::new(),
                created_index,
                modified_index,
                expiration,
                ttl,
            },
        )
}

pub(crate) fn node_tree() -> impl Strategy<Value = Node> {
    leaf_node().prop_recursive(3, 40, 5, |inner| {
        (leaf_node(), proptest::collection::vec(inner, 0..5)).prop_map(|(mut n, children)| {
            n.nodes = children;
            n
        })
    })
}

pub(crate) fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Get),
        Just(Action::Set),
        Just(Action::Create),
        Just(Action::Update),
        Just(Action::Delete),
        Just(Action::CompareAndSwap),
        Just(Action::CompareAndDelete),
        Just(Action::Expire),
        "[a-zA-Z]{1,10}".prop_map(Action::Other),
    ]
}
