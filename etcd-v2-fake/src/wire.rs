//! The server side of the v2 wire format: forms in, Go-encoded JSON out
//!
//! Request parsing follows etcd 3.4's `parseKeyRequest` (same checks, same order, same error
//! causes); JSON follows Go's `encoding/json` (struct field order, `omitempty`, HTML-safe
//! escapes, a final `\n`).

use etcd_v2_proto::body::Body;

use bytes::Bytes;
use http::{Method, Request, Response, header};
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::history::Event;
use crate::store::StoreError;
use etcd_v2_proto::ErrorCode;
use etcd_v2_proto::{Action, Node};

/// Query and form-body parameters, body first (so the body wins, as in Go's `FormValue`).
#[derive(Debug, Default)]
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    /// Go's `ParseForm`: the body of a POST/PUT/PATCH with a form content type, then the query.
    /// The error is Go's text, e.g. `invalid URL escape "%zz"`.
    pub(crate) fn parse(request: &Request<Bytes>) -> Result<Self, String> {
        let mut form = Self::default();
        let mut error = None;
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        let has_body = matches!(
            *request.method(),
            Method::POST | Method::PUT | Method::PATCH
        );
        if has_body && is_form {
            form.add(&String::from_utf8_lossy(request.body()), &mut error);
        }
        form.add(request.uri().query().unwrap_or(""), &mut error);
        error.map_or(Ok(form), Err)
    }

    fn add(&mut self, query: &str, error: &mut Option<String>) {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            if pair.contains(';') {
                error.get_or_insert_with(|| "invalid semicolon separator in query".to_string());
                continue;
            }
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match (unescape(name), unescape(value)) {
                (Ok(n), Ok(v)) => self.0.push((n, v)),
                (Err(e), _) | (_, Err(e)) => {
                    error.get_or_insert(e);
                }
            }
        }
    }

    /// The first value of `name` (Go: `FormValue`, but telling absent from empty).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Go's `QueryUnescape`: `+` is a space, `%XX` a byte.
fn unescape(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) else {
                    let bad = String::from_utf8_lossy(&bytes[i..bytes.len().min(i + 3)]);
                    return Err(format!("invalid URL escape {bad:?}"));
                };
                out.push(byte);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseUint(s, 10, 64)` (digits only).
fn parse_u64(s: &str) -> Option<u64> {
    s.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| s.parse().ok())
        .flatten()
}

/// A parsed keys request (Go: the `etcdserverpb.Request` built by `parseKeyRequest`).
#[derive(Debug, Default)]
#[allow(clippy::struct_excessive_bools)] // the wire's flags, one field each
pub(crate) struct KeyRequest {
    pub(crate) prev_index: u64,
    pub(crate) wait_index: u64,
    pub(crate) recursive: bool,
    pub(crate) wait: bool,
    pub(crate) dir: bool,
    pub(crate) quorum: bool,
    pub(crate) no_value_on_success: bool,
    pub(crate) prev_value: String,
    pub(crate) value: String,
    pub(crate) ttl: Option<u64>,
    pub(crate) prev_exist: Option<bool>,
    pub(crate) refresh: bool,
}

fn invalid(code: ErrorCode, cause: &str) -> StoreError {
    StoreError::new(code, cause, 0)
}

/// etcd's `parseKeyRequest` checks, in its order; errors have index 0.
pub(crate) fn key_request(method: &Method, form: &Form) -> Result<KeyRequest, StoreError> {
    let uint = |name: &str| match form.get(name) {
        None => Ok(0),
        Some(v) => parse_u64(v)
            .ok_or_else(|| invalid(ErrorCode::INDEX_NAN, &format!("invalid value for {name:?}"))),
    };
    let flag = |name: &str, cause: &str| match form.get(name) {
        None => Ok(None),
        Some(v) => parse_bool(v)
            .map(Some)
            .ok_or_else(|| invalid(ErrorCode::INVALID_FIELD, cause)),
    };
    let bool_of =
        |name: &str| flag(name, &format!("invalid value for {name:?}")).map(|b| b == Some(true));
    let mut r = KeyRequest {
        prev_index: uint("prevIndex")?,
        wait_index: uint("waitIndex")?,
        recursive: bool_of("recursive")?,
        ..KeyRequest::default()
    };
    bool_of("sorted")?;
    r.wait = bool_of("wait")?;
    r.dir = bool_of("dir")?;
    r.quorum = bool_of("quorum")?;
    bool_of("stream")?;
    if r.wait && *method != Method::GET {
        let cause = "\"wait\" can only be used with GET requests";
        return Err(invalid(ErrorCode::INVALID_FIELD, cause));
    }
    r.prev_value = form.get("prevValue").unwrap_or("").to_string();
    if form.get("prevValue") == Some("") {
        let cause = "\"prevValue\" cannot be empty";
        return Err(invalid(ErrorCode::PREV_VALUE_REQUIRED, cause));
    }
    r.no_value_on_success = bool_of("noValueOnSuccess")?;
    r.ttl = match form.get("ttl").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(
            parse_u64(v).ok_or_else(|| invalid(ErrorCode::TTL_NAN, "invalid value for \"ttl\""))?,
        ),
    };
    r.prev_exist = flag("prevExist", "invalid value for prevExist")?;
    r.refresh = flag("refresh", "invalid value for refresh")? == Some(true);
    r.value = form.get("value").unwrap_or("").to_string();
    if r.refresh && !r.value.is_empty() {
        return Err(invalid(
            ErrorCode::REFRESH_VALUE,
            "A value was provided on a refresh",
        ));
    }
    if r.refresh && r.ttl.is_none() {
        return Err(invalid(ErrorCode::REFRESH_TTL_REQUIRED, "No TTL value set"));
    }
    Ok(r)
}

/// etcd's fixed message for an error code.
pub(crate) fn message(code: ErrorCode) -> &'static str {
    match code.0 {
        100 => "Key not found",
        101 => "Compare failed",
        102 => "Not a file",
        104 => "Not a directory",
        105 => "Key already exists",
        107 => "Root is read only",
        108 => "Directory not empty",
        201 => "PrevValue is Required in POST form",
        202 => "The given TTL in POST form is not a number",
        203 => "The given index in POST form is not a number",
        209 => "Invalid field",
        210 => "Invalid POST form",
        211 => "Value provided on refresh",
        212 => "A TTL must be provided on refresh",
        300 => "Raft Internal Error",
        401 => "The event in requested index is outdated and cleared",
        _ => "Unknown error",
    }
}

/// The HTTP status of a keys error: 100→404, 101/105→412, 102/108→403, 110→401, 300/301→500,
/// any other → 400 (etcd's `v2error` status table).
pub(crate) fn error_status(code: ErrorCode) -> u16 {
    match code.0 {
        100 => 404,
        101 | 105 => 412,
        102 | 108 => 403,
        110 => 401,
        300 | 301 => 500,
        _ => 400,
    }
}

/// `{"errorCode":…,"message":…,"cause":…,"index":…}` (`cause` left out when empty).
pub(crate) fn error_json(error: &StoreError) -> String {
    #[derive(Serialize)]
    struct Body<'a> {
        #[serde(rename = "errorCode")]
        code: u16,
        message: &'a str,
        #[serde(skip_serializing_if = "str::is_empty")]
        cause: &'a str,
        index: u64,
    }
    go_json(&Body {
        code: error.code.0,
        message: error.message(),
        cause: &error.cause,
        index: error.index,
    })
}

/// An event as etcd writes it; `no_value` drops the nodes of set/create/update/CAS.
pub(crate) fn event_json(event: &Event, no_value: bool) -> String {
    let drop = no_value
        && matches!(
            event.action,
            Action::Set | Action::Create | Action::Update | Action::CompareAndSwap
        );
    go_json(&GoEvent { event, drop })
}

/// Encodes like Go's `json.Encoder`: serde_json keeps struct field order, as Go does; Go also
/// escapes `<`, `>`, `&`, U+2028 and U+2029 (they only occur inside strings); a final `\n`.
pub(crate) fn go_json<T: Serialize>(value: &T) -> String {
    // Our bodies are structs of strings, numbers, options and lists: they always serialise.
    let plain = serde_json::to_string(value).unwrap_or_default();
    let mut out = String::with_capacity(plain.len() + 1);
    for c in plain.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

/// A node in Go's field order, with Go's `omitempty`s.
struct GoNode<'a>(&'a Node);

impl Serialize for GoNode<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.0;
        let mut st = s.serialize_struct("Node", 8)?;
        if !n.key.is_empty() {
            st.serialize_field("key", &n.key)?;
        }
        if let Some(v) = &n.value {
            st.serialize_field("value", v)?;
        }
        if n.dir {
            st.serialize_field("dir", &true)?;
        }
        if let Some(e) = &n.expiration {
            st.serialize_field("expiration", e)?;
        }
        if let Some(t) = n.ttl.filter(|t| *t != 0) {
            st.serialize_field("ttl", &t)?;
        }
        if !n.nodes.is_empty() {
            let nodes: Vec<GoNode<'_>> = n.nodes.iter().map(GoNode).collect();
            st.serialize_field("nodes", &nodes)?;
        }
        if n.modified_index != 0 {
            st.serialize_field("modifiedIndex", &n.modified_index)?;
        }
        if n.created_index != 0 {
            st.serialize_field("createdIndex", &n.created_index)?;
        }
        st.end()
    }
}

struct GoEvent<'a> {
    event: &'a Event,
    drop: bool,
}

impl Serialize for GoEvent<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.event;
        let mut st = s.serialize_struct("Event", 4)?;
        st.serialize_field("action", e.action.as_str())?;
        if !self.drop {
            st.serialize_field("node", &GoNode(&e.node))?;
            if let Some(p) = &e.prev_node {
                st.serialize_field("prevNode", &GoNode(p))?;
            }
        }
        if e.refresh {
            st.serialize_field("refresh", &true)?;
        }
        st.end()
    }
}

/// `application/json`.
pub(crate) const JSON: &str = "application/json";
/// What Go's `http.Error` and etcd's `/health` send.
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";

/// An answer with a status, extra headers, a content type and a body.
pub(crate) fn reply(
    status: u16,
    headers: &[(&str, String)],
    content_type: &str,
    body: String,
) -> Response<Body> {
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type);
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    builder.body(Body::from(body)).unwrap_or_default()
}

/// Go's `405 Method Not Allowed` with its `Allow` header.
pub(crate) fn not_allowed(allow: &str) -> Response<Body> {
    reply(
        405,
        &[("Allow", allow.to_string())],
        TEXT,
        "Method Not Allowed\n".into(),
    )
}

/// A 5xx from a member that cannot serve: error 300 on keys paths, a message elsewhere.
pub(crate) fn server_error(status: u16, path: &str) -> Response<Body> {
    let body = if path.starts_with("/v2/keys") {
        let cause = "etcdserver: request timed out";
        error_json(&StoreError::new(ErrorCode::RAFT_INTERNAL, cause, 0))
    } else {
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason());
        format!(
            "{{\"message\":{:?}}}\n",
            reason.unwrap_or("Internal Server Error")
        )
    };
    reply(status, &[], JSON, body)
}
