//! What only the blocking adapter can show: `UreqTransport` driven directly, the curl line
//! its core builds, and https without the `tls` feature. The edge cases every adapter shares
//! are one list in `conformance/src/edge/`, run by `conformance/tests/edge.rs`.

use std::io::{ErrorKind, Read};
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use etcd_v2_blocking::proto::{Cluster, Op, Step, Task, call};
use etcd_v2_blocking::{
    AttemptFailure, Client, Config, Error, GetOptions, SetOptions, Transport, TransportFailure,
    UreqTransport,
};

/// Transport-level (no client to drive it otherwise): a deadline already passed is a
/// `Timeout`, and nothing is sent.
#[test]
fn passed_deadline_times_out_without_sending() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut cluster = Cluster::new(Config::new([url])).unwrap();
    let mut op = Op::new(call::keys::get("/v2/keys", "/foo", GetOptions::default()).unwrap());
    let Step::Send(mut exchange) = op.poll(Instant::now(), &mut cluster) else {
        panic!("expected a send")
    };
    (exchange.deadline, exchange.header_deadline) = (Some(Instant::now()), Some(Instant::now()));
    let failure = UreqTransport::new().send(exchange).unwrap_err();
    assert_eq!(failure, TransportFailure::Timeout);
    thread::sleep(Duration::from_millis(50));
    listener.set_nonblocking(true).unwrap();
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Err(e) => panic!("{e}"),
        Ok((mut stream, _)) => {
            // Connected, perhaps; but not one byte of the request sent.
            stream.set_nonblocking(true).unwrap();
            let got = stream.read(&mut [0; 64]);
            assert!(
                matches!(&got, Ok(0))
                    || matches!(&got, Err(e) if e.kind() == ErrorKind::WouldBlock),
                "{got:?}"
            );
        }
    }
}

/// A core-level check kept where it was written: the curl debug line hides the password.
#[test]
fn curl_line_never_shows_the_password() {
    let config = Config::new(["http://127.0.0.1:2379"])
        .credentials("root", "s3cret")
        .curl_debug(true);
    let mut cluster = Cluster::new(config).unwrap();
    let mut op =
        Op::new(call::keys::set("/v2/keys", "/foo", "bar", &SetOptions::default()).unwrap());
    let Step::Send(t) = op.poll(Instant::now(), &mut cluster) else {
        panic!("expected a send")
    };
    let line = t.curl.expect("curl debug is on");
    assert!(
        line.starts_with("cURL Command: curl -X PUT http://127.0.0.1:2379/v2/keys/foo"),
        "{line}"
    );
    // "cm9vdDpzM2NyZXQ=" is base64("root:s3cret"), the Basic token.
    assert!(
        !line.contains("s3cret") && !line.contains("cm9vdDpzM2NyZXQ="),
        "{line}"
    );
    assert!(
        t.request
            .headers()
            .contains_key(http::header::AUTHORIZATION)
    );
}

/// Feature-specific, so not in the conformance list (which builds every adapter with `tls`).
#[test]
fn https_endpoint_needs_the_tls_feature() {
    let client = Client::new(Config::new(["https://127.0.0.1:1"])).unwrap();
    let err = client.get("/foo", GetOptions::default()).unwrap_err();
    let Error::Cluster(cluster) = &err else {
        panic!("{err:?}")
    };
    let [(_, AttemptFailure::Transport(failure))] = &cluster.failures[..] else {
        panic!("{err}")
    };
    // With `tls`, https is dialled (nothing listens on port 1); without, refused up front.
    if cfg!(feature = "tls") {
        assert!(matches!(failure, TransportFailure::Connect(_)), "{err}");
    } else {
        assert!(
            matches!(failure, TransportFailure::InvalidRequest(_)),
            "{err}"
        );
    }
}

/// Options go by value and string lists by any string-like slice, the same in every method.
#[test]
fn string_like_slices_and_options_by_value() {
    let client =
        etcd_v2_blocking::Client::new(etcd_v2_blocking::Config::new(["http://127.0.0.1:1"]))
            .expect("client");
    let owned: Vec<String> = vec!["http://127.0.0.1:2".into(), "http://127.0.0.1:3".into()];
    client.set_endpoints(&owned).expect("owned strings");
    client
        .set_endpoints(&["http://127.0.0.1:4"])
        .expect("string slices");
    assert_eq!(client.endpoints(), ["http://127.0.0.1:4"]);
    // Nothing listens: each call fails, but each compiles with owned and borrowed lists alike.
    let quick = client.with_timeout(std::time::Duration::from_millis(200));
    assert!(quick.grant_user("u", &owned).is_err());
    assert!(quick.grant_user("u", &["r"]).is_err());
    let opts = etcd_v2_blocking::SetOptions::default();
    assert!(quick.set("/k", "v", opts).is_err());
}
