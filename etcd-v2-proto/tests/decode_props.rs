//! Property tests of every decoder: any status, headers and body in, no panic out, and only
//! the error kinds a decoder may produce; plus a serde round trip of arbitrary node trees.

use bytes::Bytes;
use etcd_v2_proto::WatchPoll;
use etcd_v2_proto::body::{Body, clone_response};
use etcd_v2_proto::call::{auth, keys, members, misc};
use etcd_v2_proto::{
    Action, Call, DeleteOptions, Error, GetOptions, KeysResponse, Node, PermissionType,
    ProtocolError, SetOptions, Timestamp, decode_keys_response,
};
use http::{HeaderName, HeaderValue, Response};
use proptest::prelude::*;

type Decoder = Box<dyn Fn(&Response<Body>) -> Result<(), Error>>;

/// A call's decoder with its output dropped.
fn erase<T: 'static>(call: Call<T>) -> Decoder {
    Box::new(move |r| call.decode(clone_response(r)).map(drop))
}

/// `bytes` cut at the given places (any order, out of range clamped).
fn split(bytes: &[u8], cuts: &[prop::sample::Index]) -> Body {
    let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
    at.push(0);
    at.push(bytes.len());
    at.sort_unstable();
    Body::from_chunks(
        at.windows(2)
            .map(|w| Bytes::copy_from_slice(&bytes[w[0]..w[1]]))
            .collect(),
    )
}

/// Every non-keys decoder of the crate, by name.
fn api_decoders() -> Vec<(&'static str, Decoder)> {
    let peer = "http://127.0.0.1:2380";
    vec![
        ("members::list", erase(members::list().unwrap())),
        ("members::add", erase(members::add(peer).unwrap())),
        (
            "members::update",
            erase(members::update("abcd", &[peer]).unwrap()),
        ),
        ("members::remove", erase(members::remove("abcd").unwrap())),
        ("members::leader", erase(members::leader().unwrap())),
        ("auth::enable", erase(auth::enable().unwrap())),
        ("auth::disable", erase(auth::disable().unwrap())),
        ("auth::enabled", erase(auth::enabled().unwrap())),
        ("auth::list_users", erase(auth::list_users().unwrap())),
        ("auth::add_user", erase(auth::add_user("u", "p").unwrap())),
        ("auth::remove_user", erase(auth::remove_user("u").unwrap())),
        ("auth::get_user", erase(auth::get_user("u").unwrap())),
        (
            "auth::grant_user",
            erase(auth::grant_user("u", &["r"]).unwrap()),
        ),
        (
            "auth::revoke_user",
            erase(auth::revoke_user("u", &["r"]).unwrap()),
        ),
        (
            "auth::change_password",
            erase(auth::change_password("u", "p").unwrap()),
        ),
        ("auth::list_roles", erase(auth::list_roles().unwrap())),
        ("auth::add_role", erase(auth::add_role("r").unwrap())),
        ("auth::remove_role", erase(auth::remove_role("r").unwrap())),
        ("auth::get_role", erase(auth::get_role("r").unwrap())),
        (
            "auth::grant_role_kv",
            erase(auth::grant_role_kv("r", &["/a/*"], PermissionType::ReadWrite).unwrap()),
        ),
        (
            "auth::revoke_role_kv",
            erase(auth::revoke_role_kv("r", &["/a/*"], PermissionType::Read).unwrap()),
        ),
        ("misc::version", erase(misc::version().unwrap())),
        ("misc::health", erase(misc::health().unwrap())),
        ("misc::stats_self", erase(misc::stats_self().unwrap())),
        ("misc::stats_leader", erase(misc::stats_leader().unwrap())),
        ("misc::stats_store", erase(misc::stats_store().unwrap())),
        ("misc::machines", erase(misc::machines().unwrap())),
    ]
}

/// The keys calls' decoders (all share the rules of `docs/protocol.md#status-handling`).
fn keys_decoders() -> Vec<(&'static str, Decoder)> {
    vec![
        (
            "keys::get",
            erase(keys::get("/v2/keys", "k", GetOptions::default()).unwrap()),
        ),
        (
            "keys::set",
            erase(keys::set("/v2/keys", "k", "v", &SetOptions::default()).unwrap()),
        ),
        (
            "keys::create",
            erase(keys::create("/v2/keys", "k", "v").unwrap()),
        ),
        (
            "keys::update",
            erase(keys::update("/v2/keys", "k", "v").unwrap()),
        ),
        (
            "keys::create_in_order",
            erase(keys::create_in_order("/v2/keys", "q", "v", Default::default()).unwrap()),
        ),
        (
            "keys::delete",
            erase(keys::delete("/v2/keys", "k", &DeleteOptions::default()).unwrap()),
        ),
    ]
}

/// Only answer-derived errors may come out of a decoder: never usage, cluster, deadline, ….
fn is_answer_error(e: &Error) -> bool {
    matches!(
        e,
        Error::Etcd(_) | Error::Api(_) | Error::UnexpectedStatus(_) | Error::Protocol(_)
    )
}

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

fn headers() -> impl Strategy<Value = Vec<(usize, Vec<u8>)>> {
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
fn unknown_members() -> impl Strategy<Value = Vec<u8>> {
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

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        mutated_seed(),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        (0..SEEDS.len()).prop_map(|i| SEEDS[i].as_bytes().to_vec()),
    ]
}

/// Any status in 100..600, with the ones the decoders treat specially drawn more often.
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        2 => prop::sample::select(vec![200u16, 201, 204, 400, 404, 409, 410, 412, 503]),
        3 => 100u16..600,
    ]
}

fn build(status: u16, headers: &[(usize, Vec<u8>)], body: Vec<u8>) -> Response<Body> {
    let mut b = Response::builder().status(status);
    for (name, value) in headers {
        // Values a real HTTP stack could not deliver (control bytes) are skipped.
        if let Ok(v) = HeaderValue::from_bytes(value) {
            b = b.header(HeaderName::from_static(HEADER_NAMES[*name]), v);
        }
    }
    b.body(Body::from(body)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Keys answers never panic; success only for 200/201 with a body; anything else is
    /// an etcd error or a protocol error.
    #[test]
    fn keys_decoder_never_panics(status in status(), headers in headers(), body in body()) {
        let response = build(status, &headers, body.clone());
        let result = decode_keys_response(clone_response(&response));
        match &result {
            Ok(_) => {
                prop_assert!(status == 200 || status == 201, "success from {}", status);
                prop_assert!(!body.is_empty());
            }
            Err(Error::Etcd(_)) => prop_assert!(status != 200 && status != 201),
            Err(Error::Protocol(ProtocolError::EmptyBody)) => {
                prop_assert!((status == 200 || status == 201) && body.is_empty());
            }
            Err(Error::Protocol(_)) => {}
            Err(other) => prop_assert!(false, "unexpected error kind {:?}", other),
        }
        // Every keys call decodes exactly like the free function.
        for (name, decoder) in keys_decoders() {
            prop_assert_eq!(decoder(&response).is_ok(), result.is_ok(), "{}", name);
        }
    }

    /// The keys decoder gives what serde_json gives for the same body (the decoders in
    /// `model`, kept for users), however the body is cut into chunks: equal values, or an
    /// error from both. A body that is not UTF-8 is always an error.
    #[test]
    fn keys_decoder_agrees_with_serde(
        body in prop_oneof![body(), unknown_members()],
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..5),
    ) {
        let response = Response::builder().status(200).body(split(&body, &cuts)).unwrap();
        let ours = decode_keys_response(response);
        let Ok(text) = std::str::from_utf8(&body) else {
            prop_assert!(ours.is_err(), "{:?}", ours);
            return Ok(());
        };
        let starts_as_object = text.trim_start_matches([' ', '\t', '\n', '\r']).starts_with('{');
        let oracle = serde_json::from_str::<KeysResponse>(text).ok().filter(|_| starts_as_object);
        prop_assert_eq!(ours.ok(), oracle, "{}", text);
    }

    /// The watch poll decoder: never panics; an empty poll only for an empty 200/201; an event
    /// always carries a node.
    #[test]
    fn wait_decoder_never_panics(status in status(), headers in headers(), body in body()) {
        let call = keys::wait("/v2/keys", "k", true, 7).unwrap();
        let response = build(status, &headers, body.clone());
        match call.decode(response) {
            Ok(WatchPoll::Empty { .. }) => {
                prop_assert!((status == 200 || status == 201) && body.is_empty());
            }
            Ok(WatchPoll::Event(event)) => {
                prop_assert!(status == 200 || status == 201);
                prop_assert!(event.node.is_some());
            }
            Err(e) => {
                prop_assert!(is_answer_error(&e), "{:?}", e);
                prop_assert!(e != Error::Protocol(ProtocolError::EmptyBody));
            }
        }
    }

    /// Members, auth and misc decoders: never panic; success only for statuses the APIs
    /// answer with on success (200, 201, 204, 410 for a removed member, 503 for /health).
    #[test]
    fn api_decoders_never_panic(status in status(), headers in headers(), body in body()) {
        let response = build(status, &headers, body);
        for (name, decoder) in api_decoders() {
            match decoder(&response) {
                Ok(()) => prop_assert!(
                    [200, 201, 204, 410, 503].contains(&status),
                    "{} succeeded with {}", name, status
                ),
                Err(e) => prop_assert!(is_answer_error(&e), "{}: {:?}", name, e),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Round trip of node trees
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

fn node_tree() -> impl Strategy<Value = Node> {
    leaf_node().prop_recursive(3, 40, 5, |inner| {
        (leaf_node(), proptest::collection::vec(inner, 0..5)).prop_map(|(mut n, children)| {
            n.nodes = children;
            n
        })
    })
}

fn action() -> impl Strategy<Value = Action> {
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any node tree (bounded depth) written by a standard JSON encoder decodes to itself, with
    /// the header fields taken from the headers.
    #[test]
    fn node_trees_round_trip(
        action in action(),
        node in proptest::option::of(node_tree()),
        prev in proptest::option::of(node_tree()),
        index in any::<u64>(),
        raft in proptest::option::of((any::<u64>(), any::<u64>())),
        cluster in proptest::option::of("[0-9a-f]{1,16}"),
        created in any::<bool>(),
    ) {
        let sent = KeysResponse {
            action: action.clone(),
            node,
            prev_node: prev,
            index,
            cluster_id: cluster.clone(),
            raft_index: raft.map(|r| r.0),
            raft_term: raft.map(|r| r.1),
        };
        let body = serde_json::to_vec(&sent).unwrap();
        let mut b = Response::builder()
            .status(if created { 201 } else { 200 })
            .header("X-Etcd-Index", index.to_string());
        if let Some(c) = &cluster {
            b = b.header("X-Etcd-Cluster-Id", c.as_str());
        }
        if let Some((ri, rt)) = raft {
            b = b.header("X-Raft-Index", ri.to_string()).header("X-Raft-Term", rt.to_string());
        }
        let got = decode_keys_response(b.body(Body::from(body)).unwrap()).unwrap();
        prop_assert_eq!(got, sent);
    }

    /// The same tree in Go's HTML-safe escaping (`\u003c`, `\u0026`, `\u003e`, U+2028/9
    /// escaped) decodes identically.
    #[test]
    fn go_html_escaped_trees_round_trip(node in node_tree()) {
        let sent = KeysResponse { action: Action::Get, node: Some(node), ..KeysResponse::default() };
        let plain = serde_json::to_string(&sent).unwrap();
        let go_style = plain
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029");
        let response = Response::builder().status(200).body(Body::from(go_style)).unwrap();
        prop_assert_eq!(decode_keys_response(response).unwrap(), sent);
    }
}
