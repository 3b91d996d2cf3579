//! SRV discovery against an in-process fake DNS server on UDP.
#![cfg(feature = "srv")]

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use etcd_v2_fake::dns::{EXAMPLE_ENDPOINTS, example_zone, srv_answer};
use etcd_v2_tokio::{Client, Error};

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

#[tokio::test]
async fn discovers_https_then_http() {
    let got = Client::discover_srv_with(&[fake_dns()], "example.test", None, TIMEOUT)
        .await
        .unwrap();
    assert_eq!(got, WANT);
}

#[tokio::test]
async fn service_name_variant() {
    // `_etcd-client-foo._tcp` does not exist: that lookup's NXDOMAIN is ignored.
    let got = Client::discover_srv_with(&[fake_dns()], "example.test", Some("foo"), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(got, ["https://d.example.test:2381"]);
}

#[tokio::test]
async fn both_lookups_failing_is_an_error() {
    let err = Client::discover_srv_with(&[fake_dns()], "nowhere.test", None, TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::Discovery("dns lookup errors: no such host and no such host".into())
    );
    let err = Client::discover_srv_with(&[], "example.test", None, TIMEOUT)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Discovery(m) if m.contains("no nameservers")));
}

#[tokio::test]
async fn next_nameserver_after_a_timeout() {
    let (_silent, silent) = silent_dns();
    let short = Duration::from_millis(200);
    let got = Client::discover_srv_with(&[silent, fake_dns()], "example.test", None, short)
        .await
        .unwrap();
    assert_eq!(got, WANT);
    let err = Client::discover_srv_with(&[silent], "example.test", None, short)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::Discovery("dns lookup errors: dns lookup timed out and dns lookup timed out".into())
    );
}
