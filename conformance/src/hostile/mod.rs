//! Hostile servers: an in-process HTTP server on 127.0.0.1 that answers each request with
//! whatever bytes a test scripts (a stall, a trickle, an endless body, a lie), and the list of
//! attacks ([`attacks::ATTACKS`]) that `tests/hostile.rs` runs through every adapter.
//!
//! ```
//! use conformance::hostile::HostileServer;
//! use std::io::Write;
//! let server = HostileServer::start(|_req, conn| {
//!     conn.stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
//! })
//! .unwrap();
//! assert!(server.url().starts_with("http://127.0.0.1:"));
//! ```

pub mod attacks;

use std::io::{self, Read};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The request line and headers, as sent (lossy UTF-8), without the blank line.
    pub head: String,
    /// The body (by `Content-Length`, or the raw chunked bytes).
    pub body: Vec<u8>,
}

impl Seen {
    /// The request line, e.g. `GET /v2/keys/a HTTP/1.1`.
    pub fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (field, value) = line.split_once(':')?;
            field.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// One connection, handed to the script with each request read on it.
pub struct Conn {
    /// The socket to the client.
    pub stream: TcpStream,
    stop: Arc<AtomicBool>,
}

impl Conn {
    /// Blocks until the server is dropped: a member that never answers.
    pub fn stall(&self) -> io::Result<()> {
        while !self.stop.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(10));
        }
        Err(io::ErrorKind::ConnectionAborted.into())
    }

    /// Whether the server was dropped (a script writing forever stops then).
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

type Script = dyn Fn(&Seen, &mut Conn) -> io::Result<()> + Send + Sync;

/// A running hostile server; dropping it stops it (scripts that stall end within 10 ms).
pub struct HostileServer {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

/// The most of a request head the server reads before it gives up on the connection.
const MAX_HEAD: usize = 1 << 20;

impl HostileServer {
    /// Starts a server on a free 127.0.0.1 port that runs `script` for each request; an
    /// error from it closes the connection.
    ///
    /// # Errors
    /// Binding the port failed.
    pub fn start(
        script: impl Fn(&Seen, &mut Conn) -> io::Result<()> + Send + Sync + 'static,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let script: Arc<Script> = Arc::new(script);
        let (log, stopped) = (Arc::clone(&seen), Arc::clone(&stop));
        let counter = Arc::clone(&accepted);
        thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        counter.fetch_add(1, Ordering::SeqCst);
                        let conn = Conn {
                            stream,
                            stop: Arc::clone(&stopped),
                        };
                        let (script, log) = (Arc::clone(&script), Arc::clone(&log));
                        thread::spawn(move || serve(conn, &*script, &log));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Ok(Self {
            url,
            seen,
            accepted,
            stop,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// `host:port`.
    pub fn authority(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// The requests read so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests were read so far.
    pub fn hits(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve(mut conn: Conn, script: &Script, log: &Mutex<Vec<Seen>>) {
    let _ = conn.stream.set_nonblocking(false);
    let _ = conn
        .stream
        .set_read_timeout(Some(Duration::from_millis(50)));
    let mut buf = Vec::new();
    while let Some(seen) = read_request(&mut conn, &mut buf) {
        log.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(seen.clone());
        if script(&seen, &mut conn).is_err() {
            return;
        }
    }
}

/// Reads one request (head, then a `Content-Length` or chunked body) from `conn`, keeping
/// what follows in `buf`; `None` once the client closed or the server stopped.
fn read_request(conn: &mut Conn, buf: &mut Vec<u8>) -> Option<Seen> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD || !fill(conn, buf) {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    buf.drain(..head_end + 4);
    let mut seen = Seen {
        head,
        body: Vec::new(),
    };
    let body_done = |buf: &[u8], seen: &Seen| match seen.header("content-length") {
        Some(n) => n
            .parse()
            .map_or(Some(0), |n: usize| (buf.len() >= n).then_some(n)),
        None if seen.header("transfer-encoding").is_some() => buf
            .windows(5)
            .position(|w| w == b"0\r\n\r\n")
            .map(|i| i + 5),
        None => Some(0),
    };
    let len = loop {
        if let Some(n) = body_done(buf, &seen) {
            break n;
        }
        if !fill(conn, buf) {
            return None;
        }
    };
    seen.body = buf.drain(..len).collect();
    Some(seen)
}

/// Reads more bytes into `buf`; false once the client closed or the server stopped.
fn fill(conn: &mut Conn, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if conn.stopped() {
            return false;
        }
        match conn.stream.read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return true;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return false,
        }
    }
}
