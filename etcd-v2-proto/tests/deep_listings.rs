//! A keys listing nested as deep as the decoder takes ([`MAX_NODE_DEPTH`]) is safe to use on a
//! 2 MiB thread stack, even in a debug build; one level more is refused with a typed error.
//!
//! `Debug`, `Clone`, `==`, `Serialize` and `Drop` of a `Node` recurse once per level: a
//! hostile member answering a listing 4,000 levels deep used to crash whoever printed it.

use etcd_v2_proto::{
    Error, KeysResponse, MAX_NODE_DEPTH, Node, ProtocolError, decode_keys_response,
};

/// A recursive listing whose nodes nest `depth` levels (`node` is level 1, the leaf `depth`).
fn listing(depth: usize) -> String {
    let mut text = String::from(r#"{"action":"get","node":"#);
    for i in 1..depth {
        text += &format!(
            r#"{{"key":"/{i}","dir":true,"modifiedIndex":{i},"createdIndex":{i},"nodes":["#
        );
    }
    text += r#"{"key":"/leaf","value":"v","modifiedIndex":7,"createdIndex":7}"#;
    for _ in 1..depth {
        text += "]}";
    }
    text += "}";
    text
}

fn decode(body: String) -> Result<KeysResponse, Error> {
    decode_keys_response(http::Response::new(body))
}

/// Levels of nodes below and with `node` (without recursing).
fn depth(node: &Node) -> usize {
    let mut levels = 1;
    let mut n = node;
    while let Some(child) = n.nodes.first() {
        levels += 1;
        n = child;
    }
    levels
}

#[test]
fn a_listing_nested_at_the_limit_is_safe_on_a_2_mib_stack() {
    let body = listing(MAX_NODE_DEPTH);
    let worker = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let response = decode(body).expect("nested at the limit decodes");
            let node = response.node.as_ref().unwrap();
            assert_eq!(depth(node), MAX_NODE_DEPTH);
            let debug = format!("{response:?}");
            let pretty = format!("{node:#?}");
            let copy = response.clone();
            assert!(copy == response);
            let json = serde_json::to_string(&response).unwrap();
            drop(copy);
            drop(response);
            (debug.len(), pretty.len(), json.len())
        })
        .unwrap();
    let (debug, pretty, json) = worker.join().expect("no stack overflow");
    println!(
        "{MAX_NODE_DEPTH} levels on a 2 MiB stack: {{:?}} {debug} bytes, {{:#?}} {pretty} bytes, \
         JSON {json} bytes"
    );
    assert!(debug > MAX_NODE_DEPTH && pretty > debug && json > MAX_NODE_DEPTH);
}

#[test]
fn one_level_more_is_refused_with_a_typed_error() {
    let too_deep = Error::Protocol(ProtocolError::NestedTooDeep {
        limit: MAX_NODE_DEPTH,
    });
    assert_eq!(decode(listing(MAX_NODE_DEPTH + 1)).unwrap_err(), too_deep);
    // What a hostile member sent: 4,000 levels, which the decoder used to take.
    assert_eq!(decode(listing(4_000)).unwrap_err(), too_deep);
    // The same under `prevNode`.
    let prev = listing(MAX_NODE_DEPTH + 1).replacen(r#""node":"#, r#""prevNode":"#, 1);
    assert_eq!(decode(prev).unwrap_err(), too_deep);
    println!("{}", too_deep);
    assert_eq!(
        too_deep.to_string(),
        format!("response nests nodes deeper than {MAX_NODE_DEPTH} levels")
    );
}

#[test]
fn unknown_members_may_still_nest_deeper() {
    // Skipped values are never kept (nor walked recursively): only Go's 10,000 levels bound them.
    let deep = format!(
        r#"{{"action":"get","x":{}{},"node":{{"key":"/a"}}}}"#,
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    assert_eq!(decode(deep).unwrap().node.unwrap().key, "/a");
}
