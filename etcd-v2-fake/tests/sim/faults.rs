//! Faults: failover from a down member, outcome-unknown writes, opt-in re-sending, a stalled
//! member, and sync learning the members.

use std::time::Duration;

use etcd_v2_fake::Sim;
use etcd_v2_proto::{
    Action, AttemptFailure, Config, DeleteOptions, EndpointSync, Error, SelectionMode, SetOptions,
    TransportFailure, WriteRetry,
};

use crate::{create, delete, get, raw, set, set_with, text, value};

#[test]
fn failover_when_the_pinned_member_is_down() {
    let mut sim = Sim::new(3);
    sim.run(set("/f", "v")).unwrap();
    let pinned = sim.pinned_member().unwrap();
    sim.fake.members[pinned].down = true;
    sim.requests.clear();
    assert_eq!(value(&sim.run(get("/f")).unwrap()), "v");
    let tried = sim.members_tried();
    assert_eq!(tried.len(), 2);
    assert_eq!(tried[0], Some(pinned));
    assert_eq!(sim.pinned_member(), tried[1]);
    // Every member down: one connect failure per member, in order, pin unchanged.
    for m in &mut sim.fake.members {
        m.down = true;
    }
    let Error::Cluster(ce) = sim.run(get("/f")).unwrap_err() else {
        panic!()
    };
    assert_eq!(ce.failures.len(), 3);
    assert!(
        ce.failures
            .iter()
            .all(|(_, f)| matches!(f, AttemptFailure::Transport(TransportFailure::Connect(_))))
    );
    // A refused connection sent nothing: even a create fails over safely.
    sim.fake.members[tried[1].unwrap()].heal();
    assert_eq!(sim.run(create("/new", "x")).unwrap().action, Action::Create);
}

#[test]
fn outcome_unknown_really_means_maybe_applied() {
    let mut sim = Sim::new(3);
    sim.run(get("/")).unwrap();
    let pinned = sim.pinned_member().unwrap();
    sim.fake.members[pinned].drop_after_send = true;
    sim.requests.clear();
    let e = sim.run(create("/once", "x")).unwrap_err();
    let Some(unknown) = e.outcome_unknown() else {
        panic!("{e:?}")
    };
    let failure = &unknown.failure;
    assert_eq!(
        failure,
        &AttemptFailure::Transport(TransportFailure::Io("EOF".into()))
    );
    assert_eq!(sim.requests.len(), 1, "a create is never re-sent");
    // The fake applied it before dropping the connection.
    assert_eq!(sim.fake.store.value(sim.now, "/once").as_deref(), Some("x"));
    // The pin moved on (Go's one-shot rule), so trying again reaches a healthy member, which
    // proves the first attempt had been applied.
    assert_ne!(sim.pinned_member(), Some(pinned));
    assert!(sim.run(create("/once", "x")).unwrap_err().is_node_exist());
    // A plain set is sent once too: applied once, reported unknown.
    let pinned = sim.pinned_member().unwrap();
    sim.fake.members[pinned].drop_after_send = true;
    let before = sim.fake.store.index();
    assert!(sim.run(set("/once", "y")).unwrap_err().is_outcome_unknown());
    assert_eq!(sim.fake.store.index(), before + 1);
}

#[test]
fn re_sending_writes_is_opt_in_and_applies_them_twice() {
    let config = Config::default().write_retry(WriteRetry::ResendIdempotent);
    let mut sim = Sim::with_config(3, config).unwrap();
    sim.run(get("/")).unwrap();
    let pinned = sim.pinned_member().unwrap();
    sim.fake.members[pinned].drop_after_send = true;
    let before = sim.fake.store.index();
    sim.run(set("/twice", "y")).unwrap();
    assert_eq!(sim.fake.store.index(), before + 2, "the ghost-write hazard");

    // Go's behaviour for a compare-and-swap: applied by the first attempt, refused (101) on
    // the second because of it. Reported as unknown with the refusal inside, not as failed.
    let config = Config::default().write_retry(WriteRetry::ResendAll);
    let mut sim = Sim::with_config(3, config).unwrap();
    let v0 = sim.run(set("/cas", "v0")).unwrap();
    let index = v0.node.unwrap().modified_index;
    let pinned = sim.pinned_member().unwrap();
    sim.fake.members[pinned].drop_after_send = true;
    let e = sim
        .run(set_with(
            "/cas",
            "v1",
            SetOptions::default().prev_index(index),
        ))
        .unwrap_err();
    let Some(unknown) = e.outcome_unknown() else {
        panic!("{e:?}")
    };
    let (answer, index_before) = (&unknown.answer, &unknown.index_before);
    assert!(answer.as_ref().is_some_and(Error::is_test_failed), "{e:?}");
    assert_eq!(*index_before, Some(index));
    assert_eq!(sim.fake.store.value(sim.now, "/cas").as_deref(), Some("v1"));
}

#[test]
fn a_stalled_member_costs_one_header_timeout() {
    let config = Config::default().header_timeout(Some(Duration::from_secs(2)));
    let mut sim = Sim::with_config(2, config).unwrap();
    sim.run(set("/s", "v")).unwrap();
    let pinned = sim.pinned_member().unwrap();
    sim.fake.members[pinned].stalled = true;
    let start = sim.elapsed();
    assert_eq!(value(&sim.run(get("/s")).unwrap()), "v");
    assert_eq!(sim.elapsed() - start, Duration::from_secs(2));
    assert_ne!(sim.pinned_member(), Some(pinned));
    // A create to a stalled member: outcome unknown (here it was not applied: "maybe").
    let other = sim.pinned_member().unwrap();
    sim.fake.members[other].stalled = true;
    let e = sim.run(create("/s2", "v")).unwrap_err();
    let Some(AttemptFailure::HeaderTimeout { .. }) = e.outcome_unknown().map(|u| &u.failure) else {
        panic!("{e:?}")
    };
    assert_eq!(sim.fake.store.value(sim.now, "/s2"), None);
    // A 5xx member fails over for reads, and is outcome-unknown for deletes.
    sim.fake.members[other].heal();
    sim.fake.members[pinned].heal();
    let now_pinned = sim.pinned_member().unwrap();
    sim.fake.members[now_pinned].fail_with = Some(503);
    assert_eq!(value(&sim.run(get("/s")).unwrap()), "v");
    let now_pinned = sim.pinned_member().unwrap();
    sim.fake.members[now_pinned].fail_with = Some(500);
    let e = sim.run(delete("/s", DeleteOptions::default())).unwrap_err();
    assert!(matches!(
        e.outcome_unknown().map(|u| &u.failure),
        Some(AttemptFailure::NoLeader { status: 500, .. })
    ));
    assert_eq!(sim.fake.store.value(sim.now, "/s").as_deref(), Some("v"));
}

#[test]
fn sync_learns_every_member_and_can_prefer_the_leader() {
    let first = Sim::new(3).fake.members[0].url().to_string();
    let mut sim = Sim::with_config(3, Config::new([first.clone()])).unwrap();
    assert_eq!(sim.cluster.endpoints(), std::slice::from_ref(&first));
    sim.run(EndpointSync::new()).unwrap();
    let mut eps = sim.cluster.endpoints();
    eps.sort();
    assert_eq!(eps, sim.fake.client_urls());

    let config = Config::new([first]).selection_mode(SelectionMode::PrioritizeLeader);
    let mut sim = Sim::with_config(3, config).unwrap();
    sim.fake.leader = Some(2);
    sim.run(EndpointSync::new()).unwrap();
    assert_eq!(sim.pinned_member(), Some(2));
    // No leader: every member answers 503 to the leader lookup.
    sim.fake.leader = None;
    assert_eq!(
        sim.run(EndpointSync::new()).unwrap_err(),
        Error::NoLeaderEndpoint
    );
    let health = raw(&mut sim, "GET", "/health", "");
    assert_eq!(
        (health.status().as_u16(), text(&health)),
        (503, "{\"health\":\"false\"}\n")
    );
}
