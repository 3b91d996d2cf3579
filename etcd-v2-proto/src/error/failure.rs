//! What went wrong with one attempt, and with every endpoint of a call

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::*;

/// What went wrong with one endpoint during one call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttemptFailure {
    /// The adapter could not complete the exchange.
    #[error(transparent)]
    Transport(#[from] TransportFailure),
    /// No response headers within the per-request header timeout.
    #[error("client: endpoint {endpoint} exceeded header timeout")]
    HeaderTimeout {
        /// The endpoint that was too slow.
        endpoint: String,
    },
    /// 500 or 503: the member cannot serve (Go: `has no leader`).
    #[error("client: etcd member {endpoint} has no leader")]
    NoLeader {
        /// The member.
        endpoint: String,
        /// 500 or 503.
        status: u16,
    },
    /// Any other 5xx (Go: `returns server error [<reason>]`).
    #[error("client: etcd member {endpoint} returns server error [{reason}]")]
    ServerError {
        /// The member.
        endpoint: String,
        /// The status code.
        status: u16,
        /// The canonical reason phrase (empty when unknown).
        reason: String,
    },
    /// A 3xx without a `Location` header.
    #[error("location header not set")]
    LocationNotSet,
    /// A `Location` header that is not a URL (its password masked).
    #[error("location header not valid URL: {}", Shown(.0))]
    LocationInvalid(String),
    /// A redirect the redirect policy does not follow (see [`RedirectRefusal`](crate::RedirectRefusal)).
    #[error("redirect to {} refused: {reason}", Shown(.location))]
    RedirectRefused {
        /// The `Location` header (its password masked).
        location: String,
        /// Why it was not followed.
        reason: crate::machines::redirect::RedirectRefusal,
    },
    /// More redirects than the redirect policy allows.
    #[error("client: too many redirects")]
    TooManyRedirects,
    /// The member belongs to another cluster than the one pinned.
    #[error("endpoint {endpoint} belongs to cluster {}, expected {expected}", Shown(.found))]
    WrongCluster {
        /// The endpoint.
        endpoint: String,
        /// The expected cluster id.
        expected: String,
        /// The cluster id it answered with.
        found: String,
    },
}

impl AttemptFailure {
    /// True iff the request may have reached a server (so a non-idempotent write may be applied).
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Self::Transport(t) => t.may_have_been_sent(),
            Self::LocationNotSet | Self::LocationInvalid(_) | Self::TooManyRedirects => false,
            Self::RedirectRefused { .. } => false,
            Self::WrongCluster { .. } => false,
            Self::HeaderTimeout { .. } | Self::NoLeader { .. } | Self::ServerError { .. } => true,
        }
    }
}

/// The only thing an adapter reports instead of a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportFailure {
    /// The connection could not be established (refused, DNS, unreachable): nothing was sent.
    #[error("connect: {0}")]
    Connect(String),
    /// The TLS handshake failed: nothing was sent.
    #[error("tls: {0}")]
    Tls(String),
    /// The transmit's deadline passed before the exchange completed.
    #[error("timed out")]
    Timeout,
    /// The connection broke after the request may have been written.
    #[error("io: {0}")]
    Io(String),
    /// The response body went over `Transmit::max_body`.
    #[error("response body over the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit that was applied.
        limit: usize,
    },
    /// The request could not be turned into bytes (unsupported scheme, bad URL).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl TransportFailure {
    /// True iff the request may have left the client.
    pub fn may_have_been_sent(&self) -> bool {
        !matches!(
            self,
            Self::Connect(_) | Self::Tls(_) | Self::InvalidRequest(_)
        )
    }
}

/// Every endpoint failed (Go: `*ClusterError`); one entry per endpoint tried, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterError {
    /// `(endpoint, failure)` in the order the endpoints were tried.
    pub failures: Vec<(String, AttemptFailure)>,
}

impl ClusterError {
    /// Go's `Detail()`: `error #<i>: <err>\n` for each failure.
    pub fn detail(&self) -> String {
        let mut out = String::new();
        for (i, (_, failure)) in self.failures.iter().enumerate() {
            out.push_str(&alloc::format!("error #{i}: {failure}\n"));
        }
        out
    }
}

impl fmt::Display for ClusterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("client: etcd cluster is unavailable or misconfigured")?;
        for (i, (endpoint, failure)) in self.failures.iter().enumerate() {
            write!(f, "; error #{i}: {endpoint}: {failure}")?;
        }
        Ok(())
    }
}

impl core::error::Error for ClusterError {}
