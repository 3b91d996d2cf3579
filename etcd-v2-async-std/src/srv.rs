//! SRV discovery (Go: `NewSRVDiscover().Discover`): DNS over UDP; the bytes and the policy are
//! the core's ([`etcd_v2_proto::dns::SrvDiscovery`]), this module only moves the datagrams.

use std::net::SocketAddr;
use std::time::Duration;

use async_std::net::UdpSocket;
use etcd_v2_proto::dns::{self, DnsQuery, DnsStep, SrvDiscovery};

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
    let mut discovery = SrvDiscovery::new(domain, service_name, nameservers.to_vec(), timeout);
    let mut buf = vec![0; dns::MAX_MESSAGE];
    loop {
        match discovery.poll() {
            DnsStep::Done(result) => return Ok(result?),
            DnsStep::Send(query) => {
                let exchange = exchange(&query, &mut discovery, &mut buf);
                match async_std::future::timeout(query.timeout, exchange).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => discovery.handle_io_error(e),
                    Err(_) => discovery.handle_timeout(),
                }
            }
        }
    }
}

/// Sends `query` and feeds the datagrams received to `discovery` until one answers it.
async fn exchange(
    query: &DnsQuery,
    discovery: &mut SrvDiscovery,
    buf: &mut [u8],
) -> std::io::Result<()> {
    let socket = UdpSocket::bind(dns::bind_addr(query.server)).await?;
    socket.connect(query.server).await?;
    socket.send(&query.bytes).await?;
    loop {
        let len = socket.recv(buf).await?;
        if discovery.handle_datagram(&buf[..len]) {
            return Ok(());
        }
    }
}
