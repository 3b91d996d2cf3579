//! The canned-response server of the `null` workload: every request gets the same etcd get
//! answer, so a run measures the client without etcd in the way.
//!
//! It runs in its own process (`bench --serve-null`), so its CPU time is not the client's.
//! One thread per connection, HTTP/1.1 keep-alive, request bodies read and ignored.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};

use crate::plan::{NULL_KEY, value};

/// The body of every answer: a single-node get, as etcd sends it.
fn canned_body() -> String {
    format!(
        r#"{{"action":"get","node":{{"key":"{NULL_KEY}","value":"{}","modifiedIndex":4241,"createdIndex":17}}}}"#,
        value()
    ) + "\n"
}

/// The whole answer, headers as etcd 3.4 sends them.
fn canned_response() -> Vec<u8> {
    let body = canned_body();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Etcd-Cluster-Id: cdf818194e3a8c32\r\n\
         X-Etcd-Index: 4242\r\nX-Raft-Index: 9000\r\nX-Raft-Term: 2\r\n\
         Date: Wed, 25 Nov 2026 12:00:00 GMT\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves forever on 127.0.0.1 (a free port), after printing `listening <addr>` on stdout.
pub(crate) fn serve() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("listening {}", listener.local_addr()?);
    io::stdout().flush()?;
    let response: &'static [u8] = canned_response().leak();
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            // A connection ends when the client closes it, or on any error.
            let _ = answer_all(stream, response);
        });
    }
    Ok(())
}

/// Answers every request on one connection until it closes.
fn answer_all(stream: TcpStream, response: &[u8]) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        let mut content_length = 0_u64;
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() && !first {
                break;
            }
            first = false;
            if let Some((name, v)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        io::copy(&mut (&mut reader).take(content_length), &mut io::sink())?;
        writer.write_all(response)?;
    }
}

/// The server process; killed when dropped.
pub(crate) struct NullServer {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub(crate) url: String,
}

impl NullServer {
    /// Starts `bench --serve-null` and reads the address it listens on.
    pub(crate) fn start() -> io::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("--serve-null")
            .stdout(Stdio::piped())
            .spawn()?;
        let mut first = String::new();
        let stdout = child.stdout.take().ok_or(io::ErrorKind::BrokenPipe)?;
        BufReader::new(stdout).read_line(&mut first)?;
        match first.trim().strip_prefix("listening ") {
            Some(addr) => Ok(Self {
                url: format!("http://{addr}"),
                child,
            }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(io::Error::other(format!("null server said {first:?}")))
            }
        }
    }
}

impl Drop for NullServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
