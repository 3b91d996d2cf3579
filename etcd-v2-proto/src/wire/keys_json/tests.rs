//! Unit tests of the parent module.

use alloc::format;

use bytes::Bytes;

use super::*;
use crate::wire::json_cursor::MAX_DEPTH;

fn decode_str(text: &str) -> Result<KeysResponse, JsonError> {
    decode(Body::from(String::from(text)))
}

#[test]
fn a_typical_answer() {
    let r = decode_str(
        r#"{"action":"compareAndSwap","node":{"key":"/a","value":"x","modifiedIndex":9,
        "createdIndex":3,"ttl":5,"expiration":"2013-11-12T20:42:39.540367862Z"},
        "prevNode":{"key":"/a","value":"w","modifiedIndex":8,"createdIndex":3}}"#,
    )
    .unwrap();
    assert_eq!(r.action, Action::CompareAndSwap);
    let node = r.node.unwrap();
    assert_eq!(
        (node.key.as_str(), node.value.as_deref()),
        ("/a", Some("x"))
    );
    assert_eq!((node.created_index, node.modified_index), (3, 9));
    assert_eq!(node.ttl, Some(5));
    assert!(node.expiration.is_some());
    assert_eq!(r.prev_node.unwrap().value.as_deref(), Some("w"));
}

#[test]
fn listings_nest() {
    let r = decode_str(
        r#"{"action":"get","node":{"key":"/d","dir":true,"nodes":[
        {"key":"/d/a","value":"1"},{"key":"/d/e","dir":true,"nodes":[{"key":"/d/e/f"}]},
        {"key":"/d/g","dir":true,"nodes":[]},{"key":"/d/h","dir":true,"nodes":null}]}}"#,
    )
    .unwrap();
    let d = r.node.unwrap();
    assert!(d.dir);
    let keys: Vec<&str> = d.nodes.iter().map(|n| n.key.as_str()).collect();
    assert_eq!(keys, ["/d/a", "/d/e", "/d/g", "/d/h"]);
    assert_eq!(d.nodes[1].nodes[0].key, "/d/e/f");
    assert!(d.nodes[2].nodes.is_empty() && d.nodes[3].nodes.is_empty());
}

#[test]
fn nulls_are_zero_values_and_unknown_members_are_skipped() {
    let r = decode_str(
        r#"{"action":null,"x":{"y":[1,"2",null]},"node":{"key":null,"dir":null,
        "value":null,"nodes":null,"createdIndex":null,"modifiedIndex":null,
        "expiration":null,"ttl":null,"z":-1.5e3},"prevNode":null}"#,
    )
    .unwrap();
    assert_eq!(r.action, Action::default());
    assert_eq!(r.node, Some(Node::default()));
    assert_eq!(r.prev_node, None);
    assert_eq!(decode_str("{}").unwrap(), KeysResponse::default());
    assert_eq!(
        decode_str(r#"{"action":"watch"}"#).unwrap().action,
        Action::Other("watch".into())
    );
}

#[test]
fn a_directory_deeper_than_serde_json_allows_decodes() {
    let depth = 64;
    let mut text = String::from(r#"{"action":"get","node":"#);
    for i in 0..depth {
        text += &format!(r#"{{"key":"/{i}","dir":true,"nodes":["#);
    }
    text += r#"{"key":"leaf","value":"v"}"#;
    for _ in 0..depth {
        text += "]}";
    }
    text += "}";
    assert!(
        serde_json::from_str::<KeysResponse>(&text).is_err(),
        "serde_json's limit"
    );
    let mut node = decode_str(&text).unwrap().node.unwrap();
    for _ in 0..depth {
        node = node.nodes.pop().unwrap();
    }
    assert_eq!(node.value.as_deref(), Some("v"));
}

#[test]
fn bad_bodies_are_errors() {
    for bad in [
        "",
        "[]",
        "{",
        r#"{"action":"get""#,
        r#"{"action":"get",}"#,
        r#"{"action":"get"} x"#,
        r#"{"action":1}"#,
        r#"{"node":[]}"#,
        r#"{"node":"x"}"#,
        r#"{"node":{"nodes":[null]}}"#,
        r#"{"node":{"nodes":{}}}"#,
        r#"{"node":{"nodes":[{}],}}"#,
        r#"{"node":{"key":1}}"#,
        r#"{"node":{"dir":"true"}}"#,
        r#"{"node":{"createdIndex":-1}}"#,
        r#"{"node":{"createdIndex":1.0}}"#,
        r#"{"node":{"modifiedIndex":18446744073709551616}}"#,
        r#"{"node":{"ttl":9223372036854775808}}"#,
        r#"{"node":{"ttl":"5"}}"#,
        r#"{"node":{"expiration":"soon"}}"#,
        r#"{"node":{"key":"a","key":"b"}}"#,
        r#"{"action":"get","action":"set"}"#,
        "{\"node\":{\"value\":\"a\u{1}b\"}}",
        r#"{"node":{"value":"line
break"}}"#,
    ] {
        assert!(decode_str(bad).is_err(), "{bad:?}");
    }
    let deep = format!(r#"{{"x":{}}}"#, "[".repeat(MAX_DEPTH));
    assert_eq!(decode_str(&deep).unwrap_err().what, "nested too deeply");
}

#[test]
fn an_error_says_where() {
    let e = decode_str(r#"{"action": tru}"#).unwrap_err();
    assert_eq!((e.at, e.what), (11, "expected a string"));
}

#[test]
fn any_split_into_chunks_decodes_the_same() {
    let text = r#"{"action":"set","node":{"key":"/k\u00e9y","value":"v\"al","dir":false,
        "nodes":[{"key":"/a"}],"createdIndex":12,"ttl":-3},"prevNode":{"key":"/p"},"u":[1]}"#;
    let whole = decode_str(text).unwrap();
    let bytes = text.as_bytes();
    for a in 0..bytes.len() {
        for b in [a + 1, a + 7, bytes.len()] {
            let b = b.min(bytes.len());
            let chunks = alloc::vec![
                Bytes::copy_from_slice(&bytes[..a]),
                Bytes::copy_from_slice(&bytes[a..b]),
                Bytes::copy_from_slice(&bytes[b..]),
            ];
            assert_eq!(
                decode(Body::from_chunks(chunks)).unwrap(),
                whole,
                "split {a} {b}"
            );
        }
    }
}
