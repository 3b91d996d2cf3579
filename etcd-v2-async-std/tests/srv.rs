//! SRV discovery against an in-process fake DNS server on UDP.
#![cfg(feature = "srv")]

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use async_std::task::block_on;
use etcd_v2_async_std::{Client, Error};
use etcd_v2_fake::dns::{EXAMPLE_ENDPOINTS, example_zone, srv_answer};

/// A fake DNS server on 127.0.0.1 answering from a small zone (compressed answers, NXDOMAIN
/// for other names), on its own thread.
fn fake_dns() -> SocketAddr {
    let zone = example_zone();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0; 512];
        while let Ok((len, peer)) = socket.recv_from(&mut buf) {
            if let Some(answer) = srv_answer(&buf[..len], &zone) {
                let _ = socket.send_to(&answer, peer);
            }
        }
    });
    addr
}

/// A nameserver that never answers (the socket stays bound, datagrams are ignored).
fn silent_dns() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    (socket, addr)
}

const TIMEOUT: Duration = Duration::from_secs(2);
const WANT: [&str; 3] = EXAMPLE_ENDPOINTS;

#[test]
fn discovers_https_then_http() {
    let got = block_on(Client::discover_srv_with(
        &[fake_dns()],
        "example.test",
        None,
        TIMEOUT,
    ))
    .unwrap();
    assert_eq!(got, WANT);
}

#[test]
fn service_name_variant() {
    // `_etcd-client-foo._tcp` does not exist: that lookup's NXDOMAIN is ignored.
    let got = block_on(Client::discover_srv_with(
        &[fake_dns()],
        "example.test",
        Some("foo"),
        TIMEOUT,
    ))
    .unwrap();
    assert_eq!(got, ["https://d.example.test:2381"]);
}

#[test]
fn both_lookups_failing_is_an_error() {
    let err = block_on(Client::discover_srv_with(
        &[fake_dns()],
        "nowhere.test",
        None,
        TIMEOUT,
    ))
    .unwrap_err();
    assert_eq!(
        err,
        Error::Discovery("dns lookup errors: no such host and no such host".into())
    );
    let err = block_on(Client::discover_srv_with(
        &[],
        "example.test",
        None,
        TIMEOUT,
    ))
    .unwrap_err();
    assert!(matches!(err, Error::Discovery(m) if m.contains("no nameservers")));
}

#[test]
fn next_nameserver_after_a_timeout() {
    let (_silent, silent) = silent_dns();
    let short = Duration::from_millis(200);
    let got = block_on(Client::discover_srv_with(
        &[silent, fake_dns()],
        "example.test",
        None,
        short,
    ))
    .unwrap();
    assert_eq!(got, WANT);
    let err = block_on(Client::discover_srv_with(
        &[silent],
        "example.test",
        None,
        short,
    ))
    .unwrap_err();
    assert_eq!(
        err,
        Error::Discovery("dns lookup errors: dns lookup timed out and dns lookup timed out".into())
    );
}
