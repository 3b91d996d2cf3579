//! Resolving a `Location` header against the URL that answered with it
//!
//! Go replaces the whole URL with the `Location` value, so a relative one fails and the
//! original query is lost. We resolve relative references (RFC 3986, the common forms) and
//! keep the original query when the `Location` carries none.

use alloc::string::String;

use http::Uri;

/// The URL to follow, or `None` if `location` is not a usable http(s) reference.
///
/// ```
/// use etcd_v2_proto::redirect::resolve;
/// let from: http::Uri = "http://a:1/v2/keys/x?recursive=true".parse().unwrap();
/// assert_eq!(resolve(&from, "http://b:2/v2/keys/x").unwrap(), "http://b:2/v2/keys/x?recursive=true");
/// assert_eq!(resolve(&from, "/v2/keys/y").unwrap(), "http://a:1/v2/keys/y?recursive=true");
/// assert!(resolve(&from, ":").is_none());
/// ```
pub fn resolve(current: &Uri, location: &str) -> Option<Uri> {
    let location = location.trim();
    let scheme = current.scheme_str()?;
    let authority = current.authority()?.as_str();
    let absolute = if location.starts_with("http://") || location.starts_with("https://") {
        String::from(location)
    } else if let Some(rest) = location.strip_prefix("//") {
        alloc::format!("{scheme}://{rest}")
    } else if location.starts_with('/') {
        alloc::format!("{scheme}://{authority}{location}")
    } else if !location.is_empty() && !location.contains(':') {
        let path = current.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        alloc::format!("{scheme}://{authority}{dir}{location}")
    } else {
        return None;
    };
    let uri: Uri = absolute.parse().ok()?;
    uri.authority()?;
    if uri.query().is_some() || current.query().is_none() || location.contains('?') {
        return Some(uri);
    }
    let with_query = alloc::format!("{}?{}", absolute, current.query()?);
    with_query.parse().ok()
}
