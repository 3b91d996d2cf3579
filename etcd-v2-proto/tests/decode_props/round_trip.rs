//! Round trip of node trees: any tree a standard JSON encoder writes decodes to itself.

use etcd_v2_proto::body::Body;
use etcd_v2_proto::{Action, KeysResponse, decode_keys_response};
use http::Response;
use proptest::prelude::*;

use crate::inputs::{action, node_tree};

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
