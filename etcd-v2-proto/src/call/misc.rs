//! Other endpoints: `/version`, `/health`, `/v2/stats/*` and `/v2/machines`
//!
//! Only `/version` is in the Go client (`GetVersion`); the others are what etcd 3.4 serves
//! (see `docs/protocol.md#version-health-stats-machines`). All are reads and may be sent to
//! any member.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::wire::body::Body;
use http::{Method, Response};
use serde::Deserialize;

use super::{Call, Idempotency, PathJoin, RequestSpec};
use crate::error::{Error, ProtocolError};
use crate::model::{Health, LeaderStats, SelfStats, StoreStats, Version};
use crate::wire::decode::{
    api_error, comma_list, expect_json, json, keys_error, unexpected_status,
};

/// The query Go's `GetVersion` sends: it reuses the keys get action, whose three parameters
/// come along. Kept so the traffic is the Go client's.
const VERSION_QUERY: &str = "quorum=false&recursive=false&sorted=false";

fn get(path: &str) -> RequestSpec {
    RequestSpec::new(Method::GET, path.to_string(), PathJoin::Clean)
}

/// `GET /version?quorum=false&recursive=false&sorted=false`: the member's and the cluster's
/// etcd versions (Go: `GetVersion`, whose stray query is kept).
///
/// # Errors
/// Never when building. The call's answer: any status but 200 is the keys error in the body
/// ([`Error::Etcd`]), or a protocol error if there is none; a 200 without a body is
/// [`ProtocolError::EmptyBody`]; an undecodable body is [`ProtocolError::InvalidJson`].
pub fn version() -> Result<Call<Version>, Error> {
    let mut spec = get("/version");
    spec.query = VERSION_QUERY.into();
    Ok(Call::new(spec, Idempotency::Read, decode_version))
}

/// `GET /health`: whether the member has a leader and no alarm.
///
/// etcd answers `{"health":"true"}` with 200 and `{"health":"false"}` with 503, as
/// `text/plain`; the content type is not checked. A 503 normally fails the endpoint before it
/// is decoded (see [`crate::Op`]), but it decodes to an unhealthy [`Health`] too.
///
/// # Errors
/// Never when building. The call's answer: a status other than 200 and 503 is
/// [`Error::UnexpectedStatus`]; a body without a `health` string is a protocol error.
pub fn health() -> Result<Call<Health>, Error> {
    let mut spec = get("/health");
    spec.server_error_is_answer = true;
    Ok(Call::new(spec, Idempotency::Read, decode_health))
}

/// `GET /v2/stats/self`: this member's raft state and traffic.
///
/// # Errors
/// Never when building. The call's answer: any status but 200 is [`Error::UnexpectedStatus`]
/// (404 when the server does not serve v2); an undecodable body is a protocol error.
pub fn stats_self() -> Result<Call<SelfStats>, Error> {
    Ok(Call::new(
        get("/v2/stats/self"),
        Idempotency::Read,
        decode_stats_self,
    ))
}

/// `GET /v2/stats/leader`: the leader's view of its followers (only the leader answers).
///
/// # Errors
/// Never when building. The call's answer: 403 (`not current leader`, from a follower) is
/// [`Error::Api`]; any other status but 200 is [`Error::UnexpectedStatus`]; an undecodable body
/// is a protocol error.
pub fn stats_leader() -> Result<Call<LeaderStats>, Error> {
    Ok(Call::new(
        get("/v2/stats/leader"),
        Idempotency::Read,
        decode_stats_leader,
    ))
}

/// `GET /v2/stats/store`: the v2 store's operation counters.
///
/// # Errors
/// As [`stats_self`].
pub fn stats_store() -> Result<Call<StoreStats>, Error> {
    Ok(Call::new(
        get("/v2/stats/store"),
        Idempotency::Read,
        decode_stats_store,
    ))
}

/// `GET /v2/machines`: the client URLs of all members, from a `text/plain` list joined by `", "`.
///
/// # Errors
/// Never when building. The call's answer: any status but 200 is [`Error::UnexpectedStatus`].
pub fn machines() -> Result<Call<Vec<String>>, Error> {
    Ok(Call::new(
        get("/v2/machines"),
        Idempotency::Read,
        decode_machines,
    ))
}

fn decode_version(response: Response<Body>) -> Result<Version, Error> {
    let status = response.status().as_u16();
    let body = response.body().contiguous();
    if status != 200 {
        return Err(keys_error(status, &body));
    }
    if body.is_empty() {
        return Err(ProtocolError::EmptyBody.into());
    }
    Ok(json(status, &body)?)
}

#[derive(Deserialize)]
struct HealthBody {
    health: String,
}

fn decode_health(response: Response<Body>) -> Result<Health, Error> {
    let body: HealthBody = expect_json(&response, &[200, 503], unexpected_status)?;
    Ok(Health {
        healthy: body.health == "true",
    })
}

fn decode_stats_self(response: Response<Body>) -> Result<SelfStats, Error> {
    expect_json(&response, &[200], unexpected_status)
}

fn decode_stats_leader(response: Response<Body>) -> Result<LeaderStats, Error> {
    expect_json(&response, &[200], |status, body| {
        if status == 403 {
            api_error(status, body)
        } else {
            Error::UnexpectedStatus(status)
        }
    })
}

fn decode_stats_store(response: Response<Body>) -> Result<StoreStats, Error> {
    expect_json(&response, &[200], unexpected_status)
}

fn decode_machines(response: Response<Body>) -> Result<Vec<String>, Error> {
    let status = response.status().as_u16();
    if status != 200 {
        return Err(Error::UnexpectedStatus(status));
    }
    Ok(comma_list(&response.body().contiguous()))
}
