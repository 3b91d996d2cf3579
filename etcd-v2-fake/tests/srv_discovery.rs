//! The core's SRV discovery state machine (which nameserver is asked what, and when it moves
//! on) driven by the fake DNS responder's answers.

use std::net::SocketAddr;
use std::time::Duration;

use etcd_v2_fake::dns::srv_answer;
use etcd_v2_proto::dns::{DnsQuery, DnsStep, SrvDiscovery, srv_query};
use etcd_v2_proto::srv::{SrvError, SrvRecord};

const T: Duration = Duration::from_millis(100);

fn addr(last: u8) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, last], 53))
}

fn record(target: &str, port: u16, priority: u16) -> SrvRecord {
    SrvRecord {
        target: target.to_string(),
        port,
        priority,
        weight: 0,
    }
}

fn zone() -> Vec<(&'static str, Vec<SrvRecord>)> {
    vec![
        (
            "_etcd-client-ssl._tcp.example.test",
            vec![record("b.example.test", 2380, 2), record("a", 2379, 1)],
        ),
        ("_etcd-client._tcp.example.test", vec![record("c", 7001, 0)]),
        ("_etcd-client-ssl._tcp.https.test", vec![record("d", 1, 0)]),
    ]
}

const HTTPS: &str = "_etcd-client-ssl._tcp.example.test";
const HTTP: &str = "_etcd-client._tcp.example.test";

/// The query `discovery` wants sent, checked to be for `name` and to go to `server`.
fn expect_send(discovery: &mut SrvDiscovery, server: SocketAddr, name: &str) -> DnsQuery {
    let DnsStep::Send(query) = discovery.poll() else {
        panic!("expected a query for {name} to {server}");
    };
    let id = u16::from_be_bytes([query.bytes[0], query.bytes[1]]);
    assert_eq!(query.bytes, srv_query(id, name).unwrap(), "name");
    assert_eq!((query.server, query.timeout), (server, T));
    query
}

fn answer(query: &DnsQuery) -> Vec<u8> {
    srv_answer(&query.bytes, &zone()).unwrap()
}

fn done(discovery: &mut SrvDiscovery) -> Result<Vec<String>, SrvError> {
    match discovery.poll() {
        DnsStep::Done(result) => result,
        DnsStep::Send(query) => panic!("unexpected query {query:?}"),
    }
}

#[test]
fn https_then_http_merged() {
    let mut d = SrvDiscovery::new("example.test", None, vec![addr(1), addr(2)], T, 7);
    let q = expect_send(&mut d, addr(1), HTTPS);
    assert!(d.handle_datagram(&answer(&q)));
    let q = expect_send(&mut d, addr(1), HTTP);
    assert!(d.handle_datagram(&answer(&q)));
    let want = [
        "https://a:2379",
        "https://b.example.test:2380",
        "http://c:7001",
    ];
    assert_eq!(done(&mut d).unwrap(), want);
    // Done stays done.
    assert_eq!(done(&mut d).unwrap(), want);
}

#[test]
fn timeouts_and_errors_move_to_the_next_server_in_order() {
    let servers = vec![addr(1), addr(2), addr(3)];
    let mut d = SrvDiscovery::new("example.test", None, servers, T, 7);
    expect_send(&mut d, addr(1), HTTPS);
    d.handle_timeout();
    let q = expect_send(&mut d, addr(2), HTTPS);
    let mut servfail = answer(&q);
    servfail[3] = (servfail[3] & 0xf0) | 2;
    assert!(d.handle_datagram(&servfail));
    let q = expect_send(&mut d, addr(3), HTTPS);
    assert!(d.handle_datagram(&answer(&q)));
    // The http lookup starts again at the first nameserver.
    expect_send(&mut d, addr(1), HTTP);
    d.handle_io_error(std::io::ErrorKind::ConnectionRefused.into());
    let q = expect_send(&mut d, addr(2), HTTP);
    assert!(d.handle_datagram(&answer(&q)));
    assert_eq!(done(&mut d).unwrap().len(), 3);
}

#[test]
fn stray_datagrams_are_ignored() {
    let mut d = SrvDiscovery::new("example.test", None, vec![addr(1), addr(2)], T, 7);
    let q = expect_send(&mut d, addr(1), HTTPS);
    let mut other_id = answer(&q);
    other_id[1] ^= 1;
    assert!(!d.handle_datagram(&other_id));
    // A query, not a response.
    assert!(!d.handle_datagram(&q.bytes));
    // Still waiting for the same query (same id, same server).
    assert_eq!(d.poll(), DnsStep::Send(q.clone()));
    assert!(d.handle_datagram(&answer(&q)));
    let q = expect_send(&mut d, addr(1), HTTP);
    assert!(d.handle_datagram(&answer(&q)));
    assert_eq!(done(&mut d).unwrap().len(), 3);
    // Nothing in flight: everything is ignored.
    assert!(!d.handle_datagram(&answer(&q)));
    d.handle_timeout();
    assert_eq!(done(&mut d).unwrap().len(), 3);
}

#[test]
fn nxdomain_stops_the_lookup_of_that_name() {
    let mut d = SrvDiscovery::new("https.test", None, vec![addr(1), addr(2)], T, 7);
    let q = expect_send(&mut d, addr(1), "_etcd-client-ssl._tcp.https.test");
    assert!(d.handle_datagram(&answer(&q)));
    // NXDOMAIN from the first nameserver: the second one is not asked.
    let q = expect_send(&mut d, addr(1), "_etcd-client._tcp.https.test");
    assert!(d.handle_datagram(&answer(&q)));
    assert_eq!(done(&mut d).unwrap(), ["https://d:1"]);
}

#[test]
fn both_failing_is_an_error() {
    let mut d = SrvDiscovery::new("nowhere.test", None, vec![addr(1), addr(2)], T, 7);
    let q = expect_send(&mut d, addr(1), "_etcd-client-ssl._tcp.nowhere.test");
    assert!(d.handle_datagram(&answer(&q)));
    expect_send(&mut d, addr(1), "_etcd-client._tcp.nowhere.test");
    d.handle_timeout();
    expect_send(&mut d, addr(2), "_etcd-client._tcp.nowhere.test");
    d.handle_timeout();
    let err = done(&mut d).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dns lookup errors: no such host and dns lookup timed out"
    );
}

#[test]
fn no_nameservers_and_invalid_names_send_nothing() {
    let mut d = SrvDiscovery::new("example.test", Some("foo"), vec![], T, 7);
    assert_eq!(
        done(&mut d).unwrap_err().to_string(),
        "dns lookup errors: no nameservers configured and no nameservers configured"
    );
    let mut d = SrvDiscovery::new("a..test", None, vec![addr(1)], T, 7);
    let err = done(&mut d).unwrap_err();
    assert!(err.https.contains("empty label"), "{err}");
    assert!(err.http.contains("empty label"), "{err}");
}

#[test]
fn service_name_variant() {
    let mut d = SrvDiscovery::new("example.test", Some("foo"), vec![addr(1)], T, 7);
    let q = expect_send(&mut d, addr(1), "_etcd-client-ssl-foo._tcp.example.test");
    assert!(d.handle_datagram(&answer(&q)));
    let q = expect_send(&mut d, addr(1), "_etcd-client-foo._tcp.example.test");
    assert!(d.handle_datagram(&answer(&q)));
    assert_eq!(
        done(&mut d).unwrap_err().to_string(),
        "dns lookup errors: no such host and no such host"
    );
}
