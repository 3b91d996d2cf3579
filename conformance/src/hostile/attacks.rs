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

/// A member that accepts and never answers: a header timeout.
pub fn stall_before_headers(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|_, conn| conn.stall()).map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let e = fails_within(HEADER_TIMEOUT + MARGIN, || {
        sut.get("/a", GetOptions::default())
    })?;
    ensure!(
        matches!(&e, Error::Cluster(c) if c.failures.len() == 1),
        "expected a cluster error naming the stalled member: {e:?}"
    );
    Ok(())
}

/// Headers at once, then a body of one byte every 50 ms: ended by the call's deadline.
pub fn trickling_body(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        conn.stream
            .write_all(b"HTTP/1.1 200 OK\r\nX-Etcd-Index: 7\r\nContent-Length: 100000\r\n\r\n")?;
        while !conn.stopped() {
            conn.stream.write_all(b" ")?;
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    })?;
    // Either bound may end it: the per-request timeout also covers a plain call's body.
    ensure!(
        e == Error::DeadlineExceeded || format!("{e:?}").contains("Timeout"),
        "expected a timeout: {e:?}"
    );
    Ok(())
}

/// A body that never ends, as fast as the client reads: refused at the body cap.
pub fn endless_body(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        conn.stream
            .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")?;
        let block = vec![b' '; 64 * 1024];
        while !conn.stopped() {
            write!(conn.stream, "{:x}\r\n", block.len())?;
            conn.stream.write_all(&block)?;
            conn.stream.write_all(b"\r\n")?;
        }
        Ok(())
    })?;
    ensure!(
        format!("{e:?}").contains("BodyTooLarge"),
        "expected the body cap: {e:?}"
    );
    Ok(())
}

/// A watch whose answer starts and then trickles whitespace forever: the watch's deadline
/// ends it (a long poll may take long, but not past the caller's deadline).
pub fn endless_chunked_watch(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|seen, conn| {
        // The watch's start index: a plain answer, so the attack is on the wait.
        if seen.request_line().starts_with("HEAD ") {
            return answer(conn, "200 OK", "", "");
        }
        conn.stream.write_all(
            b"HTTP/1.1 200 OK\r\nX-Etcd-Index: 7\r\nTransfer-Encoding: chunked\r\n\r\n",
        )?;
        while !conn.stopped() {
            conn.stream.write_all(b"1\r\n \r\n")?;
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let mut watcher = sut
        .watch("/a", WatchOptions::default())
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let got = watcher.next_within(deadline() + MARGIN);
    let took = started.elapsed();
    ensure!(
        took <= deadline(),
        "the watch ended after {took:?}: {got:?}"
    );
    ensure!(
        matches!(got, Some(Err(Error::DeadlineExceeded))),
        "expected the deadline: {got:?}"
    );
    Ok(())
}

/// 2 MiB of response headers: a typed error, not a hang or a buffer that grows forever.
pub fn huge_headers(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|_, conn| {
        conn.stream.write_all(b"HTTP/1.1 200 OK\r\n")?;
        let line = format!("X-Junk: {}\r\n", "j".repeat(1000));
        for _ in 0..2048 {
            if conn.stopped() {
                break;
            }
            conn.stream.write_all(line.as_bytes())?;
        }
        conn.stream.write_all(b"Content-Length: 2\r\n\r\n{}")
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    fails_within(deadline(), || sut.get("/a", GetOptions::default()))?;
    Ok(())
}

/// The connection closes halfway through the promised body.
pub fn close_mid_body(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        conn.stream.write_all(
            b"HTTP/1.1 200 OK\r\nX-Etcd-Index: 7\r\nContent-Length: 1000\r\n\r\n{\"action\"",
        )?;
        Err(io::ErrorKind::ConnectionAborted.into())
    })?;
    ensure!(
        matches!(e, Error::Cluster(_) | Error::Protocol(_)),
        "expected a transport or protocol error: {e:?}"
    );
    Ok(())
}

/// Something that is not HTTP at all answers.
pub fn not_http(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        conn.stream
            .write_all(b"SSH-2.0-OpenSSH_9.2\r\n\x00\xff\xfe garbage\r\n\r\n")?;
        Err(io::ErrorKind::ConnectionAborted.into())
    })?;
    ensure!(
        matches!(e, Error::Cluster(_)),
        "expected a cluster error: {e:?}"
    );
    Ok(())
}

/// A web page where etcd's JSON should be (a proxy's login page, a wrong port).
pub fn html_instead_of_json(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        let page = "<html><body>Please log in</body></html>";
        write!(
            conn.stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}",
            page.len()
        )
    })?;
    ensure!(
        format!("{e:?}").contains("InvalidJson"),
        "expected invalid JSON: {e:?}"
    );
    Ok(())
}

/// A listing nested 4,000 directories deep: refused by the decoder, since formatting,
/// cloning or comparing such a tree would overflow a thread's stack.
pub fn deep_nesting(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(
        adapter,
        "/d",
        GetOptions::default().recursive(true),
        |_, conn| {
            let depth = 4000;
            let mut body = String::from(r#"{"action":"get","node":"#);
            for _ in 0..depth {
                body.push_str(r#"{"key":"/d","dir":true,"nodes":["#);
            }
            body.push_str(r#"{"key":"/d/x","value":"v"}"#);
            for _ in 0..depth {
                body.push_str("]}");
            }
            body.push('}');
            answer(conn, "200 OK", "", &body)
        },
    )?;
    ensure!(
        matches!(e, Error::Protocol(_)),
        "expected a protocol error: {e:?}"
    );
    Ok(())
}

/// 3.9 MiB of empty child nodes (`{},` is 3 bytes, a decoded node over a hundred): refused
/// before it costs more than a small multiple of the body.
pub fn many_empty_children(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(
        adapter,
        "/d",
        GetOptions::default().recursive(true),
        |_, conn| {
            let head = r#"{"action":"get","node":{"key":"/d","dir":true,"nodes":[{}"#;
            let block = ",{}".repeat(16 * 1024);
            let blocks = (4 * MIB - 1024) / block.len();
            let tail = "]}}";
            let len = head.len() + blocks * block.len() + tail.len();
            write!(
                conn.stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Etcd-Index: 7\r\n\
             Content-Length: {len}\r\n\r\n{head}"
            )?;
            for _ in 0..blocks {
                conn.stream.write_all(block.as_bytes())?;
            }
            conn.stream.write_all(tail.as_bytes())
        },
    )?;
    ensure!(
        matches!(e, Error::Protocol(_)),
        "expected a protocol error: {e:?}"
    );
    Ok(())
}

/// `add_user` and `change_password` redirected to another origin: the password in the body
/// must not go there.
pub fn secret_redirected_to_another_origin(adapter: Adapter) -> Result<(), String> {
    let thief = HostileServer::start(ok_answer).map_err(|e| e.to_string())?;
    let to = thief.url();
    let server = HostileServer::start(move |seen, conn| {
        let path = seen.request_line().split(' ').nth(1).unwrap_or("/");
        answer(
            conn,
            "307 Temporary Redirect",
            &format!("Location: {to}{path}\r\n"),
            "",
        )
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    fails_within(deadline(), || sut.add_user("alice", "s3cret-one"))?;
    fails_within(deadline(), || sut.change_password("alice", "s3cret-two"))?;
    let leaked: Vec<Seen> = thief.seen();
    ensure!(
        leaked.is_empty(),
        "the other origin got {} requests: {:?}",
        leaked.len(),
        leaked.iter().map(Seen::request_line).collect::<Vec<_>>()
    );
    ensure_eq!(server.seen().len(), 2, "requests to the member");
    Ok(())
}

/// A `Location` whose port does not exist (`:99999`): refused, not dialled as port 80.
pub fn location_port_out_of_range(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        let to = "Location: http://127.0.0.1:99999/v2/keys/a\r\n";
        answer(conn, "307 Temporary Redirect", to, "")
    })?;
    ensure!(
        !format!("{e:?}").contains("Connect"),
        "a port out of range was dialled: {e:?}"
    );
    Ok(())
}

/// A `Location` with userinfo: never turned into a `Host` or `Authorization` header.
pub fn location_with_userinfo(adapter: Adapter) -> Result<(), String> {
    let target = HostileServer::start(ok_answer).map_err(|e| e.to_string())?;
    let to = format!(
        "Location: http://mallory:pw@{}/v2/keys/a\r\n",
        target.authority()
    );
    let server =
        HostileServer::start(move |_, conn| answer(conn, "307 Temporary Redirect", &to, ""))
            .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let _ = sut.get("/a", GetOptions::default());
    for seen in target.seen() {
        ensure!(
            seen.header("authorization").is_none()
                && !seen.header("host").unwrap_or_default().contains('@'),
            "userinfo of a Location became a header: {}",
            seen.head
        );
    }
    Ok(())
}

/// `Location: ../x` is resolved (RFC 3986), not sent as `/v2/keys/a/../x`.
pub fn location_with_dot_segments(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|seen, conn| {
        if seen.request_line().starts_with("GET /v2/keys/a/b") {
            answer(conn, "307 Temporary Redirect", "Location: ../x\r\n", "")
        } else {
            answer(conn, "200 OK", "", &node_json("/x", 7))
        }
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    sut.get("/a/b", GetOptions::default())
        .map_err(|e| format!("following ../x: {e:?}"))?;
    let lines: Vec<String> = server
        .seen()
        .iter()
        .map(|s| s.request_line().to_owned())
        .collect();
    ensure!(
        lines.len() == 2 && lines[1].starts_with("GET /v2/keys/x"),
        "requests: {lines:?}"
    );
    Ok(())
}

/// `HTTP://` is the same scheme as `http://`.
pub fn location_with_upper_case_scheme(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|seen, conn| {
        if seen.request_line().starts_with("GET /v2/keys/a") {
            let addr = seen.header("host").unwrap_or_default().to_owned();
            answer(
                conn,
                "307 Temporary Redirect",
                &format!("Location: HTTP://{addr}/v2/keys/y\r\n"),
                "",
            )
        } else {
            answer(conn, "200 OK", "", &node_json("/y", 7))
        }
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    sut.get("/a", GetOptions::default())
        .map_err(|e| format!("following HTTP://: {e:?}"))?;
    Ok(())
}

/// An etcd error whose message forges log lines (newline, ANSI escapes) and runs to 1 MiB:
/// shown escaped and cut, kept whole as data.
pub fn error_message_with_escapes(adapter: Adapter) -> Result<(), String> {
    let cause = "c".repeat(MIB);
    let body = format!(
        r#"{{"errorCode":100,"message":"Key not found\n\u001b[31mERROR forged line","cause":"{cause}","index":7}}"#
    );
    let server = HostileServer::start(move |_, conn| answer(conn, "404 Not Found", "", &body))
        .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let e = fails_within(deadline(), || sut.get("/a", GetOptions::default()))?;
    let etcd = e
        .etcd()
        .ok_or_else(|| format!("expected an etcd error: {e:?}"))?;
    ensure_eq!(etcd.cause.len(), MIB, "the cause kept as data");
    let shown = e.to_string();
    ensure!(
        !shown.chars().any(char::is_control),
        "control characters in {shown:?}"
    );
    ensure!(shown.len() < 4096, "the error shows {} bytes", shown.len());
    Ok(())
}

/// A watch that answers index 101, then 91: the second is refused.
pub fn watch_index_goes_back(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|seen, conn| {
        // The start (HEAD, index 7), then 101 for the wait from 8, then 91 for the one from 102.
        let line = seen.request_line();
        let index = match line {
            _ if line.starts_with("HEAD ") => return answer(conn, "200 OK", "", ""),
            _ if line.contains("waitIndex=8 ") => 101,
            _ => 91,
        };
        answer(
            conn,
            "200 OK",
            "",
            &node_json("/a", index).replace("\"get\"", "\"set\""),
        )
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let mut watcher = sut
        .watch("/a", WatchOptions::default())
        .map_err(|e| e.to_string())?;
    let first = watcher.next_within(deadline()).ok_or("no first event")?;
    ensure!(first.is_ok(), "the first event: {first:?}");
    let second = watcher.next_within(deadline()).ok_or("no second answer")?;
    ensure!(
        matches!(&second, Err(Error::Protocol(_))),
        "an event at 91 after 101: {second:?}"
    );
    Ok(())
}

/// A key too long for any server's request line: a usage error, nothing sent.
pub fn key_too_long(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(ok_answer).map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let key = format!("/{}", "k".repeat(100 * 1024));
    let e = fails_within(deadline(), || sut.set(&key, "v", &SetOptions::default()))?;
    ensure!(
        matches!(e, Error::Usage(_)),
        "expected a usage error: {e:?}"
    );
    ensure_eq!(server.seen().len(), 0, "requests sent");
    Ok(())
}

/// A PUT without a body says `Content-Length: 0` (as Go does; proxies need it), and every
/// request names this library in `User-Agent`.
pub fn bodyless_put_is_framed_and_named(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(ok_answer).map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    sut.set("/d", "", &SetOptions::default().dir(true))
        .map_err(|e| format!("mkdir: {e:?}"))?;
    let seen = server.seen();
    let put = seen.first().ok_or("nothing sent")?;
    ensure!(put.request_line().starts_with("PUT "), "{}", put.head);
    ensure_eq!(put.header("content-length"), Some("0"), "Content-Length");
    ensure_eq!(put.header("transfer-encoding"), None, "Transfer-Encoding");
    let agent = put.header("user-agent").unwrap_or_default();
    ensure!(agent.starts_with("etcd-v2-rs/"), "User-Agent: {agent:?}");
    Ok(())
}

/// An answer sent one byte per chunk, as fast as the client takes them, without end: each
/// chunk costs the client a little (hyper hands each over as a frame through its connection
/// task), and the call's bound ends it all the same.
pub fn one_byte_chunks(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        conn.stream.write_all(
            b"HTTP/1.1 200 OK\r\nX-Etcd-Index: 7\r\nTransfer-Encoding: chunked\r\n\r\n",
        )?;
        let block = "1\r\n \r\n".repeat(10_000);
        while !conn.stopped() {
            conn.stream.write_all(block.as_bytes())?;
        }
        Ok(())
    })?;
    ensure!(
        e == Error::DeadlineExceeded || format!("{e:?}").contains("Timeout"),
        "expected a timeout: {e:?}"
    );
    Ok(())
}
