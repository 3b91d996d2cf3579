//! A watch in stream mode (`WatchOptions::stream`, `docs/protocol.md#streaming-watches`),
//! stepped by hand: the open body's chunks, its end or failure, deadlines, and the wait index
//! the next stream resumes from (nothing lost, nothing twice).
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use etcd_v2_proto::body::Body;
use etcd_v2_proto::{
    AttemptId, Cluster, Config, Error, KeysResponse, ProtocolError, Step, Task, Transmit,
    TransportFailure, Watch, WatchOptions,
};
use http::Response;

const A: &str = "http://127.0.0.1:1001";
const B: &str = "http://127.0.0.1:1002";

fn event(key: &str, modified: u64) -> String {
    format!(
        "{{\"action\":\"set\",\"node\":{{\"key\":\"{key}\",\"value\":\"v\",\"modifiedIndex\":{modified},\"createdIndex\":{modified}}}}}\n"
    )
}

struct Driver {
    cluster: Cluster,
    now: Instant,
}

impl Driver {
    fn new(endpoints: &[&str]) -> Self {
        let mut config = Config::new(endpoints.iter().copied()).seed(7);
        config.max_body_bytes = 4096;
        let mut cluster = Cluster::new(config).unwrap();
        for _ in 0..1000 {
            if cluster.endpoints() == endpoints {
                break;
            }
            cluster.set_endpoints(endpoints).unwrap();
        }
        Self {
            cluster,
            now: Instant::now(),
        }
    }

    fn poll(&mut self, w: &mut Watch) -> Step<KeysResponse> {
        w.poll(self.now, &mut self.cluster)
    }

    /// The next step must send a stream request; returns it.
    fn expect_send(&mut self, w: &mut Watch) -> Transmit {
        match self.poll(w) {
            Step::Send(t) => t,
            other => panic!("expected a request, got {other:?}"),
        }
    }

    /// Sends the stream request and answers its head (200, `X-Etcd-Index: head_index`).
    fn open(&mut self, w: &mut Watch, head_index: u64) -> Transmit {
        let t = self.expect_send(w);
        assert!(t.stream, "{t:?}");
        let head = Response::builder()
            .status(200)
            .header("X-Etcd-Index", head_index.to_string())
            .body(Body::default())
            .unwrap();
        w.handle_response(self.now, &mut self.cluster, t.attempt, head);
        w.decode_answer();
        t
    }

    fn expect_read(&mut self, w: &mut Watch) -> (AttemptId, Option<Instant>) {
        match self.poll(w) {
            Step::Read { attempt, deadline } => (attempt, deadline),
            other => panic!("expected a read, got {other:?}"),
        }
    }

    fn chunk(&mut self, w: &mut Watch, data: Result<Option<&str>, TransportFailure>) {
        let (attempt, _) = self.expect_read(w);
        let data = data.map(|d| d.map(|s| Bytes::copy_from_slice(s.as_bytes())));
        w.handle_chunk(self.now, &mut self.cluster, attempt, data);
        w.decode_answer();
    }

    fn expect_event(&mut self, w: &mut Watch) -> u64 {
        match self.poll(w) {
            Step::Done(Ok(e)) => e.node.unwrap().modified_index,
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

/// A stream-mode watch of `/k` after index 4.
fn stream_watch() -> Watch {
    let opts = WatchOptions::default().after_index(4).stream(true);
    Watch::new("/v2/keys", "/k", opts).unwrap()
}

fn uri(t: &Transmit) -> String {
    t.request.uri().to_string()
}

#[test]
fn events_split_and_bunched_across_chunks_come_once_each_in_order() {
    let mut d = Driver::new(&[A]);
    let mut w = Watch::new(
        "/v2/keys",
        "/dir",
        WatchOptions::default()
            .after_index(9)
            .recursive(true)
            .stream(true),
    )
    .unwrap();
    let t = d.open(&mut w, 9);
    assert_eq!(
        uri(&t),
        format!("{A}/v2/keys/dir?recursive=true&stream=true&wait=true&waitIndex=10")
    );
    let (e10, e11, e12) = (
        event("/dir/a", 10),
        event("/dir/b", 11),
        event("/dir/c", 12),
    );
    let bunch = format!("{e10}{e11}{}", &e12[..20]);
    d.chunk(&mut w, Ok(Some(&bunch)));
    assert_eq!(d.expect_event(&mut w), 10);
    assert_eq!(d.expect_event(&mut w), 11, "the second line needs no read");
    d.chunk(&mut w, Ok(Some(&e12[20..30])));
    d.chunk(&mut w, Ok(Some(&e12[30..])));
    assert_eq!(d.expect_event(&mut w), 12);
    assert_eq!(w.wait_index(), 13);
    // The body ends: the next stream starts right after the last event.
    d.chunk(&mut w, Ok(None));
    let t = d.open(&mut w, 12);
    assert!(
        uri(&t).ends_with("stream=true&wait=true&waitIndex=13"),
        "{}",
        uri(&t)
    );
}

#[test]
fn a_broken_stream_resumes_on_the_next_member_without_duplicates() {
    let mut d = Driver::new(&[A, B]);
    let mut w = stream_watch();
    let _ = d.open(&mut w, 4);
    let (e5, e6) = (event("/k", 5), event("/k", 6));
    // Event 5 whole, then half of event 6, then the member dies.
    d.chunk(&mut w, Ok(Some(&format!("{e5}{}", &e6[..15]))));
    assert_eq!(d.expect_event(&mut w), 5);
    d.chunk(&mut w, Err(TransportFailure::Io("connection reset".into())));
    // The pinned member is gone: the reopen fails over, from index 6.
    let t = d.expect_send(&mut w);
    assert!(uri(&t).starts_with(A) && uri(&t).ends_with("waitIndex=6"));
    let refused = TransportFailure::Connect("refused".into());
    w.handle_failure(d.now, &mut d.cluster, t.attempt, refused);
    // Registered before event 6 was written (else etcd would answer from its history).
    let t = d.open(&mut w, 5);
    assert!(uri(&t).starts_with(B) && uri(&t).ends_with("waitIndex=6"));
    d.chunk(&mut w, Ok(Some(&format!("{e6}{}", event("/k", 7)))));
    assert_eq!(d.expect_event(&mut w), 6);
    assert_eq!(d.expect_event(&mut w), 7);
}

#[test]
fn an_event_from_the_history_ends_its_stream() {
    // etcd answers a wait index its history holds with that one event, then stays silent.
    let mut d = Driver::new(&[A]);
    let mut w = stream_watch();
    let _ = d.open(&mut w, 20);
    d.chunk(&mut w, Ok(Some(&event("/k", 8))));
    assert_eq!(d.expect_event(&mut w), 8);
    let t = d.open(&mut w, 20);
    assert!(uri(&t).ends_with("waitIndex=9"), "reopened, not read on");
    // A live event (above the head's index) keeps the stream.
    d.chunk(&mut w, Ok(Some(&event("/k", 21))));
    assert_eq!(d.expect_event(&mut w), 21);
    d.expect_read(&mut w);
}

#[test]
fn a_deadline_ends_the_run_and_loses_nothing() {
    let mut d = Driver::new(&[A]);
    let mut w = stream_watch();
    w.set_timeout(Some(Duration::from_secs(1)));
    let _ = d.open(&mut w, 4);
    d.chunk(
        &mut w,
        Ok(Some(&format!("{}{}", event("/k", 5), event("/k", 6)))),
    );
    assert_eq!(d.expect_event(&mut w), 5);
    // Event 6 was received: the next run hands it out whatever its deadline.
    d.now += Duration::from_secs(5);
    assert_eq!(d.expect_event(&mut w), 6);
    // Nothing more comes by the run's deadline: the read gives up, the run ends.
    let (attempt, deadline) = d.expect_read(&mut w);
    assert_eq!(deadline, Some(d.now + Duration::from_secs(1)));
    d.now += Duration::from_secs(1);
    w.handle_chunk(
        d.now,
        &mut d.cluster,
        attempt,
        Err(TransportFailure::Timeout),
    );
    assert!(matches!(
        d.poll(&mut w),
        Step::Done(Err(Error::DeadlineExceeded))
    ));
    // The next run reopens from 7, at once.
    let t = d.open(&mut w, 6);
    assert!(uri(&t).ends_with("waitIndex=7"));
}

#[test]
fn a_bad_line_is_a_typed_error_and_the_stream_is_reopened() {
    let mut d = Driver::new(&[A]);
    let mut w = stream_watch();
    let _ = d.open(&mut w, 4);
    d.chunk(
        &mut w,
        Ok(Some(&format!(
            "{}not json\n{}",
            event("/k", 5),
            event("/k", 6)
        ))),
    );
    assert_eq!(d.expect_event(&mut w), 5);
    match d.poll(&mut w) {
        Step::Done(Err(Error::Protocol(ProtocolError::InvalidJson { .. }))) => {}
        other => panic!("{other:?}"),
    }
    // Event 6 was behind the garbage: it comes again from the new stream.
    let t = d.open(&mut w, 6);
    assert!(uri(&t).ends_with("waitIndex=6"));
    // A line over the body limit: a typed error too, without waiting for its end.
    d.chunk(&mut w, Ok(Some(&"x".repeat(3000))));
    d.chunk(&mut w, Ok(Some(&"x".repeat(3000))));
    match d.poll(&mut w) {
        Step::Done(Err(Error::Protocol(ProtocolError::BodyTooLarge { limit: 4096 }))) => {}
        other => panic!("{other:?}"),
    }
    assert!(
        d.open(&mut w, 6)
            .request
            .uri()
            .to_string()
            .ends_with("waitIndex=6")
    );
}

#[test]
fn an_index_going_back_is_refused_as_for_polls() {
    let mut d = Driver::new(&[A]);
    let mut w = stream_watch();
    let _ = d.open(&mut w, 4);
    d.chunk(
        &mut w,
        Ok(Some(&format!("{}{}", event("/k", 7), event("/k", 7)))),
    );
    assert_eq!(d.expect_event(&mut w), 7);
    match d.poll(&mut w) {
        Step::Done(Err(Error::Protocol(ProtocolError::IndexWentBack {
            waited_for: 8,
            got: 7,
        }))) => {}
        other => panic!("{other:?}"),
    }
    assert!(uri(&d.open(&mut w, 7)).ends_with("waitIndex=8"));
}

#[test]
fn a_stream_silent_for_its_age_is_reopened_after_a_look_at_the_key() {
    let mut d = Driver::new(&[A]);
    let age = Duration::from_secs(10);
    let mut w = Watch::new(
        "/v2/keys",
        "/k",
        WatchOptions::default()
            .after_index(4)
            .stream(true)
            .max_poll_age(Some(age)),
    )
    .unwrap();
    let t = d.open(&mut w, 4);
    assert_eq!(
        t.deadline,
        Some(d.now + age),
        "the open body's life is bounded"
    );
    let (attempt, deadline) = d.expect_read(&mut w);
    assert_eq!(deadline, Some(d.now + age));
    d.now += age;
    w.handle_chunk(
        d.now,
        &mut d.cluster,
        attempt,
        Err(TransportFailure::Timeout),
    );
    let t = d.expect_send(&mut w);
    assert!(!t.stream);
    assert_eq!(uri(&t), format!("{A}/v2/keys/k"), "the quiet-key check");
}

#[test]
fn errors_before_the_stream_opens_are_a_polls() {
    let mut d = Driver::new(&[A]);
    let mut w = stream_watch();
    let t = d.expect_send(&mut w);
    let cleared = r#"{"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [22/5]","index":1021}"#;
    let answer = Response::builder()
        .status(400)
        .header("X-Etcd-Index", "1021")
        .body(Body::from(cleared))
        .unwrap();
    w.handle_response(d.now, &mut d.cluster, t.attempt, answer);
    match d.poll(&mut w) {
        Step::Done(Err(e)) => assert!(e.is_event_index_cleared(), "{e:?}"),
        other => panic!("{other:?}"),
    }
    // A server that ignores `stream=true` and answers one event as a whole body: a poll.
    let t = d.expect_send(&mut w);
    let answer = Response::builder()
        .status(200)
        .header("X-Etcd-Index", "5")
        .body(Body::from(event("/k", 5)))
        .unwrap();
    w.handle_response(d.now, &mut d.cluster, t.attempt, answer);
    // (its adapter left no body open: a read would find its end)
    assert_eq!(d.expect_event(&mut w), 5);
    assert!(uri(&d.expect_send(&mut w)).ends_with("waitIndex=6"));
}

#[test]
fn a_stream_that_ends_without_events_backs_off_like_empty_polls() {
    let mut d = Driver::new(&[A]);
    let mut w = stream_watch();
    for _ in 0..2 {
        let _ = d.open(&mut w, 4);
        d.chunk(&mut w, Ok(None));
    }
    assert!(matches!(d.poll(&mut w), Step::Wait(_)));
    // A last line without its newline, at a clean end, is still an event.
    d.now += Duration::from_secs(1);
    let _ = d.open(&mut w, 4);
    d.chunk(&mut w, Ok(Some(event("/k", 5).trim_end())));
    d.chunk(&mut w, Ok(None));
    assert_eq!(d.expect_event(&mut w), 5);
}
