//! The nameserver policy of SRV discovery as a sans-IO state machine: which query goes to which
//! nameserver, when to give up on one and ask the next, and how the two lookups combine.

use alloc::string::String;
use alloc::vec::Vec;
use core::mem;
use core::time::Duration;
use std::net::SocketAddr;

use super::{DnsError, parse_srv_response, srv_query};
use crate::discovery::srv::{self, SrvError, SrvRecord, SrvScheme};
use crate::machines::rng::Rng;

/// One query datagram to exchange with one nameserver over UDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsQuery {
    /// The nameserver to send to (and the only peer to receive from: a connected socket).
    pub server: SocketAddr,
    /// The complete query datagram.
    pub bytes: Vec<u8>,
    /// How long to wait for the answer, stray datagrams included, before
    /// [`SrvDiscovery::handle_timeout`].
    pub timeout: Duration,
}

/// What to do next for an [`SrvDiscovery`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsStep {
    /// Send this query, then feed every received datagram to
    /// [`SrvDiscovery::handle_datagram`] until it returns `true`, or report
    /// [`SrvDiscovery::handle_timeout`] / [`SrvDiscovery::handle_io_error`]; then poll again.
    Send(DnsQuery),
    /// Discovery is over: the endpoint URLs ([`srv::discovered_endpoints`]), or both lookups'
    /// errors.
    Done(Result<Vec<String>, SrvError>),
}

struct InFlight {
    id: u16,
    query: DnsQuery,
}

/// SRV discovery (Go: `NewSRVDiscover().Discover`) without IO: the `https` record name, then the
/// `http` one ([`srv::record_name`]), each asked from the nameservers in order until one gives
/// an answer that [`DnsError::try_next_server`] accepts (records, NXDOMAIN, an unsendable name);
/// a timeout, socket error, SERVFAIL, … moves to the next nameserver, and the last such error is
/// that lookup's. Query ids come from a generator seeded by the caller (with OS entropy: an
/// id an off-path host can guess makes a forged answer easier).
///
/// ```
/// use std::time::Duration;
/// use etcd_v2_proto::dns::{DnsStep, SrvDiscovery};
///
/// let server = "192.0.2.53:53".parse().unwrap();
/// let mut discovery = SrvDiscovery::new("example.com", None, vec![server], Duration::from_secs(2), 7);
/// for _lookup in ["https", "http"] {
///     let DnsStep::Send(query) = discovery.poll() else { unreachable!() };
///     assert_eq!(query.server, server);
///     discovery.handle_timeout(); // and there is no other nameserver to ask
/// }
/// let DnsStep::Done(Err(error)) = discovery.poll() else { unreachable!() };
/// assert_eq!(error.to_string(), "dns lookup errors: dns lookup timed out and dns lookup timed out");
/// ```
pub struct SrvDiscovery {
    names: [String; 2],
    nameservers: Vec<SocketAddr>,
    timeout: Duration,
    /// The index of the nameserver asked next (or now) for the current name.
    server: usize,
    /// The error of the last nameserver asked for the current name.
    last: DnsError,
    in_flight: Option<InFlight>,
    /// The finished lookups: https, then http.
    results: Vec<Result<Vec<SrvRecord>, DnsError>>,
    /// Where query ids come from.
    ids: Rng,
}

impl SrvDiscovery {
    /// Discovery of the endpoints of `domain` (`service_name` as in [`srv::record_name`]) from
    /// `nameservers`, tried in order, giving each query `timeout`.
    pub fn new(
        domain: &str,
        service_name: Option<&str>,
        nameservers: Vec<SocketAddr>,
        timeout: Duration,
        seed: u64,
    ) -> Self {
        let name = |scheme| srv::record_name(domain, scheme, service_name);
        Self {
            names: [name(SrvScheme::Https), name(SrvScheme::Http)],
            nameservers,
            timeout,
            server: 0,
            last: DnsError::NoNameservers,
            in_flight: None,
            results: Vec::with_capacity(2),
            ids: Rng::new(seed),
        }
    }

    /// The next thing to do. While a query is in flight this is that query again; call after
    /// each `handle_*`.
    pub fn poll(&mut self) -> DnsStep {
        loop {
            if let Some(in_flight) = &self.in_flight {
                return DnsStep::Send(in_flight.query.clone());
            }
            let Some(name) = self.names.get(self.results.len()) else {
                let mut results = self.results.iter().cloned();
                let (https, http) = (results.next(), results.next());
                return DnsStep::Done(srv::discovered_endpoints(
                    https.unwrap_or(Err(DnsError::NoNameservers)),
                    http.unwrap_or(Err(DnsError::NoNameservers)),
                ));
            };
            let Some(&server) = self.nameservers.get(self.server) else {
                let last = mem::replace(&mut self.last, DnsError::NoNameservers);
                self.end_lookup(Err(last));
                continue;
            };
            let id = self.ids.below(1 << 16) as u16;
            match srv_query(id, name) {
                Ok(bytes) => {
                    let timeout = self.timeout;
                    let query = DnsQuery {
                        server,
                        bytes,
                        timeout,
                    };
                    self.in_flight = Some(InFlight { id, query });
                }
                Err(e) => self.end_lookup(Err(e)),
            }
        }
    }

    /// A datagram received for the query in flight. `false` when it is stray (another id, not
    /// a response) or no query is in flight: keep waiting for the same query. `true` when it
    /// answered the query (records or an error): poll again.
    pub fn handle_datagram(&mut self, bytes: &[u8]) -> bool {
        let Some(in_flight) = &self.in_flight else {
            return false;
        };
        match parse_srv_response(in_flight.id, bytes) {
            Err(e) if e.is_stray() => false,
            answer => {
                self.finish(answer);
                true
            }
        }
    }

    /// The query in flight got no answer within its timeout.
    pub fn handle_timeout(&mut self) {
        self.finish(Err(DnsError::Timeout));
    }

    /// Binding, connecting, sending or receiving for the query in flight failed (a read
    /// timeout, `TimedOut` or `WouldBlock`, counts as [`Self::handle_timeout`]).
    pub fn handle_io_error(&mut self, error: std::io::Error) {
        self.finish(Err(DnsError::from(error)));
    }

    fn finish(&mut self, answer: Result<Vec<SrvRecord>, DnsError>) {
        if self.in_flight.take().is_none() {
            return;
        }
        match answer {
            Err(e) if e.try_next_server() => {
                self.last = e;
                self.server += 1;
            }
            answer => self.end_lookup(answer),
        }
    }

    fn end_lookup(&mut self, result: Result<Vec<SrvRecord>, DnsError>) {
        self.results.push(result);
        self.server = 0;
        self.last = DnsError::NoNameservers;
    }
}
