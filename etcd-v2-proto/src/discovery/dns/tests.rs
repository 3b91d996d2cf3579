//! Unit tests of the parent module.

use super::*;
#[cfg(feature = "srv")]
use crate::discovery::srv::SrvRecord;
#[cfg(feature = "srv")]
use alloc::vec;

#[cfg(feature = "srv")]
const ID: u16 = 0xbeef;

#[cfg(feature = "srv")]
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

#[cfg(feature = "srv")]
fn name(out: &mut Vec<u8>, dotted: &str) {
    for label in dotted.split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
}

#[cfg(feature = "srv")]
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

#[cfg(feature = "srv")]
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

#[cfg(feature = "srv")]
fn record(target: &str, port: u16, priority: u16) -> SrvRecord {
    SrvRecord {
        target: target.to_string(),
        port,
        priority,
        weight: 5,
    }
}

#[cfg(feature = "srv")]
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

#[cfg(feature = "srv")]
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

#[cfg(feature = "srv")]
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

#[cfg(feature = "srv")]
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

#[cfg(feature = "srv")]
#[test]
fn every_truncation_is_an_error_not_a_panic() {
    let p = compressed_response();
    for len in 0..p.len() {
        assert!(parse_srv_response(ID, &p[..len]).is_err(), "len {len}");
    }
}

#[cfg(feature = "srv")]
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
        Err(DnsError::Malformed("bad compression pointer"))
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
    assert!(matches!(
        parse_srv_response(ID, &mutual),
        Err(DnsError::Malformed(_))
    ));
    // A label that swallows the pointer that points back to it.
    let mut swallow = p.clone();
    srv(&mut swallow, &[0xc0, 12], 0, 1, &[1, 0xc0, rdata as u8 + 6]);
    assert!(parse_srv_response(ID, &swallow).is_err());
    // Pointer out of bounds.
    let mut out = p.clone();
    srv(&mut out, &[0xc0, 12], 0, 1, &[0xff, 0xff]);
    assert!(matches!(
        parse_srv_response(ID, &out),
        Err(DnsError::Malformed(_))
    ));
    // Reserved label types 0x40 / 0x80.
    let mut reserved = p.clone();
    srv(&mut reserved, &[0x40], 0, 1, &[0]);
    assert!(matches!(
        parse_srv_response(ID, &reserved),
        Err(DnsError::Malformed(_))
    ));
}

#[cfg(feature = "srv")]
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
    assert!(matches!(
        parse_srv_response(ID, &short),
        Err(DnsError::Malformed(_))
    ));
    // Target name running past RDLENGTH (8: the name's final 0 lies outside).
    let mut over = base;
    over[7] = 1;
    over.extend_from_slice(&[0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 0, 0, 8]);
    over.extend_from_slice(&[0, 0, 0, 0, 0, 1, 1, b'a', 0]);
    assert!(matches!(
        parse_srv_response(ID, &over),
        Err(DnsError::Malformed(_))
    ));
}

#[cfg(feature = "srv")]
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

#[cfg(feature = "srv")]
#[test]
fn overlong_names_are_refused() {
    let mut p = header(ID, 0x8180, 0);
    for _ in 0..5 {
        p.push(63);
        p.extend_from_slice(&[b'a'; 63]);
    }
    p.extend_from_slice(&[0, 0, 33, 0, 1]);
    assert!(matches!(
        parse_srv_response(ID, &p),
        Err(DnsError::Malformed(_))
    ));
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
