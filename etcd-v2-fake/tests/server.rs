//! The loopback server, spoken to in raw HTTP/1.1: keep-alive, long-poll watches that do not
//! block other connections, TTL expiry waking a watch, malformed requests, stopping on drop.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use etcd_v2_fake::FakeServer;

/// A raw client connection.
struct Conn(BufReader<TcpStream>);

impl Conn {
    fn open(endpoint: &str) -> Self {
        let address = endpoint.trim_start_matches("http://");
        let stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Self(BufReader::new(stream))
    }

    fn send(&mut self, raw: &str) {
        self.0.get_mut().write_all(raw.as_bytes()).unwrap();
    }

    fn request(&mut self, method: &str, target: &str, form: &str) {
        let body = if form.is_empty() {
            String::new()
        } else {
            format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
                form.len()
            )
        };
        let end = if form.is_empty() { "\r\n" } else { "" };
        self.send(&format!(
            "{method} {target} HTTP/1.1\r\nHost: x\r\n{end}{body}"
        ));
    }

    /// Status line, headers (lower-case names) and body of the next answer.
    fn answer(&mut self) -> (String, Vec<(String, String)>, String) {
        let status = self.line();
        let mut headers = Vec::new();
        loop {
            let line = self.line();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        let mut body = String::new();
        if header("transfer-encoding").is_some() {
            loop {
                let size = usize::from_str_radix(&self.line(), 16).unwrap();
                let mut chunk = vec![0; size + 2];
                self.0.read_exact(&mut chunk).unwrap();
                body.push_str(std::str::from_utf8(&chunk[..size]).unwrap());
                if size == 0 {
                    break;
                }
            }
        } else if let Some(length) = header("content-length") {
            let mut bytes = vec![0; length.parse().unwrap()];
            self.0.read_exact(&mut bytes).unwrap();
            body = String::from_utf8(bytes).unwrap();
        }
        (status, headers, body)
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.0.read_line(&mut line).unwrap();
        line.trim_end().to_string()
    }

    /// Whether the server closed the connection (what was left unread is dropped).
    fn closed(&mut self) -> bool {
        match self.0.read_to_end(&mut Vec::new()) {
            Ok(_) => true,
            Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        }
    }
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = FakeServer::start(1).unwrap();
    let mut c = Conn::open(&server.endpoints()[0]);
    c.request("PUT", "/v2/keys/a", "value=1");
    let (status, headers, body) = c.answer();
    assert_eq!(status, "HTTP/1.1 201 Created");
    assert!(
        headers.contains(&("x-etcd-index".into(), "4".into())),
        "{headers:?}"
    );
    assert!(body.contains("\"value\":\"1\""), "{body}");
    c.request("GET", "/v2/keys/a", "");
    let (status, _, body) = c.answer();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.starts_with("{\"action\":\"get\""), "{body}");
    c.request("GET", "/v2/keys/missing", "");
    assert_eq!(c.answer().0, "HTTP/1.1 404 Not Found");
}

#[test]
fn members_list_the_loopback_urls() {
    let server = FakeServer::start(3).unwrap();
    let endpoints = server.endpoints();
    let mut c = Conn::open(&endpoints[2]);
    c.request("GET", "/v2/members", "");
    let (_, _, body) = c.answer();
    for url in &endpoints {
        assert!(body.contains(url.as_str()), "{url} in {body}");
    }
}

#[test]
fn a_waiting_watch_does_not_block_other_connections() {
    let server = FakeServer::start(1).unwrap();
    let endpoint = server.endpoints()[0].clone();
    let mut watcher = Conn::open(&endpoint);
    watcher.request("GET", "/v2/keys/w?wait=true", "");
    // The head comes at once, before any event.
    assert_eq!(watcher.line(), "HTTP/1.1 200 OK");
    let writer = thread::spawn(move || {
        let mut c = Conn::open(&endpoint);
        c.request("PUT", "/v2/keys/w", "value=v");
        c.answer().0
    });
    assert_eq!(writer.join().unwrap(), "HTTP/1.1 201 Created");
    while !watcher.line().is_empty() {}
    let size = usize::from_str_radix(&watcher.line(), 16).unwrap();
    let mut body = vec![0; size];
    watcher.0.read_exact(&mut body).unwrap();
    let body = String::from_utf8(body).unwrap();
    assert!(body.starts_with("{\"action\":\"set\""), "{body}");
}

#[test]
fn an_http_1_0_watch_gets_one_plain_answer() {
    let server = FakeServer::start(1).unwrap();
    let endpoint = server.endpoints()[0].clone();
    // From the next index, so the write is seen whether or not the watch was registered first.
    let mut writer = Conn::open(&endpoint);
    writer.request("GET", "/v2/keys/", "");
    let (_, headers, _) = writer.answer();
    let index: u64 = headers
        .iter()
        .find(|(n, _)| n == "x-etcd-index")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap();
    let mut watcher = Conn::open(&endpoint);
    watcher.send(&format!(
        "GET /v2/keys/w?wait=true&waitIndex={} HTTP/1.0\r\n\r\n",
        index + 1
    ));
    writer.request("PUT", "/v2/keys/w", "value=v");
    assert_eq!(writer.answer().0, "HTTP/1.1 201 Created");
    let (status, headers, body) = watcher.answer();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        headers.iter().all(|(n, _)| n != "transfer-encoding"),
        "{headers:?}"
    );
    assert!(body.starts_with("{\"action\":\"set\""), "{body}");
    assert!(watcher.closed());
}

#[test]
fn a_ttl_running_out_wakes_a_watch() {
    let server = FakeServer::start(1).unwrap();
    let mut c = Conn::open(&server.endpoints()[0]);
    c.request("PUT", "/v2/keys/t", "value=v&ttl=1");
    assert_eq!(c.answer().0, "HTTP/1.1 201 Created");
    let start = Instant::now();
    c.request("GET", "/v2/keys/t?wait=true", "");
    let (status, _, body) = c.answer();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.starts_with("{\"action\":\"expire\""), "{body}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn malformed_requests_get_400_and_the_connection_closes() {
    let server = FakeServer::start(1).unwrap();
    let endpoint = &server.endpoints()[0];
    for raw in [
        "NONSENSE\r\n\r\n",
        "GET /v2/keys/a HTTP/1.1\r\nno colon here\r\n\r\n",
        "GET /v2/keys/a HTTP/1.1\r\nContent-Length: lots\r\n\r\n",
        "GET http//bad HTTP/1.1\r\n\r\n",
    ] {
        let mut c = Conn::open(endpoint);
        c.send(raw);
        let (status, _, _) = c.answer();
        assert_eq!(status, "HTTP/1.1 400 Bad Request", "{raw:?}");
        assert!(c.closed(), "{raw:?}");
    }
}

#[test]
fn dropping_the_server_closes_idle_and_waiting_connections() {
    let server = FakeServer::start(1).unwrap();
    let endpoint = server.endpoints()[0].clone();
    let mut idle = Conn::open(&endpoint);
    idle.request("GET", "/version", "");
    assert_eq!(idle.answer().0, "HTTP/1.1 200 OK");
    let mut watcher = Conn::open(&endpoint);
    watcher.request("GET", "/v2/keys/w?wait=true", "");
    assert_eq!(watcher.line(), "HTTP/1.1 200 OK");
    drop(server);
    assert!(idle.closed());
    assert!(watcher.closed());
    assert!(TcpStream::connect(endpoint.trim_start_matches("http://")).is_err());
}
