//! TTLs on simulated time, watches that see every write, and the history window: 401, then
//! resume.

use std::time::Duration;

use etcd_v2_fake::{Sim, TtlOptions};
use etcd_v2_proto::{Action, Error, ResumePolicy, SetOptions, WatchOptions};

use crate::{code, get, set, set_with, value, watch};

#[test]
fn ttls_count_down_and_expire_on_simulated_time() {
    let mut sim = Sim::new(1);
    let r = sim
        .run(set_with(
            "/t",
            "v",
            SetOptions::default().ttl(Duration::from_secs(5)),
        ))
        .unwrap();
    let node = r.node.unwrap();
    assert_eq!(node.ttl, Some(5));
    assert_eq!(node.expiration.unwrap().to_string(), "2026-01-01T00:00:05Z");
    sim.advance(Duration::from_millis(2500));
    assert_eq!(sim.run(get("/t")).unwrap().node.unwrap().ttl, Some(3));
    sim.advance(Duration::from_millis(2499));
    assert_eq!(sim.run(get("/t")).unwrap().node.unwrap().ttl, Some(1));
    sim.advance(Duration::from_millis(1));
    let e = sim.run(get("/t")).unwrap_err();
    assert_eq!(code(&e), (100, "/t", 5)); // the expiry took index 5
    let ev = sim
        .run(watch("/t", WatchOptions::default().after_index(4)))
        .unwrap();
    assert_eq!(ev.action, Action::Expire);
    assert_eq!(ev.node.as_ref().unwrap().modified_index, 5);
    assert_eq!(ev.prev_node.unwrap().value.as_deref(), Some("v"));

    // A refresh resets the TTL without waking the watch, which then sees the expiry: the sim
    // jumps straight to it.
    let r = sim
        .run(set_with(
            "/r",
            "v",
            SetOptions::default().ttl(Duration::from_secs(10)),
        ))
        .unwrap();
    let start = sim.elapsed();
    let mut w = watch("/r", WatchOptions::default().after_index(r.index));
    let refresh = SetOptions::default()
        .ttl(Duration::from_secs(10))
        .refresh(true);
    let ev = sim
        .run_with(&mut w, |fake, now| {
            let ttl = TtlOptions {
                ttl: Some(Duration::from_secs(10)),
                refresh: true,
            };
            assert!(fake.store.set(now, "/r", Some(""), ttl).unwrap().refresh);
        })
        .unwrap();
    assert_eq!(ev.action, Action::Expire);
    assert_eq!(sim.elapsed() - start, Duration::from_secs(10));
    // Refresh through the client: `set` (not `update`) resets createdIndex: etcd
    // stores the refreshed key as a new node.
    sim.run(set_with(
        "/r2",
        "v",
        SetOptions::default().ttl(Duration::from_secs(3)),
    ))
    .unwrap();
    let r = sim.run(set_with("/r2", "", refresh)).unwrap();
    assert_eq!(value(&r), "v");
    assert_eq!(r.node.as_ref().unwrap().created_index, r.index);
}

#[test]
fn a_watch_sees_every_one_of_50_writes_in_order() {
    let mut sim = Sim::new(1);
    // Live: each poll is pending until the hook writes.
    let mut w = watch(
        "/w",
        WatchOptions::default().after_index(sim.fake.store.index()),
    );
    let mut last = 0;
    for i in 0..50 {
        let ev = sim
            .run_with(&mut w, |fake, now| {
                fake.store
                    .set(now, "/other", Some("noise"), TtlOptions::default())
                    .unwrap();
                fake.store
                    .set(now, "/w", Some(&format!("v{i}")), TtlOptions::default())
                    .unwrap();
            })
            .unwrap();
        let node = ev.node.unwrap();
        assert_eq!(node.value.unwrap(), format!("v{i}"));
        assert!(node.modified_index > last);
        last = node.modified_index;
        assert_eq!(w.wait_index(), last + 1);
    }
    // From history: 50 writes first, then a recursive watch replays them without waiting (a
    // pending poll with no hook, TTL or deadline would make the sim panic).
    let after = sim.fake.store.index();
    for i in 0..50 {
        sim.run(set(&format!("/h/{i}"), "x")).unwrap();
    }
    let mut w = watch(
        "/h",
        WatchOptions::default().recursive(true).after_index(after),
    );
    for i in 0..50 {
        let ev = sim.run(&mut w).unwrap();
        assert_eq!(ev.node.unwrap().key, format!("/h/{i}"));
        assert_eq!(ev.index, sim.fake.store.index()); // X-Etcd-Index: when the poll was registered
    }
}

#[test]
fn deleting_a_directory_notifies_watches_below_it() {
    let mut sim = Sim::new(1);
    sim.run(set("/wd/child", "v")).unwrap();
    let mut w = watch("/wd/child", WatchOptions::default());
    let ev = sim
        .run_with(&mut w, |fake, now| {
            fake.store.delete(now, "/wd", true, true).unwrap();
        })
        .unwrap();
    let node = ev.node.unwrap();
    assert_eq!(
        (ev.action, node.key.as_str(), node.dir),
        (Action::Delete, "/wd", true)
    );
    assert_eq!(ev.index, 4); // registered at 4, the event is 5
    assert_eq!(w.wait_index(), node.modified_index + 1);
}

#[test]
fn history_of_1000_events_then_401_then_resume() {
    let mut sim = Sim::new(1);
    let first = sim.fake.store.index() + 1;
    for i in 0..1100 {
        sim.run(set("/busy", &i.to_string())).unwrap();
    }
    let current = sim.fake.store.index();
    let oldest = current - 999;
    let mut w = watch("/busy", WatchOptions::default().after_index(first - 1));
    for _ in 0..2 {
        // Go's behaviour: the same error again and again, the watch does not move.
        let e = sim.run(&mut w).unwrap_err();
        assert!(e.is_event_index_cleared());
        let cause = format!("the requested history has been cleared [{oldest}/{first}]");
        assert_eq!(code(&e), (401, cause.as_str(), current));
        assert_eq!(w.wait_index(), first);
    }
    // Documented recovery: continue after the error's index.
    let index = sim.run(&mut w).unwrap_err().etcd().unwrap().index;
    w.resume_after(index);
    let ev = sim
        .run_with(&mut w, |fake, now| {
            fake.store
                .set(now, "/busy", Some("after"), TtlOptions::default())
                .unwrap();
        })
        .unwrap();
    assert_eq!(value(&ev), "after");
    // Opt-in resume: reported once as lost events, then the watch goes on.
    let mut w = watch(
        "/busy",
        WatchOptions::default()
            .after_index(first)
            .resume(ResumePolicy::FromCurrentIndex),
    );
    let e = sim.run(&mut w).unwrap_err();
    assert_eq!(
        e,
        Error::EventsLost {
            requested: first + 1,
            resumed_at: current + 2
        }
    );
}
