//! Decoding buffered answers: status, headers and body into typed results or typed errors
//!
//! Never panics, whatever the bytes.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, Response};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, EtcdError, ProtocolError};
use crate::model::KeysResponse;

/// `X-Etcd-Index`.
pub const ETCD_INDEX: &str = "x-etcd-index";
/// `X-Etcd-Cluster-Id`.
pub const CLUSTER_ID: &str = "x-etcd-cluster-id";
/// `X-Raft-Index`.
pub const RAFT_INDEX: &str = "x-raft-index";
/// `X-Raft-Term`.
pub const RAFT_TERM: &str = "x-raft-term";

/// [`ETCD_INDEX`] as a header name: looking it up needs no parsing of the name.
pub(crate) const ETCD_INDEX_NAME: HeaderName = HeaderName::from_static(ETCD_INDEX);
/// [`CLUSTER_ID`] as a header name.
const CLUSTER_ID_NAME: HeaderName = HeaderName::from_static(CLUSTER_ID);
/// [`RAFT_INDEX`] as a header name.
const RAFT_INDEX_NAME: HeaderName = HeaderName::from_static(RAFT_INDEX);
/// [`RAFT_TERM`] as a header name.
const RAFT_TERM_NAME: HeaderName = HeaderName::from_static(RAFT_TERM);

/// Bytes of a bad body quoted in [`ProtocolError::InvalidJson`].
const SNIPPET: usize = 64;

/// Decodes `body` as JSON `T`, or says why not (Go: `ErrInvalidJSON`).
///
/// Every etcd v2 body is a JSON object; anything else (an array serde would accept for a
/// struct, a bare string) is refused.
pub(crate) fn json<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, ProtocolError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(invalid_json(status, body, "expected a JSON object"));
    }
    serde_json::from_slice(body).map_err(|e| invalid_json(status, body, &e.to_string()))
}

pub(crate) fn invalid_json(status: u16, body: &[u8], why: &str) -> ProtocolError {
    let end = body.len().min(SNIPPET);
    let snippet = String::from_utf8_lossy(&body[..end]);
    let more = if body.len() > SNIPPET { "…" } else { "" };
    ProtocolError::InvalidJson {
        status,
        detail: alloc::format!("{why}; body starts {snippet:?}{more}"),
    }
}

/// Parses an optional numeric header; present but unparsable is an error.
///
/// `name` is `key` as a string, for the error.
pub(crate) fn u64_header(
    headers: &HeaderMap,
    key: &HeaderName,
    name: &'static str,
) -> Result<Option<u64>, ProtocolError> {
    let Some(value) = headers.get(key) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if bytes.is_empty() {
        return Ok(None);
    }
    let parsed = core::str::from_utf8(bytes)
        .ok()
        .filter(|text| text.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|text| text.parse().ok());
    match parsed {
        Some(n) => Ok(Some(n)),
        None => Err(ProtocolError::BadHeader {
            name,
            value: String::from_utf8_lossy(bytes).into_owned(),
        }),
    }
}

/// The cluster id header, if present.
pub(crate) fn cluster_id(headers: &HeaderMap) -> Option<String> {
    cluster_id_str(headers).map(ToString::to_string)
}

/// The cluster id header, if present, borrowed.
pub(crate) fn cluster_id_str(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(CLUSTER_ID_NAME)
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty())
}

/// A keys answer (Go: `unmarshalHTTPResponse`): 200/201 is a response, anything else an error body.
pub(crate) fn keys_response(response: &Response<Bytes>) -> Result<KeysResponse, Error> {
    let status = response.status().as_u16();
    let body = response.body();
    if status != 200 && status != 201 {
        return Err(keys_error(status, body));
    }
    if body.is_empty() {
        return Err(ProtocolError::EmptyBody.into());
    }
    let mut decoded: KeysResponse = json(status, body)?;
    let headers = response.headers();
    decoded.index = u64_header(headers, &ETCD_INDEX_NAME, ETCD_INDEX)?.unwrap_or(0);
    decoded.cluster_id = cluster_id(headers);
    decoded.raft_index = u64_header(headers, &RAFT_INDEX_NAME, RAFT_INDEX)?;
    decoded.raft_term = u64_header(headers, &RAFT_TERM_NAME, RAFT_TERM)?;
    Ok(decoded)
}

/// A non-success keys answer: an etcd error body, or invalid JSON (also for an empty body).
pub(crate) fn keys_error(status: u16, body: &[u8]) -> Error {
    match json::<EtcdError>(status, body) {
        Ok(e) => Error::Etcd(e),
        Err(e) => Error::Protocol(e),
    }
}

#[derive(serde::Deserialize)]
struct Message {
    #[serde(default)]
    message: String,
}

/// A members/auth error body `{"message":…}`; an undecodable body is a protocol error.
pub(crate) fn api_error(status: u16, body: &[u8]) -> Error {
    match json::<Message>(status, body) {
        Ok(m) => ApiError {
            status,
            message: m.message,
        }
        .into(),
        Err(e) => e.into(),
    }
}

/// Decodes JSON if the status is one of `ok`, else `on_error`.
pub(crate) fn expect_json<T: DeserializeOwned>(
    response: &Response<Bytes>,
    ok: &[u16],
    on_error: fn(u16, &[u8]) -> Error,
) -> Result<T, Error> {
    let status = response.status().as_u16();
    if !ok.contains(&status) {
        return Err(on_error(status, response.body()));
    }
    Ok(json(status, response.body())?)
}

/// Accepts the answer if its status is one of `ok` (body ignored), else `on_error`.
pub(crate) fn expect_status(
    response: &Response<Bytes>,
    ok: &[u16],
    on_error: fn(u16, &[u8]) -> Error,
) -> Result<(), Error> {
    let status = response.status().as_u16();
    if ok.contains(&status) {
        Ok(())
    } else {
        Err(on_error(status, response.body()))
    }
}

/// `unexpected status code <n>`, ignoring the body.
pub(crate) fn unexpected_status(status: u16, _body: &[u8]) -> Error {
    Error::UnexpectedStatus(status)
}

/// Splits `a, b, c` (the `/v2/machines` body).
pub(crate) fn comma_list(body: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(body)
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(ToString::to_string)
        .collect()
}
