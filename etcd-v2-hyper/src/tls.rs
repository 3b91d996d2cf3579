//! The default TLS setup: rustls (ring) trusting the webpki roots

use std::sync::{Arc, OnceLock};

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
