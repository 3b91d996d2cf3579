//! Reads: get, wait and watch requests (Go: TestGetAction, TestWaitAction,
//! TestHTTPKeysAPIWatcherAction; etcd's own tests).

use etcd_v2_proto::call::keys;
use etcd_v2_proto::{GetOptions, Watch, WatchOptions};
use http::Method;

use crate::{DEFAULT, check, get_want, request};

/// Go's TestGetAction (#42) and TestHTTPKeysAPIGetAction (#65): get (endpoint path `/v2/keys`,
/// empty prefix, key `/foo/bar`).
#[test]
fn get_action_42_65() {
    let base = "http://example.com/v2/keys/foo/bar";
    let cases = [
        (
            GetOptions::default(),
            "quorum=false&recursive=false&sorted=false",
        ),
        (
            GetOptions::default().recursive(true),
            "quorum=false&recursive=true&sorted=false",
        ),
        (
            GetOptions::default().sort(true),
            "quorum=false&recursive=false&sorted=true",
        ),
        (
            GetOptions::default().recursive(true).sort(true),
            "quorum=false&recursive=true&sorted=true",
        ),
        (
            GetOptions::default().quorum(true),
            "quorum=true&recursive=false&sorted=false",
        ),
        (
            GetOptions::default()
                .quorum(true)
                .recursive(true)
                .sort(true),
            "quorum=true&recursive=true&sorted=true",
        ),
    ];
    for (opts, query) in cases {
        let call = keys::get("", "/foo/bar", opts).unwrap();
        assert_eq!(call.method(), Method::GET);
        assert!(!call.is_wait());
        let uri = format!("{base}?{query}");
        check(
            &format!("get {opts:?}"),
            &request(&call, "http://example.com/v2/keys"),
            &get_want(&uri),
        );
    }
}

/// Go's TestWaitAction (#43): wait (no body, no headers, all three parameters always present);
/// also the cURL debug line Go prints for it.
#[test]
fn wait_action_43() {
    let base = "http://example.com/v2/keys/foo/bar";
    let cases = [
        (false, 0, "recursive=false&wait=true&waitIndex=0"),
        (false, 12, "recursive=false&wait=true&waitIndex=12"),
        (true, 12, "recursive=true&wait=true&waitIndex=12"),
        (
            true,
            u64::MAX,
            "recursive=true&wait=true&waitIndex=18446744073709551615",
        ),
    ];
    for (recursive, index, query) in cases {
        let call = keys::wait("", "/foo/bar", recursive, index).unwrap();
        assert!(call.is_wait(), "a wait is a long poll");
        let uri = format!("{base}?{query}");
        check(
            &format!("wait {recursive} {index}"),
            &request(&call, "http://example.com/v2/keys"),
            &get_want(&uri),
        );
    }
    let call = keys::wait(DEFAULT, "k", true, 10).unwrap();
    check(
        "observed wait on the default prefix",
        &request(&call, "http://127.0.0.1:24790"),
        &get_want("http://127.0.0.1:24790/v2/keys/k?recursive=true&wait=true&waitIndex=10"),
    );
}

/// etcd's own tests (#97): a watcher after `modifiedIndex - 1` first asks for `waitIndex =
/// modifiedIndex`; Go's TestHTTPKeysAPIWatcherAction (#61): after index 0 asks for 0.
#[test]
fn watch_after_index_97() {
    let w = Watch::new(DEFAULT, "/foo7", WatchOptions::default().after_index(41)).unwrap();
    assert_eq!(w.wait_index(), 42);
    let w = Watch::new(DEFAULT, "/foo7", WatchOptions::default()).unwrap();
    assert_eq!(w.wait_index(), 0);
    let w = Watch::new(
        DEFAULT,
        "/foo7",
        WatchOptions::default().after_index(19).recursive(true),
    )
    .unwrap();
    assert_eq!(w.wait_index(), 20);
}
