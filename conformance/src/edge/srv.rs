//! SRV discovery through every adapter against a fake DNS server on UDP (answers from
//! `etcd_v2_fake::dns`), and one that never answers.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use etcd_v2_fake::dns::{EXAMPLE_ENDPOINTS, example_zone, srv_answer};
use etcd_v2_proto::Error;

use super::Case;
use crate::sut::Adapter;

/// Every SRV case (the trial is `<adapter>::srv::<name>`).
pub const CASES: &[Case] = &[
    case("discovers_https_then_http", discovers_https_then_http),
    case("service_name_variant", service_name_variant),
    case(
        "both_lookups_failing_is_an_error",
        both_lookups_failing_is_an_error,
    ),
    case(
        "next_nameserver_after_a_timeout",
        next_nameserver_after_a_timeout,
    ),
];

const fn case(name: &'static str, run: fn(Adapter) -> Result<(), String>) -> Case {
    Case {
        name,
        run,
        adapters: &Adapter::ALL,
    }
}

/// The timeout per nameserver, unless a case waits for one to time out.
const TIMEOUT: Duration = Duration::from_secs(2);

/// A fake DNS server on 127.0.0.1 answering from the example zone (compressed answers,
/// NXDOMAIN for other names), on its own thread.
fn fake_dns() -> Result<SocketAddr, String> {
    let zone = example_zone();
    let socket = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = socket.local_addr().map_err(|e| e.to_string())?;
    std::thread::spawn(move || {
        let mut buf = [0; 512];
        while let Ok((len, peer)) = socket.recv_from(&mut buf) {
            if let Some(answer) = srv_answer(&buf[..len], &zone) {
                let _ = socket.send_to(&answer, peer);
            }
        }
    });
    Ok(addr)
}

/// The https records first, then the http ones.
fn discovers_https_then_http(adapter: Adapter) -> Result<(), String> {
    let got = adapter.discover_srv_with(&[fake_dns()?], "example.test", None, TIMEOUT);
    ensure_eq!(
        got,
        Ok(EXAMPLE_ENDPOINTS.map(String::from).to_vec()),
        "the endpoints"
    );
    Ok(())
}

/// `_etcd-client-foo._tcp` does not exist: that lookup's NXDOMAIN is ignored.
fn service_name_variant(adapter: Adapter) -> Result<(), String> {
    let got = adapter.discover_srv_with(&[fake_dns()?], "example.test", Some("foo"), TIMEOUT);
    ensure_eq!(
        got,
        Ok(vec!["https://d.example.test:2381".to_owned()]),
        "the endpoints"
    );
    Ok(())
}

/// Both lookups failing, or no nameserver at all, is a discovery error.
fn both_lookups_failing_is_an_error(adapter: Adapter) -> Result<(), String> {
    let got = adapter.discover_srv_with(&[fake_dns()?], "nowhere.test", None, TIMEOUT);
    let expected = Error::Discovery("dns lookup errors: no such host and no such host".into());
    ensure_eq!(got, Err(expected), "an unknown domain");
    let got = adapter.discover_srv_with(&[], "example.test", None, TIMEOUT);
    ensure!(
        matches!(&got, Err(Error::Discovery(m)) if m.contains("no nameservers")),
        "no nameservers: {got:?}"
    );
    Ok(())
}

/// A silent nameserver is left after its timeout for the next; alone, both lookups time out.
fn next_nameserver_after_a_timeout(adapter: Adapter) -> Result<(), String> {
    // Bound, so datagrams to it are ignored rather than refused.
    let silent_socket = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let silent = silent_socket.local_addr().map_err(|e| e.to_string())?;
    let short = Duration::from_millis(200);
    let got = adapter.discover_srv_with(&[silent, fake_dns()?], "example.test", None, short);
    ensure_eq!(
        got,
        Ok(EXAMPLE_ENDPOINTS.map(String::from).to_vec()),
        "the endpoints"
    );
    let got = adapter.discover_srv_with(&[silent], "example.test", None, short);
    let expected =
        Error::Discovery("dns lookup errors: dns lookup timed out and dns lookup timed out".into());
    ensure_eq!(got, Err(expected), "a silent nameserver");
    Ok(())
}
