//! Directories: mkdir, listings (plain, recursive, sorted), deleting.

use etcd_v2_proto::{Action, Api, DeleteOptions, GetOptions, SetOptions};

use super::{Check, Ctx, child_keys, expect_code, node};

/// mkdir makes a value-less dir; listings show child dirs without children unless recursive;
/// sorted listings are in key order.
pub fn dirs_mkdir_and_list(ctx: &Ctx<'_>) -> Result<(), String> {
    let d = ctx.key("d");
    let mkdir = SetOptions::default().dir(true);
    let r = ctx.sut.set(&d, "", mkdir.clone()).ctx("mkdir")?;
    ensure_eq!(r.action, Action::Set, "action of mkdir");
    let n = node(&r)?;
    ensure!(
        n.dir && n.value.is_none() && n.nodes.is_empty(),
        "a new dir: {n:?}"
    );
    let got = ctx
        .sut
        .get(&d, GetOptions::default())
        .ctx("get empty dir")?;
    ensure!(
        node(&got)?.dir && node(&got)?.nodes.is_empty(),
        "empty dir read back: {got:?}"
    );
    // mkdir on an existing dir without prevExist: 102.
    expect_code(
        ctx.sut.set(&d, "", mkdir.clone()),
        102,
        "mkdir of an existing dir",
    )?;

    for (rel, value) in [("d/b", "2"), ("d/a", "1"), ("d/c/y", "4"), ("d/c/x", "3")] {
        ctx.sut
            .set(&ctx.key(rel), value, SetOptions::default())
            .ctx(format!("set {rel}"))?;
    }
    let (a, b, c) = (ctx.key("d/a"), ctx.key("d/b"), ctx.key("d/c"));
    let (cx, cy) = (ctx.key("d/c/x"), ctx.key("d/c/y"));

    let sorted = ctx
        .sut
        .get(&d, GetOptions::default().sort(true))
        .ctx("sorted listing")?;
    let s = node(&sorted)?;
    ensure_eq!(
        child_keys(s),
        vec![a.as_str(), b.as_str(), c.as_str()],
        "sorted listing"
    );
    let sub = &s.nodes[2];
    ensure!(
        sub.dir && sub.nodes.is_empty() && sub.value.is_none(),
        "a child dir without recursion: {sub:?}"
    );
    ensure_eq!(s.nodes[0].value.as_deref(), Some("1"), "value in a listing");

    let plain = ctx
        .sut
        .get(&d, GetOptions::default())
        .ctx("unsorted listing")?;
    let mut keys = child_keys(node(&plain)?);
    keys.sort_unstable();
    ensure_eq!(
        keys,
        vec![a.as_str(), b.as_str(), c.as_str()],
        "unsorted listing (as a set)"
    );

    let rec = ctx
        .sut
        .get(&d, GetOptions::default().recursive(true).sort(true))
        .ctx("recursive sorted listing")?;
    let r = node(&rec)?;
    ensure_eq!(
        child_keys(r),
        vec![a.as_str(), b.as_str(), c.as_str()],
        "recursive listing"
    );
    ensure_eq!(
        child_keys(&r.nodes[2]),
        vec![cx.as_str(), cy.as_str()],
        "grandchildren, sorted"
    );
    ensure_eq!(
        r.nodes[2].nodes[1].value.as_deref(),
        Some("4"),
        "grandchild value"
    );

    // The root is a dir without key or indexes, listing the top-level dirs.
    for root in ["", "/"] {
        let got = ctx
            .sut
            .get(root, GetOptions::default())
            .ctx(format!("get root {root:?}"))?;
        let r = node(&got)?;
        ensure!(
            r.dir && r.key.is_empty() && r.created_index == 0 && r.modified_index == 0,
            "root node: {r:?}"
        );
        ensure!(
            child_keys(r).contains(&"/conformance"),
            "root listing: {:?}",
            child_keys(r)
        );
    }

    // mkdir over an existing file replaces it with an empty dir (etcd 3.4's behaviour).
    let f = ctx.key("f");
    ctx.sut
        .set(&f, "v", SetOptions::default())
        .ctx("set file")?;
    let r = ctx.sut.set(&f, "", mkdir).ctx("mkdir over a file")?;
    ensure!(node(&r)?.dir, "the file became a dir: {r:?}");
    ensure_eq!(
        r.prev_node.as_ref().and_then(|p| p.value.as_deref()),
        Some("v"),
        "prevNode is the file"
    );
    Ok(())
}

/// Deleting dirs: plain delete is 102, `dir` on a non-empty dir is 108, `dir` removes an
/// empty one, `recursive` removes everything.
pub fn dirs_delete(ctx: &Ctx<'_>) -> Result<(), String> {
    let d = ctx.key("d");
    ctx.sut
        .set(&ctx.key("d/sub/x"), "x", SetOptions::default())
        .ctx("set d/sub/x")?;
    let empty = ctx.key("d/empty");
    ctx.sut
        .set(&empty, "", SetOptions::default().dir(true))
        .ctx("mkdir d/empty")?;

    expect_code(
        ctx.sut.delete(&d, DeleteOptions::default()),
        102,
        "plain delete of a dir",
    )?;
    let e = expect_code(
        ctx.sut.delete(&d, DeleteOptions::default().dir(true)),
        108,
        "dir delete of a non-empty dir",
    )?;
    ensure_eq!(e.message, "Directory not empty", "message of 108");

    let r = ctx
        .sut
        .delete(&empty, DeleteOptions::default().dir(true))
        .ctx("dir delete of an empty dir")?;
    ensure_eq!(r.action, Action::Delete, "action");
    ensure!(node(&r)?.dir, "deleted node is a dir: {r:?}");

    // `dir=true` also deletes a plain file (etcd 3.4's behaviour).
    let file = ctx.key("d/file");
    ctx.sut
        .set(&file, "v", SetOptions::default())
        .ctx("set file")?;
    ctx.sut
        .delete(&file, DeleteOptions::default().dir(true))
        .ctx("dir delete of a file")?;

    let r = ctx
        .sut
        .delete(&d, DeleteOptions::default().recursive(true))
        .ctx("recursive delete")?;
    ensure_eq!(r.action, Action::Delete, "action of a recursive delete");
    ensure!(
        node(&r)?.dir && r.prev_node.as_ref().is_some_and(|p| p.dir),
        "recursive delete of a dir: {r:?}"
    );
    expect_code(
        ctx.sut.get(&ctx.key("d/sub/x"), GetOptions::default()),
        100,
        "child after recursive delete",
    )?;
    expect_code(
        ctx.sut.get(&d, GetOptions::default()),
        100,
        "dir after recursive delete",
    )?;
    Ok(())
}

/// A recursive listing of a directory 80 levels deep decodes whole: 160 levels of JSON
/// nesting, past serde_json's limit of 128 that this client's decoder once had. Also a big
/// listing of unknown length (etcd sends it chunked) decodes across its chunks.
pub fn dirs_deep_and_large_listings(ctx: &Ctx<'_>) -> Result<(), String> {
    let depth = 80;
    let root = ctx.key("deep");
    let mut leaf = root.clone();
    for i in 0..depth {
        leaf = format!("{leaf}/{i}");
    }
    ctx.sut
        .set(&leaf, "bottom", SetOptions::default())
        .ctx("set the deep leaf")?;
    let listing = ctx
        .sut
        .get(&root, GetOptions::default().recursive(true))
        .ctx("recursive get of the deep directory")?;
    let mut n = node(&listing)?;
    for level in 0..depth {
        ensure_eq!(n.nodes.len(), 1, "children at level {level}");
        n = &n.nodes[0];
    }
    ensure_eq!(n.key.as_str(), leaf.as_str(), "the deep leaf's key");
    ensure_eq!(n.value.as_deref(), Some("bottom"), "the deep leaf's value");

    // ~400 KiB of listing: far over one chunk of Go's writer. (Few writes: the shared
    // member's event history, which other scenarios watch, holds only 1000.)
    let wide = ctx.key("wide");
    let value = "v".repeat(10_000);
    for i in 0..40 {
        ctx.sut
            .set(&format!("{wide}/k{i:03}"), &value, SetOptions::default())
            .ctx(format!("set wide/k{i:03}"))?;
    }
    let listing = ctx
        .sut
        .get(&wide, GetOptions::default().recursive(true).sort(true))
        .ctx("recursive get of the wide directory")?;
    let w = node(&listing)?;
    ensure_eq!(w.nodes.len(), 40, "children of the wide directory");
    ensure!(
        w.nodes.iter().enumerate().all(|(i, c)| {
            c.key == format!("{wide}/k{i:03}") && c.value.as_deref() == Some(value.as_str())
        }),
        "every child in order with its value"
    );
    Ok(())
}
