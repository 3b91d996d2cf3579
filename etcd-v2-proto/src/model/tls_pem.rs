//! A client's TLS setup as PEM bytes, as etcdctl's `--cacert`, `--cert` and `--key` name it

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::UsageError;

/// The PEM bytes of a client's TLS setup: the CA bundle that verifies the members, and the
/// client certificate chain and key a cluster started with `--client-cert-auth` asks for.
/// Each runtime crate builds its TLS from it (`HyperTransport::with_pem`,
/// `UreqTransport::with_pem`, feature `tls`); reading the files is the caller's.
///
/// ```
/// # let (ca, cert, key) = (Vec::new(), Vec::new(), Vec::new());
/// let pem = etcd_v2_proto::TlsPem::new(ca).client_cert(cert, key);
/// assert!(!format!("{pem:?}").contains("PRIVATE"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsPem {
    /// One or more CA certificates (PEM): the members' certificates must chain to one.
    pub ca: Vec<u8>,
    /// The client certificate chain (PEM), if the cluster wants one.
    pub cert: Option<Vec<u8>>,
    /// The client certificate's private key (PEM). Never shown by `Debug`.
    pub key: Option<Vec<u8>>,
    /// The name the members' certificates are checked against, instead of each endpoint's
    /// host (a member reached by IP address whose certificate names it by DNS name).
    pub server_name: Option<String>,
}

/// A client certificate chain and its key, both PEM.
pub type ClientPair<'a> = (&'a [u8], &'a [u8]);

impl TlsPem {
    /// Members verified by the CA bundle `ca_pem`, no client certificate.
    pub fn new(ca_pem: impl Into<Vec<u8>>) -> Self {
        Self {
            ca: ca_pem.into(),
            cert: None,
            key: None,
            server_name: None,
        }
    }

    /// Presents the client certificate chain `cert_pem` with its key `key_pem`.
    #[must_use]
    pub fn client_cert(
        mut self,
        cert_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        self.cert = Some(cert_pem.into());
        self.key = Some(key_pem.into());
        self
    }
}

impl TlsPem {
    /// The client certificate chain and its key, if the cluster is to get one.
    ///
    /// # Errors
    /// [`UsageError::InvalidTls`] when only one of the two is set.
    pub fn client_pair(&self) -> Result<Option<ClientPair<'_>>, UsageError> {
        match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => Ok(Some((cert, key))),
            (None, None) => Ok(None),
            _ => Err(UsageError::InvalidTls(
                "a client certificate needs its key".into(),
            )),
        }
    }

    /// Checks the members' certificates against `name` instead of each endpoint's host.
    #[must_use]
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }
}

impl fmt::Debug for TlsPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsPem")
            .field("ca", &format_args!("{} bytes", self.ca.len()))
            .field("cert", &self.cert.as_ref().map(Vec::len))
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .field("server_name", &self.server_name)
            .finish()
    }
}
