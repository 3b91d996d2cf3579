//! What the clients trace (feature `tracing`), through every adapter against the fake etcd's
//! loopback server: a span per call and per attempt with the endpoint, method, path, status
//! and etcd index; failed attempts as events; curl debug lines as events of target
//! `etcd_v2::curl`; never a password. One process-wide subscriber, so one test binary of its
//! own (`harness = false`).

use std::io::Write;
use std::sync::{Arc, Mutex};

use conformance::sut::{Adapter, Sut};
use etcd_v2_fake::FakeServer;
use etcd_v2_proto::{Api, Config, GetOptions, SetOptions};
use tracing_subscriber::fmt::format::FmtSpan;

/// Everything the subscriber printed.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }
}

fn main() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("one subscriber");

    let server = FakeServer::start(1).expect("fake etcd");
    let live = server.endpoints()[0].clone();
    // A port just freed: nothing listens, so the first attempt is refused.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    for adapter in Adapter::ALL {
        let config = Config::new([dead.clone(), live.clone()])
            .credentials("root", "s3cret")
            .curl_debug(true);
        // The seed that tries the dead endpoint first.
        let sut = (0..256)
            .map(|seed| Sut::new(adapter, config.clone().seed(seed)).unwrap())
            .find(|sut| sut.endpoints()[0] == dead)
            .expect("a seed that puts the dead endpoint first");
        let key = format!("/traced/{adapter}");
        sut.set(&key, "v", SetOptions::default()).expect("set");
        sut.get(&key, GetOptions::default()).expect("get");
        let out = captured.take();
        let has = |s: &str| assert!(out.contains(s), "{adapter}: no {s:?} in:\n{out}");
        has("etcd_call");
        has("outcome=\"ok\"");
        has("etcd_attempt");
        has(&format!("endpoint={live}"));
        has("method=PUT");
        has(&format!("path=\"/v2/keys/traced/{adapter}\""));
        has("status=201");
        has("status=200");
        has("etcd_index=");
        has(&format!("endpoint={dead}"));
        has("attempt failed");
        has("etcd_v2::curl");
        has("cURL Command: curl -X PUT");
        // Each attempt's span is inside its call's, and its curl line inside the attempt's.
        has("etcd_call:etcd_attempt{");
        assert!(
            out.lines()
                .any(|l| l.contains("etcd_call:etcd_attempt{") && l.contains("etcd_v2::curl")),
            "{adapter}: no curl line inside an attempt's span in:\n{out}"
        );
        assert!(
            !out.contains("s3cret"),
            "{adapter}: the password was traced:\n{out}"
        );
        assert!(
            !out.contains("cm9vdDpzM2NyZXQ="),
            "{adapter}: the Basic token was traced"
        );
        println!("{adapter}: traced calls, attempts, a refused attempt and curl lines");
    }
}
