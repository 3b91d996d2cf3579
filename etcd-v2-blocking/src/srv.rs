//! SRV discovery (Go: `NewSRVDiscover().Discover`): DNS over UDP; the bytes and the policy are
//! the core's ([`etcd_v2_proto::dns::SrvDiscovery`]), this module only moves the datagrams.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use etcd_v2_proto::dns::{self, DnsQuery, DnsStep, SrvDiscovery};

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
    let mut discovery = SrvDiscovery::new(
        domain,
        service_name,
        nameservers.to_vec(),
        timeout,
        fastrand::u64(..),
    );
    let mut buf = vec![0; dns::MAX_MESSAGE];
    loop {
        match discovery.poll() {
            DnsStep::Done(result) => return Ok(result?),
            DnsStep::Send(query) => {
                // A read timeout is a `WouldBlock`/`TimedOut` error: the core counts it as one.
                if let Err(e) = exchange(&query, &mut discovery, &mut buf) {
                    discovery.handle_io_error(e);
                }
            }
        }
    }
}

/// Sends `query` and feeds the datagrams received to `discovery` until one answers it.
fn exchange(query: &DnsQuery, discovery: &mut SrvDiscovery, buf: &mut [u8]) -> std::io::Result<()> {
    let deadline = Instant::now() + query.timeout;
    let socket = UdpSocket::bind(dns::bind_addr(query.server))?;
    socket.connect(query.server)?;
    socket.send(&query.bytes)?;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        socket.set_read_timeout(Some(left.max(Duration::from_micros(1))))?;
        let len = socket.recv(buf)?;
        if discovery.handle_datagram(&buf[..len]) {
            return Ok(());
        }
    }
}
