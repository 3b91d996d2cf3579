//! Every attack a hostile or broken server can make that the client must survive, as one
//! list stamped over every adapter by `tests/hostile.rs`. Each asserts the typed error (or
//! the safe behaviour), that the call ended within its deadline plus [`MARGIN`], and the
//! harness checks the peak memory the run allocated against [`Attack::max_peak`].

use std::io::{self, Write};
use std::time::{Duration, Instant};

use etcd_v2_proto::{Api, Config, Error, GetOptions, SetOptions, WatchOptions};

use super::{Conn, HostileServer, Seen};
use crate::sut::{Adapter, Sut};

/// The client's header timeout in every attack.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
/// The deadline of every call (`with_timeout`).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// How late past its deadline a call may end.
pub const MARGIN: Duration = Duration::from_millis(1500);
const MIB: usize = 1 << 20;

mod answers;
mod redirects;
mod transport;

pub use answers::*;
pub use redirects::*;
pub use transport::*;

/// One attack: what it is called, how it runs through an adapter, and the most memory the
/// process may allocate above where it started while it runs (server side included).
pub struct Attack {
    /// Its name (the trial is `<adapter>::<name>`).
    pub name: &'static str,
    /// Runs it through one adapter.
    pub run: fn(Adapter) -> Result<(), String>,
    /// Peak allocation allowed during the run.
    pub max_peak: usize,
}

macro_rules! attacks {
    ($($name:ident: $peak:expr,)*) => {
        &[$(Attack { name: stringify!($name), run: $name, max_peak: $peak },)*]
    };
}

/// Every attack.
pub const ATTACKS: &[Attack] = attacks![
    stall_before_headers: 4 * MIB,
    trickling_body: 4 * MIB,
    endless_body: 8 * MIB,
    endless_chunked_watch: 4 * MIB,
    huge_headers: 16 * MIB,
    close_mid_body: 4 * MIB,
    not_http: 4 * MIB,
    html_instead_of_json: 4 * MIB,
    deep_nesting: 8 * MIB,
    many_empty_children: 64 * MIB,
    secret_redirected_to_another_origin: 4 * MIB,
    location_port_out_of_range: 4 * MIB,
    location_with_userinfo: 4 * MIB,
    location_with_dot_segments: 4 * MIB,
    location_with_upper_case_scheme: 4 * MIB,
    error_message_with_escapes: 16 * MIB,
    watch_index_goes_back: 4 * MIB,
    key_too_long: 4 * MIB,
    bodyless_put_is_framed_and_named: 4 * MIB,
    one_byte_chunks: 32 * MIB,
    stream_watch_endless_line: 16 * MIB,
    stream_watch_garbage_line: 4 * MIB,
];

/// A client of `adapter` over `urls` with the attacks' timeouts.
fn client(adapter: Adapter, urls: &[String]) -> Result<Sut, String> {
    let config = Config::new(urls.to_vec())
        .header_timeout(Some(HEADER_TIMEOUT))
        .max_body_bytes(4 * MIB);
    let sut = Sut::new(adapter, config).map_err(|e| format!("building the client: {e}"))?;
    Ok(sut.with_timeout(CALL_TIMEOUT))
}

/// Runs `call`, which must fail within `bound`, and returns its error.
fn fails_within<T: std::fmt::Debug>(
    bound: Duration,
    call: impl FnOnce() -> Result<T, Error>,
) -> Result<Error, String> {
    let started = Instant::now();
    let result = call();
    let took = started.elapsed();
    match result {
        Ok(v) => {
            let v: String = format!("{v:?}").chars().take(300).collect();
            Err(format!("expected an error, got Ok({v}…) after {took:?}"))
        }
        Err(_) if took > bound => Err(format!("ended after {took:?}, bound {bound:?}")),
        Err(e) => {
            // Formatting what came back must be safe and bounded too.
            let shown = format!("{e} {e:?}");
            ensure!(
                shown.len() < 64 * 1024,
                "the error prints {} bytes",
                shown.len()
            );
            Ok(e)
        }
    }
}

/// A `get` of `key` from a server running `script`, which must fail within the deadline:
/// its error.
fn get_fails(
    adapter: Adapter,
    key: &str,
    opts: GetOptions,
    script: impl Fn(&Seen, &mut Conn) -> io::Result<()> + Send + Sync + 'static,
) -> Result<Error, String> {
    let server = HostileServer::start(script).map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    fails_within(deadline(), || sut.get(key, opts))
}

/// A call's deadline plus the margin.
fn deadline() -> Duration {
    CALL_TIMEOUT + MARGIN
}

/// Writes an etcd-like answer.
fn answer(conn: &mut Conn, status: &str, headers: &str, body: &str) -> io::Result<()> {
    write!(
        conn.stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nX-Etcd-Index: 7\r\n{headers}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// A plain etcd `get` answer for `key`.
fn node_json(key: &str, index: u64) -> String {
    format!(
        r#"{{"action":"get","node":{{"key":"{key}","value":"v","modifiedIndex":{index},"createdIndex":{index}}}}}"#
    )
}

fn ok_answer(_: &Seen, conn: &mut Conn) -> io::Result<()> {
    answer(conn, "200 OK", "", &node_json("/a", 7))
}
