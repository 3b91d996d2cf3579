//! Plain keys operations: set, get, create, update, delete, in-order create, quorum reads,
//! `noValueOnSuccess`, hidden keys.

use std::time::Duration;

use etcd_v2_proto::{
    Action, Api, Config, CreateInOrderOptions, DeleteOptions, GetOptions, SetOptions, WatchOptions,
};

use super::{Check, Ctx, child_keys, expect_code, node};

/// Set creates then overwrites (with `prevNode`); get reads back; headers are decoded.
pub fn keys_set_get(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("foo");
    let first = ctx
        .sut
        .set(&k, "bar", SetOptions::default())
        .ctx("set new key")?;
    ensure_eq!(first.action, Action::Set, "action of a first set");
    let n = node(&first)?;
    ensure_eq!(n.key, k, "key of the set node");
    ensure_eq!(n.value.as_deref(), Some("bar"), "value of the set node");
    ensure_eq!(
        n.created_index,
        n.modified_index,
        "a new node's created/modified index"
    );
    ensure!(
        first.prev_node.is_none(),
        "a new key has no prevNode: {first:?}"
    );
    ensure!(
        first.index >= n.modified_index,
        "X-Etcd-Index {} < modifiedIndex {}",
        first.index,
        n.modified_index
    );
    ensure!(
        first.cluster_id.as_deref().is_some_and(|id| !id.is_empty()),
        "no X-Etcd-Cluster-Id: {first:?}"
    );
    ensure!(
        first.raft_index.is_some() && first.raft_term.is_some(),
        "no X-Raft-Index/Term: {first:?}"
    );

    let second = ctx
        .sut
        .set(&k, "baz", SetOptions::default())
        .ctx("overwrite")?;
    ensure_eq!(second.action, Action::Set, "action of an overwrite");
    let prev = second
        .prev_node
        .as_ref()
        .ok_or("an overwrite has a prevNode")?;
    ensure_eq!(prev.value.as_deref(), Some("bar"), "prevNode value");
    ensure_eq!(
        prev.modified_index,
        n.modified_index,
        "prevNode modifiedIndex"
    );
    let n2 = node(&second)?;
    ensure!(
        n2.modified_index > n.modified_index,
        "modifiedIndex did not grow: {second:?}"
    );

    let got = ctx.sut.get(&k, GetOptions::default()).ctx("get")?;
    ensure_eq!(got.action, Action::Get, "action of a get");
    let g = node(&got)?;
    ensure_eq!(g.value.as_deref(), Some("baz"), "value read back");
    ensure_eq!(
        g.modified_index,
        n2.modified_index,
        "modifiedIndex read back"
    );
    ensure!(
        !g.dir && g.ttl.is_none() && g.expiration.is_none(),
        "plain key: {g:?}"
    );

    // Empty and awkward values round-trip byte for byte.
    for value in ["", "line1\nline2 \"q\" <a&b>é", "a b&c=d+e%ü€ %20 ?#"] {
        ctx.sut
            .set(&k, value, SetOptions::default())
            .ctx(format!("set {value:?}"))?;
        let got = ctx.sut.get(&k, GetOptions::default()).ctx("get back")?;
        ensure_eq!(node(&got)?.value.as_deref(), Some(value), "value read back");
    }
    Ok(())
}

/// Create needs the key absent (105 otherwise); update needs it present (100 otherwise).
pub fn keys_create_update(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    // The cause of 100 is the path up to the first missing component.
    let e = expect_code(ctx.sut.update(&k, "u"), 100, "update of a missing key")?;
    let ancestor = k
        .strip_prefix(e.cause.as_str())
        .is_some_and(|rest| rest.starts_with('/') && e.cause.starts_with("/conformance"));
    ensure!(
        ancestor,
        "cause {:?} of 100 is a missing ancestor of {k}",
        e.cause
    );
    ctx.sut
        .set(&ctx.key("sibling"), "s", SetOptions::default())
        .ctx("set sibling")?;
    let e = expect_code(ctx.sut.update(&k, "u"), 100, "update of a missing key")?;
    ensure_eq!(e.cause, k, "cause of 100 when only the key is missing");

    let created = ctx.sut.create(&k, "c").ctx("create")?;
    ensure_eq!(created.action, Action::Create, "action of create");
    ensure_eq!(node(&created)?.value.as_deref(), Some("c"), "created value");
    ensure!(created.prev_node.is_none(), "create has no prevNode");

    let err = expect_code(
        ctx.sut.create(&k, "again"),
        105,
        "create of an existing key",
    )?;
    ensure_eq!(err.message, "Key already exists", "message of 105");
    let err = ctx.sut.create(&k, "again").expect_err("create again");
    ensure!(err.is_node_exist(), "is_node_exist() on 105: {err:?}");

    let updated = ctx.sut.update(&k, "u").ctx("update")?;
    ensure_eq!(updated.action, Action::Update, "action of update");
    let n = node(&updated)?;
    ensure_eq!(n.value.as_deref(), Some("u"), "updated value");
    ensure_eq!(
        n.created_index,
        node(&created)?.created_index,
        "update keeps createdIndex"
    );
    ensure_eq!(
        updated.prev_node.as_ref().and_then(|p| p.value.as_deref()),
        Some("c"),
        "prevNode of update"
    );
    let got = ctx.sut.get(&k, GetOptions::default()).ctx("get")?;
    ensure_eq!(
        node(&got)?.value.as_deref(),
        Some("u"),
        "value after update"
    );
    Ok(())
}

/// Delete returns the deleted node without value and the prevNode; a second delete is 100.
pub fn keys_delete(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("gone");
    let set = ctx.sut.set(&k, "v", SetOptions::default()).ctx("set")?;
    let del = ctx.sut.delete(&k, DeleteOptions::default()).ctx("delete")?;
    ensure_eq!(del.action, Action::Delete, "action of delete");
    let n = node(&del)?;
    ensure_eq!(n.key, k, "deleted key");
    ensure!(n.value.is_none(), "a deleted node has no value: {n:?}");
    ensure_eq!(
        n.created_index,
        node(&set)?.created_index,
        "createdIndex of the deleted node"
    );
    ensure!(
        n.modified_index > node(&set)?.modified_index,
        "delete bumps modifiedIndex"
    );
    ensure_eq!(
        del.prev_node.as_ref().and_then(|p| p.value.as_deref()),
        Some("v"),
        "prevNode of delete"
    );
    let err = ctx
        .sut
        .get(&k, GetOptions::default())
        .expect_err("get deleted key");
    ensure!(
        err.is_key_not_found(),
        "get after delete: is_key_not_found() on {err:?}"
    );
    expect_code(
        ctx.sut.delete(&k, DeleteOptions::default()),
        100,
        "second delete",
    )?;
    Ok(())
}

/// POST creates 20-digit, index-named keys in order; the listing sorts them the same way;
/// POST to a file is 104.
pub fn keys_create_in_order(ctx: &Ctx<'_>) -> Result<(), String> {
    let dir = ctx.key("queue");
    let mut names = Vec::new();
    for i in 0..5 {
        let r = ctx
            .sut
            .create_in_order(&dir, &format!("job{i}"), CreateInOrderOptions::default())
            .ctx("create in order")?;
        ensure_eq!(r.action, Action::Create, "action of an in-order create");
        let n = node(&r)?;
        let name = n
            .key
            .strip_prefix(&format!("{dir}/"))
            .ok_or_else(|| format!("{} is not inside {dir}", n.key))?
            .to_owned();
        ensure!(
            name.len() == 20 && name.bytes().all(|b| b.is_ascii_digit()),
            "not a 20-digit name: {name:?}"
        );
        ensure_eq!(
            name.parse::<u64>().ok(),
            Some(n.created_index),
            "the name is the created index"
        );
        names.push(n.key.clone());
    }
    ensure!(
        names.windows(2).all(|w| w[0] < w[1]),
        "names not increasing: {names:?}"
    );

    let listed = ctx
        .sut
        .get(&dir, GetOptions::default().sort(true))
        .ctx("sorted listing")?;
    let l = node(&listed)?;
    ensure!(l.dir, "the in-order parent is a directory: {l:?}");
    ensure_eq!(
        child_keys(l),
        names.iter().map(String::as_str).collect::<Vec<_>>(),
        "sorted listing"
    );
    let values: Vec<&str> = l.nodes.iter().map(|n| n.value_str()).collect();
    ensure_eq!(
        values,
        vec!["job0", "job1", "job2", "job3", "job4"],
        "values in order"
    );

    let with_ttl = ctx
        .sut
        .create_in_order(
            &dir,
            "short",
            CreateInOrderOptions::default().ttl(Duration::from_secs(60)),
        )
        .ctx("create in order with ttl")?;
    let ttl = node(&with_ttl)?.ttl;
    ensure!(
        ttl.is_some_and(|t| (59..=60).contains(&t)),
        "ttl of an in-order key: {ttl:?}"
    );

    let file = ctx.key("file");
    ctx.sut
        .set(&file, "v", SetOptions::default())
        .ctx("set file")?;
    expect_code(
        ctx.sut
            .create_in_order(&file, "x", CreateInOrderOptions::default()),
        104,
        "POST to a file",
    )?;
    Ok(())
}

/// A quorum get reads the latest value, also recursively.
pub fn keys_quorum_get(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("d/q");
    let set = ctx.sut.set(&k, "v1", SetOptions::default()).ctx("set")?;
    let got = ctx
        .sut
        .get(&k, GetOptions::default().quorum(true))
        .ctx("quorum get")?;
    ensure_eq!(node(&got)?.value.as_deref(), Some("v1"), "quorum read");
    ensure_eq!(
        node(&got)?.modified_index,
        node(&set)?.modified_index,
        "quorum read index"
    );
    ensure!(
        got.index >= node(&set)?.modified_index,
        "X-Etcd-Index of a quorum read"
    );
    let dir = ctx
        .sut
        .get(
            &ctx.key("d"),
            GetOptions::default()
                .quorum(true)
                .recursive(true)
                .sort(true),
        )
        .ctx("quorum recursive get")?;
    ensure_eq!(
        child_keys(node(&dir)?),
        vec![k.as_str()],
        "quorum recursive listing"
    );
    expect_code(
        ctx.sut
            .get(&ctx.key("nope"), GetOptions::default().quorum(true)),
        100,
        "quorum get of a missing key",
    )?;
    Ok(())
}

/// `noValueOnSuccess` drops node and prevNode from a successful answer only.
pub fn keys_no_value_on_success(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("nv");
    let quiet = SetOptions::default().no_value_on_success(true);
    let r = ctx
        .sut
        .set(&k, "v1", quiet.clone())
        .ctx("set with noValueOnSuccess")?;
    ensure_eq!(r.action, Action::Set, "action");
    ensure!(
        r.node.is_none() && r.prev_node.is_none(),
        "node and prevNode left out: {r:?}"
    );
    let got = ctx.sut.get(&k, GetOptions::default()).ctx("get")?;
    ensure_eq!(
        node(&got)?.value.as_deref(),
        Some("v1"),
        "the quiet set was applied"
    );

    let cas = quiet.clone().prev_value("v1");
    let r = ctx.sut.set(&k, "v2", cas).ctx("quiet compare-and-swap")?;
    ensure_eq!(r.action, Action::CompareAndSwap, "action of the quiet CAS");
    ensure!(r.node.is_none(), "quiet CAS has no node: {r:?}");
    expect_code(
        ctx.sut.set(&k, "v3", quiet.prev_value("wrong")),
        101,
        "quiet CAS that fails",
    )?;
    let got = ctx.sut.get(&k, GetOptions::default()).ctx("get")?;
    ensure_eq!(
        node(&got)?.value.as_deref(),
        Some("v2"),
        "value after the quiet CAS"
    );
    Ok(())
}

/// Keys starting with `_` are left out of listings but readable directly.
pub fn keys_hidden(ctx: &Ctx<'_>) -> Result<(), String> {
    let hidden = ctx.key("d/_hidden");
    let visible = ctx.key("d/visible");
    ctx.sut
        .set(&hidden, "h", SetOptions::default())
        .ctx("set hidden")?;
    ctx.sut
        .set(&visible, "v", SetOptions::default())
        .ctx("set visible")?;
    ctx.sut
        .set(&ctx.key("d/_hdir/x"), "x", SetOptions::default())
        .ctx("set under hidden dir")?;
    for recursive in [false, true] {
        let l = ctx
            .sut
            .get(&ctx.key("d"), GetOptions::default().recursive(recursive))
            .ctx("list")?;
        ensure_eq!(
            child_keys(node(&l)?),
            vec![visible.as_str()],
            "listing (recursive={recursive})"
        );
    }
    let got = ctx
        .sut
        .get(&hidden, GetOptions::default())
        .ctx("get hidden key")?;
    ensure_eq!(
        node(&got)?.value.as_deref(),
        Some("h"),
        "hidden key read directly"
    );
    let got = ctx
        .sut
        .get(&ctx.key("d/_hdir"), GetOptions::default())
        .ctx("get hidden dir")?;
    ensure_eq!(
        child_keys(node(&got)?),
        vec![ctx.key("d/_hdir/x").as_str()],
        "hidden dir listed directly"
    );
    Ok(())
}

/// A custom keys prefix (Go: `NewKeysAPIWithPrefix`) is used for keys and watches; an
/// endpoint given with a trailing slash works like one without.
pub fn keys_custom_prefix_and_endpoint_path(ctx: &Ctx<'_>) -> Result<(), String> {
    let base = format!("/v2/keys{}", ctx.prefix);
    let scoped = ctx.sut_with(Config::new(ctx.urls()).keys_prefix(base.as_str()))?;
    ensure_eq!(scoped.keys_prefix(), base.as_str(), "keys_prefix()");
    let r = scoped
        .set("/inner", "v", SetOptions::default())
        .ctx("set through the prefix")?;
    ensure_eq!(
        node(&r)?.key,
        ctx.key("inner"),
        "key stored through the prefix"
    );
    let got = ctx
        .sut
        .get(&ctx.key("inner"), GetOptions::default())
        .ctx("get with the default prefix")?;
    ensure_eq!(node(&got)?.value.as_deref(), Some("v"), "value");
    let mut watcher = scoped
        .watch(
            "inner",
            WatchOptions::default().after_index(node(&r)?.modified_index),
        )
        .ctx("watch through the prefix")?;
    let w = ctx
        .sut
        .set(&ctx.key("inner"), "w", SetOptions::default())
        .ctx("set")?;
    let event = watcher.next().ctx("watch")?;
    ensure_eq!(
        node(&event)?.modified_index,
        node(&w)?.modified_index,
        "event through the prefix"
    );
    let err = scoped
        .set("../escape", "x", SetOptions::default())
        .expect_err("key escaping a custom prefix");
    ensure!(
        matches!(err, etcd_v2_proto::Error::Usage(_)),
        "escaping key: {err:?}"
    );

    let slashed: Vec<String> = ctx.urls().into_iter().map(|u| format!("{u}/")).collect();
    let sut = ctx.sut_with(Config::new(slashed))?;
    let got = sut
        .get(&ctx.key("inner"), GetOptions::default())
        .ctx("get through an endpoint with a slash")?;
    ensure_eq!(
        node(&got)?.value.as_deref(),
        Some("w"),
        "value through an endpoint with a slash"
    );
    sut.version()
        .ctx("version through an endpoint with a slash")?;
    ensure!(
        !sut.list_members()
            .ctx("members through an endpoint with a slash")?
            .is_empty(),
        "members"
    );
    Ok(())
}
