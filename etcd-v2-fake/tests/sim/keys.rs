//! Keys: set and get and their wire format, compare-and-swap and compare-and-delete, create,
//! update and create-in-order, directories, hidden keys and the root.

use etcd_v2_fake::Sim;
use etcd_v2_proto::{
    Action, CreateInOrderOptions, DeleteOptions, GetOptions, Op, SetOptions, call,
};

use crate::{P, code, create, delete, get, get_with, header, raw, set, set_with, text, value};

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
