//! SRV discovery (Go: `NewSRVDiscover().Discover`): DNS over UDP; the bytes and the policy are
//! the core's ([`etcd_v2_proto::dns`], [`etcd_v2_proto::srv`]).

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use etcd_v2_proto::dns::{self, DnsError};
use etcd_v2_proto::srv::{self, SrvRecord, SrvScheme};

use crate::Error;

/// The client URLs advertised by the `_etcd-client-ssl._tcp.<domain>` (https, first) and
/// `_etcd-client._tcp.<domain>` (http) SRV records, asked from the nameservers of
/// `/etc/resolv.conf` over UDP (2 s per nameserver; no TCP fallback for truncated answers).
/// `service_name` appends `-<name>` to both services (`etcd-client-ssl-<name>`).
///
/// # Errors
/// [`Error::Discovery`] when both lookups fail; one failed lookup is ignored.
pub fn discover_srv(domain: &str, service_name: Option<&str>) -> Result<Vec<String>, Error> {
    let conf = std::fs::read_to_string(dns::RESOLV_CONF).unwrap_or_default();
    discover_srv_with(&dns::nameservers(&conf), domain, service_name, dns::TIMEOUT)
}

/// [`discover_srv`] with the given nameservers (tried in order) and timeout per nameserver.
pub fn discover_srv_with(
    nameservers: &[SocketAddr],
    domain: &str,
    service_name: Option<&str>,
    timeout: Duration,
) -> Result<Vec<String>, Error> {
    let name = |scheme| srv::record_name(domain, scheme, service_name);
    let https = lookup(nameservers, &name(SrvScheme::Https), timeout);
    let http = lookup(nameservers, &name(SrvScheme::Http), timeout);
    Ok(srv::discovered_endpoints(https, http)?)
}

fn lookup(
    servers: &[SocketAddr],
    name: &str,
    timeout: Duration,
) -> Result<Vec<SrvRecord>, DnsError> {
    let mut last = DnsError::NoNameservers;
    for &server in servers {
        match exchange(server, name, timeout) {
            Err(e) if e.try_next_server() => last = e,
            answer => return answer,
        }
    }
    Err(last)
}

fn exchange(server: SocketAddr, name: &str, timeout: Duration) -> Result<Vec<SrvRecord>, DnsError> {
    let (id, deadline) = (dns::query_id(), Instant::now() + timeout);
    let socket = UdpSocket::bind(dns::bind_addr(server))?;
    socket.connect(server)?;
    socket.send(&dns::srv_query(id, name)?)?;
    let mut buf = vec![0; dns::MAX_MESSAGE];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        socket.set_read_timeout(Some(left.max(Duration::from_micros(1))))?;
        let len = socket.recv(&mut buf)?;
        match dns::parse_srv_response(id, &buf[..len]) {
            Err(e) if e.is_stray() => {}
            answer => return answer,
        }
    }
}
