//! Bodies of recursive listings as etcd sends them for `GET /v2/keys/bench?recursive=true`.
//!
//! Field order is etcd's: keys are `key, value, modifiedIndex, createdIndex`, directories
//! `key, dir, nodes, modifiedIndex, createdIndex`; values are 100 ASCII bytes that need no
//! escaping. Keys are written in order from `/bench/key-000001`, starting at index 5 (the
//! directory itself was created at index 4).

use std::fmt::Write as _;

/// Bytes in every value.
pub(crate) const VALUE_LEN: usize = 100;

/// A listing and how many nodes it holds (directories included).
pub(crate) struct Listing {
    /// The JSON body.
    pub(crate) body: Vec<u8>,
    /// Every node the body holds: keys, directories and the listed directory itself.
    pub(crate) nodes: u64,
}

/// 100 printable ASCII bytes derived from `i`.
fn value(i: usize, out: &mut String) {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    out.extend((0..VALUE_LEN).map(|j| char::from(ALPHABET[(i * 7 + j) % ALPHABET.len()])));
}

/// `{"key":…,"value":…,"modifiedIndex":n,"createdIndex":n}` for key number `i` under `dir`.
fn key_node(out: &mut String, dir: &str, i: usize) {
    let index = i + 4;
    write!(out, r#"{{"key":"{dir}/key-{i:06}","value":""#).unwrap();
    value(i, out);
    write!(out, r#"","modifiedIndex":{index},"createdIndex":{index}}}"#).unwrap();
}

fn wrap(node: &str) -> Vec<u8> {
    format!(r#"{{"action":"get","node":{node}}}"#).into_bytes()
}

/// `/bench` holding `keys` keys.
pub(crate) fn flat(keys: usize) -> Listing {
    let mut node = String::with_capacity(keys * 170 + 100);
    node.push_str(r#"{"key":"/bench","dir":true,"nodes":["#);
    for i in 1..=keys {
        if i > 1 {
            node.push(',');
        }
        key_node(&mut node, "/bench", i);
    }
    node.push_str(r#"],"modifiedIndex":4,"createdIndex":4}"#);
    Listing {
        body: wrap(&node),
        nodes: keys as u64 + 1,
    }
}

/// `/bench` holding `dirs` directories `/bench/dir-0001`.. of `keys` keys each.
pub(crate) fn nested(dirs: usize, keys: usize) -> Listing {
    let mut node = String::with_capacity(dirs * (keys * 180 + 100) + 100);
    node.push_str(r#"{"key":"/bench","dir":true,"nodes":["#);
    let mut i = 0;
    for d in 1..=dirs {
        if d > 1 {
            node.push(',');
        }
        let dir = format!("/bench/dir-{d:04}");
        write!(node, r#"{{"key":"{dir}","dir":true,"nodes":["#).unwrap();
        let first = i + 1;
        for k in 0..keys {
            if k > 0 {
                node.push(',');
            }
            i += 1;
            key_node(&mut node, &dir, i);
        }
        // The directory was made by the write of its first key.
        let index = first + 4;
        write!(
            node,
            r#"],"modifiedIndex":{index},"createdIndex":{index}}}"#
        )
        .unwrap();
    }
    node.push_str(r#"],"modifiedIndex":4,"createdIndex":4}"#);
    Listing {
        body: wrap(&node),
        nodes: (dirs * keys + dirs + 1) as u64,
    }
}
