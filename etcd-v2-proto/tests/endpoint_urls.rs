//! Endpoint URLs given in the config: strict ports, and a password in one never printed.

use etcd_v2_proto::{Cluster, Config, Endpoint, Error, UsageError};

const PASSWORD: &str = "hunter2-S3cr3t";

#[test]
fn a_password_in_an_endpoint_url_is_never_printed() {
    for url in [
        format!("http://root:{PASSWORD}@127.0.0.1:2379"),
        format!("https://root:{PASSWORD}@etcd.example.com/base"),
        format!("root:{PASSWORD}@127.0.0.1:2379"),
        format!("http://{PASSWORD}@127.0.0.1:2379"),
        // Not even when the password has characters that end an authority.
        format!("http://root:a/{PASSWORD}@127.0.0.1:2379"),
        format!("http://root:a?{PASSWORD}@127.0.0.1:2379"),
    ] {
        let config = Config::new(["http://127.0.0.1:2380", url.as_str()]);
        let e = Cluster::new(config.clone()).unwrap_err();
        assert!(
            matches!(e, Error::Usage(UsageError::InvalidUrl { .. })),
            "{e:?}"
        );
        for printed in [format!("{e}"), format!("{e:?}"), format!("{config:?}")] {
            assert!(!printed.contains(PASSWORD), "{printed}");
        }
        let e = Endpoint::parse(&url).unwrap_err();
        for printed in [format!("{e}"), format!("{e:?}")] {
            assert!(!printed.contains(PASSWORD), "{printed}");
        }
    }
    // The user name is kept, to say which credentials were refused.
    let e = Endpoint::parse(&format!("http://root:{PASSWORD}@h:1")).unwrap_err();
    assert!(e.to_string().contains("http://root:***@h:1"), "{e}");
}

#[test]
fn endpoint_ports_are_1_to_65535_in_digits() {
    for url in [
        "http://127.0.0.1:99999",
        "http://127.0.0.1:65536",
        "http://127.0.0.1:0",
        "http://127.0.0.1:",
        "http://127.0.0.1:+80",
        "http://127.0.0.1:8x",
        "http://[::1]:99999",
        "http://[::1]:",
        "https://h:4294967377/base",
    ] {
        let e = Endpoint::parse(url).unwrap_err();
        assert!(matches!(e, UsageError::InvalidUrl { .. }), "{url}: {e:?}");
        assert!(Cluster::new(Config::new([url])).is_err(), "{url}");
    }
    for (url, port) in [
        ("http://127.0.0.1:1", 1),
        ("http://127.0.0.1:65535", 65535),
        ("http://[::1]:2379", 2379),
        ("http://h", 80),
        ("https://h/base", 443),
    ] {
        let ep = Endpoint::parse(url).unwrap();
        let uri: http::Uri = ep.as_str().parse().unwrap();
        assert_eq!(
            uri.port_u16()
                .unwrap_or(if url.starts_with("https") { 443 } else { 80 }),
            port
        );
    }
}
