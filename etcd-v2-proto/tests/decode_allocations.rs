//! Decoding a listing allocates only the nodes' own strings and the amortized `nodes` vectors;
//! a single node's answer only its strings.
//!
//! This binary counts every allocation and reallocation made while `decode_keys_response` runs:
//! a decoder that went through `serde_json::Value`, or that owned field names, would allocate
//! several times more per node. It holds one test so that no other test thread allocates while
//! the count is taken.

use etcd_v2_proto::body::Body;
use std::alloc::System;

use etcd_v2_proto::decode_keys_response;
use http::Response;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// What etcd sends for `GET /v2/keys/bench?recursive=true` holding `keys` keys with 100-byte
/// values (etcd's field order).
fn listing(keys: usize) -> Response<Body> {
    let value = "v".repeat(100);
    let nodes: Vec<String> = (1..=keys)
        .map(|i| {
            let index = i + 4;
            format!(
                r#"{{"key":"/bench/key-{i:06}","value":"{value}","modifiedIndex":{index},"createdIndex":{index}}}"#
            )
        })
        .collect();
    let body = format!(
        r#"{{"action":"get","node":{{"key":"/bench","dir":true,"nodes":[{}],"modifiedIndex":4,"createdIndex":4}}}}"#,
        nodes.join(",")
    );
    Response::builder()
        .status(200)
        .header("X-Etcd-Index", "100004")
        .header("X-Etcd-Cluster-Id", "cdf818194e3a8c32")
        .body(Body::from(body))
        .unwrap()
}

/// Allocations plus reallocations made by decoding a listing of `keys` keys.
fn allocations(keys: usize) -> usize {
    let response = listing(keys);
    let region = Region::new(GLOBAL);
    let decoded = decode_keys_response(response);
    let change = region.change();
    let node = decoded.unwrap().node.unwrap();
    assert_eq!(node.nodes.len(), keys);
    assert_eq!(
        node.nodes[keys - 1].value.as_deref().map(str::len),
        Some(100)
    );
    change.allocations + change.reallocations
}

/// Allocations plus reallocations made by decoding a get's answer: one node, no nesting.
fn single_node_allocations() -> usize {
    let body = r#"{"action":"get","node":{"key":"/foo","value":"bar","modifiedIndex":7,"createdIndex":7}}"#;
    let response = Response::builder()
        .status(200)
        .header("X-Etcd-Index", "7")
        .header("X-Etcd-Cluster-Id", "cdf818194e3a8c32")
        .body(Body::from(body))
        .unwrap();
    let region = Region::new(GLOBAL);
    let decoded = decode_keys_response(response);
    let change = region.change();
    let decoded = decoded.unwrap();
    assert_eq!(decoded.cluster_id.as_deref(), Some("cdf818194e3a8c32"));
    assert_eq!(decoded.node.unwrap().value.as_deref(), Some("bar"));
    change.allocations + change.reallocations
}

/// ⌈log₂ n⌉: the growth steps of a vector pushed `n` times.
fn log2_ceil(n: usize) -> usize {
    n.next_power_of_two().trailing_zeros() as usize
}

#[test]
fn a_listing_allocates_its_strings_and_amortized_vectors_only() {
    // A single node's answer: its key, its value and the cluster id, nothing for the decoder.
    assert_eq!(single_node_allocations(), 3);
    // The response's own strings: the directory's key and the cluster id.
    const FIXED: usize = 8;
    let small = allocations(1000);
    let large = allocations(2000);
    eprintln!("allocations: {small} for 1000 keys, {large} for 2000");
    for (keys, counted) in [(1000, small), (2000, large)] {
        // A key and a value per node; fewer means the counter does not see the decoder.
        assert!(counted >= 2 * keys, "{counted} allocations for {keys} keys");
        let bound = 2 * keys + log2_ceil(keys) + FIXED;
        assert!(
            counted <= bound,
            "{counted} allocations for {keys} keys, more than {bound}"
        );
    }
    assert!(
        large - small <= 2 * 1000 + 2,
        "1000 more keys cost {} more allocations",
        large - small
    );
}
