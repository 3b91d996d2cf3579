//! Endpoint URLs: parsed once, checked before anything is sent

use alloc::string::String;
use alloc::sync::Arc;

use http::uri::{Authority, Scheme, Uri};

use crate::error::UsageError;

/// One member's client URL, e.g. `http://127.0.0.1:2379` or `https://etcd.example.com:2379/base`.
///
/// ```
/// use etcd_v2_proto::Endpoint;
/// let ep = Endpoint::parse("http://127.0.0.1:2379").unwrap();
/// assert_eq!(ep.as_str(), "http://127.0.0.1:2379");
/// assert!(Endpoint::parse("localhost:2379").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Shared with every [`crate::Transmit`] sent to this endpoint: naming it copies nothing.
    url: Arc<str>,
    scheme: Scheme,
    authority: Authority,
    base_path: String,
}

impl Endpoint {
    /// Parses an `http` or `https` URL with a host, an optional port and an optional base path.
    ///
    /// # Errors
    /// [`UsageError::InvalidUrl`] (its password masked) for other schemes, a missing host, a
    /// port that is not 1..=65535, credentials in the URL, or a query or fragment.
    pub fn parse(url: &str) -> Result<Self, UsageError> {
        let invalid = |reason| UsageError::InvalidUrl {
            url: redact_url(url),
            reason,
        };
        let trimmed = url.trim();
        if trimmed.contains('#') {
            return Err(invalid("an endpoint must not have a fragment"));
        }
        let uri: Uri = trimmed
            .parse()
            .map_err(|_| invalid("not a URL of the form http://host:port"))?;
        let scheme = uri
            .scheme()
            .cloned()
            .ok_or_else(|| invalid("missing scheme (http:// or https://)"))?;
        if scheme != Scheme::HTTP && scheme != Scheme::HTTPS {
            return Err(invalid("the scheme must be http or https"));
        }
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| invalid("missing host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid(
                "credentials belong in the config, not in the endpoint URL",
            ));
        }
        if authority.host().is_empty() {
            return Err(invalid("missing host"));
        }
        if !port_is_valid(authority.as_str()) {
            return Err(invalid("the port must be a number from 1 to 65535"));
        }
        if uri.query().is_some() {
            return Err(invalid("an endpoint must not have a query"));
        }
        let scheme_str = scheme.as_str().to_ascii_lowercase();
        let path = uri.path();
        // Stored decoded, like Go's `url.Parse`: requests escape it once more, with the key.
        let base_path = crate::wire::encode::unescape_path(if path == "/" { "" } else { path })
            .ok_or_else(|| invalid("the path has an invalid %-escape"))?;
        let url = alloc::format!("{scheme_str}://{authority}{}", trimmed_path(trimmed, path));
        Ok(Self {
            url: url.into(),
            scheme,
            authority,
            base_path,
        })
    }

    /// The URL as given (scheme lower-cased; a trailing `/` is kept, like Go's `Endpoints()`).
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The URL as a shared string (what [`crate::Transmit::endpoint`] holds).
    pub fn url(&self) -> Arc<str> {
        Arc::clone(&self.url)
    }

    /// The scheme, `http` or `https`.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// `host:port` (or `host`).
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The URL's path, prepended to every request path (usually empty).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// True iff `uri` has the same scheme, host and port as this endpoint (a missing port is
    /// the scheme's default) and no userinfo.
    pub fn same_origin(&self, uri: &Uri) -> bool {
        let port = |scheme: &Scheme, port: Option<u16>| {
            port.unwrap_or(if *scheme == Scheme::HTTPS { 443 } else { 80 })
        };
        uri.scheme() == Some(&self.scheme)
            && uri.authority().is_some_and(|a| {
                !a.as_str().contains('@')
                    && a.host().eq_ignore_ascii_case(self.authority.host())
                    && port_is_valid(a.as_str())
                    && port(&self.scheme, a.port_u16())
                        == port(&self.scheme, self.authority.port_u16())
            })
    }
}

/// True iff `authority` (`host[:port]`, no userinfo) has no port or one of 1..=65535 in digits.
///
/// `http::Uri` accepts any port text (`:99999`, `:8x`, `:`) and then reports no port at all,
/// which a transport reads as the default port.
pub(crate) fn port_is_valid(authority: &str) -> bool {
    let host_end = if authority.starts_with('[') {
        authority.find(']').map_or(authority.len(), |i| i + 1)
    } else {
        authority.rfind(':').unwrap_or(authority.len())
    };
    match authority[host_end..].strip_prefix(':') {
        None => host_end == authority.len(),
        Some(port) => {
            port.len() <= 5
                && port.bytes().all(|b| b.is_ascii_digit())
                && matches!(port.parse::<u32>(), Ok(1..=65_535))
        }
    }
}

/// `url` with its userinfo masked, for messages: `http://root:pw@h` → `http://root:***@h`.
///
/// Cautious: everything between the scheme and the last `@` counts as userinfo, so a password
/// with `/` or `?` in it is masked too; only a plain user name before a `:` is kept.
pub(crate) fn redact_url(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let Some(at) = url.rfind('@').filter(|&at| at >= start) else {
        return String::from(url);
    };
    let user = url[start..at]
        .split_once(':')
        .map(|(user, _)| user)
        .filter(|user| !user.contains(['/', '?', '#']));
    match user {
        Some(user) => alloc::format!("{}{user}:***{}", &url[..start], &url[at..]),
        None => alloc::format!("{}***{}", &url[..start], &url[at..]),
    }
}

/// The path as the user wrote it (`http::Uri` turns an empty path into `/`).
fn trimmed_path<'a>(original: &str, parsed: &'a str) -> &'a str {
    if parsed == "/" && !original.ends_with('/') {
        ""
    } else {
        parsed
    }
}

impl core::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.url)
    }
}
