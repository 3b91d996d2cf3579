//! SRV discovery (Go: `NewSRVDiscover().Discover`): DNS over UDP; the bytes and the policy are
//! the core's ([`etcd_v2_proto::dns`], [`etcd_v2_proto::srv`]).

use std::net::SocketAddr;
use std::time::Duration;

use etcd_v2_proto::dns::{self, DnsError};
use etcd_v2_proto::srv::{self, SrvRecord, SrvScheme};
use tokio::net::UdpSocket;

use crate::Error;

/// The client URLs advertised by the `_etcd-client-ssl._tcp.<domain>` (https, first) and
/// `_etcd-client._tcp.<domain>` (http) SRV records, asked from the nameservers of
/// `/etc/resolv.conf` over UDP (2 s per nameserver; no TCP fallback for truncated answers).
/// `service_name` appends `-<name>` to both services (`etcd-client-ssl-<name>`).
///
/// # Errors
/// [`Error::Discovery`] when both lookups fail; one failed lookup is ignored.
pub async fn discover_srv(domain: &str, service_name: Option<&str>) -> Result<Vec<String>, Error> {
    // A small local file: read synchronously.
    let conf = std::fs::read_to_string(dns::RESOLV_CONF).unwrap_or_default();
    discover_srv_with(&dns::nameservers(&conf), domain, service_name, dns::TIMEOUT).await
}

/// [`discover_srv`] with the given nameservers (tried in order) and timeout per nameserver.
pub async fn discover_srv_with(
    nameservers: &[SocketAddr],
    domain: &str,
    service_name: Option<&str>,
    timeout: Duration,
) -> Result<Vec<String>, Error> {
    let name = |scheme| srv::record_name(domain, scheme, service_name);
    let https = lookup(nameservers, &name(SrvScheme::Https), timeout).await;
    let http = lookup(nameservers, &name(SrvScheme::Http), timeout).await;
    Ok(srv::discovered_endpoints(https, http)?)
}

async fn lookup(
    servers: &[SocketAddr],
    name: &str,
    timeout: Duration,
) -> Result<Vec<SrvRecord>, DnsError> {
    let mut last = DnsError::NoNameservers;
    for &server in servers {
        let id = dns::query_id();
        let query = dns::srv_query(id, name)?;
        let exchange = async {
            let socket = UdpSocket::bind(dns::bind_addr(server)).await?;
            socket.connect(server).await?;
            socket.send(&query).await?;
            let mut buf = vec![0; dns::MAX_MESSAGE];
            loop {
                let len = socket.recv(&mut buf).await?;
                match dns::parse_srv_response(id, &buf[..len]) {
                    Err(e) if e.is_stray() => {}
                    answer => return answer,
                }
            }
        };
        match tokio::time::timeout(timeout, exchange)
            .await
            .unwrap_or(Err(DnsError::Timeout))
        {
            Err(e) if e.try_next_server() => last = e,
            answer => return answer,
        }
    }
    Err(last)
}
