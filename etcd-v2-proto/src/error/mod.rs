//! Errors, typed by who is at fault
//!
//! * [`Error::Usage`]: the caller asked for something invalid; nothing was sent.
//! * [`Error::Etcd`] / [`Error::Api`] / [`Error::UnexpectedStatus`]: a server answered and said no.
//! * [`Error::Protocol`]: a server answered with something that is not etcd v2.
//! * [`Error::Cluster`]: every endpoint failed; each endpoint's own failure is kept.
//! * [`Error::OutcomeUnknown`]: a write may have reached a server, and no answer it can vouch for came back.
//! * [`Error::DeadlineExceeded`]: the caller's deadline for the whole call passed.
//! * [`Error::Discovery`]: SRV discovery found no answer (both DNS lookups failed).
//!
//! Text a server sent (an etcd error's message and cause, an API error's message, a header's
//! value) is kept whole in the errors' fields, but their `Display` shows it tamed: control
//! characters and the characters that break or reorder lines escaped (`\n`, `\u{1b}`), and
//! at most [`MAX_SHOWN_CHARS`] characters of each, then `…`. A hostile or broken server cannot
//! forge log lines, color a terminal or flood a log through an error message.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::model::code::ErrorCode;
use crate::model::null_as_default;

mod failure;
mod shown;

pub use failure::{AttemptFailure, ClusterError, TransportFailure};
pub use shown::MAX_SHOWN_CHARS;
pub(crate) use shown::{Shown, ShownDebug};

/// Everything an etcd v2 call can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request was invalid and was not sent.
    #[error("invalid request: {0}")]
    Usage(#[from] UsageError),
    /// etcd answered with a keys error body (`{"errorCode":…}`).
    #[error(transparent)]
    Etcd(#[from] EtcdError),
    /// The members or auth API answered with an error message (`{"message":…}`).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A status the API never answers with on success (Go: `unexpected status code <n>`).
    #[error("unexpected status code {0}")]
    UnexpectedStatus(u16),
    /// The answer was not etcd v2 (bad JSON, empty body, bad header, too large).
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// No endpoint could serve the call; one failure per endpoint tried.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// A write may or may not have been applied: an attempt may have reached a server and no
    /// answer that can be trusted came back. See [`OutcomeUnknown`].
    #[error(transparent)]
    OutcomeUnknown(Box<OutcomeUnknown>),
    /// The endpoint list is empty (Go: `ErrNoEndpoints`).
    #[error("client: no endpoints available")]
    NoEndpoints,
    /// Sync in prioritize-leader mode could not find the leader (Go: `ErrNoLeaderEndpoint`).
    #[error("client: no leader endpoint available")]
    NoLeaderEndpoint,
    /// The call's own deadline passed (Go: `context.DeadlineExceeded`).
    #[error("deadline exceeded")]
    DeadlineExceeded,
    /// A watch resumed past events that etcd no longer keeps (opt-in resume policy).
    ///
    /// The watch goes on from `resumed_at`; events in `requested..resumed_at` may be missed.
    #[error(
        "watch history cleared: events from index {requested} may be lost, resumed at {resumed_at}"
    )]
    EventsLost {
        /// The wait index the watch asked for.
        requested: u64,
        /// The wait index the watch continues from.
        resumed_at: u64,
    },
    /// SRV discovery failed: both DNS lookups failed (Go: `dns lookup errors: … and …`).
    #[error("{0}")]
    Discovery(String),
}

impl From<crate::discovery::srv::SrvError> for Error {
    fn from(error: crate::discovery::srv::SrvError) -> Self {
        Self::Discovery(error.to_string())
    }
}

impl Error {
    /// The etcd keys error, if the server answered with one.
    pub fn etcd(&self) -> Option<&EtcdError> {
        match self {
            Self::Etcd(e) => Some(e),
            _ => None,
        }
    }

    /// The etcd error code, if the server answered with a keys error.
    pub fn code(&self) -> Option<ErrorCode> {
        self.etcd().map(|e| e.code)
    }

    /// True iff etcd said "Key not found" (code 100), like Go's `IsKeyNotFound`.
    pub fn is_key_not_found(&self) -> bool {
        self.code() == Some(ErrorCode::KEY_NOT_FOUND)
    }

    /// True iff a compare (prev value / prev index) failed (code 101).
    pub fn is_test_failed(&self) -> bool {
        self.code() == Some(ErrorCode::TEST_FAILED)
    }

    /// True iff the key already exists (code 105).
    pub fn is_node_exist(&self) -> bool {
        self.code() == Some(ErrorCode::NODE_EXIST)
    }

    /// True iff the watch index is older than etcd's event history (code 401).
    pub fn is_event_index_cleared(&self) -> bool {
        self.code() == Some(ErrorCode::EVENT_INDEX_CLEARED)
    }

    /// True iff the server refused the credentials or the permission: etcd's code 110 on the
    /// keys API, or HTTP 401 from the members, auth or stats APIs.
    pub fn is_unauthorized(&self) -> bool {
        self.code() == Some(ErrorCode::UNAUTHORIZED)
            || matches!(
                self,
                Self::Api(ApiError { status: 401, .. }) | Self::UnexpectedStatus(401)
            )
    }

    /// True iff the auth API said the user does not exist (Go's `IsUserNotFound`, without its
    /// regex gap: also true for the message `RemoveUser` gets)
    pub fn is_user_not_found(&self) -> bool {
        self.api_message()
            .is_some_and(|m| m.starts_with("auth: User ") && m.contains(" does not exist"))
    }

    /// True iff the auth API said the role does not exist (Go's `IsRoleNotFound`, without its
    /// regex gap: also true for `doesn't exist`)
    pub fn is_role_not_found(&self) -> bool {
        self.api_message().is_some_and(|m| {
            m.starts_with("auth: Role ")
                && (m.contains(" does not exist") || m.contains(" doesn't exist"))
        })
    }

    /// What is known of a write whose outcome is unknown, if this is such an error.
    pub fn outcome_unknown(&self) -> Option<&OutcomeUnknown> {
        match self {
            Self::OutcomeUnknown(u) => Some(u),
            _ => None,
        }
    }

    /// True iff the request may have been applied although it failed.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Self::OutcomeUnknown(_))
    }

    fn api_message(&self) -> Option<&str> {
        match self {
            Self::Api(e) => Some(&e.message),
            _ => None,
        }
    }
}

/// What is known of a write whose outcome is unknown ([`Error::OutcomeUnknown`]).
///
/// By default the write was not re-sent after the attempt that may have applied it (see
/// [`crate::WriteRetry`]), and it may still be applied later (a paused member wakes up). If it
/// was or will be applied, its index is above `index_before`: read the key back with a quorum
/// read, or watch it from `index_before + 1`, to learn what happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("outcome unknown: request to {endpoint} may have been applied: {failure}")]
#[non_exhaustive]
pub struct OutcomeUnknown {
    /// The endpoint of the last attempt that may have applied the write.
    pub endpoint: String,
    /// What went wrong after that attempt may have been received.
    pub failure: AttemptFailure,
    /// Every failed attempt of the call, in order (that one included).
    pub attempts: Vec<(String, AttemptFailure)>,
    /// The error a later attempt was answered with, which the earlier attempt may have caused
    /// (101 Compare failed after the first compare-and-swap applied); only under a
    /// [`crate::WriteRetry`] that re-sends.
    pub answer: Option<Error>,
    /// The highest `X-Etcd-Index` the client had seen when the call started, if any.
    pub index_before: Option<u64>,
}

/// An etcd v2 keys error body: `{"errorCode":100,"message":"Key not found","cause":"/foo","index":18}`.
///
/// Displays like Go's `client.Error`: `100: Key not found (/foo) [18]`, with the message and
/// the cause escaped (control characters, bidi controls) and cut to [`MAX_SHOWN_CHARS`]
/// characters each; the fields keep the whole text. `Debug` cuts them the same way.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EtcdError {
    /// The v2 error code.
    #[serde(rename = "errorCode", default, deserialize_with = "null_as_default")]
    pub code: ErrorCode,
    /// The fixed message for the code.
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
    /// Context: the key, the failed comparison, the bad field.
    #[serde(default, deserialize_with = "null_as_default")]
    pub cause: String,
    /// The etcd index when the error happened (0 for request-validation errors).
    #[serde(default, deserialize_with = "null_as_default")]
    pub index: u64,
}

impl fmt::Debug for EtcdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EtcdError")
            .field("code", &self.code)
            .field("message", &ShownDebug(&self.message))
            .field("cause", &ShownDebug(&self.cause))
            .field("index", &self.index)
            .finish()
    }
}

impl fmt::Display for EtcdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} ({}) [{}]",
            self.code.as_u16(),
            Shown(&self.message),
            Shown(&self.cause),
            self.index
        )
    }
}

impl core::error::Error for EtcdError {}

/// A members or auth API error: `{"message":"membership: peerURL exists"}` with its status.
///
/// Displays the message, escaped and cut to [`MAX_SHOWN_CHARS`] characters (`Debug` too).
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", Shown(.message))]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: u16,
    /// The server's message (may be empty).
    pub message: String,
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("message", &ShownDebug(&self.message))
            .finish()
    }
}

/// Invalid input, rejected before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The TLS setup could not be built (a PEM without a certificate, a bad key).
    #[error("TLS setup: {0}")]
    InvalidTls(String),
    /// A key that would leave the keys prefix once `..` is resolved.
    #[error("key {0:?} escapes the keys prefix")]
    KeyEscapesPrefix(String),
    /// Two options that contradict each other.
    #[error("conflicting options: {0}")]
    ConflictingOptions(&'static str),
    /// A TTL of zero (etcd would delete the key at once).
    #[error("ttl must be at least one second")]
    ZeroTtl,
    /// A TTL longer than etcd can hold (about 292 years).
    #[error("ttl must be at most 9223372036 seconds")]
    TtlTooLarge,
    /// etcd cannot compare against an empty value (`prevValue=` is error 201).
    #[error("prev_value must not be empty: etcd v2 cannot compare against an empty value")]
    EmptyPrevValue,
    /// Index 0 never exists, so a compare against it can never be meant.
    #[error("prev_index must be greater than zero")]
    ZeroPrevIndex,
    /// An endpoint or peer URL that cannot be used.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given, its password masked.
        url: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A list that must not be empty was empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// A task was polled again after it returned `Step::Done`.
    #[error("the task already finished")]
    TaskFinished,
    /// A name (user, role, member id) that cannot be put in a URL path.
    #[error("invalid name {0:?}: must be non-empty, not `.` or `..`, and contain no '/'")]
    InvalidName(String),
    /// A keys request whose path and query, percent-encoded, would be longer than
    /// [`crate::call::keys::MAX_PATH_AND_QUERY`] bytes: a key or prev value too long for a URL.
    #[error(
        "request path and query of {len} bytes (percent-encoded) over the limit of {limit}: \
         key or prev value too long"
    )]
    PathTooLong {
        /// The encoded path and query's length in bytes.
        len: usize,
        /// [`crate::call::keys::MAX_PATH_AND_QUERY`].
        limit: usize,
    },
}

/// A server answer that breaks the etcd v2 protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// 200/201 without a body (Go: `ErrEmptyBody`).
    #[error("client: response body is empty")]
    EmptyBody,
    /// The body is not the expected JSON (Go: `ErrInvalidJSON`); `detail` says why.
    #[error(
        "client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint ({detail})"
    )]
    InvalidJson {
        /// HTTP status of the answer.
        status: u16,
        /// The decoder's complaint and the start of the body.
        detail: String,
    },
    /// A keys answer with nodes nested deeper than [`crate::MAX_NODE_DEPTH`] levels.
    #[error("response nests nodes deeper than {limit} levels")]
    NestedTooDeep {
        /// The limit: [`crate::MAX_NODE_DEPTH`].
        limit: usize,
    },
    /// An answer that would take more memory than allowed once decoded: a keys answer's
    /// nodes more than 4 × the body's length (at least 64 KiB, at most
    /// [`crate::MAX_DECODED_BYTES`]); any other answer's objects and arrays, counted at 128
    /// bytes each, more than 16 × its length (at least 1 MiB).
    #[error("response decodes to more than {limit} bytes")]
    DecodedTooLarge {
        /// The budget the decoded nodes went over, in bytes.
        limit: usize,
    },
    /// A header etcd sends had a value that does not parse.
    #[error("invalid {name} header: \"{}\"", Shown(.value))]
    BadHeader {
        /// Header name.
        name: &'static str,
        /// The value received (lossy UTF-8).
        value: String,
    },
    /// The body is over the configured limit.
    #[error("response body over the limit of {limit} bytes")]
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// A watch answer that carries no `node`.
    #[error("watch response without a node")]
    MissingNode,
    /// A watch event older than the index the watch waited for (or at the last index there
    /// is): indices only move forward, so the member is broken or hostile.
    #[error("watch event at index {got}, but the watch waited for index {waited_for} or later")]
    IndexWentBack {
        /// The index the watch asked for (`waitIndex`).
        waited_for: u64,
        /// The event's `modifiedIndex`.
        got: u64,
    },
}
