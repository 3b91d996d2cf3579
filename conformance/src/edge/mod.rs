//! Edge cases real etcd cannot produce (stalled members, HTML answers, endless redirects,
//! closed and refused connections, connects that never complete, late watch bodies), as one
//! list ([`CASES`]) stamped over every adapter by `tests/edge.rs`; SRV discovery against a
//! fake DNS server is the second list ([`srv::CASES`]). Each case scripts a
//! [`HostileServer`] and asserts the typed outcome.

mod answers;
mod connects;
pub mod srv;
mod stalls;
mod watches;

use std::io::{self, Write};
use std::time::{Duration, Instant};

use etcd_v2_proto::{Cluster, Config};

use crate::hostile::{Conn, HostileServer, Seen};
use crate::sut::{Adapter, Sut};

/// One edge case: its name (the trial is `<adapter>::<name>`), how it runs through an
/// adapter, and the adapters it applies to.
pub struct Case {
    /// Its name.
    pub name: &'static str,
    /// Runs it through one adapter.
    pub run: fn(Adapter) -> Result<(), String>,
    /// The adapters it is stamped over.
    pub adapters: &'static [Adapter],
}

/// The async adapters: a case about dropping a future does not apply to the blocking one.
const ASYNC: &[Adapter] = &[Adapter::Tokio, Adapter::AsyncStd];

macro_rules! cases {
    ($($module:ident::$name:ident $(: $only:expr)?,)*) => {
        &[$(Case {
            name: stringify!($name),
            run: $module::$name,
            adapters: cases!(@adapters $($only)?),
        },)*]
    };
    (@adapters) => { &Adapter::ALL };
    (@adapters $only:expr) => { $only };
}

/// Every edge case.
pub const CASES: &[Case] = cases![
    stalls::stalled_members_give_a_header_timeout_each,
    stalls::create_on_a_stalled_member_is_outcome_unknown,
    stalls::with_timeout_on_a_stalled_write_is_outcome_unknown,
    stalls::with_timeout_bounds_each_watch_wait,
    stalls::dropping_a_call_returns_promptly: ASYNC,
    answers::html_answer_is_invalid_json,
    answers::body_over_the_cap_ends_the_call,
    answers::endless_redirects_stop_after_eleven_requests,
    answers::three_calls_reuse_one_connection,
    connects::delete_on_a_closed_connection_is_outcome_unknown_and_sent_once,
    connects::get_on_a_closed_connection_fails_over,
    connects::refused_connection_is_connect_and_a_create_fails_over,
    connects::connect_that_never_completes_is_connect_and_a_create_fails_over,
    connects::https_endpoint_is_dialled_with_tls,
    watches::a_watch_fails_over_from_a_member_that_sends_no_headers,
    watches::a_watch_body_may_come_long_after_its_headers,
];

/// The value every fake member's `get` answer holds.
const VALUE: &str = "bar";

/// A server running `script` for each request.
fn server(
    script: impl Fn(&Seen, &mut Conn) -> io::Result<()> + Send + Sync + 'static,
) -> Result<HostileServer, String> {
    HostileServer::start(script).map_err(|e| format!("starting a server: {e}"))
}

/// A member that reads each request and never answers.
fn stalled() -> Result<HostileServer, String> {
    server(|_, conn| conn.stall())
}

/// A member that closes the connection right after reading the request.
fn hangs_up() -> Result<HostileServer, String> {
    server(|_, _| Err(io::ErrorKind::ConnectionAborted.into()))
}

/// A member that answers every request with `get_json()`.
fn healthy() -> Result<HostileServer, String> {
    server(|_, conn| answer(conn, "200 OK", "application/json", &get_json()))
}

/// Writes an answer with `X-Etcd-Index: 7`, keeping the connection open.
fn answer(conn: &mut Conn, status: &str, content_type: &str, body: &str) -> io::Result<()> {
    write!(
        conn.stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nX-Etcd-Index: 7\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// An etcd answer with `action` on `/foo` = [`VALUE`] at index 7.
fn node_json(action: &str) -> String {
    format!(
        r#"{{"action":"{action}","node":{{"key":"/foo","value":"{VALUE}","modifiedIndex":7,"createdIndex":7}}}}"#
    )
}

/// A `get` answer.
fn get_json() -> String {
    node_json("get")
}

/// A client of `adapter` whose endpoints are tried in exactly the order of `urls` (the core
/// shuffles them by seed: a seed that keeps the order is picked).
fn client_in_order(
    adapter: Adapter,
    urls: &[&str],
    config: impl Fn(Config) -> Config,
) -> Result<Sut, String> {
    let seeded = |seed| config(Config::new(urls.iter().copied()).seed(seed));
    let seed = (0..1000)
        .find(|&seed| Cluster::new(seeded(seed)).is_ok_and(|c| c.endpoints() == urls))
        .ok_or("no seed keeps the order")?;
    let sut = Sut::new(adapter, seeded(seed)).map_err(|e| format!("building the client: {e}"))?;
    ensure_eq!(sut.endpoints(), urls, "the endpoint order");
    Ok(sut)
}

/// A config with this header timeout.
fn header_timeout(millis: u64) -> impl Fn(Config) -> Config {
    move |c| c.header_timeout(Some(Duration::from_millis(millis)))
}

/// Runs `f`, returning what it returned and how long it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = f();
    (out, started.elapsed())
}
