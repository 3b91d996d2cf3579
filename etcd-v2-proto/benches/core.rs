//! Criterion benchmarks of the sans-IO core: no network, every answer is built in memory.
//!
//! - `request/*`: a [`Call`] built and turned into an `http::Request` (path escaping, query and
//!   form encoding), for a plain key and an awkward one (spaces, `%`, `?`, `#`, `&`, `+`,
//!   non-ASCII, emoji); `request/watch_recursive` is a recursive watch with a `waitIndex`.
//! - `op_cycle/*`: one [`Op`] driven through `poll` → `Send` → `handle_response` → `Done`,
//!   the whole per-call work of the core (call building and decoding included).
//! - `decode/*`: a 1000-child directory listing (the shape of Go's `keys_bench_test.go` listings),
//!   a typical single-node get answer, and one watch event.
//! - `decode_listing/{typed,value,skip}/{100,10000,100000,nested_100x100}`: the recursive listing
//!   etcd sends for `GET /v2/keys/bench?recursive=true` (100-byte values; `nested_100x100` is 100
//!   directories of 100 keys), decoded by `decode_keys_response` (`typed`), parsed into an
//!   untyped `serde_json::Value` (`value`, the parsing limit) and scanned into
//!   `serde::de::IgnoredAny` (`skip`, no allocation at all), on the same bytes. Throughput is in
//!   bytes; the node counts are 101, 10,001, 100,001 and 10,101.
//! - `versus_serde/{ours,serde_derive}/{single_node,watch_event,dir_1000,listing_10000}`: our
//!   decoder (`decode_keys_response`, from a response) against `serde_json::from_slice` into
//!   structs with serde's derive ([`SerdeAnswer`], the same fields; `expiration` left a string,
//!   so serde does less), on the bodies above: the get answer, the watch event, the 1000-child
//!   directory and the 10,000-key listing.
//!
//! `cargo bench -p etcd-v2-proto --bench core`; `cargo test --all-targets` runs each once
//! (but the 100,000-node listing).

#[path = "core/listing.rs"]
mod listing;

use etcd_v2_proto::body::{Body, clone_response};
use std::hint::black_box;
use std::time::Instant;

use bytes::Bytes;
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use etcd_v2_proto::WatchPoll;
use etcd_v2_proto::call::keys;
use etcd_v2_proto::{
    Action, Call, Cluster, Config, Endpoint, GetOptions, KeysResponse, Node, Op, SetOptions, Step,
    Task, Timestamp, decode_keys_response,
};
use http::Response;
use serde::Deserialize;
use serde::de::IgnoredAny;

const PREFIX: &str = "/v2/keys";
const PLAIN_KEY: &str = "/app/config/timeout";
const AWKWARD_KEY: &str = "/dir with space/50%?a=b#frag&x+y/ünïcødé €/😀 ~!$'()*,;:@";
const AWKWARD_VALUE: &str = "a b&c=d+e%ü\n€😀 \"quoted\" <tag>";

fn endpoint() -> Endpoint {
    Endpoint::parse("http://127.0.0.1:2379").expect("a valid endpoint")
}

fn to_request<T>(call: &Call<T>, endpoint: &Endpoint) -> http::Request<Bytes> {
    call.to_request(endpoint, None).expect("a valid request")
}

fn set_options() -> SetOptions {
    SetOptions::default()
        .prev_value("old value & more")
        .ttl(std::time::Duration::from_millis(1500))
}

fn request_building(c: &mut Criterion) {
    let ep = endpoint();
    let mut group = c.benchmark_group("request");
    group.bench_function("get_plain_key", |b| {
        b.iter(|| {
            let call = keys::get(PREFIX, black_box(PLAIN_KEY), GetOptions::default()).unwrap();
            to_request(&call, &ep)
        });
    });
    group.bench_function("get_awkward_key", |b| {
        b.iter(|| {
            let opts = GetOptions::default().recursive(true).sort(true);
            let call = keys::get(PREFIX, black_box(AWKWARD_KEY), opts).unwrap();
            to_request(&call, &ep)
        });
    });
    group.bench_function("watch_recursive", |b| {
        b.iter(|| {
            let call = keys::wait(PREFIX, black_box("/app/config"), true, black_box(4243)).unwrap();
            to_request(&call, &ep)
        });
    });
    group.bench_function("set_plain_key", |b| {
        let opts = SetOptions::default();
        b.iter(|| {
            let call = keys::set(PREFIX, black_box(PLAIN_KEY), black_box("30s"), &opts).unwrap();
            to_request(&call, &ep)
        });
    });
    group.bench_function("set_awkward_key_cas_ttl", |b| {
        let opts = set_options();
        b.iter(|| {
            let call = keys::set(
                PREFIX,
                black_box(AWKWARD_KEY),
                black_box(AWKWARD_VALUE),
                &opts,
            )
            .unwrap();
            to_request(&call, &ep)
        });
    });
    group.finish();
}

fn answer(body: &'static str) -> Response<Body> {
    Response::builder()
        .status(200)
        .header("Content-Type", "application/json")
        .header("X-Etcd-Cluster-Id", "cdf818194e3a8c32")
        .header("X-Etcd-Index", "4242")
        .header("X-Raft-Index", "9000")
        .header("X-Raft-Term", "2")
        .body(Body::from(body))
        .expect("a valid response")
}

/// Drives `call` through one exchange answered by `response`; panics unless it succeeds.
fn one_cycle(
    now: Instant,
    cluster: &mut Cluster,
    call: Call<KeysResponse>,
    response: Response<Body>,
) {
    let mut op = Op::new(call);
    let Step::Send(transmit) = op.poll(now, cluster) else {
        panic!("the first poll of an op sends")
    };
    black_box(&transmit.request);
    op.handle_response(now, cluster, transmit.attempt, response);
    match op.poll(now, cluster) {
        Step::Done(Ok(resp)) => {
            black_box(resp);
        }
        other => panic!("expected a decoded answer, got {other:?}"),
    }
}

const GET_BODY: &str = r#"{"action":"get","node":{"key":"/app/config/timeout","value":"30s","modifiedIndex":4241,"createdIndex":17}}"#;
const SET_BODY: &str = r#"{"action":"compareAndSwap","node":{"key":"/dir with space/50%?a=b#frag&x+y/ünïcødé €/😀 ~!$'()*,;:@","value":"a b&c=d+e%ü\n€😀 \"quoted\" <tag>","expiration":"2026-05-01T12:00:01.5Z","ttl":2,"modifiedIndex":4242,"createdIndex":17},"prevNode":{"key":"/dir with space/50%?a=b#frag&x+y/ünïcødé €/😀 ~!$'()*,;:@","value":"old value & more","modifiedIndex":4241,"createdIndex":17}}"#;

fn op_cycle(c: &mut Criterion) {
    let mut cluster =
        Cluster::new(Config::new(["http://127.0.0.1:2379"]).seed(1)).expect("a valid config");
    // One instant for every cycle: the core only compares it with deadlines seconds away.
    #[expect(
        clippy::disallowed_methods,
        reason = "the bench is the driver: it owns the clock"
    )]
    let now = Instant::now();
    let mut group = c.benchmark_group("op_cycle");
    group.bench_function("get", |b| {
        b.iter_batched(
            || answer(GET_BODY),
            |response| {
                let call = keys::get(PREFIX, PLAIN_KEY, GetOptions::default()).unwrap();
                one_cycle(now, &mut cluster, call, response);
            },
            BatchSize::SmallInput,
        );
    });
    let opts = set_options();
    group.bench_function("set_awkward_key_cas_ttl", |b| {
        b.iter_batched(
            || answer(SET_BODY),
            |response| {
                let call = keys::set(PREFIX, AWKWARD_KEY, AWKWARD_VALUE, &opts).unwrap();
                one_cycle(now, &mut cluster, call, response);
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

/// A deterministic xorshift (no clock, no OS entropy).
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// A listing shaped like Go's `keys_bench_test.go` ones: `children` values of 20–2000 characters
/// drawn from an alphabet that needs JSON escapes and multi-byte UTF-8, each with a TTL and
/// expiration.
fn big_directory_body(children: usize) -> String {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ children as u64;
    let alphabet: Vec<char> = "abcXYZ019 <&>\"\\/é€\u{1F600}\n\t".chars().collect();
    let pick = |state: &mut u64, n: usize| usize::try_from(xorshift(state) % n as u64).unwrap();
    let nodes = (0..children)
        .map(|i| {
            let len = 20 + pick(&mut state, 1981);
            let value: String = (0..len)
                .map(|_| alphabet[pick(&mut state, alphabet.len())])
                .collect();
            let index = i as u64 + 2;
            Node {
                key: format!("/big/{i:020}"),
                value: Some(value),
                created_index: index,
                modified_index: index,
                ttl: Some(123_456_789),
                expiration: Some(
                    Timestamp::from_unix(1_795_624_093 + i as i64, 988_958_999).unwrap(),
                ),
                ..Node::default()
            }
        })
        .collect();
    let listing = KeysResponse {
        action: Action::Get,
        node: Some(Node {
            key: "/big".into(),
            dir: true,
            nodes,
            created_index: 1,
            modified_index: 1,
            ..Node::default()
        }),
        ..KeysResponse::default()
    };
    serde_json::to_string(&listing).expect("serializable")
}

const WATCH_EVENT: &str = r#"{"action":"set","node":{"key":"/app/config/timeout","value":"45s","expiration":"2026-05-01T12:00:10.123456789Z","ttl":10,"modifiedIndex":4243,"createdIndex":4243},"prevNode":{"key":"/app/config/timeout","value":"30s","modifiedIndex":4241,"createdIndex":17}}"#;

fn decoding(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");

    let body = big_directory_body(1000);
    let listing = Response::builder()
        .status(200)
        .header("X-Etcd-Index", "1001")
        .body(Body::from(body))
        .expect("a valid response");
    group.throughput(Throughput::Bytes(listing.body().len() as u64));
    group.bench_function("big_directory_1000_children", |b| {
        b.iter_batched(
            || clone_response(&listing),
            |r| {
                let resp = decode_keys_response(black_box(r)).unwrap();
                assert_eq!(resp.node.as_ref().map_or(0, |n| n.nodes.len()), 1000);
                resp
            },
            BatchSize::SmallInput,
        );
    });

    let get = answer(GET_BODY);
    group.throughput(Throughput::Bytes(get.body().len() as u64));
    group.bench_function("single_node_get", |b| {
        b.iter_batched(
            || clone_response(&get),
            |r| decode_keys_response(black_box(r)).unwrap(),
            BatchSize::SmallInput,
        );
    });

    let wait = keys::wait(PREFIX, PLAIN_KEY, false, 4243).unwrap();
    let event = answer(WATCH_EVENT);
    group.throughput(Throughput::Bytes(event.body().len() as u64));
    group.bench_function("watch_event", |b| {
        b.iter_batched(
            || clone_response(&event),
            |r| match wait.decode(black_box(r)).unwrap() {
                WatchPoll::Event(e) => e,
                _ => panic!("the answer carries an event"),
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

/// `node` and all its descendants.
fn count_nodes(node: &Node) -> u64 {
    1 + node.nodes.iter().map(count_nodes).sum::<u64>()
}

/// Recursive listings, decoded typed, parsed as an untyped `serde_json::Value` (the parsing
/// limit) and scanned without building anything, on the same bytes.
fn listing_decoding(c: &mut Criterion) {
    let mut listings = vec![
        ("100", listing::flat(100)),
        ("10000", listing::flat(10_000)),
        ("nested_100x100", listing::nested(100, 100)),
    ];
    // Over a second in a debug build: `cargo test --all-targets` (no `--bench`) leaves it out.
    if std::env::args().any(|a| a == "--bench") {
        listings.push(("100000", listing::flat(100_000)));
    }
    let mut group = c.benchmark_group("decode_listing");
    for (name, listing) in &listings {
        let response = Response::builder()
            .status(200)
            .header("X-Etcd-Index", "100004")
            .body(Body::from(listing.body.clone()))
            .expect("a valid response");
        let decoded = decode_keys_response(clone_response(&response)).expect("a valid listing");
        assert_eq!(decoded.node.as_ref().map_or(0, count_nodes), listing.nodes);
        // Criterion's minimum of 10 samples takes 55 runs: seconds for the largest listing.
        group.sample_size(match listing.nodes {
            0..=1000 => 100,
            1001..=50_000 => 20,
            _ => 10,
        });
        group.throughput(Throughput::Bytes(listing.body.len() as u64));
        group.bench_with_input(BenchmarkId::new("typed", name), &response, |b, r| {
            b.iter_batched(
                || clone_response(r),
                |r| decode_keys_response(black_box(r)).unwrap(),
                BatchSize::SmallInput,
            );
        });
        group.bench_with_input(BenchmarkId::new("value", name), &listing.body, |b, body| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)).unwrap());
        });
        group.bench_with_input(BenchmarkId::new("skip", name), &listing.body, |b, body| {
            b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(body)).unwrap());
        });
    }
    group.finish();
}

/// A keys answer as serde's derive decodes it: the fields of [`KeysResponse`] from the body.
#[derive(Deserialize)]
#[allow(dead_code)] // decoded to be measured, never read
struct SerdeAnswer {
    action: SerdeAction,
    node: Option<SerdeNode>,
    #[serde(rename = "prevNode")]
    prev_node: Option<SerdeNode>,
}

/// [`Action`] with serde's derive.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // decoded to be measured, never read
enum SerdeAction {
    Get,
    Set,
    Create,
    Update,
    Delete,
    CompareAndSwap,
    CompareAndDelete,
    Expire,
    #[serde(other)]
    Other,
}

/// [`Node`] with serde's derive (`expiration` kept as the string it is sent as).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // decoded to be measured, never read
struct SerdeNode {
    #[serde(default)]
    key: String,
    #[serde(default)]
    dir: bool,
    value: Option<String>,
    #[serde(default)]
    nodes: Vec<Self>,
    #[serde(default)]
    created_index: u64,
    #[serde(default)]
    modified_index: u64,
    expiration: Option<String>,
    ttl: Option<i64>,
}

/// Our decoder against serde's derive on the same bodies.
fn versus_serde(c: &mut Criterion) {
    let bodies = [
        ("single_node", GET_BODY.as_bytes().to_vec()),
        ("watch_event", WATCH_EVENT.as_bytes().to_vec()),
        ("dir_1000", big_directory_body(1000).into_bytes()),
        ("listing_10000", listing::flat(10_000).body),
    ];
    let mut group = c.benchmark_group("versus_serde");
    for (name, body) in &bodies {
        let response = Response::builder()
            .status(200)
            .header("X-Etcd-Index", "100004")
            .body(Body::from(body.clone()))
            .expect("a valid response");
        let ours = decode_keys_response(clone_response(&response)).expect("a valid answer");
        let theirs: SerdeAnswer = serde_json::from_slice(body).expect("a valid answer");
        let children = |n: Option<&Node>| n.map_or(0, |n| n.nodes.len());
        assert_eq!(
            children(ours.node.as_ref()),
            theirs.node.as_ref().map_or(0, |n| n.nodes.len())
        );
        group.sample_size(if body.len() > 100_000 { 20 } else { 100 });
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("ours", name), &response, |b, r| {
            b.iter_batched(
                || clone_response(r),
                |r| decode_keys_response(black_box(r)).unwrap(),
                BatchSize::SmallInput,
            );
        });
        group.bench_with_input(BenchmarkId::new("serde_derive", name), body, |b, body| {
            b.iter(|| serde_json::from_slice::<SerdeAnswer>(black_box(body)).unwrap());
        });
    }
    group.finish();
}

// What `criterion_group!`/`criterion_main!` expand to, without their undocumented `pub fn`.
fn main() {
    let mut c = Criterion::default().configure_from_args();
    request_building(&mut c);
    op_cycle(&mut c);
    decoding(&mut c);
    listing_decoding(&mut c);
    versus_serde(&mut c);
    c.final_summary();
}
