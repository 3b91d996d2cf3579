//! Keys API calls (`/v2/keys`): get, set, create, update, create-in-order, delete, wait
//!
//! The wire format is the Go client's: same methods, paths, escaping and parameters. Where Go
//! silently changes what the caller asked for, these refuse with [`UsageError`] instead.

use alloc::string::{String, ToString};
use core::time::Duration;

use crate::wire::body::Body;
use bytes::Bytes;
use http::{Method, Response};

use super::{Call, FORM, Idempotency, PathJoin, RequestSpec};
use crate::error::{Error, ProtocolError, UsageError};
use crate::model::options::{
    CreateInOrderOptions, DeleteOptions, GetOptions, PrevExist, SetOptions,
};
use crate::model::{KeysResponse, WatchPoll};
use crate::wire::decode::{ETCD_INDEX, ETCD_INDEX_NAME, keys_response, u64_header};
use crate::wire::encode::{Form, escaped_path_len, keys_path};

/// The default keys prefix.
pub const DEFAULT_PREFIX: &str = "/v2/keys";

fn path(prefix: &str, key: &str) -> Result<String, UsageError> {
    keys_path(prefix, key).map_err(|e| UsageError::KeyEscapesPrefix(e.key))
}

/// Longest path and query a keys request may have, percent-encoded, in bytes (60 KiB): longer
/// is [`UsageError::PathTooLong`], before anything is sent.
///
/// The `http` crate refuses a URI path and query over 65,534 bytes, so a longer key (or prev
/// value, which goes in the query) failed at every endpoint (`uri too long`, as a
/// [`crate::ClusterError`]); 4 KiB are left for an endpoint's base path. etcd itself (Go's
/// `net/http`) takes request heads up to 1 MiB.
pub const MAX_PATH_AND_QUERY: usize = 60 * 1024;

/// `spec` if its path (escaped) and query fit [`MAX_PATH_AND_QUERY`].
fn fits(spec: RequestSpec) -> Result<RequestSpec, UsageError> {
    let query = if spec.query.is_empty() {
        0
    } else {
        1 + spec.query.len()
    };
    // Most keys are short: no need to count their escapes.
    if 3 * spec.path.len() + query <= MAX_PATH_AND_QUERY {
        return Ok(spec);
    }
    let len = escaped_path_len(&spec.path) + query;
    if len > MAX_PATH_AND_QUERY {
        return Err(UsageError::PathTooLong {
            len,
            limit: MAX_PATH_AND_QUERY,
        });
    }
    Ok(spec)
}

fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// The longest TTL etcd can hold: it computes expiry in i64 nanoseconds, so more wraps around.
pub const MAX_TTL_SECS: u64 = 9_223_372_036;

/// Whole seconds of a TTL, rounded up; zero is refused (etcd would delete the key at once),
/// and so is more than [`MAX_TTL_SECS`] (it would wrap around on the server).
pub(crate) fn ttl_seconds(ttl: Duration) -> Result<u64, UsageError> {
    if ttl.is_zero() {
        return Err(UsageError::ZeroTtl);
    }
    let secs = ttl
        .as_secs()
        .saturating_add(u64::from(ttl.subsec_nanos() > 0));
    if secs > MAX_TTL_SECS {
        return Err(UsageError::TtlTooLarge);
    }
    Ok(secs)
}

fn check_prev_value(v: Option<&String>) -> Result<(), UsageError> {
    match v {
        Some(v) if v.is_empty() => Err(UsageError::EmptyPrevValue),
        _ => Ok(()),
    }
}

fn check_prev_index(i: Option<u64>) -> Result<(), UsageError> {
    match i {
        Some(0) => Err(UsageError::ZeroPrevIndex),
        _ => Ok(()),
    }
}

/// `GET <key>?quorum=&recursive=&sorted=` (all three always sent).
///
/// # Errors
/// [`UsageError::KeyEscapesPrefix`] for keys like `../x`, [`UsageError::PathTooLong`] for a key
/// too long for a URL ([`MAX_PATH_AND_QUERY`]; the same for every call here).
pub fn get(prefix: &str, key: &str, opts: GetOptions) -> Result<Call<KeysResponse>, Error> {
    let mut spec = RequestSpec::new(Method::GET, path(prefix, key)?, PathJoin::Canonical);
    spec.query = get_query(opts.quorum, opts.recursive, opts.sort).into();
    Ok(Call::new(fits(spec)?, Idempotency::Read, keys_response))
}

/// `quorum=<b>&recursive=<b>&sorted=<b>`, the [`Form`] encoding of a get's three flags, from a
/// table (a test checks it against [`Form::encode`]).
fn get_query(quorum: bool, recursive: bool, sorted: bool) -> &'static str {
    match (quorum, recursive, sorted) {
        (false, false, false) => "quorum=false&recursive=false&sorted=false",
        (false, false, true) => "quorum=false&recursive=false&sorted=true",
        (false, true, false) => "quorum=false&recursive=true&sorted=false",
        (false, true, true) => "quorum=false&recursive=true&sorted=true",
        (true, false, false) => "quorum=true&recursive=false&sorted=false",
        (true, false, true) => "quorum=true&recursive=false&sorted=true",
        (true, true, false) => "quorum=true&recursive=true&sorted=false",
        (true, true, true) => "quorum=true&recursive=true&sorted=true",
    }
}

/// `PUT <key>?<conditions>` with a form body: set, create, update, compare-and-swap, mkdir, refresh.
///
/// A create (`PrevExist::NoExist`) or compare-and-swap (prev value or index) is
/// [`Idempotency::NotIdempotent`]; other sets are [`Idempotency::Idempotent`]. Either is sent at
/// most once by default ([`crate::WriteRetry`]).
///
/// # Errors
/// [`UsageError`] for contradictory options: a value or prev value with `dir`, a value or no
/// TTL with `refresh`, prev value/index with `PrevExist::NoExist`, an empty prev value, prev
/// index 0, a zero TTL, or a key escaping the prefix.
pub fn set(
    prefix: &str,
    key: &str,
    value: &str,
    opts: &SetOptions,
) -> Result<Call<KeysResponse>, Error> {
    check_prev_value(opts.prev_value.as_ref())?;
    check_prev_index(opts.prev_index)?;
    if opts.dir && !value.is_empty() {
        return Err(UsageError::ConflictingOptions("a directory cannot have a value").into());
    }
    if opts.dir && opts.prev_value.is_some() {
        return Err(UsageError::ConflictingOptions("a directory has no value to compare").into());
    }
    if opts.refresh && !value.is_empty() {
        return Err(UsageError::ConflictingOptions(
            "refresh only resets the TTL: the value must be empty",
        )
        .into());
    }
    if opts.refresh && opts.ttl.is_none() {
        return Err(UsageError::ConflictingOptions("refresh needs a TTL").into());
    }
    if opts.prev_exist == PrevExist::NoExist
        && (opts.prev_value.is_some() || opts.prev_index.is_some())
    {
        return Err(UsageError::ConflictingOptions(
            "a key that must not exist has no previous value or index",
        )
        .into());
    }
    let ttl = opts.ttl.map(ttl_seconds).transpose()?;

    let mut query = Form::new();
    if opts.dir {
        query.push_static("dir", "true");
    }
    if let Some(v) = &opts.prev_value {
        query.push("prevValue", v.as_str());
    }
    if let Some(i) = opts.prev_index {
        query.push("prevIndex", i.to_string());
    }
    match opts.prev_exist {
        PrevExist::Ignore => {}
        PrevExist::Exist => {
            query.push_static("prevExist", "true");
        }
        PrevExist::NoExist => {
            query.push_static("prevExist", "false");
        }
    }
    if opts.no_value_on_success {
        query.push_static("noValueOnSuccess", "true");
    }

    let mut body = Form::new();
    if !opts.dir {
        body.push("value", value);
    }
    if let Some(secs) = ttl {
        body.push("ttl", secs.to_string());
    }
    if opts.refresh {
        body.push_static("refresh", "true");
    }

    let mut spec = RequestSpec::new(Method::PUT, path(prefix, key)?, PathJoin::Canonical);
    spec.query = query.encode().into();
    spec.body = Some(Bytes::from(body.encode()));
    spec.content_type = Some(FORM);
    // Conditional writes answer differently the second time (105, 101): not idempotent.
    let conditional = opts.prev_value.is_some() || opts.prev_index.is_some();
    let idempotency = if opts.prev_exist == PrevExist::NoExist || conditional {
        Idempotency::NotIdempotent
    } else {
        Idempotency::Idempotent
    };
    Ok(Call::new(fits(spec)?, idempotency, keys_response))
}

/// A set that requires the key not to exist (Go: `Create`); never re-sent once it may have arrived.
///
/// # Errors
/// As [`set`].
pub fn create(prefix: &str, key: &str, value: &str) -> Result<Call<KeysResponse>, Error> {
    set(
        prefix,
        key,
        value,
        &SetOptions::default().prev_exist(PrevExist::NoExist),
    )
}

/// A set that requires the key to exist (Go: `Update`).
///
/// # Errors
/// As [`set`].
pub fn update(prefix: &str, key: &str, value: &str) -> Result<Call<KeysResponse>, Error> {
    set(
        prefix,
        key,
        value,
        &SetOptions::default().prev_exist(PrevExist::Exist),
    )
}

/// `POST <dir>` with `[ttl=..&]value=..`: a new key named by its index (Go: `CreateInOrder`).
///
/// Unlike Go, it is never re-sent once it may have arrived (it would create a second key).
///
/// # Errors
/// A zero TTL or a key escaping the prefix.
pub fn create_in_order(
    prefix: &str,
    dir: &str,
    value: &str,
    opts: CreateInOrderOptions,
) -> Result<Call<KeysResponse>, Error> {
    let mut body = Form::new();
    body.push("value", value);
    if let Some(ttl) = opts.ttl {
        body.push("ttl", ttl_seconds(ttl)?.to_string());
    }
    let mut spec = RequestSpec::new(Method::POST, path(prefix, dir)?, PathJoin::Canonical);
    spec.body = Some(Bytes::from(body.encode()));
    spec.content_type = Some(FORM);
    Ok(Call::new(
        fits(spec)?,
        Idempotency::NotIdempotent,
        keys_response,
    ))
}

/// `DELETE <key>?<conditions>` (Go: `Delete`); never re-sent once it may have arrived.
///
/// # Errors
/// An empty prev value, prev index 0, or a key escaping the prefix.
pub fn delete(prefix: &str, key: &str, opts: &DeleteOptions) -> Result<Call<KeysResponse>, Error> {
    check_prev_value(opts.prev_value.as_ref())?;
    check_prev_index(opts.prev_index)?;
    let mut query = Form::new();
    if opts.dir {
        query.push_static("dir", "true");
    }
    if let Some(i) = opts.prev_index {
        query.push("prevIndex", i.to_string());
    }
    if let Some(v) = &opts.prev_value {
        query.push("prevValue", v.as_str());
    }
    if opts.recursive {
        query.push_static("recursive", "true");
    }
    let mut spec = RequestSpec::new(Method::DELETE, path(prefix, key)?, PathJoin::Canonical);
    spec.query = query.encode().into();
    spec.content_type = Some(FORM);
    Ok(Call::new(
        fits(spec)?,
        Idempotency::NotIdempotent,
        keys_response,
    ))
}

/// `GET <key>?recursive=&wait=true&waitIndex=` — one long poll of a watch.
///
/// # Errors
/// A key escaping the prefix.
pub fn wait(
    prefix: &str,
    key: &str,
    recursive: bool,
    wait_index: u64,
) -> Result<Call<WatchPoll>, Error> {
    let mut spec = RequestSpec::new(Method::GET, path(prefix, key)?, PathJoin::Canonical);
    spec.query = wait_query(recursive, wait_index, false).into();
    spec.wait = true;
    Ok(Call::new(fits(spec)?, Idempotency::Read, decode_wait))
}

/// `HEAD <key>`: where a watch from "now" starts. The answer's `X-Etcd-Index` (sent with a
/// 404 too) is the index the watch then waits past, so a poll abandoned before its event
/// (a deadline, a failover) cannot skip one: [`WatchPoll::Empty`] with that index.
pub(crate) fn start_index(wait: &Call<WatchPoll>) -> Call<WatchPoll> {
    let mut spec = wait.spec.clone();
    spec.method = Method::HEAD;
    spec.query = "".into();
    spec.wait = false;
    Call::new(spec, Idempotency::Read, decode_start_index)
}

/// A `HEAD` answer: 200 or 404 carry the index. Any other (a proxy that refuses `HEAD`, an
/// auth failure with no body to read) teaches nothing: the watch polls from "now" as Go's
/// does, and that poll reports whatever is wrong.
fn decode_start_index(response: Response<Body>) -> Result<WatchPoll, Error> {
    let index = match response.status().as_u16() {
        200 | 404 => u64_header(response.headers(), &ETCD_INDEX_NAME, ETCD_INDEX)?,
        _ => None,
    };
    Ok(WatchPoll::Empty { index })
}

/// `GET <key>` (one level, from any member): the watch's look at a quiet key between polls.
/// If the key has not changed since the watch's index, the watch may wait from the answer's
/// `X-Etcd-Index` + 1 instead, and so stays inside etcd's 1,000-event history however many
/// writes go to other keys.
pub(crate) fn quiet_check(wait: &Call<WatchPoll>) -> Call<WatchPoll> {
    let mut spec = wait.spec.clone();
    spec.query = "".into();
    spec.wait = false;
    Call::new(spec, Idempotency::Read, decode_quiet_check)
}

/// A plain read's answer: a key (not a directory, whose own index does not move with its
/// children) with its `modifiedIndex` and the answer's index; anything else teaches nothing.
fn decode_quiet_check(response: Response<Body>) -> Result<WatchPoll, Error> {
    let index = u64_header(response.headers(), &ETCD_INDEX_NAME, ETCD_INDEX)?;
    if response.status() != http::StatusCode::OK {
        return Ok(WatchPoll::Empty { index: None });
    }
    let node = keys_response(response)?.node;
    Ok(match (node, index) {
        (Some(node), Some(index)) if !node.dir => WatchPoll::Unchanged {
            modified: node.modified_index,
            index,
        },
        _ => WatchPoll::Empty { index: None },
    })
}

/// A quorum read of the watched key (recursive for a recursive watch, sorted): the snapshot a
/// watch resumes after when the history it waited in was cleared.
pub(crate) fn resync(wait: &Call<WatchPoll>, recursive: bool) -> Call<WatchPoll> {
    let mut spec = wait.spec.clone();
    spec.query = get_query(true, recursive, true).into();
    spec.wait = false;
    Call::new(spec, Idempotency::Read, decode_resync)
}

/// The snapshot: the key's state, or its absence (error 100) as of the answer's index.
fn decode_resync(response: Response<Body>) -> Result<WatchPoll, Error> {
    let snapshot = match keys_response(response) {
        Ok(found) => found,
        Err(Error::Etcd(e)) if e.code == crate::model::code::ErrorCode::KEY_NOT_FOUND => {
            KeysResponse {
                index: e.index,
                ..KeysResponse::default()
            }
        }
        Err(e) => return Err(e),
    };
    Ok(WatchPoll::Snapshot(KeysResponse {
        action: crate::model::Action::Resync,
        ..snapshot
    }))
}

/// `recursive=<b>&wait=true&waitIndex=<n>`: all three always sent, like Go.
pub(crate) fn wait_query(recursive: bool, wait_index: u64, stream: bool) -> String {
    let mut form = Form::new();
    form.push_static("recursive", bool_str(recursive))
        .push_static("wait", "true");
    if stream {
        form.push_static("stream", "true");
    }
    form.push("waitIndex", wait_index.to_string());
    form.encode()
}

/// A long-poll answer: an event, or an empty 200 (the poll ended without one).
pub(crate) fn decode_wait(response: Response<Body>) -> Result<WatchPoll, Error> {
    let ok = matches!(response.status().as_u16(), 200 | 201);
    if ok && response.body().is_empty() {
        let index = u64_header(response.headers(), &ETCD_INDEX_NAME, ETCD_INDEX)?;
        return Ok(WatchPoll::Empty { index });
    }
    let event = keys_response(response)?;
    if event.node.is_none() {
        return Err(ProtocolError::MissingNode.into());
    }
    Ok(WatchPoll::Event(event))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_query_table_is_the_form_encoding() {
        for quorum in [false, true] {
            for recursive in [false, true] {
                for sorted in [false, true] {
                    let form = Form::new()
                        .with("quorum", bool_str(quorum))
                        .with("recursive", bool_str(recursive))
                        .with("sorted", bool_str(sorted));
                    assert_eq!(get_query(quorum, recursive, sorted), form.encode());
                }
            }
        }
    }
}
