//! HTTP Basic credentials, kept out of every `Debug`

use alloc::string::String;
use core::fmt;

use base64::Engine as _;
use http::HeaderValue;

/// HTTP Basic credentials; the password never shows in `Debug` output.
///
/// ```
/// use etcd_v2_proto::Credentials;
/// let c = Credentials::new("root", "s3cret");
/// assert!(!format!("{c:?}").contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    username: String,
    password: String,
}

impl Credentials {
    /// Credentials for `username` with `password`.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The `Authorization` header value, marked sensitive.
    pub fn authorization(&self) -> HeaderValue {
        let pair = alloc::format!("{}:{}", self.username, self.password);
        let token = base64::engine::general_purpose::STANDARD.encode(pair);
        let mut value = HeaderValue::from_str(&alloc::format!("Basic {token}"))
            .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}
