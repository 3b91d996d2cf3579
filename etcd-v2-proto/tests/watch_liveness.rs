//! Watch liveness: a long poll that waits its longest is sent again from the same index, after
//! a look at a quiet key that may move the index past writes elsewhere (`docs/protocol.md#watches`).

mod support;

use std::time::Duration;

use etcd_v2_proto::{Config, Error, Watch, WatchOptions};
use support::{Answer, Harness, reply};

const A: &str = "http://127.0.0.1:1001";
const B: &str = "http://127.0.0.1:1002";

fn event(action: &str, key: &str, modified: u64) -> String {
    format!(
        r#"{{"action":"{action}","node":{{"key":"{key}","value":"v","modifiedIndex":{modified},"createdIndex":{modified}}}}}"#
    )
}

/// A long poll that outlives its max age while its member is silent after the headers.
fn aged() -> Answer {
    Answer::StallThen(etcd_v2_proto::TransportFailure::Timeout)
}

#[test]
fn an_aged_poll_is_sent_again_from_the_same_index_after_a_look_at_the_key() {
    let age = Duration::from_secs(2);
    let opts = WatchOptions::default()
        .after_index(4)
        .max_poll_age(Some(age));
    let mut w = Watch::new("/v2/keys", "/k", opts).unwrap();
    let mut h = Harness::ordered(&[A, B], Config::default());
    let mut polls = 0;
    let e = h
        .run(&mut w, |req| {
            let uri = req.uri().to_string();
            if uri.contains("wait=true") {
                polls += 1;
                if polls == 1 {
                    return aged();
                }
                return reply(200, &[], &event("set", "/k", 9));
            }
            // The look at the key: modified at 7, not before the wait index 5: no move.
            reply(200, &[("X-Etcd-Index", "50")], &event("get", "/k", 7))
        })
        .unwrap();
    assert_eq!(e.node.unwrap().modified_index, 9);
    let uris: Vec<_> = h.sent.iter().map(|s| s.uri.clone()).collect();
    assert_eq!(
        uris,
        [
            format!("{A}/v2/keys/k?recursive=false&wait=true&waitIndex=5"),
            format!("{A}/v2/keys/k"),
            format!("{A}/v2/keys/k?recursive=false&wait=true&waitIndex=5"),
        ]
    );
    assert_eq!(h.sent[0].deadline, Some(age));
    assert_eq!(h.now - h.start, age);
}

#[test]
fn a_quiet_key_moves_the_index_past_writes_elsewhere() {
    let opts = WatchOptions::default()
        .after_index(4)
        .max_poll_age(Some(Duration::from_secs(1)));
    let mut w = Watch::new("/v2/keys", "/k", opts).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let mut polls = 0;
    h.run(&mut w, |req| {
        if req.uri().to_string().contains("wait=true") {
            polls += 1;
            return if polls == 1 {
                aged()
            } else {
                reply(200, &[], &event("set", "/k", 6000))
            };
        }
        // Last modified at 3 (before the wait index 5); 5,000 writes elsewhere since.
        reply(200, &[("X-Etcd-Index", "5004")], &event("get", "/k", 3))
    })
    .unwrap();
    assert_eq!(
        h.sent[2].uri,
        format!("{A}/v2/keys/k?recursive=false&wait=true&waitIndex=5005")
    );
    assert_eq!(w.wait_index(), 6001);
}

#[test]
fn the_look_at_the_key_moves_nothing_it_cannot_vouch_for() {
    // Recursive watches do not look (a directory's index does not move with its children);
    // a key changed since the wait index, a missing key, a directory or a failed read teach
    // nothing.
    let cases: [(bool, Answer); 5] = [
        (
            true,
            reply(200, &[("X-Etcd-Index", "900")], &event("get", "/k", 3)),
        ),
        (
            false,
            reply(200, &[("X-Etcd-Index", "900")], &event("get", "/k", 5)),
        ),
        (
            false,
            reply(
                404,
                &[("X-Etcd-Index", "900")],
                r#"{"errorCode":100,"message":"Key not found","cause":"/k","index":900}"#,
            ),
        ),
        (
            false,
            reply(
                200,
                &[("X-Etcd-Index", "900")],
                r#"{"action":"get","node":{"key":"/k","dir":true,"modifiedIndex":3,"createdIndex":3}}"#,
            ),
        ),
        (false, support::refused()),
    ];
    for (recursive, look) in cases {
        let opts = WatchOptions::default()
            .after_index(4)
            .recursive(recursive)
            .max_poll_age(Some(Duration::from_secs(1)));
        let mut w = Watch::new("/v2/keys", "/k", opts).unwrap();
        let mut h = Harness::ordered(&[A], Config::default());
        let mut look = Some(look);
        let mut polls = 0;
        h.run(&mut w, |req| {
            if req.uri().to_string().contains("wait=true") {
                polls += 1;
                return if polls == 1 {
                    aged()
                } else {
                    reply(200, &[], &event("set", "/k", 10))
                };
            }
            look.take().expect("one look at the key")
        })
        .unwrap();
        let last = h.sent.last().unwrap();
        assert!(
            last.uri.ends_with("wait=true&waitIndex=5"),
            "{recursive}: {}",
            last.uri
        );
        assert_eq!(h.sent.len(), if recursive { 2 } else { 3 });
    }
}

#[test]
fn the_callers_deadline_still_ends_a_run_with_an_aged_poll_inside_it() {
    let opts = WatchOptions::default()
        .after_index(4)
        .max_poll_age(Some(Duration::from_secs(10)));
    let mut w = Watch::new("/v2/keys", "/k", opts).unwrap();
    w.set_timeout(Some(Duration::from_secs(3)));
    let mut h = Harness::ordered(&[A], Config::default());
    let e = h.run(&mut w, |_| aged()).unwrap_err();
    assert_eq!(e, Error::DeadlineExceeded);
    assert_eq!(h.sent[0].deadline, Some(Duration::from_secs(3)));
    assert_eq!(w.wait_index(), 5);
}
