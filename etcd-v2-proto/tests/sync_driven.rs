//! Sync, auto-sync and selection modes (`docs/protocol.md#failover-and-pinning`): Go's
//! TestHTTPClusterClientSync* and TestHTTPClusterClientAutoSync* in `client/client_test.go`
//! (numbered #27–34 when collected).

mod support;

use std::time::Duration;

use etcd_v2_proto::{AutoSync, Config, EndpointSync, Error, SelectionMode};
use support::{Harness, refused, reply};

const MEMBERS: &str = r#"{"members":[
 {"id":"3","name":"node3","peerURLs":["http://127.0.0.1:2383"],"clientURLs":["http://127.0.0.1:4003"]},
 {"id":"1","name":"node1","peerURLs":["http://127.0.0.1:2381"],"clientURLs":["http://127.0.0.1:2379","http://127.0.0.1:4001"]},
 {"id":"2","name":"node2","peerURLs":["http://127.0.0.1:2382"],"clientURLs":["http://127.0.0.1:4002"]}]}"#;

fn leader(port: u16) -> String {
    format!(r#"{{"id":"x","name":"n","peerURLs":[],"clientURLs":["http://127.0.0.1:{port}"]}}"#)
}

#[test]
fn sync_replaces_the_endpoints_with_every_client_url() {
    // #27 (TestHTTPClusterClientSync)
    let mut h = Harness::ordered(&["http://127.0.0.1:2379"], Config::default());
    h.run(EndpointSync::new(), |req| {
        assert_eq!(req.uri().path(), "/v2/members");
        reply(200, &[], MEMBERS)
    })
    .unwrap();
    let mut eps = h.cluster.endpoints();
    eps.sort();
    assert_eq!(
        eps,
        [
            "http://127.0.0.1:2379",
            "http://127.0.0.1:4001",
            "http://127.0.0.1:4002",
            "http://127.0.0.1:4003"
        ]
    );
    h.cluster.set_endpoints(&["http://127.0.0.1:4009"]).unwrap();
    assert_eq!(h.cluster.endpoints(), ["http://127.0.0.1:4009"]);
}

#[test]
fn a_failed_sync_keeps_the_endpoints() {
    // #28, #30 (TestHTTPClusterClientSyncFail, TestHTTPClusterClientAutoSyncFail)
    let mut h = Harness::ordered(&["http://127.0.0.1:2379"], Config::default());
    let err = h.run(EndpointSync::new(), |_| refused()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("client: etcd cluster is unavailable or misconfigured")
    );
    assert_eq!(h.cluster.endpoints(), ["http://127.0.0.1:2379"]);
    let err = h
        .run(EndpointSync::new(), |_| {
            reply(200, &[], r#"{"members":[]}"#)
        })
        .unwrap_err();
    assert_eq!(err, Error::NoEndpoints);
    assert_eq!(h.cluster.endpoints(), ["http://127.0.0.1:2379"]);
}

#[test]
fn syncing_the_same_set_keeps_order_and_pin() {
    // #32 (TestHTTPClusterClientSyncPinEndpoint)
    let eps = [
        "http://127.0.0.1:4003",
        "http://127.0.0.1:2379",
        "http://127.0.0.1:4001",
        "http://127.0.0.1:4002",
    ];
    let mut h = Harness::ordered(&eps, Config::default());
    let pinned = h.cluster.pinned().unwrap().clone();
    for _ in 0..3 {
        h.run(EndpointSync::new(), |_| reply(200, &[], MEMBERS))
            .unwrap();
        assert_eq!(h.cluster.pinned().unwrap(), &pinned);
        assert_eq!(h.cluster.endpoints(), eps);
    }
}

#[test]
fn a_changed_member_list_is_shuffled_and_pin_reset() {
    // #33 (TestHTTPClusterClientSyncUnpinEndpoint) as a property: over many seeds every endpoint
    // gets pinned first sometimes.
    let mut firsts = std::collections::BTreeSet::new();
    for seed in 0..200 {
        let mut h = Harness::new(Config::new(["http://127.0.0.1:2379"]).seed(seed));
        h.run(EndpointSync::new(), |_| reply(200, &[], MEMBERS))
            .unwrap();
        assert_eq!(h.cluster.endpoints().len(), 4);
        firsts.insert(h.cluster.pinned().unwrap().as_str().to_string());
    }
    assert_eq!(firsts.len(), 4);
}

#[test]
fn prioritize_leader_pins_the_leader_without_shuffling() {
    // #34 (TestHTTPClusterClientSyncPinLeaderEndpoint)
    let config = Config::default().selection_mode(SelectionMode::PrioritizeLeader);
    let mut h = Harness::ordered(&["http://127.0.0.1:2379"], config);
    for leader_port in [4003, 4002] {
        h.sent.clear();
        h.run(EndpointSync::new(), |req| match req.uri().path() {
            "/v2/members" => reply(200, &[], MEMBERS),
            "/v2/members/leader" => reply(200, &[], &leader(leader_port)),
            other => panic!("{other}"),
        })
        .unwrap();
        assert_eq!(
            h.cluster.pinned().unwrap().as_str(),
            format!("http://127.0.0.1:{leader_port}")
        );
        // No shuffle: member order, listed from the pinned leader on (the order the next call
        // tries), and the leader lookup went to the new list's first entry.
        let members = [
            "http://127.0.0.1:4003",
            "http://127.0.0.1:2379",
            "http://127.0.0.1:4001",
            "http://127.0.0.1:4002",
        ];
        let at = members
            .iter()
            .position(|m| m.ends_with(&leader_port.to_string()));
        let mut tried = members.to_vec();
        tried.rotate_left(at.unwrap());
        assert_eq!(h.cluster.endpoints(), tried);
        assert_eq!(h.sent[1].endpoint, "http://127.0.0.1:4003");
    }
}

#[test]
fn prioritize_leader_without_a_leader_is_no_leader_endpoint() {
    let config = Config::default().selection_mode(SelectionMode::PrioritizeLeader);
    let mut h = Harness::ordered(&["http://127.0.0.1:2379"], config);
    let err = h
        .run(EndpointSync::new(), |req| match req.uri().path() {
            "/v2/members" => reply(200, &[], MEMBERS),
            _ => reply(503, &[], r#"{"message":"During election"}"#),
        })
        .unwrap_err();
    assert_eq!(err, Error::NoLeaderEndpoint);
    assert_eq!(h.cluster.endpoints(), ["http://127.0.0.1:2379"]);
}

#[test]
fn auto_sync_repeats_every_interval_until_a_sync_fails() {
    let mut h = Harness::ordered(&["http://127.0.0.1:2379"], Config::default());
    let mut n = 0;
    let err = h
        .run(AutoSync::new(Duration::from_secs(10)), |_| {
            n += 1;
            if n <= 3 {
                reply(200, &[], MEMBERS)
            } else {
                refused()
            }
        })
        .unwrap_err();
    assert!(matches!(err, Error::Cluster(_)));
    assert_eq!(h.waits, [Duration::from_secs(10); 3]);
}

#[test]
fn a_sync_timeout_covers_the_whole_sync() {
    let config = Config::default().header_timeout(None);
    let mut h = Harness::ordered(&["http://127.0.0.1:2379"], config);
    let err = h
        .run(EndpointSync::new().timeout(Duration::from_secs(3)), |_| {
            support::Answer::Stall
        })
        .unwrap_err();
    assert_eq!(err, Error::DeadlineExceeded);
    assert_eq!(h.now - h.start, Duration::from_secs(3));
    assert_eq!(h.cluster.endpoints(), ["http://127.0.0.1:2379"]);
}
