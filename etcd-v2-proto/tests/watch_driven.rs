//! Watch index bookkeeping, re-polls, event-index-cleared and resume (`docs/protocol.md#watches`):
//! Go's TestHTTPWatcherNextWaitAction, TestHTTPWatcherNextFail and TestHTTPKeysAPIWatcherAction
//! (numbered #59–61 when collected), etcd's own tests' watch from a past index (#97) and a
//! cleared history as etcd 3.4 reports it (#102).

mod support;

use std::time::Duration;

use etcd_v2_proto::{
    Action, Config, DEFAULT_MAX_POLL_AGE, Error, ProtocolError, ResumePolicy, Watch, WatchOptions,
};
use support::{Answer, Harness, reply};

const A: &str = "http://127.0.0.1:1001";
const B: &str = "http://127.0.0.1:1002";

fn event(action: &str, key: &str, modified: u64) -> String {
    format!(
        r#"{{"action":"{action}","node":{{"key":"{key}","value":"v","modifiedIndex":{modified},"createdIndex":{modified}}}}}"#
    )
}

#[test]
fn construction_sets_the_first_wait_index() {
    // #61 (TestHTTPKeysAPIWatcherAction)
    let w = |o| Watch::new("/v2/keys", "/foo", o).unwrap().wait_index();
    assert_eq!(w(WatchOptions::default()), 0);
    assert_eq!(w(WatchOptions::default().after_index(0)), 0);
    assert_eq!(w(WatchOptions::default().after_index(19)), 20);
    assert!(Watch::new("/v2/keys", "../escape", WatchOptions::default()).is_err());
}

#[test]
fn each_event_advances_past_its_modified_index() {
    // #59 (TestHTTPWatcherNextWaitAction): prefix /pants, key /foo/bar, recursive, after 18 →
    // waitIndex 19; event 21 → 22.
    let mut h = Harness::ordered(&[A], Config::default());
    let mut w = Watch::new(
        "/pants",
        "/foo/bar",
        WatchOptions::default().recursive(true).after_index(18),
    )
    .unwrap();
    let e = h
        .run(&mut w, |_| {
            reply(
                200,
                &[("X-Etcd-Index", "42")],
                &event("update", "/pants/foo/bar", 21),
            )
        })
        .unwrap();
    assert_eq!(e.index, 42);
    assert_eq!(e.node.unwrap().modified_index, 21);
    assert_eq!(w.wait_index(), 22);
    assert_eq!(
        h.sent[0].uri,
        format!("{A}/pants/foo/bar?recursive=true&wait=true&waitIndex=19")
    );
    // A poll's deadline is its longest wait (the watch's liveness), not the request timeout;
    // the header timeout bounds only the response head.
    assert_eq!(h.sent[0].deadline, Some(DEFAULT_MAX_POLL_AGE));
    assert_eq!(h.sent[0].header_deadline, Some(Duration::from_secs(5)));
    // The next run sends the advanced index.
    h.run(&mut w, |_| {
        reply(200, &[], &event("set", "/pants/foo/bar/x", 30))
    })
    .unwrap();
    assert_eq!(
        h.sent[1].uri,
        format!("{A}/pants/foo/bar?recursive=true&wait=true&waitIndex=22")
    );
    assert_eq!(w.wait_index(), 31);
}

#[test]
fn errors_leave_the_state_unchanged() {
    // #60 (TestHTTPWatcherNextFail): transport error, 418 with empty body, 404 etcd error.
    let mut w = Watch::new("/v2/keys", "/foo", WatchOptions::default().after_index(4)).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let e = h.run(&mut w, |_| support::refused()).unwrap_err();
    assert!(matches!(e, Error::Cluster(_)));
    let e = h.run(&mut w, |_| reply(418, &[], "")).unwrap_err();
    assert!(matches!(
        e,
        Error::Protocol(ProtocolError::InvalidJson { status: 418, .. })
    ));
    let e = h
        .run(&mut w, |_| {
            reply(
                404,
                &[],
                r#"{"errorCode":100,"message":"Key not found","cause":"/foo","index":9}"#,
            )
        })
        .unwrap_err();
    assert!(e.is_key_not_found());
    assert_eq!(w.wait_index(), 5);
}

#[test]
fn empty_polls_are_reissued_with_the_same_index() {
    // Go against a server sending two empty 200s then an event: one result, three identical
    // requests.
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default().after_index(4)).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let mut n = 0;
    let e = h
        .run(&mut w, |_| {
            n += 1;
            if n < 3 {
                reply(200, &[], "")
            } else {
                reply(200, &[], &event("set", "/k", 9))
            }
        })
        .unwrap();
    assert_eq!(e.node.unwrap().modified_index, 9);
    assert_eq!(h.sent.len(), 3);
    assert!(
        h.sent
            .iter()
            .all(|s| s.uri.ends_with("recursive=false&wait=true&waitIndex=5"))
    );
    assert_eq!(w.wait_index(), 10);
}

#[test]
fn repeated_empty_polls_back_off_instead_of_spinning() {
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default().after_index(1)).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let mut n = 0;
    h.run(&mut w, |_| {
        n += 1;
        if n < 8 {
            reply(200, &[], "")
        } else {
            reply(200, &[], &event("set", "/k", 3))
        }
    })
    .unwrap();
    assert_eq!(h.sent.len(), 8);
    // First re-poll immediate, then growing waits, never above 2 s.
    assert_eq!(h.waits.first(), Some(&Duration::from_millis(100)));
    assert!(h.waits.windows(2).all(|w| w[0] <= w[1]));
    assert!(h.waits.iter().all(|w| *w <= Duration::from_secs(2)));
}

#[test]
fn a_watch_from_now_learns_its_start_index_first() {
    // Found: a watch from index 0 whose poll ended at its deadline re-polled from 0, and a
    // write made in between was never delivered. Its start is now fixed before any poll: a
    // HEAD's X-Etcd-Index (404 for a missing key carries it too).
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default()).unwrap();
    w.set_timeout(Some(Duration::from_millis(700)));
    let mut h = Harness::ordered(&[A], Config::default());
    let e = h
        .run(&mut w, |req| match req.method().as_str() {
            "HEAD" => reply(404, &[("X-Etcd-Index", "41")], ""),
            _ => Answer::Stall,
        })
        .unwrap_err();
    assert_eq!(e, Error::DeadlineExceeded);
    assert_eq!(h.sent[0].method, "HEAD");
    assert!(h.sent[0].uri.ends_with("/v2/keys/k"), "{}", h.sent[0].uri);
    assert!(h.sent[1].uri.ends_with("waitIndex=42"));
    assert_eq!(w.wait_index(), 42);
    // The next run polls from there: the write at 42 is delivered, and no HEAD again.
    let ev = h
        .run(&mut w, |_| reply(200, &[], &event("set", "/k", 42)))
        .unwrap();
    assert_eq!(ev.node.unwrap().modified_index, 42);
    assert_eq!(h.sent.len(), 3);
    assert!(h.sent[2].uri.ends_with("waitIndex=42"));
}

#[test]
fn an_empty_poll_from_index_zero_resumes_after_the_registration_index() {
    // A HEAD without an index (not etcd): the watch polls from 0, and an empty poll's index
    // still fixes where it resumes.
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default()).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let mut n = 0;
    h.run(&mut w, |_| {
        n += 1;
        match n {
            1 => reply(200, &[], ""),
            2 => reply(200, &[("X-Etcd-Index", "41")], ""),
            _ => reply(200, &[], &event("set", "/k", 43)),
        }
    })
    .unwrap();
    assert_eq!(h.sent[0].method, "HEAD");
    assert!(h.sent[1].uri.ends_with("waitIndex=0"));
    assert!(h.sent[2].uri.ends_with("waitIndex=42"));
    // A proxy that refuses HEAD (405) is no worse off: the watch polls from 0.
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default()).unwrap();
    let mut n = 0;
    let ev = h
        .run(&mut w, |_| {
            n += 1;
            match n {
                1 => reply(405, &[], ""),
                _ => reply(200, &[], &event("set", "/k", 50)),
            }
        })
        .unwrap();
    assert_eq!(ev.node.unwrap().modified_index, 50);
    assert!(h.sent[4].uri.ends_with("waitIndex=0"), "{}", h.sent[4].uri);
}

const CLEARED: &str = r#"{"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [108/5]","index":1107}"#;

#[test]
fn a_cleared_history_is_a_typed_error_repeated_by_default() {
    // #102: 401 carries the current index and repeats until the watch is resumed.
    let mut w = Watch::new("/v2/keys", "/rk", WatchOptions::default().after_index(4)).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    for _ in 0..2 {
        let e = h
            .run(&mut w, |_| reply(400, &[("X-Etcd-Index", "1107")], CLEARED))
            .unwrap_err();
        assert!(e.is_event_index_cleared());
        assert_eq!(e.etcd().unwrap().index, 1107);
        assert_eq!(w.wait_index(), 5);
    }
    // The documented recovery: resume after the index the error carries.
    w.resume_after(1107);
    h.run(&mut w, |_| reply(200, &[], &event("set", "/rk", 1200)))
        .unwrap();
    assert!(h.sent[2].uri.ends_with("waitIndex=1108"));
}

#[test]
fn opt_in_resume_reports_the_gap_once_and_goes_on() {
    let opts = WatchOptions::default()
        .after_index(4)
        .resume(ResumePolicy::FromCurrentIndex);
    let mut w = Watch::new("/v2/keys", "/rk", opts).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let e = h.run(&mut w, |_| reply(400, &[], CLEARED)).unwrap_err();
    assert_eq!(
        e,
        Error::EventsLost {
            requested: 5,
            resumed_at: 1108
        }
    );
    let ev = h
        .run(&mut w, |_| reply(200, &[], &event("set", "/rk", 1110)))
        .unwrap();
    assert_eq!(ev.node.unwrap().modified_index, 1110);
    assert!(h.sent[1].uri.ends_with("waitIndex=1108"));
}

#[test]
fn opt_in_resync_yields_a_snapshot_and_resumes_right_after_it() {
    let opts = WatchOptions::default()
        .after_index(4)
        .recursive(true)
        .resume(ResumePolicy::Resync);
    let mut w = Watch::new("/v2/keys", "/dir", opts).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let listing = r#"{"action":"get","node":{"key":"/dir","dir":true,"nodes":[{"key":"/dir/a","value":"1","modifiedIndex":1200,"createdIndex":1200}],"modifiedIndex":3,"createdIndex":3}}"#;
    let snapshot = h
        .run(&mut w, |req| {
            if req.uri().to_string().contains("wait=true") {
                reply(400, &[("X-Etcd-Index", "1300")], CLEARED)
            } else {
                reply(200, &[("X-Etcd-Index", "1300")], listing)
            }
        })
        .unwrap();
    assert_eq!(snapshot.action, Action::Resync);
    assert_eq!(snapshot.index, 1300);
    assert_eq!(snapshot.node.unwrap().nodes[0].key, "/dir/a");
    // A quorum, recursive, sorted read of the watched directory; then the events after it.
    assert_eq!(
        h.sent[1].uri,
        format!("{A}/v2/keys/dir?quorum=true&recursive=true&sorted=true")
    );
    assert_eq!(w.wait_index(), 1301);
    h.run(&mut w, |_| reply(200, &[], &event("set", "/dir/b", 1301)))
        .unwrap();
    assert!(
        h.sent[2]
            .uri
            .ends_with("recursive=true&wait=true&waitIndex=1301")
    );
}

#[test]
fn a_resync_of_a_missing_key_is_a_snapshot_without_a_node_and_a_failed_one_is_retried() {
    let opts = WatchOptions::default()
        .after_index(4)
        .resume(ResumePolicy::Resync);
    let mut w = Watch::new("/v2/keys", "/gone", opts).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    // The read fails: the run ends with that error and the watch stays where it was.
    let e = h
        .run(&mut w, |req| {
            if req.uri().to_string().contains("wait=true") {
                reply(400, &[], CLEARED)
            } else {
                support::refused()
            }
        })
        .unwrap_err();
    assert!(matches!(e, Error::Cluster(_)), "{e:?}");
    assert_eq!(w.wait_index(), 5);
    // The next run reads again (no poll first); the key is gone as of 1400.
    let missing = r#"{"errorCode":100,"message":"Key not found","cause":"/gone","index":1400}"#;
    let snapshot = h
        .run(&mut w, |_| reply(404, &[("X-Etcd-Index", "1400")], missing))
        .unwrap();
    assert_eq!(snapshot.action, Action::Resync);
    assert_eq!((snapshot.node, snapshot.index), (None, 1400));
    assert!(!h.sent[2].uri.contains("wait=true"));
    assert_eq!(w.wait_index(), 1401);
}

#[test]
fn a_watch_index_never_goes_back() {
    // A hostile member answers 101, then 91: the second is refused, and the watch still
    // waits for 102.
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default()).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let ev = h
        .run(&mut w, |_| reply(200, &[], &event("set", "/k", 101)))
        .unwrap();
    assert_eq!(ev.node.unwrap().modified_index, 101);
    let e = h
        .run(&mut w, |_| reply(200, &[], &event("set", "/k", 91)))
        .unwrap_err();
    let went_back = ProtocolError::IndexWentBack {
        waited_for: 102,
        got: 91,
    };
    assert_eq!(e, Error::Protocol(went_back));
    assert_eq!(w.wait_index(), 102);
    // At the last index there is, no next index exists: refused, not repeated forever.
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default()).unwrap();
    let e = h
        .run(&mut w, |_| reply(200, &[], &event("set", "/k", u64::MAX)))
        .unwrap_err();
    assert!(
        matches!(e, Error::Protocol(ProtocolError::IndexWentBack { .. })),
        "{e:?}"
    );
}

#[test]
fn a_watch_answer_without_node_is_a_protocol_error() {
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default()).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let e = h
        .run(&mut w, |_| reply(200, &[], r#"{"action":"set"}"#))
        .unwrap_err();
    assert_eq!(e, Error::Protocol(ProtocolError::MissingNode));
}

#[test]
fn watches_fail_over_and_ignore_the_request_timeout() {
    let config = Config::default().request_timeout(Some(Duration::from_secs(1)));
    // From a known index: this is about the polls, not the start (see above).
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default().after_index(2)).unwrap();
    let mut h = Harness::ordered(&[A, B], config);
    let e = h
        .run(&mut w, |req| {
            if req.uri().port_u16() == Some(1001) {
                reply(503, &[], "")
            } else {
                reply(200, &[], &event("set", "/k", 7))
            }
        })
        .unwrap();
    assert_eq!(e.node.unwrap().key, "/k");
    assert_eq!(
        h.sent.iter().map(|s| s.deadline).collect::<Vec<_>>(),
        [Some(DEFAULT_MAX_POLL_AGE); 2]
    );
    let _ = Answer::Stall;
}

#[test]
fn a_watch_fails_over_from_a_member_that_sends_no_headers() {
    // A stopped member never sends the watch's headers: after exactly the header timeout the
    // watch moves on to the next member and returns its event.
    let config = Config::default().header_timeout(Some(Duration::from_millis(500)));
    // From a known index: this is about the polls, not the start (see above).
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default().after_index(2)).unwrap();
    let mut h = Harness::ordered(&[A, B], config);
    let e = h
        .run(&mut w, |req| {
            if req.uri().port_u16() == Some(1001) {
                Answer::Stall
            } else {
                reply(200, &[("X-Etcd-Index", "8")], &event("set", "/k", 8))
            }
        })
        .unwrap();
    assert_eq!(e.node.unwrap().modified_index, 8);
    assert_eq!(h.endpoints_tried(), [A, B]);
    assert_eq!(h.now - h.start, Duration::from_millis(500));
    assert_eq!(w.wait_index(), 9);
    // The header deadline bounds only the head; the wait for the body is bounded by the
    // poll's longest wait, which started with the first poll.
    let waits = [
        DEFAULT_MAX_POLL_AGE,
        DEFAULT_MAX_POLL_AGE - Duration::from_millis(500),
    ];
    for (s, wait) in h.sent.iter().zip(waits) {
        assert_eq!(s.deadline, Some(wait));
        assert_eq!(s.header_deadline, Some(Duration::from_millis(500)));
    }
    // The next poll is not pinned back on the dead member.
    h.run(&mut w, |_| reply(200, &[], &event("set", "/k", 9)))
        .unwrap();
    assert_eq!(h.sent[2].endpoint, B);
}

#[test]
fn a_watch_whose_member_answers_is_not_cut_by_the_header_timeout() {
    let config = Config::default().header_timeout(Some(Duration::from_millis(500)));
    // From a known index: this is about the polls, not the start (see above).
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default().after_index(2)).unwrap();
    let mut h = Harness::ordered(&[A, B], config);
    let e = h
        .run(&mut w, |_| reply(200, &[], &event("set", "/k", 3)))
        .unwrap();
    assert_eq!(e.node.unwrap().modified_index, 3);
    assert_eq!(h.endpoints_tried(), [A]);
    assert_eq!(h.sent[0].deadline, Some(DEFAULT_MAX_POLL_AGE));
    assert_eq!(h.sent[0].header_deadline, Some(Duration::from_millis(500)));
}

#[test]
fn a_watch_header_deadline_never_outlives_the_watch_deadline() {
    let config = Config::default().header_timeout(Some(Duration::from_secs(5)));
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default()).unwrap();
    w.set_timeout(Some(Duration::from_millis(700)));
    let mut h = Harness::ordered(&[A], config);
    let e = h.run(&mut w, |_| Answer::Stall).unwrap_err();
    assert_eq!(e, Error::DeadlineExceeded);
    assert_eq!(h.sent[0].deadline, Some(Duration::from_millis(700)));
    assert_eq!(h.sent[0].header_deadline, Some(Duration::from_millis(700)));
}

#[test]
fn ancestor_delete_event_advances_past_the_directory() {
    // Deleting an ancestor directory notifies a watcher on a descendant key.
    let body = r#"{"action":"delete","node":{"key":"/wd","dir":true,"modifiedIndex":56,"createdIndex":50},"prevNode":{"key":"/wd","dir":true,"modifiedIndex":50,"createdIndex":50}}"#;
    let mut w = Watch::new("/v2/keys", "/wd/child", WatchOptions::default()).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let e = h.run(&mut w, |_| reply(200, &[], body)).unwrap();
    assert!(e.node.unwrap().dir);
    assert_eq!(w.wait_index(), 57);
}

#[test]
fn a_watch_timeout_bounds_each_wait_and_keeps_the_index() {
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default().after_index(9)).unwrap();
    w.set_timeout(Some(Duration::from_millis(700)));
    let mut h = Harness::ordered(&[A], Config::default());
    let e = h.run(&mut w, |_| Answer::Stall).unwrap_err();
    assert_eq!(e, Error::DeadlineExceeded);
    assert_eq!(h.now - h.start, Duration::from_millis(700));
    assert_eq!(w.wait_index(), 10);
    // The next run gets a fresh deadline and works.
    let ev = h
        .run(&mut w, |_| reply(200, &[], &event("set", "/k", 12)))
        .unwrap();
    assert_eq!(ev.node.unwrap().modified_index, 12);
    assert_eq!(h.sent[1].deadline, Some(Duration::from_millis(700)));
}

#[test]
fn a_server_cannot_pass_an_event_off_as_a_resync() {
    let mut w = Watch::new("/v2/keys", "/k", WatchOptions::default().after_index(4)).unwrap();
    let mut h = Harness::ordered(&[A], Config::default());
    let e = h
        .run(&mut w, |_| reply(200, &[], &event("resync", "/k", 9)))
        .unwrap();
    assert_eq!(e.action, Action::Other("resync".into()));
}
