//! DNS SRV discovery of client endpoints (Go: `NewSRVDiscover().Discover`).
//!
//! Only the pure parts live here: the record names to look up and how the answers become endpoint
//! URLs. The nameserver policy is [`crate::discovery::dns::SrvDiscovery`]; the UDP exchanges themselves are
//! done by the runtime crates.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// Which of the two SRV services is meant: TLS clients (`etcd-client-ssl`) or plain HTTP
/// (`etcd-client`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SrvScheme {
    /// `_etcd-client-ssl._tcp`, endpoints `https://…`.
    Https,
    /// `_etcd-client._tcp`, endpoints `http://…`.
    Http,
}

impl SrvScheme {
    /// The URL scheme: `https` or `http`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Https => "https",
            Self::Http => "http",
        }
    }
}

impl fmt::Display for SrvScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The SRV service name: `etcd-client-ssl` / `etcd-client`, with `-<service_name>` appended when
/// a non-empty service name is given (`Some("")` is the same as `None`).
///
/// ```
/// use etcd_v2_proto::srv::{service_name, SrvScheme};
/// assert_eq!(service_name(SrvScheme::Https, Some("foo")), "etcd-client-ssl-foo");
/// assert_eq!(service_name(SrvScheme::Http, None), "etcd-client");
/// ```
pub fn service_name(scheme: SrvScheme, service_name: Option<&str>) -> String {
    let base = match scheme {
        SrvScheme::Https => "etcd-client-ssl",
        SrvScheme::Http => "etcd-client",
    };
    match service_name {
        Some(name) if !name.is_empty() => format!("{base}-{name}"),
        _ => base.to_string(),
    }
}

/// The DNS name to query for SRV records: `_<service>._tcp.<domain>`.
///
/// `domain` is used as given (an absolute name keeps its trailing dot).
///
/// ```
/// use etcd_v2_proto::srv::{record_name, SrvScheme};
/// assert_eq!(record_name("example.com", SrvScheme::Https, None), "_etcd-client-ssl._tcp.example.com");
/// ```
pub fn record_name(domain: &str, scheme: SrvScheme, service_name: Option<&str>) -> String {
    format!(
        "_{}._tcp.{domain}",
        self::service_name(scheme, service_name)
    )
}

/// One SRV answer record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvRecord {
    /// Host name (possibly absolute, with a trailing dot) or IP address literal.
    pub target: String,
    /// TCP port.
    pub port: u16,
    /// Priority; lower values are tried first.
    pub priority: u16,
    /// Relative weight among records of equal priority.
    pub weight: u16,
}

/// The endpoint URL of one record: `<scheme>://<target>:<port>`.
///
/// One trailing dot of an absolute DNS name is removed (`a.example.com.` → `a.example.com`);
/// the Go client keeps it, which yields URLs such as `https://a.example.com.:2379` whose host does
/// not match TLS certificates. An IPv6 literal target is bracketed (`https://[::1]:2379`).
///
/// ```
/// use etcd_v2_proto::srv::{endpoint_url, SrvRecord, SrvScheme};
/// let record = SrvRecord { target: "a.example.com.".into(), port: 2379, priority: 0, weight: 0 };
/// assert_eq!(endpoint_url(SrvScheme::Https, &record), "https://a.example.com:2379");
/// ```
pub fn endpoint_url(scheme: SrvScheme, record: &SrvRecord) -> String {
    let host = record
        .target
        .strip_suffix('.')
        .unwrap_or(record.target.as_str());
    let already_bracketed = host.starts_with('[') && host.ends_with(']');
    if host.contains(':') && !already_bracketed {
        format!("{scheme}://[{host}]:{}", record.port)
    } else {
        format!("{scheme}://{host}:{}", record.port)
    }
}

/// Both SRV lookups failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvError {
    /// Why the `etcd-client-ssl` lookup failed.
    pub https: String,
    /// Why the `etcd-client` lookup failed.
    pub http: String,
}

impl fmt::Display for SrvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dns lookup errors: {} and {}", self.https, self.http)
    }
}

impl core::error::Error for SrvError {}

fn urls(scheme: SrvScheme, mut records: Vec<SrvRecord>, out: &mut Vec<String>) {
    // Stable: records of equal priority stay in resolver order.
    records.sort_by_key(|record| record.priority);
    out.extend(records.iter().map(|record| endpoint_url(scheme, record)));
}

/// The discovered endpoint URLs from the answers of the `https` and `http` lookups.
///
/// All `https` endpoints come first, then the `http` ones, each sorted by ascending priority
/// (stable, so resolver order is kept within a priority). One failed lookup is ignored; both
/// empty gives an empty list.
///
/// # Errors
/// [`SrvError`] only when both lookups failed.
///
/// ```
/// use etcd_v2_proto::srv::{discovered_endpoints, SrvRecord};
/// let record = |target: &str, port| SrvRecord { target: target.into(), port, priority: 0, weight: 0 };
/// let urls = discovered_endpoints::<&str>(Ok(vec![record("10.0.0.1", 2480)]), Err("timeout"));
/// assert_eq!(urls.unwrap(), ["https://10.0.0.1:2480"]);
/// ```
pub fn discovered_endpoints<E: fmt::Display>(
    https: Result<Vec<SrvRecord>, E>,
    http: Result<Vec<SrvRecord>, E>,
) -> Result<Vec<String>, SrvError> {
    match (https, http) {
        (Err(https), Err(http)) => Err(SrvError {
            https: https.to_string(),
            http: http.to_string(),
        }),
        (https, http) => {
            let mut out = Vec::new();
            if let Ok(records) = https {
                urls(SrvScheme::Https, records, &mut out);
            }
            if let Ok(records) = http {
                urls(SrvScheme::Http, records, &mut out);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn record(target: &str, port: u16, priority: u16) -> SrvRecord {
        SrvRecord {
            target: target.to_string(),
            port,
            priority,
            weight: 0,
        }
    }

    #[test]
    fn service_names() {
        let cases = [
            (SrvScheme::Https, None, "etcd-client-ssl"),
            (SrvScheme::Http, None, "etcd-client"),
            (SrvScheme::Https, Some(""), "etcd-client-ssl"),
            (SrvScheme::Http, Some(""), "etcd-client"),
            (SrvScheme::Https, Some("foo"), "etcd-client-ssl-foo"),
            (SrvScheme::Http, Some("bar"), "etcd-client-bar"),
        ];
        for (scheme, name, want) in cases {
            assert_eq!(service_name(scheme, name), want, "{scheme:?} {name:?}");
        }
    }

    #[test]
    fn record_names() {
        let cases = [
            (
                "example.com",
                SrvScheme::Https,
                None,
                "_etcd-client-ssl._tcp.example.com",
            ),
            (
                "example.com",
                SrvScheme::Http,
                None,
                "_etcd-client._tcp.example.com",
            ),
            (
                "example.com.",
                SrvScheme::Http,
                Some("bar"),
                "_etcd-client-bar._tcp.example.com.",
            ),
            (
                "example.com",
                SrvScheme::Https,
                Some("foo"),
                "_etcd-client-ssl-foo._tcp.example.com",
            ),
        ];
        for (domain, scheme, name, want) in cases {
            assert_eq!(record_name(domain, scheme, name), want);
        }
    }

    #[test]
    fn endpoint_urls() {
        let cases = [
            (
                SrvScheme::Https,
                "a.example.com",
                2379,
                "https://a.example.com:2379",
            ),
            (
                SrvScheme::Https,
                "a.example.com.",
                2379,
                "https://a.example.com:2379",
            ),
            (SrvScheme::Http, "10.0.0.1", 7001, "http://10.0.0.1:7001"),
            (SrvScheme::Https, "::1", 2379, "https://[::1]:2379"),
            (SrvScheme::Https, "[::1]", 2379, "https://[::1]:2379"),
            (SrvScheme::Http, "fe80::1", 0, "http://[fe80::1]:0"),
            (SrvScheme::Http, "", 1, "http://:1"),
            (SrvScheme::Http, ".", 1, "http://:1"),
        ];
        for (scheme, target, port, want) in cases {
            assert_eq!(
                endpoint_url(scheme, &record(target, port, 0)),
                want,
                "{target:?}"
            );
        }
        assert_eq!(SrvScheme::Https.to_string(), "https");
        assert_eq!(SrvScheme::Http.as_str(), "http");
    }

    #[test]
    fn discovery_vector_from_reference() {
        let https: Result<_, &str> = Ok(vec![
            record("10.0.0.1", 2480, 0),
            record("10.0.0.2", 2480, 0),
            record("10.0.0.3", 2480, 0),
        ]);
        let http = Ok(vec![record("10.0.0.1", 7001, 0)]);
        assert_eq!(
            discovered_endpoints(https, http).unwrap(),
            [
                "https://10.0.0.1:2480",
                "https://10.0.0.2:2480",
                "https://10.0.0.3:2480",
                "http://10.0.0.1:7001",
            ]
        );
    }

    #[test]
    fn discovery_failures_and_empty() {
        let none: Result<Vec<String>, SrvError> = Ok(vec![]);
        assert_eq!(discovered_endpoints::<&str>(Ok(vec![]), Ok(vec![])), none);
        assert_eq!(discovered_endpoints(Err("no such host"), Ok(vec![])), none);
        assert_eq!(discovered_endpoints(Ok(vec![]), Err("no such host")), none);
        assert_eq!(
            discovered_endpoints(Err("boom"), Ok(vec![record("h", 1, 0)])).unwrap(),
            ["http://h:1"]
        );
        let err = discovered_endpoints::<&str>(Err("e1"), Err("e2")).unwrap_err();
        assert_eq!(
            err,
            SrvError {
                https: "e1".to_string(),
                http: "e2".to_string()
            }
        );
        assert_eq!(err.to_string(), "dns lookup errors: e1 and e2");
    }

    #[test]
    fn discovery_sorts_by_priority_stably() {
        let https: Result<_, &str> = Ok(vec![
            record("c", 1, 20),
            record("a", 1, 10),
            record("d", 1, 20),
            record("b", 1, 10),
        ]);
        let http = Ok(vec![record("y", 2, 5), record("x", 2, 1)]);
        assert_eq!(
            discovered_endpoints(https, http).unwrap(),
            [
                "https://a:1",
                "https://b:1",
                "https://c:1",
                "https://d:1",
                "http://x:2",
                "http://y:2",
            ]
        );
    }
}
