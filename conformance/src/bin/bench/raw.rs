//! The requests the plain-HTTP baselines send: byte for byte what our clients send for the
//! same operation (Go's wire format), built by hand the way a user without a client would.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Deserialize;

use crate::plan::value;

/// Whether [`expect_ok`] decodes the bodies it accepts (`--plain-decode`).
static DECODE: AtomicBool = AtomicBool::new(false);

/// Makes [`expect_ok`] decode every body it accepts into a [`PlainAnswer`].
pub(crate) fn decode_answers(decode: bool) {
    DECODE.store(decode, Ordering::Relaxed);
}

/// A keys answer as a program using a plain HTTP client would decode it: serde's derive,
/// the fields our [`KeysResponse`](etcd_v2_proto::KeysResponse) has from the body.
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // decoded to be measured, never read
struct PlainAnswer {
    action: String,
    node: Option<PlainNode>,
    #[serde(rename = "prevNode")]
    prev_node: Option<PlainNode>,
}

/// A node as [`PlainAnswer`] decodes it.
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // decoded to be measured, never read
struct PlainNode {
    key: String,
    #[serde(default)]
    dir: bool,
    value: Option<String>,
    #[serde(default)]
    nodes: Vec<Self>,
    #[serde(rename = "createdIndex", default)]
    created_index: u64,
    #[serde(rename = "modifiedIndex", default)]
    modified_index: u64,
    expiration: Option<String>,
    ttl: Option<i64>,
}

/// The keys API prefix.
const KEYS: &str = "/v2/keys";

/// Path and query of a plain get of `key`.
pub(crate) fn get_path(key: &str) -> String {
    format!("{KEYS}{key}?quorum=false&recursive=false&sorted=false")
}

/// Path and query of a recursive get of `dir`.
pub(crate) fn list_path(dir: &str) -> String {
    format!("{KEYS}{dir}?quorum=false&recursive=true&sorted=false")
}

/// Path of a set of `key` (a PUT with [`set_body`] as a form).
pub(crate) fn set_path(key: &str) -> String {
    format!("{KEYS}{key}")
}

/// The form body of every set.
pub(crate) fn set_body() -> String {
    format!("value={}", value())
}

/// The Content-Type of a set.
pub(crate) const FORM: &str = "application/x-www-form-urlencoded";

/// Path and query of a long poll of `key` (with `recursive`, of everything below it) for the
/// event at `wait_index` or later: `recursive=<b>&wait=true&waitIndex=<n>`, as ours send.
pub(crate) fn wait_path(key: &str, recursive: bool, wait_index: u64) -> String {
    format!("{KEYS}{key}?recursive={recursive}&wait=true&waitIndex={wait_index}")
}

/// `node.modifiedIndex` of a keys answer (a set's or an event's), parsed as a plain
/// `serde_json::Value`: the least a hand-written long-poll loop has to decode.
pub(crate) fn modified_index(status: u16, body: &[u8]) -> Result<u64, String> {
    if !(200..300).contains(&status) {
        return Err(format!(
            "status {status}: {}",
            String::from_utf8_lossy(body)
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    json["node"]["modifiedIndex"]
        .as_u64()
        .ok_or_else(|| format!("no node.modifiedIndex in {json}"))
}

/// Refuses a status other than 2xx; with `--plain-decode`, also a body that does not decode.
pub(crate) fn expect_ok(status: u16, body: &[u8]) -> Result<(), String> {
    if (200..300).contains(&status) {
        if DECODE.load(Ordering::Relaxed) {
            let answer: PlainAnswer = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            std::hint::black_box(answer);
        }
        Ok(())
    } else {
        Err(format!(
            "status {status}: {}",
            String::from_utf8_lossy(body)
        ))
    }
}
