//! The DNS wire format of SRV discovery (RFC 1035, RFC 2782), sans IO.
//!
//! [`srv_query`] builds the query datagram, [`parse_srv_response`] turns the answer datagram into
//! [`SrvRecord`](crate::discovery::srv::SrvRecord)s, [`nameservers`] reads a `resolv.conf`.
//! [`SrvDiscovery`] holds the policy: which query goes to which nameserver, when to ask the next one
//! ([`DnsError::try_next_server`]) and how the two lookups combine
//! ([`crate::discovery::srv::discovered_endpoints`]); the runtime crates only move its datagrams over UDP
//! and wait (their `discover_srv`). There is no TCP fallback: a truncated answer is
//! [`DnsError::Truncated`].
//!
//! The messages themselves are encoded and decoded by `hickory-proto` (feature `srv`, on by
//! default: [`srv_query`], [`parse_srv_response`], [`SrvDiscovery`]); this module only checks
//! the name to send, picks the SRV records out of an answer and writes their targets as text.
//! [`DnsError`], [`nameservers`] and [`bind_addr`] need no DNS codec and are always there.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

#[cfg(feature = "srv")]
mod lookup;
#[cfg(feature = "srv")]
pub use codec::{parse_srv_response, srv_query};
#[cfg(feature = "srv")]
pub use lookup::{DnsQuery, DnsStep, SrvDiscovery};

/// Where the nameservers are read from.
pub const RESOLV_CONF: &str = "/etc/resolv.conf";
/// How long one nameserver is given to answer one query.
pub const TIMEOUT: Duration = Duration::from_secs(2);
/// The DNS port.
pub const PORT: u16 = 53;
/// A receive buffer size that holds any UDP answer (classic answers are at most 512 bytes).
pub const MAX_MESSAGE: usize = 4096;

/// Why one SRV lookup failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// The name to look up cannot be encoded (nothing was sent).
    #[error("invalid dns name {name:?}: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The datagram answers another query.
    #[error("dns answer id {got} does not match query id {expected}")]
    IdMismatch {
        /// The id of the query sent.
        expected: u16,
        /// The id of the datagram received.
        got: u16,
    },
    /// The datagram is a query, not a response (QR bit clear).
    #[error("dns message is not a response")]
    NotAResponse,
    /// The name does not exist (RCODE 3, NXDOMAIN).
    #[error("no such host")]
    NxDomain,
    /// The server could not answer (RCODE 2, SERVFAIL).
    #[error("dns server failure")]
    ServerFailure,
    /// The server refused to answer (RCODE 5, REFUSED).
    #[error("dns query refused")]
    Refused,
    /// Another error RCODE (format error, not implemented, …).
    #[error("dns error code {0}")]
    Rcode(u8),
    /// The answer did not fit into a UDP datagram (TC bit); TCP is not tried.
    #[error("dns answer truncated")]
    Truncated,
    /// The answer is not a well-formed DNS message.
    #[error("malformed dns answer: {0}")]
    Malformed(&'static str),
    /// No answer within the timeout.
    #[error("dns lookup timed out")]
    Timeout,
    /// A socket error.
    #[error("dns i/o error: {0}")]
    Io(String),
    /// There was no nameserver to ask.
    #[error("no nameservers configured")]
    NoNameservers,
}

impl DnsError {
    /// True iff the next nameserver should be asked: everything but a definite answer
    /// (NXDOMAIN) and a name that cannot be sent.
    pub fn try_next_server(&self) -> bool {
        !matches!(
            self,
            Self::NxDomain | Self::InvalidName { .. } | Self::NoNameservers
        )
    }

    /// True iff the datagram is not an answer to the query (another id, or not a response):
    /// drop it and keep waiting for the answer.
    pub fn is_stray(&self) -> bool {
        matches!(self, Self::IdMismatch { .. } | Self::NotAResponse)
    }
}

impl From<std::io::Error> for DnsError {
    /// A read timeout (`TimedOut`, or `WouldBlock` from a socket read timeout) is
    /// [`DnsError::Timeout`]; anything else is [`DnsError::Io`].
    fn from(error: std::io::Error) -> Self {
        match error.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Self::Timeout,
            _ => Self::Io(error.to_string()),
        }
    }
}

/// The local address to bind a UDP socket to for talking to `server`: the unspecified address
/// of the same family, any port.
pub fn bind_addr(server: SocketAddr) -> SocketAddr {
    let ip = match server {
        SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    SocketAddr::new(ip, 0)
}

#[cfg(feature = "srv")]
mod codec {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use core::fmt::Write as _;

    use hickory_proto::ProtoErrorKind;
    use hickory_proto::op::{Header, Message, MessageType, OpCode, Query, ResponseCode};
    use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
    use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};

    use super::DnsError;
    use crate::discovery::srv::SrvRecord;

    /// The query datagram for the SRV records of `name` (class IN, recursion desired).
    ///
    /// One trailing dot is allowed (`"."` is the root); every name is sent as absolute, its
    /// labels as given (no `\` escapes).
    ///
    /// # Errors
    /// [`DnsError::InvalidName`] for an empty name or label, a label over 63 bytes or a name
    /// over 255 bytes on the wire.
    ///
    /// ```
    /// let query = etcd_v2_proto::dns::srv_query(0x1234, "_etcd-client._tcp.example.com").unwrap();
    /// assert_eq!(&query[..4], &[0x12, 0x34, 0x01, 0x00]);
    /// assert_eq!(&query[query.len() - 4..], &[0, 33, 0, 1]);
    /// ```
    pub fn srv_query(id: u16, name: &str) -> Result<Vec<u8>, DnsError> {
        let invalid = |reason| DnsError::InvalidName {
            name: name.to_string(),
            reason,
        };
        let relative = name.strip_suffix('.').unwrap_or(name);
        let labels: Vec<&str> = match (name, relative) {
            ("", _) => return Err(invalid("empty name")),
            (_, "") => Vec::new(),
            _ => relative.split('.').collect(),
        };
        if labels.iter().any(|label| label.is_empty()) {
            return Err(invalid("empty label"));
        }
        if labels.iter().any(|label| label.len() > 63) {
            return Err(invalid("label longer than 63 bytes"));
        }
        // Each label's length byte and bytes, then the root's zero byte.
        if labels.iter().map(|label| label.len() + 1).sum::<usize>() + 1 > 255 {
            return Err(invalid("name longer than 255 bytes"));
        }
        let name = Name::from_labels(labels.iter().map(|label| label.as_bytes()))
            .map_err(|_| invalid("not encodable"))?;
        let mut message = Message::new();
        message
            .set_id(id)
            .set_message_type(MessageType::Query)
            .set_op_code(OpCode::Query)
            .set_recursion_desired(true)
            .add_query(Query::query(name, RecordType::SRV));
        message.to_vec().map_err(|_| invalid("not encodable"))
    }

    /// The SRV records of the answer datagram `packet` to the query with id `id`.
    ///
    /// Answers of other types (CNAME, …) are skipped, as are records whose target is the root
    /// (`.`, "service not available", RFC 2782). Targets are dotted names without the trailing
    /// dot; bytes outside printable ASCII, `.` and `\` inside a label are escaped (`\DDD`, `\.`,
    /// `\\`). The whole message must decode (every section, every record), compression pointers
    /// included. Never panics, whatever the bytes.
    ///
    /// # Errors
    /// [`DnsError::IdMismatch`] / [`DnsError::NotAResponse`] for a stray datagram (checked
    /// first, on the header alone), the RCODE variants ([`DnsError::NxDomain`], …),
    /// [`DnsError::Truncated`] (TC bit) and [`DnsError::Malformed`].
    pub fn parse_srv_response(id: u16, packet: &[u8]) -> Result<Vec<SrvRecord>, DnsError> {
        let header = Header::read(&mut BinDecoder::new(packet))
            .map_err(|_| DnsError::Malformed("shorter than a header"))?;
        if header.id() != id {
            return Err(DnsError::IdMismatch {
                expected: id,
                got: header.id(),
            });
        }
        if header.message_type() != MessageType::Response {
            return Err(DnsError::NotAResponse);
        }
        match header.response_code() {
            ResponseCode::NoError => {}
            ResponseCode::ServFail => return Err(DnsError::ServerFailure),
            ResponseCode::NXDomain => return Err(DnsError::NxDomain),
            ResponseCode::Refused => return Err(DnsError::Refused),
            code => {
                return Err(DnsError::Rcode(
                    u8::try_from(u16::from(code)).unwrap_or(0xff),
                ));
            }
        }
        if header.truncated() {
            return Err(DnsError::Truncated);
        }
        let message = Message::from_vec(packet)
            .map_err(|error| DnsError::Malformed(malformed(error.kind())))?;
        let records = message
            .answers()
            .iter()
            .filter(|record| record.dns_class() == DNSClass::IN)
            .filter_map(|record| match record.data() {
                RData::SRV(srv) if !srv.target().is_root() => Some(SrvRecord {
                    target: target_text(srv.target()),
                    port: srv.port(),
                    priority: srv.priority(),
                    weight: srv.weight(),
                }),
                _ => None,
            });
        Ok(records.collect())
    }

    /// A short reason for a message hickory-proto could not decode.
    fn malformed(kind: &ProtoErrorKind) -> &'static str {
        match kind {
            ProtoErrorKind::Message(reason) => reason,
            ProtoErrorKind::DomainNameTooLong(_) => "name longer than 255 bytes",
            ProtoErrorKind::LabelBytesTooLong(_) => "label longer than 63 bytes",
            ProtoErrorKind::PointerNotPriorToLabel { .. }
            | ProtoErrorKind::LabelOverlapsWithOther { .. } => "bad compression pointer",
            ProtoErrorKind::UnrecognizedLabelCode(_) => "unknown label type",
            ProtoErrorKind::IncorrectRDataLengthRead { .. } => "record data length mismatch",
            _ => "not a well-formed dns message",
        }
    }

    /// The dotted text of a target, without the trailing dot: printable ASCII as is, `.` and
    /// `\` inside a label as `\.` and `\\`, other bytes as `\DDD` (decimal, RFC 1035).
    fn target_text(name: &Name) -> String {
        let mut text = String::new();
        for (at, label) in name.iter().enumerate() {
            if at > 0 {
                text.push('.');
            }
            for &byte in label {
                match byte {
                    b'.' | b'\\' => {
                        text.push('\\');
                        text.push(char::from(byte));
                    }
                    0x21..=0x7e => text.push(char::from(byte)),
                    _ => {
                        let _ = write!(text, "\\{byte:03}");
                    }
                }
            }
        }
        text
    }
}

/// The nameservers of a `resolv.conf` text, port 53, in file order.
///
/// Reads `nameserver <IPv4 or IPv6 address>` lines; comments (`#`, `;`), other options and
/// unparsable addresses (including IPv6 zone ids such as `fe80::1%eth0`) are ignored.
///
/// ```
/// use etcd_v2_proto::dns::nameservers;
/// let conf = "# local\nnameserver 10.0.0.2\nsearch example.com\nnameserver ::1 # v6\n";
/// let servers = nameservers(conf);
/// assert_eq!(servers, ["10.0.0.2:53".parse().unwrap(), "[::1]:53".parse().unwrap()]);
/// ```
pub fn nameservers(resolv_conf: &str) -> Vec<SocketAddr> {
    resolv_conf
        .lines()
        .filter_map(|line| {
            let mut words = line.split(['#', ';']).next()?.split_whitespace();
            if words.next()? != "nameserver" {
                return None;
            }
            let ip: IpAddr = words.next()?.parse().ok()?;
            Some(SocketAddr::new(ip, PORT))
        })
        .collect()
}

#[cfg(test)]
mod tests;
