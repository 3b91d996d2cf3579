//! Just enough HTTP/1.1 for the fake server: read one request, write one answer
//!
//! Requests: a request line, headers, and a `Content-Length` body (no chunked request bodies:
//! the clients under test never send them). `Expect: 100-continue` is honoured. Answers carry
//! a `Content-Length`, except a watch's, whose head goes out first and whose body follows as
//! one chunk.

use std::io::{self, BufRead, BufReader, Read, Write};

use bytes::Bytes;
use etcd_v2_proto::body::Body;
use http::header::{CONNECTION, CONTENT_LENGTH, EXPECT, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, Uri, Version};

/// Largest request head (request line and headers) accepted.
pub(crate) const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most headers accepted in one request.
pub(crate) const MAX_HEADERS: usize = 100;
/// Largest request body accepted (etcd's default limit is 1.5 MiB).
pub(crate) const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// One request read off a connection.
#[derive(Debug)]
pub(crate) struct Incoming {
    /// The request, its URI as sent (origin form: path and query).
    pub(crate) request: Request<Bytes>,
    /// Whether the client keeps the connection open after the answer.
    pub(crate) keep_alive: bool,
}

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The client closed the connection (or it broke) between or inside requests.
    Closed,
    /// A request the server refuses: answer with this status and reason, then close.
    Refused(u16, &'static str),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        Self::Closed
    }
}

/// Reads the next request; `conn` is also written to, for `100 Continue`.
pub(crate) fn read_request<S: Read + Write>(
    conn: &mut BufReader<S>,
) -> Result<Incoming, ReadError> {
    let mut budget = MAX_HEAD_BYTES;
    // Like Go, skip blank lines before the request line.
    let mut line = read_line(conn, &mut budget)?.ok_or(ReadError::Closed)?;
    while line.is_empty() {
        line = read_line(conn, &mut budget)?.ok_or(ReadError::Closed)?;
    }
    let (method, uri, version) = request_line(&line)?;
    let headers = read_headers(conn, &mut budget)?;
    if headers.contains_key(TRANSFER_ENCODING) {
        return Err(ReadError::Refused(
            501,
            "chunked request bodies are not supported",
        ));
    }
    let length = content_length(&headers)?;
    if length > MAX_BODY_BYTES {
        return Err(ReadError::Refused(413, "request body too large"));
    }
    let continue_expected = headers
        .get(EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    if continue_expected && version == Version::HTTP_11 && length > 0 {
        conn.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body)?;
    let keep_alive = keeps_alive(version, &headers);
    let mut request = Request::new(Bytes::from(body));
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.version_mut() = version;
    *request.headers_mut() = headers;
    Ok(Incoming {
        request,
        keep_alive,
    })
}

/// One line without its `\r\n` (or `\n`); `None` at a clean end of stream before any byte.
fn read_line<R: BufRead>(conn: &mut R, budget: &mut usize) -> Result<Option<Vec<u8>>, ReadError> {
    let mut line = Vec::new();
    let limit = u64::try_from(*budget).unwrap_or(u64::MAX);
    let n = (&mut *conn).take(limit).read_until(b'\n', &mut line)?;
    *budget -= n;
    if n == 0 && *budget > 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        return Err(match *budget {
            0 => ReadError::Refused(431, "request head too large"),
            _ => ReadError::Closed,
        });
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

fn request_line(line: &[u8]) -> Result<(Method, Uri, Version), ReadError> {
    let bad = ReadError::Refused(400, "malformed request line");
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad);
    };
    let version = match version {
        b"HTTP/1.1" => Version::HTTP_11,
        b"HTTP/1.0" => Version::HTTP_10,
        _ => return Err(ReadError::Refused(505, "HTTP version not supported")),
    };
    let method = Method::from_bytes(method).map_err(|_| ReadError::Refused(400, "bad method"))?;
    if target.first() != Some(&b'/') {
        return Err(bad);
    }
    let uri = Uri::try_from(target).map_err(|_| ReadError::Refused(400, "bad request target"))?;
    Ok((method, uri, version))
}

fn read_headers<R: BufRead>(conn: &mut R, budget: &mut usize) -> Result<HeaderMap, ReadError> {
    let mut headers = HeaderMap::new();
    loop {
        let line = read_line(conn, budget)?.ok_or(ReadError::Closed)?;
        if line.is_empty() {
            return Ok(headers);
        }
        if headers.len() == MAX_HEADERS {
            return Err(ReadError::Refused(431, "too many headers"));
        }
        let bad = ReadError::Refused(400, "malformed header");
        let colon = line.iter().position(|&b| b == b':').ok_or(bad)?;
        let name = HeaderName::from_bytes(&line[..colon])
            .map_err(|_| ReadError::Refused(400, "bad header name"))?;
        let value = HeaderValue::from_bytes(line[colon + 1..].trim_ascii())
            .map_err(|_| ReadError::Refused(400, "bad header value"))?;
        headers.append(name, value);
    }
}

/// The body length: 0 without `Content-Length`; copies must agree.
fn content_length(headers: &HeaderMap) -> Result<usize, ReadError> {
    let mut length = None;
    for value in headers.get_all(CONTENT_LENGTH) {
        let parsed = value
            .to_str()
            .ok()
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or(ReadError::Refused(400, "bad Content-Length"))?;
        if length.is_some_and(|l| l != parsed) {
            return Err(ReadError::Refused(400, "conflicting Content-Length"));
        }
        length = Some(parsed);
    }
    Ok(length.unwrap_or(0))
}

/// HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only if told to keep it.
fn keeps_alive(version: Version, headers: &HeaderMap) -> bool {
    let says = |word: &str| {
        headers.get_all(CONNECTION).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(word)))
        })
    };
    match version {
        Version::HTTP_10 => says("keep-alive"),
        _ => !says("close"),
    }
}

/// Writes a whole answer (no body for a `HEAD`); `close` adds `Connection: close`.
pub(crate) fn write_response<W: Write>(
    out: &mut W,
    response: &Response<Body>,
    head_only: bool,
    close: bool,
) -> io::Result<()> {
    let body = response.body().contiguous();
    let length = body.len().to_string();
    let mut bytes = head(response, &[("Content-Length", &length)], close);
    if !head_only {
        bytes.extend_from_slice(&body);
    }
    out.write_all(&bytes)
}

/// Writes the head of an answer whose body comes later, in chunks ([`write_last_chunk`]).
pub(crate) fn write_chunked_head<W: Write>(
    out: &mut W,
    response: &Response<Body>,
) -> io::Result<()> {
    out.write_all(&head(response, &[("Transfer-Encoding", "chunked")], false))
}

/// Writes `body` as one chunk, then the end of the chunked body.
pub(crate) fn write_last_chunk<W: Write>(out: &mut W, body: &[u8]) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(body.len() + 16);
    if !body.is_empty() {
        bytes.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    out.write_all(&bytes)
}

/// A plain-text refusal (`400 Bad Request`, …), as Go's server sends one before closing.
pub(crate) fn refusal(status: u16, reason: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(format!("{status} {reason}")));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or_default();
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The status line and headers, then `extra` headers, then the blank line.
fn head(response: &Response<Body>, extra: &[(&str, &str)], close: bool) -> Vec<u8> {
    let status = response.status();
    let reason = status.canonical_reason().unwrap_or("Unknown");
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", status.as_u16()).into_bytes();
    let skip = [CONTENT_LENGTH, TRANSFER_ENCODING, CONNECTION];
    for (name, value) in response.headers() {
        if skip.contains(name) {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    for (name, value) in extra {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}
