//! SRV discovery (Go: `NewSRVDiscover().Discover`): the core's DNS bytes and policy
//! ([`SrvDiscovery`]) over the runtime's UDP sockets

use std::net::SocketAddr;
use std::pin::pin;
use std::time::{Duration, Instant};

use etcd_v2_proto::Error;
use etcd_v2_proto::dns::{self, DnsQuery, DnsStep, SrvDiscovery};

use crate::client::Client;
use crate::exchange::within;
use crate::runtime::{Datagrams, Runtime};

impl<R: Runtime> Client<R> {
    /// The client URLs advertised by the `_etcd-client-ssl._tcp.<domain>` (https, first) and
    /// `_etcd-client._tcp.<domain>` (http) SRV records (Go: `NewSRVDiscover().Discover`),
    /// asked from the nameservers of `/etc/resolv.conf` over UDP (2 s per nameserver; no TCP
    /// fallback for truncated answers). `service_name` appends `-<name>` to both services
    /// (`etcd-client-ssl-<name>`).
    ///
    /// # Errors
    /// [`Error::Discovery`] when both lookups fail; one failed lookup is ignored.
    pub async fn discover_srv(
        domain: &str,
        service_name: Option<&str>,
    ) -> Result<Vec<String>, Error> {
        // A small local file: read synchronously.
        let conf = std::fs::read_to_string(dns::RESOLV_CONF).unwrap_or_default();
        let nameservers = dns::nameservers(&conf);
        Self::discover_srv_with(&nameservers, domain, service_name, dns::TIMEOUT).await
    }

    /// [`Client::discover_srv`] with the given nameservers (tried in order) and timeout per
    /// nameserver.
    ///
    /// # Errors
    /// As [`Client::discover_srv`].
    pub async fn discover_srv_with(
        nameservers: &[SocketAddr],
        domain: &str,
        service_name: Option<&str>,
        timeout: Duration,
    ) -> Result<Vec<String>, Error> {
        let seed = fastrand::u64(..);
        let mut discovery =
            SrvDiscovery::new(domain, service_name, nameservers.to_vec(), timeout, seed);
        let mut buf = vec![0; dns::MAX_MESSAGE];
        loop {
            match discovery.poll() {
                DnsStep::Done(result) => return Ok(result?),
                DnsStep::Send(query) => {
                    let outcome = {
                        let alarm = pin!(Some(R::sleep_until(Instant::now() + query.timeout)));
                        within(alarm, exchange::<R>(&query, &mut discovery, &mut buf)).await
                    };
                    match outcome {
                        Some(Ok(())) => {}
                        Some(Err(e)) => discovery.handle_io_error(e),
                        None => discovery.handle_timeout(),
                    }
                }
            }
        }
    }
}

/// Sends `query` and feeds the datagrams received to `discovery` until one answers it.
async fn exchange<R: Runtime>(
    query: &DnsQuery,
    discovery: &mut SrvDiscovery,
    buf: &mut [u8],
) -> std::io::Result<()> {
    let socket = R::udp_connect(query.server).await?;
    socket.send(&query.bytes).await?;
    loop {
        let len = socket.recv(buf).await?;
        if discovery.handle_datagram(&buf[..len]) {
            return Ok(());
        }
    }
}
