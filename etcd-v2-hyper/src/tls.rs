//! The default TLS setup: rustls (ring) trusting the webpki roots

use std::sync::{Arc, OnceLock};

use etcd_v2_proto::{Error, TlsPem, UsageError};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

/// rustls (ring) trusting the webpki roots, made once.
pub(crate) fn webpki() -> Arc<rustls::ClientConfig> {
    static WEBPKI: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    Arc::clone(WEBPKI.get_or_init(|| {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    }))
}

/// A TLS setup and the name to check the members' certificates against, if not their host.
type FromPem = (Arc<rustls::ClientConfig>, Option<ServerName<'static>>);

/// rustls (ring, whatever process-wide provider is or is not installed) from PEM: the CA
/// bundle as the only roots, the client certificate if one is given, and the server name.
pub(crate) fn from_pem(pem: &TlsPem) -> Result<FromPem, Error> {
    let invalid =
        |what: &str, e: &dyn std::fmt::Display| UsageError::InvalidTls(format!("{what}: {e}"));
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem.ca) {
        let cert = cert.map_err(|e| invalid("CA bundle", &e))?;
        roots.add(cert).map_err(|e| invalid("CA certificate", &e))?;
    }
    if roots.is_empty() {
        return Err(UsageError::InvalidTls("the CA bundle holds no certificate".into()).into());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid("protocol versions", &e))?
        .with_root_certificates(roots);
    let config = match pem.client_pair()? {
        Some((cert, key)) => {
            let chain = CertificateDer::pem_slice_iter(cert)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| invalid("client certificate", &e))?;
            let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| invalid("client key", &e))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| invalid("client certificate and key", &e))?
        }
        None => builder.with_no_client_auth(),
    };
    let server_name = (pem.server_name.clone())
        .map(|name| ServerName::try_from(name).map_err(|e| invalid("server name", &e)))
        .transpose()?;
    Ok((Arc::new(config), server_name))
}
