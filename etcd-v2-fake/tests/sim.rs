//! Scenarios through the real core against the in-memory fake etcd: keys, TTLs, watches,
//! history loss, failover, outcome-unknown, stalls, sync. Simulated time makes each run in
//! milliseconds; the conformance suite against real etcd remains the reference.

use etcd_v2_proto::body::Body;
use std::time::Duration;

use bytes::Bytes;
use etcd_v2_fake::{FakeReply, Sim, TtlOptions};
use etcd_v2_proto::{
    Action, AttemptFailure, Config, CreateInOrderOptions, DeleteOptions, Error, GetOptions,
    KeysResponse, Op, PrevExist, ResumePolicy, SelectionMode, SetOptions, Sync, TransportFailure,
    Watch, WatchOptions, WriteRetry, call,
};
use http::Response;

const P: &str = "/v2/keys";

fn set(key: &str, value: &str) -> Op<KeysResponse> {
    set_with(key, value, SetOptions::default())
}

fn set_with(key: &str, value: &str, opts: SetOptions) -> Op<KeysResponse> {
    Op::new(call::keys::set(P, key, value, &opts).unwrap())
}

fn get(key: &str) -> Op<KeysResponse> {
    get_with(key, GetOptions::default())
}

fn get_with(key: &str, opts: GetOptions) -> Op<KeysResponse> {
    Op::new(call::keys::get(P, key, opts).unwrap())
}

fn create(key: &str, value: &str) -> Op<KeysResponse> {
    Op::new(call::keys::create(P, key, value).unwrap())
}

fn delete(key: &str, opts: DeleteOptions) -> Op<KeysResponse> {
    Op::new(call::keys::delete(P, key, &opts).unwrap())
}

fn watch(key: &str, opts: WatchOptions) -> Watch {
    Watch::new(P, key, opts).unwrap()
}

fn value(r: &KeysResponse) -> &str {
    r.node.as_ref().unwrap().value_str()
}

fn code(e: &Error) -> (u16, &str, u64) {
    let etcd = e
        .etcd()
        .unwrap_or_else(|| panic!("not an etcd error: {e:?}"));
    (etcd.code.as_u16(), etcd.cause.as_str(), etcd.index)
}

/// Sends a hand-made request to member 0 and returns the answer.
fn raw(sim: &mut Sim, method: &str, path_and_query: &str, body: &str) -> Response<Body> {
    let mut b = http::Request::builder()
        .method(method)
        .uri(format!("http://10.0.0.1:2379{path_and_query}"));
    if !body.is_empty() {
        b = b.header("Content-Type", "application/x-www-form-urlencoded");
    }
    match sim
        .fake
        .handle(sim.now, &b.body(Bytes::from(body.to_string())).unwrap())
    {
        FakeReply::Response(r) => r,
        other => panic!("no answer: {other:?}"),
    }
}

/// The body, which the fake sends in one chunk.
fn text(r: &Response<Body>) -> &str {
    let mut chunks = r.body().chunks();
    let one = chunks.next().map_or(&[][..], |c| &c[..]);
    assert!(chunks.next().is_none(), "one chunk");
    std::str::from_utf8(one).unwrap()
}

fn header<'a>(r: &'a Response<Body>, name: &str) -> &'a str {
    r.headers().get(name).map_or("", |v| v.to_str().unwrap())
}

#[test]
fn set_get_and_the_wire_format_of_a_fresh_cluster() {
    let mut sim = Sim::new(1);
    // The first write on a fresh etcd 3.4 member, as it answers it byte for byte: index 4
    // (1–3 went to membership), raft index 6.
    let r = raw(&mut sim, "PUT", "/v2/keys/foo", "value=bar");
    assert_eq!(r.status(), 201);
    assert_eq!(
        text(&r),
        "{\"action\":\"set\",\"node\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":4,\"createdIndex\":4}}\n"
    );
    assert_eq!(header(&r, "X-Etcd-Index"), "4");
    assert_eq!(header(&r, "X-Raft-Index"), "6");
    assert_eq!(header(&r, "X-Raft-Term"), "2");
    assert_eq!(header(&r, "X-Etcd-Cluster-Id"), "cdf818194e3a8c32");
    assert_eq!(header(&r, "Content-Type"), "application/json");
    // Through the core: an overwrite carries the previous node and answers 200.
    let r = sim.run(set("/foo", "baz")).unwrap();
    assert_eq!(r.action, Action::Set);
    assert_eq!(r.prev_node.as_ref().unwrap().value.as_deref(), Some("bar"));
    assert_eq!((r.node.as_ref().unwrap().created_index, r.index), (5, 5));
    let r = sim.run(get("/foo")).unwrap();
    assert_eq!((value(&r), r.index, r.raft_term), ("baz", 5, Some(2)));
    assert_eq!(r.cluster_id.as_deref(), Some("cdf818194e3a8c32"));
    let e = sim.run(get("/nope/deeper")).unwrap_err();
    assert!(e.is_key_not_found());
    assert_eq!(code(&e), (100, "/nope", 5));
    // Go's HTML-safe JSON escapes, `+` as a space in forms, `%XX` in paths.
    let r = raw(&mut sim, "PUT", "/v2/keys/a%20b", "value=%3Ca+%26b%3E");
    assert!(
        text(&r).contains(r#""key":"/a b","value":"\u003ca \u0026b\u003e""#),
        "{}",
        text(&r)
    );
    assert_eq!(
        sim.run(get("/a b")).map(|r| value(&r).to_string()).unwrap(),
        "<a &b>"
    );
}

#[test]
fn compare_and_swap_and_compare_and_delete() {
    let mut sim = Sim::new(1);
    sim.run(set("/k", "v1")).unwrap();
    let cas = |v: Option<&str>, i: Option<u64>| {
        let prev_value = v.map(String::from);
        set_with(
            "/k",
            "v2",
            SetOptions {
                prev_value,
                prev_index: i,
                ..Default::default()
            },
        )
    };
    assert_eq!(
        code(&sim.run(cas(Some("wrong"), None)).unwrap_err()),
        (101, "[wrong != v1]", 4)
    );
    assert_eq!(
        code(&sim.run(cas(None, Some(1))).unwrap_err()),
        (101, "[1 != 4]", 4)
    );
    let both = sim.run(cas(Some("wrong"), Some(1))).unwrap_err();
    assert!(both.is_test_failed());
    assert_eq!(code(&both).1, "[wrong != v1] [1 != 4]");
    let r = sim.run(cas(Some("v1"), Some(4))).unwrap();
    assert_eq!(r.action, Action::CompareAndSwap);
    let node = r.node.unwrap();
    assert_eq!((node.created_index, node.modified_index), (4, 5));

    let e = sim
        .run(delete("/k", DeleteOptions::default().prev_index(4)))
        .unwrap_err();
    assert_eq!(code(&e), (101, "[4 != 5]", 5));
    let r = sim
        .run(delete("/k", DeleteOptions::default().prev_value("v2")))
        .unwrap();
    assert_eq!(r.action, Action::CompareAndDelete);
    assert_eq!(r.node.as_ref().unwrap().value, None);
    assert_eq!(r.prev_node.unwrap().value.as_deref(), Some("v2"));
    assert!(sim.run(get("/k")).unwrap_err().is_key_not_found());
}

#[test]
fn create_update_and_create_in_order() {
    let mut sim = Sim::new(1);
    assert_eq!(sim.run(create("/c", "1")).unwrap().action, Action::Create);
    let e = sim.run(create("/c", "2")).unwrap_err();
    assert!(e.is_node_exist());
    assert_eq!(code(&e), (105, "/c", 4));
    let update = |k: &str| Op::new(call::keys::update(P, k, "u").unwrap());
    assert_eq!(
        code(&sim.run(update("/nope/nope")).unwrap_err()),
        (100, "/nope", 4)
    );
    let r = sim.run(update("/c")).unwrap();
    assert_eq!(
        (r.action, r.prev_node.unwrap().value.unwrap()),
        (Action::Update, "1".into())
    );

    let post = |v: &str| {
        Op::new(
            call::keys::create_in_order(P, "/queue", v, CreateInOrderOptions::default()).unwrap(),
        )
    };
    let keys: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|v| sim.run(post(v)).unwrap().node.unwrap().key)
        .collect();
    assert_eq!(
        keys,
        [
            "/queue/00000000000000000006",
            "/queue/00000000000000000007",
            "/queue/00000000000000000008"
        ]
    );
    let listed = sim
        .run(get_with("/queue", GetOptions::default().sort(true)))
        .unwrap()
        .node
        .unwrap();
    let values: Vec<&str> = listed.nodes.iter().map(|n| n.value_str()).collect();
    assert_eq!(values, ["a", "b", "c"]);
    // In-order create under a file: the file is not a directory.
    assert_eq!(
        code(
            &sim.run(Op::new(
                call::keys::create_in_order(P, "/c", "x", CreateInOrderOptions::default()).unwrap()
            ))
            .unwrap_err()
        ),
        (104, "/c", 8)
    );
}

#[test]
fn directories_hidden_keys_and_the_root() {
    let mut sim = Sim::new(1);
    let r = sim
        .run(set_with("/d", "", SetOptions::default().dir(true)))
        .unwrap();
    assert!(r.node.unwrap().dir);
    for (k, v) in [("/d/a", "1"), ("/d/_hidden", "h"), ("/d/sub/x", "2")] {
        sim.run(set(k, v)).unwrap();
    }
    let flat = sim.run(get("/d")).unwrap().node.unwrap();
    let keys: Vec<(&str, bool, usize)> = flat
        .nodes
        .iter()
        .map(|n| (n.key.as_str(), n.dir, n.nodes.len()))
        .collect();
    assert_eq!(keys, [("/d/a", false, 0), ("/d/sub", true, 0)]);
    let deep = sim
        .run(get_with("/d", GetOptions::default().recursive(true)))
        .unwrap()
        .node
        .unwrap();
    assert_eq!(deep.nodes[1].nodes[0].value.as_deref(), Some("2"));
    assert_eq!(value(&sim.run(get("/d/_hidden")).unwrap()), "h");
    assert_eq!(code(&sim.run(get("/d/a/x")).unwrap_err()).0, 104);
    assert_eq!(code(&sim.run(set("/d", "v")).unwrap_err()), (102, "/d", 7));
    assert_eq!(
        code(&sim.run(delete("/d", DeleteOptions::default())).unwrap_err()).0,
        102
    );
    assert_eq!(
        code(
            &sim.run(delete("/d", DeleteOptions::default().dir(true)))
                .unwrap_err()
        )
        .0,
        108
    );
    let r = sim
        .run(delete("/d", DeleteOptions::default().recursive(true)))
        .unwrap();
    assert!(r.node.as_ref().unwrap().dir && r.prev_node.unwrap().dir);
    assert!(sim.run(get("/d/sub/x")).unwrap_err().is_key_not_found());
    // The root: listed without key or indexes, and read only.
    let root = sim.run(get("/")).unwrap().node.unwrap();
    assert!(root.dir && root.key.is_empty() && root.created_index == 0);
    assert_eq!(
        code(
            &sim.run(delete("/", DeleteOptions::default().recursive(true)))
                .unwrap_err()
        )
        .0,
        107
    );
    let r = raw(&mut sim, "PUT", "/v2/keys/", "value=x");
    assert_eq!(
        (r.status().as_u16(), text(&r)),
        (
            400,
            "{\"errorCode\":107,\"message\":\"Root is read only\",\"cause\":\"/\",\"index\":8}\n"
        )
    );
}

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
    sim.run(Sync::new()).unwrap();
    let mut eps = sim.cluster.endpoints();
    eps.sort();
    assert_eq!(eps, sim.fake.client_urls());

    let config = Config::new([first]).selection_mode(SelectionMode::PrioritizeLeader);
    let mut sim = Sim::with_config(3, config).unwrap();
    sim.fake.leader = Some(2);
    sim.run(Sync::new()).unwrap();
    assert_eq!(sim.pinned_member(), Some(2));
    // No leader: every member answers 503 to the leader lookup.
    sim.fake.leader = None;
    assert_eq!(sim.run(Sync::new()).unwrap_err(), Error::NoLeaderEndpoint);
    let health = raw(&mut sim, "GET", "/health", "");
    assert_eq!(
        (health.status().as_u16(), text(&health)),
        (503, "{\"health\":\"false\"}\n")
    );
}

#[test]
fn request_validation_errors_are_the_real_servers() {
    let mut sim = Sim::new(1);
    let cases = [
        (
            "PUT",
            "/v2/keys/k?prevValue=",
            "value=x",
            201,
            r#""\"prevValue\" cannot be empty""#,
        ),
        (
            "PUT",
            "/v2/keys/k",
            "value=x&ttl=abc",
            202,
            r#""invalid value for \"ttl\"""#,
        ),
        (
            "GET",
            "/v2/keys/k?wait=true&waitIndex=x",
            "",
            203,
            r#""invalid value for \"waitIndex\"""#,
        ),
        (
            "PUT",
            "/v2/keys/k?wait=true",
            "value=x",
            209,
            r#""\"wait\" can only be used with GET requests""#,
        ),
        (
            "GET",
            "/v2/keys/k?recursive=yes",
            "",
            209,
            r#""invalid value for \"recursive\"""#,
        ),
        (
            "PUT",
            "/v2/keys/k",
            "value=%zz",
            210,
            r#""invalid URL escape \"%zz\"""#,
        ),
        (
            "PUT",
            "/v2/keys/k",
            "refresh=true&ttl=5&value=v",
            211,
            r#""A value was provided on a refresh""#,
        ),
        (
            "PUT",
            "/v2/keys/k",
            "refresh=true",
            212,
            r#""No TTL value set""#,
        ),
    ];
    for (method, url, body, code, cause) in cases {
        let r = raw(&mut sim, method, url, body);
        assert_eq!(r.status(), 400, "{url} {body}");
        assert_eq!(header(&r, "X-Etcd-Index"), "0");
        let text = text(&r);
        assert!(
            text.starts_with(&format!("{{\"errorCode\":{code},")),
            "{text}"
        );
        assert!(
            text.ends_with(&format!("\"cause\":{cause},\"index\":0}}\n")),
            "{text}"
        );
    }
    let r = raw(&mut sim, "GET", "/v2/keys/nope", "");
    assert_eq!(
        (r.status().as_u16(), header(&r, "X-Etcd-Index")),
        (404, "3")
    );
    let r = raw(&mut sim, "PATCH", "/v2/keys/k", "");
    assert_eq!(
        (r.status().as_u16(), header(&r, "Allow")),
        (405, "HEAD,GET,PUT,POST,DELETE")
    );
    let r = raw(
        &mut sim,
        "PUT",
        "/v2/keys/n?noValueOnSuccess=true",
        "value=v",
    );
    assert_eq!(
        (r.status().as_u16(), text(&r)),
        (201, "{\"action\":\"set\"}\n")
    );
    let r = raw(&mut sim, "HEAD", "/v2/keys/n", "");
    assert_eq!(
        (r.status().as_u16(), text(&r), header(&r, "X-Etcd-Index")),
        (200, "", "4")
    );
    let r = raw(&mut sim, "GET", "/version", "");
    assert_eq!(text(&r), r#"{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}"#);
    assert_eq!(raw(&mut sim, "GET", "/v2/stats/self", "").status(), 404);
    // The same parameters through the core: prev_exist=false is a create, 412 on repeat.
    sim.run(set_with(
        "/k",
        "v",
        SetOptions::default().prev_exist(PrevExist::NoExist),
    ))
    .unwrap();
    let r = raw(&mut sim, "PUT", "/v2/keys/k?prevExist=false", "value=v");
    assert_eq!(r.status(), 412);
}
