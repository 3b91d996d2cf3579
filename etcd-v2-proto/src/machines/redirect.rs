//! Following a `Location` header: where it leads, and whether it may be followed
//!
//! Go replaces the whole URL with the `Location` value, so a relative one fails and the
//! original query is lost. We resolve references as RFC 3986 §5.2 says (dot segments removed,
//! the scheme case-insensitive, the fragment dropped) and keep the original query when the
//! `Location` carries none.
//!
//! A redirect is then checked, before anything is sent to where it leads (see [`RedirectRefusal`]):
//! a `Location` with userinfo or a port outside 1..=65535 is refused; so is any redirect from
//! `https` to `http`, and any redirect to another origin (scheme, host, port) than the endpoint's
//! when the request carries credentials or a password. Only then is the caller's
//! [`CheckRedirect`] asked, if there is one: it can refuse more, never allow more.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

use http::uri::Scheme;
use http::{Method, Uri};

use crate::error::AttemptFailure;
use crate::wire::endpoint::{Endpoint, port_is_valid, redact_url};

/// The URL to follow, or `None` if `location` is not a usable http(s) reference.
///
/// Only resolves: a result may still be refused by the policy (userinfo, bad port, ...).
pub(crate) fn resolve(current: &Uri, location: &str) -> Option<Uri> {
    let target = join(current, location.trim())?;
    let path = if target.path.is_empty() {
        "/"
    } else {
        &target.path
    };
    let mut url = alloc::format!("{}://{}{path}", target.scheme, target.authority);
    // Our one departure from RFC 3986: the original query is kept when the reference has none.
    if let Some(query) = target.query.or(current.query()) {
        url.push('?');
        url.push_str(query);
    }
    let uri: Uri = url.parse().ok()?;
    uri.host().filter(|h| !h.is_empty())?;
    Some(uri)
}

/// An http(s) target of RFC 3986 §5.2.2 (strict), without its fragment.
#[derive(Debug)]
struct Target<'a> {
    scheme: String,
    authority: &'a str,
    path: String,
    query: Option<&'a str>,
}

/// A URI reference split as RFC 3986 appendix B does, the fragment dropped.
#[derive(Debug)]
struct Reference<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
}

fn split(reference: &str) -> Reference<'_> {
    let rest = reference.split_once('#').map_or(reference, |(r, _)| r);
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    // A scheme is a non-empty run before the first `:` that no `/` precedes.
    let (scheme, rest) = match rest.find([':', '/']) {
        Some(i) if i > 0 && rest.as_bytes()[i] == b':' => (Some(&rest[..i]), &rest[i + 1..]),
        _ => (None, rest),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(r) => {
            let end = r.find('/').unwrap_or(r.len());
            (Some(&r[..end]), &r[end..])
        }
        None => (None, rest),
    };
    Reference {
        scheme,
        authority,
        path,
        query,
    }
}

/// RFC 3986 §5.2.2 against `base`; `None` unless the target is http(s) with an authority.
fn join<'a>(base: &'a Uri, reference: &'a str) -> Option<Target<'a>> {
    let r = split(reference);
    let scheme = match r.scheme {
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
            s.to_ascii_lowercase()
        }
        Some(_) => return None,
        None => String::from(base.scheme_str()?),
    };
    if r.scheme.is_some() || r.authority.is_some() {
        return Some(Target {
            scheme,
            authority: r.authority?,
            path: remove_dot_segments(r.path),
            query: r.query,
        });
    }
    // RFC 3986 §4.2: a relative path's first segment cannot hold a colon.
    if r.path.split('/').next().is_some_and(|s| s.contains(':')) {
        return None;
    }
    let authority = base.authority()?.as_str();
    let (path, query) = if r.path.is_empty() {
        (String::from(base.path()), r.query.or(base.query()))
    } else if r.path.starts_with('/') {
        (remove_dot_segments(r.path), r.query)
    } else {
        let dir = &base.path()[..base.path().rfind('/').map_or(0, |i| i + 1)];
        let merged = alloc::format!("{}{}", if dir.is_empty() { "/" } else { dir }, r.path);
        (remove_dot_segments(&merged), r.query)
    };
    Some(Target {
        scheme,
        authority,
        path,
        query,
    })
}

/// RFC 3986 §5.2.4: `.` and `..` segments removed (`/a/b/../c` → `/a/c`).
fn remove_dot_segments(path: &str) -> String {
    let mut input = path;
    let mut out = String::with_capacity(path.len());
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("./") {
            input = rest;
        } else if input.starts_with("/./") {
            input = &input[2..];
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") || input == "/.." {
            input = if input == "/.." { "/" } else { &input[3..] };
            out.truncate(out.rfind('/').unwrap_or(0));
        } else if input == "." || input == ".." {
            input = "";
        } else {
            let end = input[1..].find('/').map_or(input.len(), |i| i + 1);
            out.push_str(&input[..end]);
            input = &input[end..];
        }
    }
    out
}

/// Why a redirect was not followed ([`AttemptFailure::RedirectRefused`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum RedirectRefusal {
    /// The `Location` has a user name or password: never turned into credentials or a `Host`.
    #[error("the location carries credentials")]
    Userinfo,
    /// The `Location`'s port is not 1..=65535 in digits.
    #[error("the port is not a number from 1 to 65535")]
    InvalidPort,
    /// From `https` to `http`, for any request.
    #[error("https to http")]
    Downgrade,
    /// To another origin (scheme, host, port) than the endpoint's, while the request carries
    /// credentials or a password in its body.
    #[error("credentials or a password would go to another origin")]
    CrossOrigin,
    /// [`crate::Config::check_redirect`] said no.
    #[error("refused by check_redirect")]
    CheckRedirect,
}

/// A redirect the built-in policy allows, as [`CheckRedirect`] sees it.
#[derive(Debug)]
#[non_exhaustive]
pub struct RedirectInfo<'a> {
    /// The URL that answered with the redirect.
    pub from: &'a Uri,
    /// Where the redirect leads (resolved; never with userinfo).
    pub to: &'a Uri,
    /// The request's method, which the redirected request keeps.
    pub method: &'a Method,
    /// The redirect's status (301, 302, 307, ...).
    pub status: u16,
    /// Redirects in this attempt so far, this one included (1 for the first).
    pub redirects: u32,
}

/// A caller's redirect rule on top of the built-in policy (Go: `CheckRedirect`): `false` refuses.
///
/// ```
/// use etcd_v2_proto::Config;
/// let config = Config::new(["https://10.0.0.1:2379"])
///     .check_redirect(|r| r.to.host() == Some("10.0.0.1"));
/// assert_eq!(format!("{:?}", config.check_redirect), "Some(<fn>)");
/// ```
#[derive(Clone)]
pub struct CheckRedirect(Arc<dyn Fn(&RedirectInfo<'_>) -> bool + Send + Sync>);

impl CheckRedirect {
    /// A rule from a closure.
    pub fn new(check: impl Fn(&RedirectInfo<'_>) -> bool + Send + Sync + 'static) -> Self {
        Self(Arc::new(check))
    }

    /// True iff the rule lets this redirect be followed.
    pub fn allows(&self, redirect: &RedirectInfo<'_>) -> bool {
        (self.0)(redirect)
    }
}

impl fmt::Debug for CheckRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<fn>")
    }
}

/// The same rule (not merely an equivalent one).
impl PartialEq for CheckRedirect {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for CheckRedirect {}

/// What the policy needs to know of the request being redirected.
pub(crate) struct Policy<'a> {
    /// The only origin credentials and passwords may go to.
    pub(crate) endpoint: &'a Endpoint,
    /// The request carries credentials or a password.
    pub(crate) secret: bool,
    pub(crate) check: Option<&'a CheckRedirect>,
    pub(crate) method: &'a Method,
    pub(crate) status: u16,
    pub(crate) redirects: u32,
}

/// Where `location`, received from `from`, leads, if the policy lets the request follow it.
pub(crate) fn follow(
    from: &Uri,
    location: &str,
    policy: &Policy<'_>,
) -> Result<Uri, AttemptFailure> {
    let to = resolve(from, location)
        .ok_or_else(|| AttemptFailure::LocationInvalid(redact_url(location)))?;
    let authority = to.authority().map_or("", |a| a.as_str());
    let refusal = if authority.contains('@') {
        Some(RedirectRefusal::Userinfo)
    } else if !port_is_valid(authority) {
        Some(RedirectRefusal::InvalidPort)
    } else if from.scheme() == Some(&Scheme::HTTPS) && to.scheme() != Some(&Scheme::HTTPS) {
        Some(RedirectRefusal::Downgrade)
    } else if policy.secret && !policy.endpoint.same_origin(&to) {
        Some(RedirectRefusal::CrossOrigin)
    } else {
        let info = RedirectInfo {
            from,
            to: &to,
            method: policy.method,
            status: policy.status,
            redirects: policy.redirects,
        };
        policy
            .check
            .is_some_and(|c| !c.allows(&info))
            .then_some(RedirectRefusal::CheckRedirect)
    };
    match refusal {
        None => Ok(to),
        Some(reason) => Err(AttemptFailure::RedirectRefused {
            location: redact_url(location),
            reason,
        }),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn resolve_examples() {
        let from: http::Uri = "http://a:1/v2/keys/x?recursive=true".parse().unwrap();
        assert_eq!(
            resolve(&from, "http://b:2/v2/keys/x").unwrap(),
            "http://b:2/v2/keys/x?recursive=true"
        );
        assert_eq!(
            resolve(&from, "/v2/keys/y").unwrap(),
            "http://a:1/v2/keys/y?recursive=true"
        );
        assert_eq!(resolve(&from, "../y?z").unwrap(), "http://a:1/v2/y?z");
        assert_eq!(
            resolve(&from, "HTTP://b:2/").unwrap(),
            "http://b:2/?recursive=true"
        );
        assert!(resolve(&from, ":").is_none());
    }

    use super::*;

    /// RFC 3986 §5.4, against its base, without the query kept and fragments dropped.
    fn rfc(reference: &str) -> Option<String> {
        let base: Uri = "http://a/b/c/d;p?q".parse().unwrap();
        let t = join(&base, reference)?;
        let query = t.query.map(|q| alloc::format!("?{q}")).unwrap_or_default();
        Some(alloc::format!(
            "{}://{}{}{query}",
            t.scheme,
            t.authority,
            t.path
        ))
    }

    #[test]
    fn rfc_3986_examples() {
        let cases = [
            // §5.4.1
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q"),
            ("g#s", "http://a/b/c/g"),
            ("g?y#s", "http://a/b/c/g?y"),
            (";x", "http://a/b/c/;x"),
            ("g;x", "http://a/b/c/g;x"),
            ("g;x?y#s", "http://a/b/c/g;x?y"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
            // §5.4.2
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g?y/../x", "http://a/b/c/g?y/../x"),
            ("g#s/./x", "http://a/b/c/g"),
            ("g#s/../x", "http://a/b/c/g"),
            // Ours: schemes case-insensitive, and only http(s) with an authority.
            ("HTTPS://B/./x/../y", "https://B/y"),
            ("Http://b", "http://b"),
        ];
        for (reference, want) in cases {
            assert_eq!(rfc(reference).as_deref(), Some(want), "{reference:?}");
        }
        for reference in ["g:h", "http:g", "http:/g", "ftp://a/b", ":", "a:b/c", "//"] {
            let resolved = rfc(reference)
                .and_then(|_| resolve(&"http://a/b/c/d;p?q".parse().unwrap(), reference));
            assert_eq!(resolved, None, "{reference:?}");
        }
    }

    #[test]
    fn remove_dot_segments_cases() {
        for (path, want) in [
            ("/a/b/c/./../../g", "/a/g"),
            ("mid/content=5/../6", "mid/6"),
            ("/..", "/"),
            ("/../..", "/"),
            ("..", ""),
            ("/a/..", "/"),
            ("/a/.", "/a/"),
            ("//a/../b", "//b"),
            ("/a%2E%2E/b", "/a%2E%2E/b"),
        ] {
            assert_eq!(remove_dot_segments(path), want, "{path:?}");
        }
    }
}
