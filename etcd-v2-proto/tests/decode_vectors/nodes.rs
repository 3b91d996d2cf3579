//! Node helpers: TTL duration (Go: TestNodeTTLDuration, #74), Display; a big directory (#75).

use std::time::Duration;

use etcd_v2_proto::{Action, KeysResponse, Node};

use crate::{node, ok, ts};

#[test]
fn ttl_duration_74() {
    let cases = [
        (None, 0),
        (Some(0), 0),
        (Some(97), 97),
        (Some(-3), 0),
        (Some(i64::MAX), i64::MAX.unsigned_abs()),
    ];
    for (ttl, secs) in cases {
        let n = Node {
            ttl,
            ..Node::default()
        };
        assert_eq!(n.ttl_duration(), Duration::from_secs(secs), "{ttl:?}");
    }
}

#[test]
fn node_display() {
    let n = Node {
        ttl: Some(7),
        ..node("/foo", Some("bar"), 1, 2)
    };
    assert_eq!(
        n.to_string(),
        "{Key: /foo, CreatedIndex: 1, ModifiedIndex: 2, TTL: 7}"
    );
    assert_eq!(
        Node::default().to_string(),
        "{Key: , CreatedIndex: 0, ModifiedIndex: 0, TTL: 0}"
    );
}

/// A deterministic xorshift for the generated directory (no clock, no OS entropy).
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn big_directory(children: usize, seed: u64) -> Node {
    let mut state = seed;
    let alphabet: Vec<char> = "abcXYZ019 <&>\"\\/é€\u{1F600}\n\t".chars().collect();
    let nodes = (0..children)
        .map(|i| {
            let len = 20 + usize::try_from(xorshift(&mut state) % 1981).unwrap();
            let value: String = (0..len)
                .map(|_| alphabet[usize::try_from(xorshift(&mut state)).unwrap() % alphabet.len()])
                .collect();
            let index = u64::try_from(i).unwrap() + 2;
            Node {
                key: format!("/big/{i:020}"),
                value: Some(value),
                created_index: index,
                modified_index: index,
                ttl: Some(123_456_789),
                expiration: Some(ts(1_795_624_093 + i64::try_from(i).unwrap(), 988_958_999)),
                ..Node::default()
            }
        })
        .collect();
    Node {
        key: "/big".into(),
        dir: true,
        nodes,
        created_index: 1,
        modified_index: 1,
        ..Node::default()
    }
}

#[test]
fn big_directory_round_trip_75() {
    for children in [30, 300, 3000] {
        let dir = big_directory(children, 0x9e37_79b9_7f4a_7c15 ^ children as u64);
        let sent = KeysResponse {
            action: Action::Get,
            node: Some(dir.clone()),
            ..KeysResponse::default()
        };
        let body = serde_json::to_string(&sent).unwrap();
        let r = ok(200, &[("X-Etcd-Index", "3001")], &body);
        assert_eq!(r.index, 3001);
        let got = r.node.unwrap();
        assert_eq!(got.nodes.len(), children);
        assert_eq!(got, dir, "{children} children");
    }
}
