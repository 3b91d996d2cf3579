//! Decoding buffered answers: status, headers and body into typed results or typed errors
//!
//! Never panics, whatever the bytes.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use http::{HeaderMap, HeaderName, HeaderValue, Response};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, EtcdError, ProtocolError, Shown};
use crate::model::KeysResponse;
use crate::wire::body::Body;
use crate::wire::json_cursor::{JsonError, Limit};
use crate::wire::keys_json;

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
    let budget = (SERDE_AMPLIFICATION * body.len()).max(SERDE_FLOOR);
    if containers(body).saturating_mul(CONTAINER_COST) > budget {
        return Err(ProtocolError::DecodedTooLarge { limit: budget });
    }
    // etcd (Go's encoder) always sends valid UTF-8: checked once for the whole body, the
    // parser need not check each string again. Anything else is parsed as bytes, as before.
    let parsed = match core::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    parsed.map_err(|e| invalid_json(status, body, &e.to_string()))
}

/// The members, auth, stats and error answers are decoded by serde, with no budget of its own:
/// a body of many tiny objects or arrays (`[{},{},…]`) would cost far more than its length
/// once decoded. Each object or array is counted as [`CONTAINER_COST`] bytes, and a body is
/// refused ([`ProtocolError::DecodedTooLarge`]) when they come to more than
/// `SERDE_AMPLIFICATION` × its length (at least [`SERDE_FLOOR`]). Real answers stay far below
/// (a member is ~120 bytes with 3 containers, a role ~70 with 5).
const SERDE_AMPLIFICATION: usize = 16;
/// What one decoded object or array is counted as costing, in bytes.
const CONTAINER_COST: usize = 128;
/// Bodies this small are never refused for their shape.
const SERDE_FLOOR: usize = 1 << 20;

/// The JSON objects and arrays in `body` (`{` and `[` outside strings), found in one pass.
fn containers(body: &[u8]) -> usize {
    let (mut count, mut in_string, mut escaped) = (0usize, false, false);
    for &b in body {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') | (false, _, b'"') => in_string = !in_string,
            (false, _, b'{' | b'[') => count += 1,
            _ => {}
        }
    }
    count
}

pub(crate) fn invalid_json(status: u16, body: &[u8], why: &str) -> ProtocolError {
    let end = body.len().min(SNIPPET);
    quoted(status, &body[..end], body.len(), why)
}

/// [`ProtocolError::InvalidJson`] quoting `start`, the first bytes of a body of `len` bytes.
///
/// `why` may quote the body too (serde's `invalid type: string "…"`): it is tamed like any
/// server text in an error ([`Shown`]), so the detail is bounded and holds no control character.
fn quoted(status: u16, start: &[u8], len: usize, why: &str) -> ProtocolError {
    let snippet = String::from_utf8_lossy(start);
    let more = if len > start.len() { "…" } else { "" };
    ProtocolError::InvalidJson {
        status,
        detail: alloc::format!("{}; body starts {snippet:?}{more}", Shown(why)),
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
    u64_value(value.as_bytes(), name)
}

/// A header's bytes; an absent header reads as empty.
fn bytes(value: Option<&HeaderValue>) -> &[u8] {
    value.map_or(&[], HeaderValue::as_bytes)
}

/// A numeric header's value: empty is absent, anything but decimal digits fitting a `u64` an error.
fn u64_value(bytes: &[u8], name: &'static str) -> Result<Option<u64>, ProtocolError> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let parsed = bytes.iter().try_fold(0u64, |n, &b| {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(digit))
    });
    match parsed {
        Some(n) => Ok(Some(n)),
        None => Err(ProtocolError::BadHeader {
            name,
            value: String::from_utf8_lossy(bytes).into_owned(),
        }),
    }
}

/// The `X-Etcd-*` / `X-Raft-*` headers of a keys answer, read in one pass over the headers
/// (four hashed lookups cost more than the whole walk); the first of repeated headers counts,
/// as with [`HeaderMap::get`].
#[derive(Debug, Default)]
struct EtcdHeaders<'a> {
    index: Option<&'a HeaderValue>,
    cluster_id: Option<&'a HeaderValue>,
    raft_index: Option<&'a HeaderValue>,
    raft_term: Option<&'a HeaderValue>,
}

impl<'a> EtcdHeaders<'a> {
    fn read(headers: &'a HeaderMap) -> Self {
        let mut found = Self::default();
        for (name, value) in headers {
            let slot = if *name == ETCD_INDEX_NAME {
                &mut found.index
            } else if *name == CLUSTER_ID_NAME {
                &mut found.cluster_id
            } else if *name == RAFT_INDEX_NAME {
                &mut found.raft_index
            } else if *name == RAFT_TERM_NAME {
                &mut found.raft_term
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        found
    }
}

/// The cluster id header, if present, borrowed.
pub(crate) fn cluster_id_str(headers: &HeaderMap) -> Option<&str> {
    headers.get(CLUSTER_ID_NAME).and_then(cluster_id_text)
}

/// A cluster id header's value as text; an empty or non-visible-ASCII value counts as absent.
fn cluster_id_text(value: &HeaderValue) -> Option<&str> {
    value.to_str().ok().filter(|s| !s.is_empty())
}

/// A keys answer (Go: `unmarshalHTTPResponse`): 200/201 is a response, anything else an error body.
///
/// The body is decoded chunk by chunk ([`keys_json`]), each chunk let go once read.
pub(crate) fn keys_response(response: Response<Body>) -> Result<KeysResponse, Error> {
    let status = response.status().as_u16();
    let (parts, body) = response.into_parts();
    if status != 200 && status != 201 {
        return Err(keys_error(status, &body.contiguous()));
    }
    if body.is_empty() {
        return Err(ProtocolError::EmptyBody.into());
    }
    let start = BodyStart::of(&body);
    let mut decoded = keys_json::decode(body).map_err(|e| start.error(status, &e))?;
    let headers = EtcdHeaders::read(&parts.headers);
    decoded.index = u64_value(bytes(headers.index), ETCD_INDEX)?.unwrap_or(0);
    decoded.cluster_id = headers
        .cluster_id
        .and_then(cluster_id_text)
        .map(ToString::to_string);
    decoded.raft_index = u64_value(bytes(headers.raft_index), RAFT_INDEX)?;
    decoded.raft_term = u64_value(bytes(headers.raft_term), RAFT_TERM)?;
    Ok(decoded)
}

/// The first bytes of a body, kept to be quoted if it turns out not to decode (the body
/// itself is gone by then).
struct BodyStart {
    bytes: [u8; SNIPPET],
    kept: usize,
    len: usize,
}

impl BodyStart {
    fn of(body: &Body) -> Self {
        let mut bytes = [0; SNIPPET];
        let kept = body.copy_start(&mut bytes);
        Self {
            bytes,
            kept,
            len: body.len(),
        }
    }

    fn error(&self, status: u16, e: &JsonError) -> ProtocolError {
        match e.over {
            Some(Limit::Depth(limit)) => return ProtocolError::NestedTooDeep { limit },
            Some(Limit::Size(limit)) => return ProtocolError::DecodedTooLarge { limit },
            None => {}
        }
        let why = alloc::format!("{} at byte {}", e.what, e.at);
        quoted(status, &self.bytes[..self.kept], self.len, &why)
    }
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
    response: &Response<Body>,
    ok: &[u16],
    on_error: fn(u16, &[u8]) -> Error,
) -> Result<T, Error> {
    let status = response.status().as_u16();
    let body = response.body().contiguous();
    if !ok.contains(&status) {
        return Err(on_error(status, &body));
    }
    Ok(json(status, &body)?)
}

/// Accepts the answer if its status is one of `ok` (body ignored), else `on_error`.
pub(crate) fn expect_status(
    response: &Response<Body>,
    ok: &[u16],
    on_error: fn(u16, &[u8]) -> Error,
) -> Result<(), Error> {
    let status = response.status().as_u16();
    if ok.contains(&status) {
        Ok(())
    } else {
        Err(on_error(status, &response.body().contiguous()))
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What the one-pass reading replaces: a lookup per header, `str::parse` for numbers.
    fn looked_up(headers: &HeaderMap, name: &HeaderName) -> Result<Option<u64>, ()> {
        let Some(value) = headers.get(name) else {
            return Ok(None);
        };
        let bytes = value.as_bytes();
        if bytes.is_empty() {
            return Ok(None);
        }
        core::str::from_utf8(bytes)
            .ok()
            .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse().ok())
            .map(Some)
            .ok_or(())
    }

    fn header_name() -> impl Strategy<Value = HeaderName> {
        prop_oneof![
            Just(ETCD_INDEX_NAME),
            Just(CLUSTER_ID_NAME),
            Just(RAFT_INDEX_NAME),
            Just(RAFT_TERM_NAME),
            Just(http::header::CONTENT_TYPE),
            Just(HeaderName::from_static("x-etcd-indexx")),
            Just(HeaderName::from_static("x-raft")),
        ]
    }

    fn header_value() -> impl Strategy<Value = HeaderValue> {
        prop_oneof![
            "[0-9]{0,21}",
            "18446744073709551615",
            "18446744073709551616",
            "[0-9a-f ]{0,6}",
            "[+-][0-9]{1,3}",
        ]
        .prop_map(|s| HeaderValue::from_str(&s).unwrap())
    }

    proptest! {
        #[test]
        fn one_pass_reads_what_lookups_read(
            entries in proptest::collection::vec((header_name(), header_value()), 0..8)
        ) {
            let mut headers = HeaderMap::new();
            for (name, value) in entries {
                headers.append(name, value);
            }
            let found = EtcdHeaders::read(&headers);
            for (slot, name, text) in [
                (found.index, ETCD_INDEX_NAME, ETCD_INDEX),
                (found.raft_index, RAFT_INDEX_NAME, RAFT_INDEX),
                (found.raft_term, RAFT_TERM_NAME, RAFT_TERM),
            ] {
                prop_assert_eq!(slot, headers.get(&name));
                let fast = u64_value(bytes(slot), text).map_err(|_| ());
                prop_assert_eq!(fast, looked_up(&headers, &name));
            }
            prop_assert_eq!(found.cluster_id, headers.get(CLUSTER_ID_NAME));
        }
    }
}
