//! What a keys answer decodes to is bounded by its body: 4 × the body's length, at least
//! 64 KiB, at most [`MAX_DECODED_BYTES`]. A `Node` is 128 bytes and `{},` is 3: 63 MiB of empty
//! nodes used to decode into about 3 GB.

use etcd_v2_proto::body::Body;
use etcd_v2_proto::{Error, KeysResponse, MAX_DECODED_BYTES, ProtocolError, decode_keys_response};

fn decode(body: impl Into<Body>) -> Result<KeysResponse, Error> {
    decode_keys_response(http::Response::new(body.into()))
}

/// A listing of `/d` with `children` empty nodes `{}`.
fn empty_children(children: usize) -> String {
    let mut text = String::from(r#"{"action":"get","node":{"key":"/d","dir":true,"nodes":["#);
    text += &"{},".repeat(children - 1);
    text += "{}]}}";
    text
}

#[test]
fn a_megabyte_of_empty_nodes_is_refused() {
    let children = (1 << 20) / 3;
    let body = empty_children(children);
    let len = body.len();
    let nominal = children * size_of::<etcd_v2_proto::Node>();
    let e = decode(body).unwrap_err();
    println!("{len} bytes of {children} empty nodes (would be {nominal} bytes decoded): {e}");
    assert_eq!(
        e,
        Error::Protocol(ProtocolError::DecodedTooLarge { limit: 4 * len })
    );
    // The ceiling never bites below the default body limit's 4×.
    let default_body = etcd_v2_proto::Config::default().max_body_bytes;
    assert!(MAX_DECODED_BYTES >= 4 * default_body);
}

#[test]
fn chunked_bodies_are_bounded_by_their_whole_length() {
    let body = empty_children(100_000);
    let len = body.len();
    let chunks = body
        .as_bytes()
        .chunks(4096)
        .map(bytes::Bytes::copy_from_slice)
        .collect();
    assert_eq!(
        decode(Body::from_chunks(chunks)).unwrap_err(),
        Error::Protocol(ProtocolError::DecodedTooLarge { limit: 4 * len })
    );
}

#[test]
fn small_bodies_have_a_floor() {
    // 300 empty nodes: 900 bytes of body, 38 KiB of nodes, under the 64 KiB floor.
    let r = decode(empty_children(300)).unwrap();
    assert_eq!(r.node.unwrap().nodes.len(), 300);
    // 600: 75 KiB of nodes, over it.
    assert_eq!(
        decode(empty_children(600)).unwrap_err(),
        Error::Protocol(ProtocolError::DecodedTooLarge { limit: 64 << 10 })
    );
}

/// A recursive listing of `/d` as etcd sends it: `children` keys with `value` each.
fn realistic(children: usize, value: &str) -> String {
    let mut text = String::from(r#"{"action":"get","node":{"key":"/d","dir":true,"nodes":["#);
    for i in 0..children {
        if i > 0 {
            text.push(',');
        }
        let index = 1000 + i;
        text += &format!(
            r#"{{"key":"/d/{i}","value":"{value}","modifiedIndex":{index},"createdIndex":{index}}}"#
        );
    }
    text += r#"],"modifiedIndex":3,"createdIndex":3}}"#;
    text
}

#[test]
fn realistic_listings_decode() {
    for value in ["", "v", "a value of some forty bytes, as etcd holds"] {
        let children = 10_000;
        let body = realistic(children, value);
        let len = body.len();
        let r = decode(body).unwrap();
        let nodes = &r.node.as_ref().unwrap().nodes;
        assert_eq!(nodes.len(), children);
        let cost: usize = nodes
            .iter()
            .map(|n| size_of_val(n) + n.key.len() + n.value_str().len())
            .sum();
        println!(
            "{children} keys with {}-byte values: {len} bytes of body, {cost} bytes of nodes \
             ({:.2} × the body)",
            value.len(),
            cost as f64 / len as f64
        );
    }
}

/// The members, auth and stats answers are decoded by serde: a body of tiny objects is
/// refused before serde sees it; real answers of the same size decode.
#[test]
fn serde_answers_of_tiny_objects_are_refused() {
    use etcd_v2_proto::call::{auth, members};
    let answer = |body: String| {
        http::Response::builder()
            .status(200)
            .body(Body::from(body))
            .unwrap()
    };
    let empties = (2 << 20) / 3;
    let body = format!(r#"{{"members":[{}{{}}]}}"#, "{},".repeat(empties));
    let len = body.len();
    let e = members::list().unwrap().decode(answer(body)).unwrap_err();
    assert_eq!(
        e,
        Error::Protocol(ProtocolError::DecodedTooLarge { limit: 16 * len })
    );
    // 20,000 real members (2.7 MB) and a role with 20,000 permissions decode.
    let member = |i: usize| {
        format!(
            r#"{{"id":"{i:016x}","name":"m{i}","peerURLs":["http://10.0.0.1:2380"],"clientURLs":["http://10.0.0.1:2379"]}}"#
        )
    };
    let list: Vec<String> = (0..20_000).map(member).collect();
    let body = format!(r#"{{"members":[{}]}}"#, list.join(","));
    assert!(body.len() > 1 << 20);
    let decoded = members::list().unwrap().decode(answer(body)).unwrap();
    assert_eq!(decoded.len(), 20_000);
    let keys: Vec<String> = (0..20_000).map(|i| format!("\"/k{i}/*\"")).collect();
    let body = format!(
        r#"{{"role":"r","permissions":{{"kv":{{"read":[{0}],"write":[{0}]}}}}}}"#,
        keys.join(",")
    );
    let role = auth::get_role("r").unwrap().decode(answer(body)).unwrap();
    assert_eq!(role.permissions.kv.read.len(), 20_000);
}
