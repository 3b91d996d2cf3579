//! Decoding vectors of the keys API: the answer shapes, headers, status handling and error
//! codes of `docs/protocol.md#answers`, the Go client's decoding tests (`client/keys_test.go`,
//! `keys_bench_test.go`, `example_keys_test.go`), bodies seen from etcd 3.4, the watch poll
//! decoder and the error types' texts.
//!
//! The numbers in test names and in comments (`_50`, `#63`) are the ones these vectors got when
//! they were collected from Go's tests, kept so that history stays searchable; each group's
//! comment names the Go test it comes from.
//!
//! One module per kind of vector: `unmarshal` (Go's unmarshalling tests), `through_calls` (errors
//! and answers through the calls, Go's examples), `observed` (success bodies seen from etcd
//! 3.4), `status` (status handling, error bodies and error codes), `nodes` (node helpers and a
//! big directory) and `watch` (the watch poll decoder). This file holds the shared builders.

#[path = "../support/mod.rs"]
mod support;

mod nodes;
mod observed;
mod status;
mod through_calls;
mod unmarshal;
mod watch;

use etcd_v2_proto::body::Body;
use etcd_v2_proto::{Error, KeysResponse, Node, ProtocolError, Timestamp, decode_keys_response};
use http::Response;

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Body> {
    let mut b = Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_owned())).unwrap()
}

fn decode(status: u16, headers: &[(&str, &str)], body: &str) -> Result<KeysResponse, Error> {
    decode_keys_response(response(status, headers, body))
}

fn ok(status: u16, headers: &[(&str, &str)], body: &str) -> KeysResponse {
    decode(status, headers, body).unwrap_or_else(|e| panic!("{status} {body:?}: {e}"))
}

fn node(key: &str, value: Option<&str>, created: u64, modified: u64) -> Node {
    Node {
        key: key.to_owned(),
        value: value.map(str::to_owned),
        created_index: created,
        modified_index: modified,
        ..Node::default()
    }
}

fn ts(secs: i64, nanos: u32) -> Timestamp {
    Timestamp::from_unix(secs, nanos).unwrap()
}

fn is_invalid_json(e: &Error, want_status: u16) -> bool {
    matches!(e, Error::Protocol(ProtocolError::InvalidJson { status, .. }) if *status == want_status)
}
