//! Members API calls (`/v2/members`): list, add, update, remove, leader
//!
//! The wire format is the Go client's (`client/members.go`): paths joined like Go's `path.Join`,
//! JSON bodies `{"peerURLs":[…]}`, the same accepted statuses. Peer URLs are checked before
//! anything is sent, with the rules of etcd's `types.NewURLs` plus a few refusals Go does not make
//! (see [`add`]).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::wire::body::Body;
use bytes::Bytes;
use http::{Method, Response};
use serde::{Deserialize, Serialize};

use super::{Call, Idempotency, JSON, PathJoin, RequestSpec};
use crate::error::{Error, UsageError};
use crate::model::{Member, null_as_empty};
use crate::wire::decode::{api_error, expect_json, expect_status, unexpected_status};

const MEMBERS: &str = "/v2/members";

/// `GET /v2/members`: every member of the cluster, in the order the server lists them.
///
/// # Errors
/// Never when building. The call's answer fails with [`Error::UnexpectedStatus`] for any status
/// but 200, and with a protocol error for a body that is not `{"members":[…]}` (a missing or
/// `null` list is an empty one).
pub fn list() -> Result<Call<Vec<Member>>, Error> {
    let spec = RequestSpec::new(Method::GET, MEMBERS.to_string(), PathJoin::Clean);
    Ok(Call::new(spec, Idempotency::Read, decode_list))
}

/// `POST /v2/members` with `{"peerURLs":["<peer_url>"]}`: announces a new member.
///
/// The URL is whitespace-trimmed and must be `<scheme>://<host>:<port>` with scheme `http`,
/// `https`, `unix` or `unixs` (case-insensitive, sent lower-case like Go's `URL.String`) and no
/// path. Unlike Go, a query, a fragment, user information, an empty host, an empty or
/// non-numeric port and control characters are refused too. Never re-sent once it may have
/// reached a server.
///
/// # Errors
/// [`UsageError::InvalidUrl`] for a peer URL that breaks these rules. The call's answer: 201 is
/// the new member; 409, and 500 with a message, are [`Error::Api`] with the server's message
/// (e.g. `membership: peerURL exists`, or why a reconfiguration was refused); any other status
/// is [`Error::UnexpectedStatus`]; an undecodable body is a protocol error.
pub fn add(peer_url: &str) -> Result<Call<Member>, Error> {
    let url = normalize_peer_url(peer_url)?;
    let mut spec = RequestSpec::new(Method::POST, MEMBERS.to_string(), PathJoin::Clean);
    spec.body = Some(json_body(&PeerUrls {
        peer_urls: &[url.as_str()],
    }));
    spec.content_type = Some(JSON);
    Ok(Call::new(spec, Idempotency::NotIdempotent, decode_add))
}

/// `PUT /v2/members/<id>` with `{"peerURLs":[…]}`: replaces a member's peer URLs.
///
/// Each URL is checked as in [`add`]; the list is sent sorted by string, like Go.
///
/// # Errors
/// [`UsageError::Empty`] for an empty list, [`UsageError::InvalidUrl`] for a bad URL,
/// [`UsageError::InvalidName`] for an empty id, an id containing `/`, or `.`/`..`. The call's
/// answer: 204 is success; 404 (`No such member: <id>`) and 409 (`membership: peerURL exists`)
/// are [`Error::Api`]; any other status is [`Error::UnexpectedStatus`].
pub fn update(id: &str, peer_urls: &[impl AsRef<str>]) -> Result<Call<()>, Error> {
    let path = member_path(id)?;
    if peer_urls.is_empty() {
        return Err(UsageError::Empty("peer URLs").into());
    }
    let mut urls = peer_urls
        .iter()
        .map(|u| normalize_peer_url(u.as_ref()))
        .collect::<Result<Vec<String>, UsageError>>()?;
    urls.sort();
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let mut spec = RequestSpec::new(Method::PUT, path, PathJoin::Clean);
    spec.body = Some(json_body(&PeerUrls { peer_urls: &urls }));
    spec.content_type = Some(JSON);
    Ok(Call::new(spec, Idempotency::Idempotent, decode_update))
}

/// `DELETE /v2/members/<id>`: removes a member from the cluster.
///
/// 410 (`Member permanently removed`) counts as success like 204, so a repeated removal (e.g.
/// after a failover) succeeds.
///
/// # Errors
/// [`UsageError::InvalidName`] for an empty id, an id containing `/`, or `.`/`..`. The call's
/// answer: any status but 204 and 410 is [`Error::UnexpectedStatus`] (an unknown id answers 404);
/// the body is ignored.
pub fn remove(id: &str) -> Result<Call<()>, Error> {
    let spec = RequestSpec::new(Method::DELETE, member_path(id)?, PathJoin::Clean);
    Ok(Call::new(spec, Idempotency::Idempotent, decode_remove))
}

/// `GET /v2/members/leader`: the member currently leading the cluster.
///
/// # Errors
/// Never when building. The call's answer: any status but 200 is [`Error::UnexpectedStatus`]
/// (no leader answers 503, which fails the endpoint before decoding); an undecodable body is a
/// protocol error.
pub fn leader() -> Result<Call<Member>, Error> {
    let spec = RequestSpec::new(
        Method::GET,
        alloc::format!("{MEMBERS}/leader"),
        PathJoin::Clean,
    );
    Ok(Call::new(spec, Idempotency::Read, decode_leader))
}

/// The request body of add and update (Go: `memberCreateOrUpdateRequest`).
#[derive(Serialize)]
struct PeerUrls<'a> {
    #[serde(rename = "peerURLs")]
    peer_urls: &'a [&'a str],
}

/// The answer of list (Go: `memberCollection`).
#[derive(Deserialize)]
struct MemberList {
    #[serde(default, deserialize_with = "null_as_empty")]
    members: Vec<Member>,
}

fn decode_list(response: Response<Body>) -> Result<Vec<Member>, Error> {
    expect_json::<MemberList>(&response, &[200], unexpected_status).map(|list| list.members)
}

fn decode_add(response: Response<Body>) -> Result<Member, Error> {
    expect_json(&response, &[201], |status, body| match status {
        409 => api_error(status, body),
        // A refused reconfiguration (strict reconfig check, unhealthy cluster) says why.
        500 => match api_error(status, body) {
            e @ Error::Api(_) => e,
            _ => Error::UnexpectedStatus(status),
        },
        _ => Error::UnexpectedStatus(status),
    })
}

fn decode_update(response: Response<Body>) -> Result<(), Error> {
    expect_status(&response, &[204], |status, body| {
        if status == 404 || status == 409 {
            api_error(status, body)
        } else {
            Error::UnexpectedStatus(status)
        }
    })
}

fn decode_remove(response: Response<Body>) -> Result<(), Error> {
    expect_status(&response, &[204, 410], unexpected_status)
}

fn decode_leader(response: Response<Body>) -> Result<Member, Error> {
    expect_json(&response, &[200], unexpected_status)
}

fn member_path(id: &str) -> Result<String, UsageError> {
    Ok(alloc::format!("{MEMBERS}/{}", path_segment(id)?))
}

/// Checks a peer URL like etcd's `types.NewURLs` and returns it as Go's `URL.String` would.
fn normalize_peer_url(url: &str) -> Result<String, UsageError> {
    let invalid = |reason| UsageError::InvalidUrl {
        url: crate::wire::endpoint::redact_url(url),
        reason,
    };
    let trimmed = url.trim();
    if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid("URL must not contain spaces or control characters"));
    }
    let (scheme, rest) = match trimmed.split_once(':') {
        Some((scheme, rest)) if is_scheme(scheme) => (scheme.to_ascii_lowercase(), rest),
        _ => return Err(invalid("missing scheme: expected e.g. http://host:port")),
    };
    if !matches!(scheme.as_str(), "http" | "https" | "unix" | "unixs") {
        return Err(invalid("URL scheme must be http, https, unix, or unixs"));
    }
    let Some(rest) = rest.strip_prefix("//") else {
        return Err(invalid(HOST_PORT));
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    if tail.starts_with('/') {
        return Err(invalid("URL must not contain a path"));
    }
    if !tail.is_empty() {
        return Err(invalid("URL must not contain a query or fragment"));
    }
    if authority.contains('@') {
        return Err(invalid("URL must not contain user information"));
    }
    if !is_host_port(authority) {
        return Err(invalid(HOST_PORT));
    }
    Ok(alloc::format!("{scheme}://{authority}"))
}

const HOST_PORT: &str = "URL address does not have the form \"host:port\"";

/// An RFC 3986 scheme: a letter, then letters, digits, `+`, `-` or `.`.
fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// `host:port` or `[v6]:port` with a non-empty host and a numeric port (Go: `net.SplitHostPort`).
fn is_host_port(authority: &str) -> bool {
    let (host, port, host_ok): (&str, &str, fn(u8) -> bool) =
        if let Some(bracketed) = authority.strip_prefix('[') {
            let Some((host, port)) = bracketed
                .split_once(']')
                .and_then(|(h, rest)| Some((h, rest.strip_prefix(':')?)))
            else {
                return false;
            };
            (host, port, |b| {
                b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'%' | b'-' | b'_')
            })
        } else {
            let Some((host, port)) = authority.rsplit_once(':') else {
                return false;
            };
            (host, port, |b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b'%')
            })
        };
    !host.is_empty()
        && host.bytes().all(host_ok)
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_ok()
}

/// A user, role or member name that is put in a URL path as one segment.
///
/// Refuses names Go would turn into another path: empty (the collection itself), containing `/`
/// (more segments), `.` or `..` (removed by the path cleaning).
pub(super) fn path_segment(name: &str) -> Result<&str, UsageError> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(UsageError::InvalidName(name.to_string()));
    }
    Ok(name)
}

/// Serialises a request body byte-for-byte like Go's `json.Marshal`.
pub(super) fn json_body<T: Serialize>(value: &T) -> Bytes {
    Bytes::from(super::go_json(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_url_rules() {
        let ok = [
            ("http://127.0.0.1:2380", "http://127.0.0.1:2380"),
            ("  https://a.example.com:1 \n", "https://a.example.com:1"),
            ("HTTP://h:80", "http://h:80"),
            ("unix://sock:1", "unix://sock:1"),
            ("unixs://sock:1", "unixs://sock:1"),
            ("http://[::1]:2380", "http://[::1]:2380"),
        ];
        for (input, want) in ok {
            assert_eq!(normalize_peer_url(input).as_deref(), Ok(want), "{input:?}");
        }
        let bad = [
            (":", "missing scheme: expected e.g. http://host:port"),
            (
                "127.0.0.1:1",
                "missing scheme: expected e.g. http://host:port",
            ),
            (
                "ftp://h:1",
                "URL scheme must be http, https, unix, or unixs",
            ),
            ("http://h", HOST_PORT),
            ("http:h:1", HOST_PORT),
            ("http://:1", HOST_PORT),
            ("http://h:", HOST_PORT),
            ("http://h:x", HOST_PORT),
            ("http://h:+1", HOST_PORT),
            ("http://h:70000", HOST_PORT),
            ("http://a:b:1", HOST_PORT),
            ("http://[::1]", HOST_PORT),
            ("http://h<:1", HOST_PORT),
            ("http://h:1/", "URL must not contain a path"),
            ("http://h:1/x", "URL must not contain a path"),
            ("http://h:1?q", "URL must not contain a query or fragment"),
            ("http://h:1#f", "URL must not contain a query or fragment"),
            ("http://u:p@h:1", "URL must not contain user information"),
            (
                "http://h :1",
                "URL must not contain spaces or control characters",
            ),
        ];
        for (input, reason) in bad {
            assert_eq!(
                normalize_peer_url(input),
                Err(UsageError::InvalidUrl {
                    url: input.replace(":p@", ":***@"),
                    reason
                }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn json_body_escapes_like_go() {
        #[derive(Serialize)]
        struct S<'a> {
            s: &'a str,
        }
        let body = json_body(&S {
            s: "<a&b>\u{2028}\u{2029}\"\\\n",
        });
        assert_eq!(
            &body[..],
            br#"{"s":"\u003ca\u0026b\u003e\u2028\u2029\"\\\n"}"#
        );
    }

    #[test]
    fn path_segments() {
        assert_eq!(path_segment("a b"), Ok("a b"));
        for bad in ["", "a/b", "/", ".", ".."] {
            assert_eq!(
                path_segment(bad),
                Err(UsageError::InvalidName(bad.to_string()))
            );
        }
        assert_eq!(path_segment("..."), Ok("..."));
    }
}
