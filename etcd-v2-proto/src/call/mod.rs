//! Calls: typed, validated recipes for one API request
//!
//! A [`Call`] knows how to become an `http::Request` for any endpoint and how to decode the
//! answer. It does not know which endpoint it will go to: that is the [`crate::Op`]'s business.
//! Invalid input fails when the call is built, with [`crate::Error::Usage`], before anything is sent.

pub mod auth;
pub mod keys;
pub mod members;
pub mod misc;

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

use crate::wire::body::Body;
use bytes::Bytes;
use http::uri::{Parts, PathAndQuery};
use http::{HeaderValue, Method, Request, Response, Uri, header};

use crate::error::Error;
use crate::model::Credentials;
use crate::wire::encode::{clean_path, join_keys_path, push_escaped_path};
use crate::wire::endpoint::Endpoint;

/// What a call does to the store, which decides whether it may be sent again to another member
/// after an attempt that may have reached one.
///
/// Reads are retried freely. A write is sent **at most once** by default: once an attempt may
/// have reached a server (a timeout, a reset or EOF after the request could have been written,
/// a 5xx), no other attempt is made and the call ends with [`crate::Error::OutcomeUnknown`].
/// [`WriteRetry`] relaxes that on request.
///
/// The request of a write carries its value in its `http::Extensions`: a transport that has to
/// spend effort on telling "never sent" from "maybe sent" when it times out (see
/// [`crate::TransportFailure::Connect`]) can spend it on those requests only.
///
/// ```
/// use etcd_v2_proto::{call, Cluster, Config, Idempotency, Op, Step, Task};
/// let mut cluster = Cluster::new(Config::new(["http://127.0.0.1:2379"])).unwrap();
/// let mut op = Op::new(call::keys::create("/v2/keys", "/job", "x").unwrap());
/// let Step::Send(t) = op.poll(std::time::Instant::now(), &mut cluster) else { panic!() };
/// assert_eq!(t.request.extensions().get(), Some(&Idempotency::NotIdempotent));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// A read or a watch: always safe to retry elsewhere.
    Read,
    /// A write that, sent twice, leaves the state the first one left — unless another client
    /// wrote in between (an unconditional set, update, mkdir, refresh; auth and member updates).
    /// Re-sent after a maybe-applied attempt only under [`WriteRetry::ResendIdempotent`].
    Idempotent,
    /// A write whose repetition has another effect or answer: create (105 the second time),
    /// compare-and-swap (101), delete (100), in-order create (a second key), member add.
    /// Re-sent after a maybe-applied attempt only under [`WriteRetry::ResendAll`].
    NotIdempotent,
}

impl Idempotency {
    /// True for writes (anything but [`Idempotency::Read`]).
    pub fn is_write(self) -> bool {
        self != Self::Read
    }
}

/// Whether a write is sent again, to the next member, after an attempt that may have been
/// applied (Go re-sends every write; we do not by default).
///
/// **The ghost-write hazard.** An attempt that timed out may still be applied later: a member
/// that was paused (GC, `SIGSTOP`, a slow disk) forwards the write when it wakes up, possibly
/// long after the call returned. Re-sending it elsewhere can then apply it twice, and undo a
/// later write in between: `set(k, "A")` times out, is re-sent and succeeds, `set(k, "B")`
/// succeeds, then the paused member applies its copy of "A" and `k` reads "A" for good. A
/// conditional write re-sent after its first attempt applied fails (101, 105, 100) although
/// it took effect; such an answer is reported as [`crate::Error::OutcomeUnknown`] with the
/// answer inside, never as a definite failure.
///
/// ```
/// use etcd_v2_proto::{Config, Idempotency, WriteRetry};
/// let config = Config::new(["http://127.0.0.1:2379"]);
/// assert_eq!(config.write_retry, WriteRetry::AtMostOnce);
/// assert!(WriteRetry::ResendIdempotent.resends(Idempotency::Idempotent));
/// assert!(!WriteRetry::ResendIdempotent.resends(Idempotency::NotIdempotent));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum WriteRetry {
    /// No write is sent again once an attempt may have reached a server: the call ends with
    /// [`crate::Error::OutcomeUnknown`]. Attempts that surely sent nothing (refused connection,
    /// failed TLS handshake, a pooled connection closed before the request was written) still
    /// fail over.
    #[default]
    AtMostOnce,
    /// Re-send [`Idempotency::Idempotent`] writes (unconditional sets and updates) to the next
    /// member; other writes stay at most once. Availability over the ghost-write hazard.
    ResendIdempotent,
    /// Re-send every write, as the Go client does; a definite-looking error after a
    /// maybe-applied attempt still ends as [`crate::Error::OutcomeUnknown`].
    ResendAll,
}

impl WriteRetry {
    /// True iff a call of this kind is sent again after an attempt that may have been applied.
    pub fn resends(self, idempotency: Idempotency) -> bool {
        matches!(
            (self, idempotency),
            (_, Idempotency::Read)
                | (Self::ResendAll, _)
                | (Self::ResendIdempotent, Idempotency::Idempotent)
        )
    }
}

/// How a call's path is joined with the endpoint's base path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathJoin {
    /// etcd's canonical URL path: a trailing slash is kept (keys).
    Canonical,
    /// Go `path.Join`: cleaned, no trailing slash (members, auth, misc).
    Clean,
}

/// The transport-independent part of a request.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RequestSpec {
    pub(crate) method: Method,
    /// Unescaped path below the endpoint's base path; with [`PathJoin::Canonical`], a
    /// [`crate::wire::encode::keys_path`] result (canonical already, or empty for the root).
    pub(crate) path: String,
    pub(crate) join: PathJoin,
    /// Encoded query string without `?` (may be empty).
    pub(crate) query: Cow<'static, str>,
    pub(crate) body: Option<Bytes>,
    pub(crate) content_type: Option<HeaderValue>,
    /// A long poll: the header timeout bounds only the response head.
    pub(crate) wait: bool,
    /// A 5xx answer is this call's answer, not a member failure (`/health` says 503 when unhealthy).
    pub(crate) server_error_is_answer: bool,
    /// The body carries a password: debug output shows it redacted.
    pub(crate) secret_body: bool,
}

// Header values made at compile time: `HeaderValue::from_static` checks every byte when it
// runs, on every request.
/// The `Content-Type` of a form body.
pub(crate) const FORM: HeaderValue = HeaderValue::from_static("application/x-www-form-urlencoded");
/// The `Content-Type` of a JSON body.
pub(crate) const JSON: HeaderValue = HeaderValue::from_static("application/json");
/// [`USER_AGENT`] as a header value.
const USER_AGENT_VALUE: HeaderValue = HeaderValue::from_static(USER_AGENT);
/// `Content-Length: 0`.
const NO_LENGTH: HeaderValue = HeaderValue::from_static("0");

impl RequestSpec {
    pub(crate) fn new(method: Method, path: String, join: PathJoin) -> Self {
        Self {
            method,
            path,
            join,
            query: Cow::Borrowed(""),
            body: None,
            content_type: None,
            wait: false,
            server_error_is_answer: false,
            secret_body: false,
        }
    }

    /// The full URL of this request at `endpoint`.
    ///
    /// The same URI as parsing `scheme://authority` + escaped joined path + `?query`, built from
    /// the endpoint's already parsed scheme and authority: only the path and query are parsed.
    pub(crate) fn uri_at(&self, endpoint: &Endpoint) -> Result<Uri, http::Error> {
        let base = endpoint.base_path();
        let joined = match self.join {
            PathJoin::Canonical => join_keys_path(base, &self.path),
            PathJoin::Clean => Cow::Owned(clean_path(&alloc::format!("{base}/{}", self.path))),
        };
        // Exact unless something needs escaping.
        let mut path_and_query = String::with_capacity(joined.len() + 1 + self.query.len());
        push_escaped_path(&mut path_and_query, &joined);
        if !self.query.is_empty() {
            path_and_query.push('?');
            path_and_query.push_str(&self.query);
        }
        let mut parts = Parts::default();
        parts.scheme = Some(endpoint.scheme().clone());
        parts.authority = Some(endpoint.authority().clone());
        parts.path_and_query = Some(PathAndQuery::try_from(path_and_query)?);
        Ok(Uri::from_parts(parts)?)
    }

    /// The request to `uri`, with the credentials if given.
    pub(crate) fn request(
        &self,
        uri: Uri,
        credentials: Option<&Credentials>,
    ) -> Result<Request<Bytes>, http::Error> {
        let mut request = Request::new(self.body.clone().unwrap_or_default());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        headers.append(header::USER_AGENT, USER_AGENT_VALUE);
        if let Some(ct) = &self.content_type {
            headers.append(header::CONTENT_TYPE, ct.clone());
        }
        // A PUT or POST without a body says so, as Go's client does: some proxies and load
        // balancers refuse one without a length, and HTTP clients differ in what they send.
        if self.body.as_ref().is_none_or(Bytes::is_empty)
            && matches!(self.method, Method::PUT | Method::POST)
        {
            headers.append(header::CONTENT_LENGTH, NO_LENGTH);
        }
        if let Some(c) = credentials {
            headers.append(header::AUTHORIZATION, c.authorization());
        }
        Ok(request)
    }
}

impl fmt::Debug for RequestSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSpec")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field("wait", &self.wait)
            .finish()
    }
}

/// The `User-Agent` of every request: this library and its version.
///
/// ```
/// assert!(etcd_v2_proto::call::USER_AGENT.starts_with("etcd-v2-rs/"));
/// ```
pub const USER_AGENT: &str = concat!("etcd-v2-rs/", env!("CARGO_PKG_VERSION"));

/// Turns a buffered response into the call's result.
pub(crate) type Decoder<T> = fn(Response<Body>) -> Result<T, Error>;

/// One API request, ready to be sent to whichever endpoint the cluster picks.
///
/// ```
/// use etcd_v2_proto::{call, Endpoint, GetOptions};
/// let get = call::keys::get("/v2/keys", "/foo bar", GetOptions::default()).unwrap();
/// let req = get.to_request(&Endpoint::parse("http://127.0.0.1:2379").unwrap(), None).unwrap();
/// assert_eq!(req.uri(), "http://127.0.0.1:2379/v2/keys/foo%20bar?quorum=false&recursive=false&sorted=false");
/// ```
pub struct Call<T> {
    pub(crate) spec: RequestSpec,
    pub(crate) decode: Decoder<T>,
    pub(crate) idempotency: Idempotency,
}

impl<T> Clone for Call<T> {
    fn clone(&self) -> Self {
        Self {
            spec: self.spec.clone(),
            decode: self.decode,
            idempotency: self.idempotency,
        }
    }
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("spec", &self.spec)
            .field("idempotency", &self.idempotency)
            .finish()
    }
}

impl<T> Call<T> {
    pub(crate) fn new(spec: RequestSpec, idempotency: Idempotency, decode: Decoder<T>) -> Self {
        Self {
            spec,
            decode,
            idempotency,
        }
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.spec.method
    }

    /// Whether the call may be re-sent after it may have reached a server.
    pub fn idempotency(&self) -> Idempotency {
        self.idempotency
    }

    /// True for long polls (watches), whose header timeout bounds only the response head.
    pub fn is_wait(&self) -> bool {
        self.spec.wait
    }

    /// The request this call sends to `endpoint`.
    ///
    /// # Errors
    /// Only if the endpoint and path do not form a valid URI (not for parsed endpoints).
    pub fn to_request(
        &self,
        endpoint: &Endpoint,
        credentials: Option<&Credentials>,
    ) -> Result<Request<Bytes>, http::Error> {
        self.spec.request(self.spec.uri_at(endpoint)?, credentials)
    }

    /// Decodes a buffered answer to this call (5xx and 3xx are handled by the [`crate::Op`]).
    ///
    /// # Errors
    /// The typed error the answer carries, or a protocol error for anything malformed.
    pub fn decode(&self, response: Response<Body>) -> Result<T, Error> {
        (self.decode)(response)
    }
}

/// JSON as Go's `json.Marshal` writes it: serde_json keeps struct field order, as Go does, and
/// Go also escapes `<`, `>`, `&`, U+2028 and U+2029 (they can only occur inside strings).
pub(crate) fn go_json<T: serde::Serialize>(value: &T) -> String {
    // Our bodies are structs of strings, options and lists, which always serialise.
    let plain = serde_json::to_string(value).unwrap_or_default();
    let mut out = String::with_capacity(plain.len());
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
    out
}
