//! Client configuration: the Go client's knobs with safe defaults

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use crate::call::WriteRetry;
use crate::machines::redirect::{CheckRedirect, RedirectInfo};
use crate::model::Credentials;
use crate::wire::endpoint::redact_url;

/// How the client picks the endpoint it prefers (Go: `EndpointSelectionMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SelectionMode {
    /// Shuffle the endpoints and stick to the one that works (Go: `EndpointSelectionRandom`).
    #[default]
    Random,
    /// On sync, put the leader first (Go: `EndpointSelectionPrioritizeLeader`); use with auto-sync.
    PrioritizeLeader,
}

/// Client configuration (Go: `client.Config`).
///
/// `Debug` masks passwords, including one written into an endpoint URL.
///
/// ```
/// use std::time::Duration;
/// use etcd_v2_proto::Config;
/// let config = Config::new(["http://127.0.0.1:2379"])
///     .credentials("root", "pw")
///     .header_timeout(Some(Duration::from_secs(2)));
/// assert_eq!(config.max_redirects, 10);
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Client URLs of the members, e.g. `http://127.0.0.1:2379`.
    pub endpoints: Vec<String>,
    /// Basic-auth credentials sent with every request to an endpoint's own origin.
    pub credentials: Option<Credentials>,
    /// Longest time one request to one member may take (Go: `HeaderTimeoutPerRequest`);
    /// when it passes, that member counts as failed and the next one is tried.
    ///
    /// Unlike Go it covers the body too (etcd sends non-watch bodies at once), so a member that
    /// stalls mid-body cannot hang a call either. For watches it bounds only the wait for the
    /// response headers (etcd sends those as soon as the watch is registered), so a stopped
    /// member cannot hang a watch while the body may wait for an event. Default 5 s; `None`
    /// waits forever.
    pub header_timeout: Option<Duration>,
    /// Deadline of one whole call, failover included (Go: the context's deadline); watches are
    /// not bounded by it. Default 30 s, so every call has a finite budget; `None` waits as long
    /// as the endpoints and their header timeouts take.
    pub request_timeout: Option<Duration>,
    /// Endpoint selection mode.
    pub selection_mode: SelectionMode,
    /// Redirects followed per endpoint before `client: too many redirects` (Go default: 10).
    pub max_redirects: u32,
    /// A rule consulted for each redirect the built-in policy allows (Go: `CheckRedirect`);
    /// it can refuse more, never allow more (see [`RedirectRefusal`](crate::RedirectRefusal)). Default: none.
    pub check_redirect: Option<CheckRedirect>,
    /// Largest response body accepted, in bytes (default 64 MiB).
    pub max_body_bytes: usize,
    /// Path the keys API lives under (Go: `NewKeysAPIWithPrefix`); default `/v2/keys`.
    pub keys_prefix: String,
    /// Seed of the endpoint shuffle. The core reads no entropy: the runtime crates fill a
    /// `None` with one from the OS (a core driven directly shuffles with seed 0).
    pub seed: Option<u64>,
    /// Print each request as a curl command to stderr (Go: `EnablecURLDebug`); never shows passwords.
    pub curl_debug: bool,
    /// Refuse members whose `X-Etcd-Cluster-Id` differs from this one.
    pub expected_cluster_id: Option<String>,
    /// Whether a write is re-sent after an attempt that may have been applied (default: never,
    /// [`WriteRetry::AtMostOnce`]).
    pub write_retry: WriteRetry,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            endpoints: Vec::new(),
            credentials: None,
            header_timeout: Some(Duration::from_secs(5)),
            request_timeout: Some(Duration::from_secs(30)),
            selection_mode: SelectionMode::Random,
            max_redirects: 10,
            check_redirect: None,
            max_body_bytes: 64 * 1024 * 1024,
            keys_prefix: String::from("/v2/keys"),
            seed: None,
            curl_debug: false,
            expected_cluster_id: None,
            write_retry: WriteRetry::AtMostOnce,
        }
    }
}

impl Config {
    /// A default config for these endpoints.
    pub fn new<I, S>(endpoints: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            endpoints: endpoints.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Sets [`Self::credentials`].
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::new(username, password));
        self
    }

    /// Sets [`Self::header_timeout`].
    pub fn header_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// Sets [`Self::request_timeout`].
    pub fn request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets [`Self::selection_mode`].
    pub fn selection_mode(mut self, mode: SelectionMode) -> Self {
        self.selection_mode = mode;
        self
    }

    /// Sets [`Self::max_redirects`].
    pub fn max_redirects(mut self, max: u32) -> Self {
        self.max_redirects = max;
        self
    }

    /// Sets [`Self::check_redirect`]: `check` returns `false` to refuse a redirect.
    pub fn check_redirect(
        mut self,
        check: impl Fn(&RedirectInfo<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.check_redirect = Some(CheckRedirect::new(check));
        self
    }

    /// Sets [`Self::max_body_bytes`].
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// Sets [`Self::keys_prefix`].
    pub fn keys_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.keys_prefix = prefix.into();
        self
    }

    /// Sets [`Self::seed`].
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Sets [`Self::curl_debug`].
    pub fn curl_debug(mut self, yes: bool) -> Self {
        self.curl_debug = yes;
        self
    }

    /// Sets [`Self::write_retry`].
    pub fn write_retry(mut self, retry: WriteRetry) -> Self {
        self.write_retry = retry;
        self
    }

    /// Sets [`Self::expected_cluster_id`].
    pub fn expected_cluster_id(mut self, id: impl Into<String>) -> Self {
        self.expected_cluster_id = Some(id.into());
        self
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be forgotten here.
        let Self {
            endpoints,
            credentials,
            header_timeout,
            request_timeout,
            selection_mode,
            max_redirects,
            check_redirect,
            max_body_bytes,
            keys_prefix,
            seed,
            curl_debug,
            expected_cluster_id,
            write_retry,
        } = self;
        let endpoints: Vec<String> = endpoints.iter().map(|e| redact_url(e)).collect();
        f.debug_struct("Config")
            .field("endpoints", &endpoints)
            .field("credentials", credentials)
            .field("header_timeout", header_timeout)
            .field("request_timeout", request_timeout)
            .field("selection_mode", selection_mode)
            .field("max_redirects", max_redirects)
            .field("check_redirect", check_redirect)
            .field("max_body_bytes", max_body_bytes)
            .field("keys_prefix", keys_prefix)
            .field("seed", seed)
            .field("curl_debug", curl_debug)
            .field("expected_cluster_id", expected_cluster_id)
            .field("write_retry", write_retry)
            .finish()
    }
}
