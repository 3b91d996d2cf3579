//! `https://` endpoints through every adapter, against a real etcd serving TLS on 127.0.0.1
//! with a certificate from a private CA made here: trusting that CA, a set and a get succeed;
//! without it (the default webpki roots), the handshake fails as `TransportFailure::Tls`. And a
//! member that requires client certificates (`--client-cert-auth`), through the PEM helper:
//! with the client certificate every call works, without it each fails as `Tls`.

use std::sync::Arc;
use std::time::Duration;

use conformance::etcd_process::EtcdCluster;
use conformance::sut::{Adapter, Sut};
use etcd_v2_proto::{
    Api, AttemptFailure, Config, Error, GetOptions, SetOptions, TlsPem, TransportFailure,
};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::CertificateDer;

/// A CA certificate (DER) and a server certificate and key (PEM) it issued for 127.0.0.1.
struct Pki {
    ca_der: CertificateDer<'static>,
    ca_pem: String,
    server_pem: String,
    server_key_pem: String,
    client_pem: String,
    client_key_pem: String,
}

fn make_pki() -> Pki {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca, ca_key);
    let server_key = KeyPair::generate().expect("server key");
    // An IP literal becomes an IP address SAN, which is what 127.0.0.1 is checked against.
    let names = vec!["127.0.0.1".to_owned(), "etcd.test".to_owned()];
    let server = CertificateParams::new(names).expect("server params");
    let server_cert = server.signed_by(&server_key, &issuer).expect("server cert");
    let client_key = KeyPair::generate().expect("client key");
    let client = CertificateParams::new(vec!["client".to_owned()]).expect("client params");
    let client_cert = client.signed_by(&client_key, &issuer).expect("client cert");
    Pki {
        ca_der: ca_cert.der().clone(),
        ca_pem: ca_cert.pem(),
        server_pem: server_cert.pem(),
        server_key_pem: server_key.serialize_pem(),
        client_pem: client_cert.pem(),
        client_key_pem: client_key.serialize_pem(),
    }
}

fn rustls_config(ca: &CertificateDer<'static>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.clone()).expect("CA certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// A client of `adapter` trusting `ca` if given, else the adapter's default roots.
fn client(adapter: Adapter, url: &str, ca: Option<&CertificateDer<'static>>) -> Sut {
    let config = Config::new([url]).request_timeout(Some(Duration::from_secs(10)));
    let Some(ca) = ca else {
        return Sut::new(adapter, config).expect("client");
    };
    match adapter {
        Adapter::Blocking => {
            use etcd_v2::blocking::ureq::tls::{Certificate, RootCerts, TlsConfig};
            let ca = Certificate::from_der(ca).to_owned();
            let tls = TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&[ca]))
                .build();
            let transport = etcd_v2::blocking::UreqTransport::with_tls(tls);
            Sut::Blocking(etcd_v2::blocking::Client::with_transport(config, transport).unwrap())
        }
        Adapter::Tokio => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("tokio runtime");
            let client = {
                let _guard = rt.enter();
                let transport = etcd_v2::tokio::HyperTransport::with_tls(rustls_config(ca));
                etcd_v2::tokio::Client::with_transport(config, transport).unwrap()
            };
            Sut::Tokio(Arc::new(rt), client)
        }
        Adapter::AsyncStd => {
            let transport = etcd_v2::async_std::HyperTransport::with_tls(rustls_config(ca));
            Sut::AsyncStd(etcd_v2::async_std::Client::with_transport(config, transport).unwrap())
        }
    }
}

#[test]
fn https_with_a_private_ca_through_every_adapter() {
    let pki = make_pki();
    let cluster = EtcdCluster::start_tls(&pki.server_pem, &pki.server_key_pem).expect("etcd");
    let url = cluster.client_url(0);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let pid = cluster.pid(0).expect("running");

    for adapter in Adapter::ALL {
        let key = format!("/tls/{adapter}");
        let trusting = client(adapter, &url, Some(&pki.ca_der));
        let set = trusting.set(&key, "over https", SetOptions::default());
        set.unwrap_or_else(|e| panic!("{adapter}: set over https: {e}"));
        let got = trusting.get(&key, GetOptions::default());
        let got = got.unwrap_or_else(|e| panic!("{adapter}: get over https: {e}"));
        assert_eq!(
            got.node.as_ref().and_then(|n| n.value.as_deref()),
            Some("over https"),
            "{adapter}: {got:?}"
        );

        // The default roots do not include the private CA: the handshake fails, nothing sent.
        let untrusting = client(adapter, &url, None);
        let err = untrusting
            .get(&key, GetOptions::default())
            .expect_err("a server certificate from an unknown CA must be refused");
        let Error::Cluster(cluster_err) = &err else {
            panic!("{adapter}: expected a ClusterError, got {err:?}");
        };
        assert!(
            !cluster_err.failures.is_empty()
                && cluster_err
                    .failures
                    .iter()
                    .all(|(_, f)| matches!(f, AttemptFailure::Transport(TransportFailure::Tls(_)))),
            "{adapter}: expected TransportFailure::Tls, got {cluster_err:?}"
        );
    }

    drop(cluster);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "etcd pid {pid} survived Drop"
    );
}

/// A client of `adapter` whose TLS comes from `pem` through the adapter's PEM helper.
fn pem_client(adapter: Adapter, url: &str, pem: &TlsPem) -> Sut {
    let config = Config::new([url]).request_timeout(Some(Duration::from_secs(10)));
    match adapter {
        Adapter::Blocking => {
            let transport = etcd_v2::blocking::UreqTransport::with_pem(pem).expect("PEM");
            Sut::Blocking(etcd_v2::blocking::Client::with_transport(config, transport).unwrap())
        }
        Adapter::Tokio => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("tokio runtime");
            let client = {
                let _guard = rt.enter();
                let transport = etcd_v2::tokio::HyperTransport::with_pem(pem).expect("PEM");
                etcd_v2::tokio::Client::with_transport(config, transport).unwrap()
            };
            Sut::Tokio(Arc::new(rt), client)
        }
        Adapter::AsyncStd => {
            let transport = etcd_v2::async_std::HyperTransport::with_pem(pem).expect("PEM");
            Sut::AsyncStd(etcd_v2::async_std::Client::with_transport(config, transport).unwrap())
        }
    }
}

/// Refused handshakes tried per adapter, each on a new connection.
const REFUSED_TRIES: usize = 40;

#[test]
fn mutual_tls_from_pem_through_every_adapter() {
    let pki = make_pki();
    let server = (pki.server_pem.as_str(), pki.server_key_pem.as_str());
    let client = (pki.client_pem.as_str(), pki.client_key_pem.as_str());
    let cluster = EtcdCluster::start_mutual_tls(server, &pki.ca_pem, client).expect("etcd");
    let url = cluster.client_url(0);
    let with_cert = TlsPem::new(pki.ca_pem.clone())
        .client_cert(pki.client_pem.clone(), pki.client_key_pem.clone());
    let without_cert = TlsPem::new(pki.ca_pem.clone());
    assert!(!format!("{with_cert:?}").contains("PRIVATE KEY"));

    for adapter in Adapter::ALL {
        let key = format!("/mtls/{adapter}");
        let sut = pem_client(adapter, &url, &with_cert);
        sut.set(&key, "with a client certificate", SetOptions::default())
            .unwrap_or_else(|e| panic!("{adapter}: set with a client certificate: {e}"));
        let got = sut.get(&key, GetOptions::default());
        let got = got.unwrap_or_else(|e| panic!("{adapter}: get: {e}"));
        assert_eq!(
            got.node.and_then(|n| n.value).as_deref(),
            Some("with a client certificate"),
            "{adapter}"
        );

        // Without the client certificate the member refuses the handshake: a typed TLS error.
        // TLS 1.3 refuses only after the client's half of the handshake, so the refusal can
        // reach the client before or after its request is written: each try is a new
        // connection, so both orders come up.
        for attempt in 0..REFUSED_TRIES {
            let err = pem_client(adapter, &url, &without_cert)
                .get(&key, GetOptions::default())
                .expect_err("a member requiring client certificates must refuse one without");
            let Error::Cluster(cluster_err) = &err else {
                panic!("{adapter}: expected a ClusterError, got {err:?}");
            };
            assert!(
                cluster_err
                    .failures
                    .iter()
                    .all(|(_, f)| matches!(f, AttemptFailure::Transport(TransportFailure::Tls(_)))),
                "{adapter}, try {attempt}: expected TransportFailure::Tls, got {cluster_err:?}"
            );
        }
    }

    // The name checked can be set: the certificate also names etcd.test, not other.test.
    for adapter in Adapter::ALL {
        let named = with_cert.clone().server_name("etcd.test");
        let got = pem_client(adapter, &url, &named).get("/", GetOptions::default());
        got.unwrap_or_else(|e| panic!("{adapter}: with the server name etcd.test: {e}"));
        let wrong = with_cert.clone().server_name("other.test");
        let err = pem_client(adapter, &url, &wrong)
            .get("/", GetOptions::default())
            .expect_err("a certificate that does not name other.test must be refused");
        assert!(
            matches!(&err, Error::Cluster(c) if c.failures.iter().all(|(_, f)| matches!(f, AttemptFailure::Transport(TransportFailure::Tls(_))))),
            "{adapter}: expected TransportFailure::Tls, got {err:?}"
        );
    }

    // A PEM without a certificate is a usage error, before anything is sent.
    let empty = TlsPem::new(b"not a certificate".to_vec());
    assert!(matches!(
        etcd_v2::tokio::HyperTransport::with_pem(&empty),
        Err(Error::Usage(etcd_v2_proto::UsageError::InvalidTls(_)))
    ));
    assert!(matches!(
        etcd_v2::blocking::UreqTransport::with_pem(&empty),
        Err(Error::Usage(etcd_v2_proto::UsageError::InvalidTls(_)))
    ));
}
