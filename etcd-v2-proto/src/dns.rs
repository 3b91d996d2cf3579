//! The DNS wire format of SRV discovery (RFC 1035, RFC 2782), sans IO.
//!
//! [`srv_query`] builds the query datagram, [`parse_srv_response`] turns the answer datagram into
//! [`SrvRecord`]s, [`nameservers`] reads a `resolv.conf`. [`SrvDiscovery`] holds the policy:
//! which query goes to which nameserver, when to ask the next one
//! ([`DnsError::try_next_server`]) and how the two lookups combine
//! ([`crate::srv::discovered_endpoints`]); the runtime crates only move its datagrams over UDP
//! and wait (their `discover_srv`). There is no TCP fallback: a truncated answer is
//! [`DnsError::Truncated`].

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;
use core::time::Duration;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::srv::SrvRecord;

mod lookup;
pub use lookup::{DnsQuery, DnsStep, SrvDiscovery};

/// Where the nameservers are read from.
pub const RESOLV_CONF: &str = "/etc/resolv.conf";
/// How long one nameserver is given to answer one query.
pub const TIMEOUT: Duration = Duration::from_secs(2);
/// The DNS port.
pub const PORT: u16 = 53;
/// A receive buffer size that holds any UDP answer (classic answers are at most 512 bytes).
pub const MAX_MESSAGE: usize = 4096;

const TYPE_SRV: u16 = 33;
const CLASS_IN: u16 = 1;
const HEADER_LEN: usize = 12;
const MAX_NAME: usize = 255;
const MAX_LABEL: usize = 63;
const MAX_POINTERS: usize = 64;
const FLAG_QR: u16 = 0x8000;
const FLAG_TC: u16 = 0x0200;
const FLAG_RD: u16 = 0x0100;

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

/// The query datagram for the SRV records of `name` (class IN, recursion desired).
///
/// One trailing dot is allowed (`"."` is the root).
///
/// # Errors
/// [`DnsError::InvalidName`] for an empty name or label, a label over 63 bytes or a name over
/// 255 bytes on the wire.
///
/// ```
/// let query = etcd_v2_proto::dns::srv_query(0x1234, "_etcd-client._tcp.example.com").unwrap();
/// assert_eq!(&query[..4], &[0x12, 0x34, 0x01, 0x00]);
/// assert_eq!(&query[query.len() - 4..], &[0, 33, 0, 1]);
/// ```
pub fn srv_query(id: u16, name: &str) -> Result<Vec<u8>, DnsError> {
    let mut out = Vec::with_capacity(HEADER_LEN + name.len() + 6);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&FLAG_RD.to_be_bytes());
    out.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    encode_name(name, &mut out)?;
    out.extend_from_slice(&TYPE_SRV.to_be_bytes());
    out.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(out)
}

fn encode_name(name: &str, out: &mut Vec<u8>) -> Result<(), DnsError> {
    let invalid = |reason| DnsError::InvalidName {
        name: name.to_string(),
        reason,
    };
    if name.is_empty() {
        return Err(invalid("empty name"));
    }
    let start = out.len();
    let relative = name.strip_suffix('.').unwrap_or(name);
    if !relative.is_empty() {
        for label in relative.split('.') {
            match u8::try_from(label.len()) {
                Ok(0) => return Err(invalid("empty label")),
                Ok(len) if usize::from(len) <= MAX_LABEL => out.push(len),
                _ => return Err(invalid("label longer than 63 bytes")),
            }
            out.extend_from_slice(label.as_bytes());
        }
    }
    out.push(0);
    if out.len() - start > MAX_NAME {
        return Err(invalid("name longer than 255 bytes"));
    }
    Ok(())
}

/// The SRV records of the answer datagram `packet` to the query with id `id`.
///
/// Answers of other types (CNAME, …) are skipped, as are records whose target is the root
/// (`.`, "service not available", RFC 2782). Targets are dotted names without the trailing dot;
/// bytes outside printable ASCII, `.` and `\` inside a label are escaped (`\DDD`, `\.`, `\\`).
/// Name compression pointers are followed. Never panics, whatever the bytes.
///
/// # Errors
/// [`DnsError::IdMismatch`] / [`DnsError::NotAResponse`] for a stray datagram, the RCODE
/// variants ([`DnsError::NxDomain`], …), [`DnsError::Truncated`] (TC bit) and
/// [`DnsError::Malformed`].
pub fn parse_srv_response(id: u16, packet: &[u8]) -> Result<Vec<SrvRecord>, DnsError> {
    if packet.len() < HEADER_LEN {
        return Err(DnsError::Malformed("shorter than a header"));
    }
    let got = be16(packet, 0)?;
    if got != id {
        return Err(DnsError::IdMismatch { expected: id, got });
    }
    let flags = be16(packet, 2)?;
    if flags & FLAG_QR == 0 {
        return Err(DnsError::NotAResponse);
    }
    match (flags & 0x000f) as u8 {
        0 => {}
        2 => return Err(DnsError::ServerFailure),
        3 => return Err(DnsError::NxDomain),
        5 => return Err(DnsError::Refused),
        code => return Err(DnsError::Rcode(code)),
    }
    if flags & FLAG_TC != 0 {
        return Err(DnsError::Truncated);
    }
    let questions = be16(packet, 4)?;
    let answers = be16(packet, 6)?;
    let mut pos = HEADER_LEN;
    for _ in 0..questions {
        pos = read_name(packet, pos)?.1;
        pos = end_of(packet, pos, 4, "question past the end")?;
    }
    let mut records = Vec::new();
    for _ in 0..answers {
        pos = read_name(packet, pos)?.1;
        let rtype = be16(packet, pos)?;
        let class = be16(packet, pos + 2)?;
        let rdlength = usize::from(be16(packet, pos + 8)?);
        let rdata = pos + 10;
        pos = end_of(packet, rdata, rdlength, "record data past the end")?;
        if rtype == TYPE_SRV && class == CLASS_IN {
            records.extend(srv_record(packet, rdata, pos)?);
        }
    }
    Ok(records)
}

/// `start + len` if that is within the packet.
fn end_of(packet: &[u8], start: usize, len: usize, what: &'static str) -> Result<usize, DnsError> {
    start
        .checked_add(len)
        .filter(|&end| end <= packet.len())
        .ok_or(DnsError::Malformed(what))
}

fn be16(packet: &[u8], pos: usize) -> Result<u16, DnsError> {
    match packet.get(pos..pos.saturating_add(2)) {
        Some(&[high, low]) => Ok(u16::from_be_bytes([high, low])),
        _ => Err(DnsError::Malformed("field past the end")),
    }
}

fn srv_record(packet: &[u8], start: usize, end: usize) -> Result<Option<SrvRecord>, DnsError> {
    if end - start < 7 {
        return Err(DnsError::Malformed("srv record too short"));
    }
    let (target, name_end) = read_name(packet, start + 6)?;
    if name_end > end {
        return Err(DnsError::Malformed("srv target past the record data"));
    }
    Ok((!target.is_empty()).then(|| SrvRecord {
        priority: be16(packet, start).unwrap_or(0),
        weight: be16(packet, start + 2).unwrap_or(0),
        port: be16(packet, start + 4).unwrap_or(0),
        target,
    }))
}

/// The (possibly compressed) name at `pos` and the position right after it in place.
fn read_name(packet: &[u8], mut pos: usize) -> Result<(String, usize), DnsError> {
    let mut name = String::new();
    let mut after = None;
    let mut wire_len = 1;
    let mut pointers = 0;
    loop {
        let len = *packet
            .get(pos)
            .ok_or(DnsError::Malformed("name past the end"))?;
        match len & 0xc0 {
            0x00 if len == 0 => return Ok((name, after.unwrap_or(pos + 1))),
            0x00 => {
                let end = end_of(packet, pos + 1, usize::from(len), "label past the end")?;
                wire_len += 1 + usize::from(len);
                if wire_len > MAX_NAME {
                    return Err(DnsError::Malformed("name longer than 255 bytes"));
                }
                if !name.is_empty() {
                    name.push('.');
                }
                push_label(&mut name, &packet[pos + 1..end]);
                pos = end;
            }
            0xc0 => {
                let low = *packet
                    .get(pos + 1)
                    .ok_or(DnsError::Malformed("pointer past the end"))?;
                pointers += 1;
                if pointers > MAX_POINTERS {
                    return Err(DnsError::Malformed("compression pointer loop"));
                }
                after.get_or_insert(pos + 2);
                pos = usize::from(u16::from_be_bytes([len & 0x3f, low]));
            }
            _ => return Err(DnsError::Malformed("unknown label type")),
        }
    }
}

fn push_label(name: &mut String, label: &[u8]) {
    for &byte in label {
        match byte {
            b'.' | b'\\' => {
                name.push('\\');
                name.push(char::from(byte));
            }
            0x21..=0x7e => name.push(char::from(byte)),
            _ => {
                let _ = write!(name, "\\{byte:03}");
            }
        }
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
mod tests {
    use super::*;
    use alloc::vec;

    const ID: u16 = 0xbeef;

    /// A response header: id, flags, 1 question, `answers` answers.
    fn header(id: u16, flags: u16, answers: u16) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&flags.to_be_bytes());
        out.extend_from_slice(&[0, 1]);
        out.extend_from_slice(&answers.to_be_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        out
    }

    fn name(out: &mut Vec<u8>, dotted: &str) {
        for label in dotted.split('.') {
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
        out.push(0);
    }

    /// An answer record with owner `owner` (raw bytes) and SRV data (target raw bytes).
    fn srv(out: &mut Vec<u8>, owner: &[u8], prio: u16, port: u16, target: &[u8]) {
        out.extend_from_slice(owner);
        out.extend_from_slice(&[0, 33, 0, 1, 0, 0, 0, 60]);
        out.extend_from_slice(&(6 + target.len() as u16).to_be_bytes());
        out.extend_from_slice(&prio.to_be_bytes());
        out.extend_from_slice(&[0, 5]);
        out.extend_from_slice(&port.to_be_bytes());
        out.extend_from_slice(target);
    }

    /// A response to `_etcd-client._tcp.example.test` with two compressed SRV answers and a
    /// CNAME-typed answer to be skipped.
    fn compressed_response() -> Vec<u8> {
        let mut p = header(ID, 0x8180, 3);
        name(&mut p, "_etcd-client._tcp.example.test");
        p.extend_from_slice(&[0, 33, 0, 1]);
        // "example.test" starts after "_etcd-client" (13) and "_tcp" (5) labels.
        let example = 12 + 13 + 5;
        let mut target = vec![1, b'a'];
        target.extend_from_slice(&[0xc0, example as u8]);
        srv(&mut p, &[0xc0, 12], 10, 2379, &target);
        srv(
            &mut p,
            &[0xc0, 12],
            1,
            2380,
            &[2, b'b', b'1', 0xc0, example as u8],
        );
        p.extend_from_slice(&[0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 12]);
        p
    }

    fn record(target: &str, port: u16, priority: u16) -> SrvRecord {
        SrvRecord {
            target: target.to_string(),
            port,
            priority,
            weight: 5,
        }
    }

    #[test]
    fn query_bytes() {
        let q = srv_query(0x0102, "_x._tcp.ab.").unwrap();
        let mut want = vec![1, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        name(&mut want, "_x._tcp.ab");
        want.extend_from_slice(&[0, 33, 0, 1]);
        assert_eq!(q, want);
        assert_eq!(
            srv_query(1, "a..b").unwrap_err().to_string(),
            "invalid dns name \"a..b\": empty label"
        );
        assert_eq!(&srv_query(1, ".").unwrap()[12..], &[0, 0, 33, 0, 1]);
    }

    #[test]
    fn query_name_limits() {
        let reason = |name: &str| match srv_query(1, name) {
            Err(DnsError::InvalidName { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(reason(""), "empty name");
        assert_eq!(reason("a..b"), "empty label");
        assert_eq!(reason(".a"), "empty label");
        assert_eq!(reason(&"a".repeat(64)), "label longer than 63 bytes");
        assert!(srv_query(1, &"a".repeat(63)).is_ok());
        // 4 labels of 63 bytes: 4 * 64 + 1 = 257 bytes on the wire.
        let long = [&"a".repeat(63)[..]; 4].join(".");
        assert_eq!(reason(&long), "name longer than 255 bytes");
        // 255 exactly: 3 * 64 + 62 + 1.
        let max = [
            &"a".repeat(63)[..],
            &"a".repeat(63),
            &"a".repeat(63),
            &"a".repeat(61),
        ]
        .join(".");
        assert!(srv_query(1, &max).is_ok());
    }

    #[test]
    fn parses_compressed_answers() {
        assert_eq!(
            parse_srv_response(ID, &compressed_response()).unwrap(),
            [
                record("a.example.test", 2379, 10),
                record("b1.example.test", 2380, 1)
            ]
        );
    }

    #[test]
    fn header_checks() {
        let p = compressed_response();
        assert_eq!(
            parse_srv_response(1, &p),
            Err(DnsError::IdMismatch {
                expected: 1,
                got: ID
            })
        );
        let with_flags = |flags: u16| {
            let mut p = p.clone();
            p[2..4].copy_from_slice(&flags.to_be_bytes());
            parse_srv_response(ID, &p)
        };
        assert_eq!(with_flags(0x0100), Err(DnsError::NotAResponse));
        assert_eq!(with_flags(0x8183), Err(DnsError::NxDomain));
        assert_eq!(with_flags(0x8182), Err(DnsError::ServerFailure));
        assert_eq!(with_flags(0x8185), Err(DnsError::Refused));
        assert_eq!(with_flags(0x8184), Err(DnsError::Rcode(4)));
        assert_eq!(with_flags(0x8380), Err(DnsError::Truncated));
        assert!(
            DnsError::IdMismatch {
                expected: 1,
                got: 2
            }
            .is_stray()
        );
        assert!(DnsError::NotAResponse.is_stray());
        assert!(!DnsError::Timeout.is_stray());
        assert!(DnsError::Timeout.try_next_server());
        assert!(DnsError::ServerFailure.try_next_server());
        assert!(!DnsError::NxDomain.try_next_server());
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let p = compressed_response();
        for len in 0..p.len() {
            assert!(parse_srv_response(ID, &p[..len]).is_err(), "len {len}");
        }
    }

    #[test]
    fn pointer_loops_and_bad_pointers() {
        let mut p = header(ID, 0x8180, 1);
        name(&mut p, "x");
        p.extend_from_slice(&[0, 33, 0, 1]);
        let here = p.len() as u8;
        // Owner name pointing at itself.
        let mut looped = p.clone();
        looped.extend_from_slice(&[0xc0, here, 0, 33, 0, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            parse_srv_response(ID, &looped),
            Err(DnsError::Malformed("compression pointer loop"))
        );
        // Two pointers pointing at each other, inside SRV data.
        let mut mutual = p.clone();
        let rdata = here as usize + 2 + 10;
        srv(
            &mut mutual,
            &[0xc0, 12],
            0,
            1,
            &[0xc0, rdata as u8 + 8, 0xc0, rdata as u8 + 6],
        );
        assert_eq!(
            parse_srv_response(ID, &mutual),
            Err(DnsError::Malformed("compression pointer loop"))
        );
        // A label that swallows the pointer that points back to it.
        let mut swallow = p.clone();
        srv(&mut swallow, &[0xc0, 12], 0, 1, &[1, 0xc0, rdata as u8 + 6]);
        assert!(parse_srv_response(ID, &swallow).is_err());
        // Pointer out of bounds.
        let mut out = p.clone();
        srv(&mut out, &[0xc0, 12], 0, 1, &[0xff, 0xff]);
        assert_eq!(
            parse_srv_response(ID, &out),
            Err(DnsError::Malformed("name past the end"))
        );
        // Reserved label types 0x40 / 0x80.
        let mut reserved = p.clone();
        srv(&mut reserved, &[0x40], 0, 1, &[0]);
        assert_eq!(
            parse_srv_response(ID, &reserved),
            Err(DnsError::Malformed("unknown label type"))
        );
    }

    #[test]
    fn srv_data_bounds_and_root_targets() {
        let mut p = header(ID, 0x8180, 2);
        name(&mut p, "x");
        p.extend_from_slice(&[0, 33, 0, 1]);
        let base = p.clone();
        srv(&mut p, &[0xc0, 12], 0, 1, &[0]);
        srv(&mut p, &[0xc0, 12], 0, 2, &[0xc0, 12]);
        assert_eq!(parse_srv_response(ID, &p).unwrap(), [record("x", 2, 0)]);
        // RDLENGTH too short for the SRV fields.
        let mut short = base.clone();
        short.extend_from_slice(&[0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 0, 0, 3, 0, 0, 0]);
        short[7] = 1;
        assert_eq!(
            parse_srv_response(ID, &short),
            Err(DnsError::Malformed("srv record too short"))
        );
        // Target name running past RDLENGTH (8: the name's final 0 lies outside).
        let mut over = base;
        over[7] = 1;
        over.extend_from_slice(&[0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 0, 0, 8]);
        over.extend_from_slice(&[0, 0, 0, 0, 0, 1, 1, b'a', 0]);
        assert_eq!(
            parse_srv_response(ID, &over),
            Err(DnsError::Malformed("srv target past the record data"))
        );
    }

    #[test]
    fn escapes_odd_label_bytes() {
        let mut p = header(ID, 0x8180, 1);
        name(&mut p, "x");
        p.extend_from_slice(&[0, 33, 0, 1]);
        srv(
            &mut p,
            &[0xc0, 12],
            0,
            1,
            &[4, b'a', b'.', b'\\', 0x07, 1, b'b', 0],
        );
        assert_eq!(
            parse_srv_response(ID, &p).unwrap()[0].target,
            "a\\.\\\\\\007.b"
        );
    }

    #[test]
    fn overlong_names_are_refused() {
        let mut p = header(ID, 0x8180, 0);
        for _ in 0..5 {
            p.push(63);
            p.extend_from_slice(&[b'a'; 63]);
        }
        p.extend_from_slice(&[0, 0, 33, 0, 1]);
        assert_eq!(
            parse_srv_response(ID, &p),
            Err(DnsError::Malformed("name longer than 255 bytes"))
        );
    }

    #[test]
    fn resolv_conf() {
        let conf = "\
# comment\n\
nameserver 192.0.2.1\n\
nameserver\n\
nameserver not-an-ip\n\
 nameserver\t2001:db8::1   # trailing\n\
nameserver fe80::1%eth0\n\
;nameserver 192.0.2.9\n\
options ndots:2\n\
search example.com\n\
nameservers 192.0.2.7\n\
nameserver 192.0.2.3;x\n";
        assert_eq!(
            nameservers(conf),
            [
                "192.0.2.1:53".parse::<SocketAddr>().unwrap(),
                "[2001:db8::1]:53".parse().unwrap(),
                "192.0.2.3:53".parse().unwrap(),
            ]
        );
        assert!(nameservers("").is_empty());
    }

    #[test]
    fn io_errors_and_bind_addresses() {
        use std::io::{Error, ErrorKind};
        assert_eq!(
            DnsError::from(Error::from(ErrorKind::WouldBlock)),
            DnsError::Timeout
        );
        assert_eq!(
            DnsError::from(Error::from(ErrorKind::TimedOut)),
            DnsError::Timeout
        );
        assert!(matches!(
            DnsError::from(Error::from(ErrorKind::ConnectionRefused)),
            DnsError::Io(_)
        ));
        assert_eq!(
            bind_addr("[::1]:53".parse().unwrap()),
            "[::]:0".parse().unwrap()
        );
        assert_eq!(
            bind_addr("10.0.0.1:53".parse().unwrap()),
            "0.0.0.0:0".parse().unwrap()
        );
    }
}
