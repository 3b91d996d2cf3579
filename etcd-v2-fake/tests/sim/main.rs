//! Scenarios through the real core against the in-memory fake etcd: keys, TTLs, watches,
//! history loss, failover, outcome-unknown, stalls, sync. Simulated time makes each run in
//! milliseconds; the conformance suite against real etcd remains the reference.
//!
//! One module per topic: `keys` (reads, writes, conditions, directories), `ttl_and_watch`
//! (TTLs, watches and history loss), `faults` (failover, outcome-unknown, re-sent writes,
//! stalls, sync) and `validation` (the real server's request validation errors). This file
//! holds the shared call builders and answer readers.

mod faults;
mod keys;
mod ttl_and_watch;
mod validation;

use etcd_v2_proto::body::Body;

use bytes::Bytes;
use etcd_v2_fake::{FakeReply, Sim};
use etcd_v2_proto::{
    DeleteOptions, Error, GetOptions, KeysResponse, Op, SetOptions, Watch, WatchOptions, call,
};
use http::Response;

const P: &str = "/v2/keys";

fn set(key: &str, value: &str) -> Op<KeysResponse> {
    set_with(key, value, SetOptions::default())
}

fn set_with(key: &str, value: &str, opts: SetOptions) -> Op<KeysResponse> {
    Op::new(call::keys::set(P, key, value, &opts).unwrap())
}

fn get(key: &str) -> Op<KeysResponse> {
    get_with(key, GetOptions::default())
}

fn get_with(key: &str, opts: GetOptions) -> Op<KeysResponse> {
    Op::new(call::keys::get(P, key, opts).unwrap())
}

fn create(key: &str, value: &str) -> Op<KeysResponse> {
    Op::new(call::keys::create(P, key, value).unwrap())
}

fn delete(key: &str, opts: DeleteOptions) -> Op<KeysResponse> {
    Op::new(call::keys::delete(P, key, &opts).unwrap())
}

fn watch(key: &str, opts: WatchOptions) -> Watch {
    Watch::new(P, key, opts).unwrap()
}

fn value(r: &KeysResponse) -> &str {
    r.node.as_ref().unwrap().value_str()
}

fn code(e: &Error) -> (u16, &str, u64) {
    let etcd = e
        .etcd()
        .unwrap_or_else(|| panic!("not an etcd error: {e:?}"));
    (etcd.code.as_u16(), etcd.cause.as_str(), etcd.index)
}

/// Sends a hand-made request to member 0 and returns the answer.
fn raw(sim: &mut Sim, method: &str, path_and_query: &str, body: &str) -> Response<Body> {
    let mut b = http::Request::builder()
        .method(method)
        .uri(format!("http://10.0.0.1:2379{path_and_query}"));
    if !body.is_empty() {
        b = b.header("Content-Type", "application/x-www-form-urlencoded");
    }
    match sim
        .fake
        .handle(sim.now, &b.body(Bytes::from(body.to_string())).unwrap())
    {
        FakeReply::Response(r) => r,
        other => panic!("no answer: {other:?}"),
    }
}

/// The body, which the fake sends in one chunk.
fn text(r: &Response<Body>) -> &str {
    let mut chunks = r.body().chunks();
    let one = chunks.next().map_or(&[][..], |c| &c[..]);
    assert!(chunks.next().is_none(), "one chunk");
    std::str::from_utf8(one).unwrap()
}

fn header<'a>(r: &'a Response<Body>, name: &str) -> &'a str {
    r.headers().get(name).map_or("", |v| v.to_str().unwrap())
}
