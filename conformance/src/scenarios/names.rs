//! Awkward key names: escaping round-trips byte for byte; path cleaning matches the server.

use etcd_v2_proto::{Api, DeleteOptions, GetOptions, SetOptions, WatchOptions};

use super::{Check, Ctx, child_keys, expect_code, node};

/// Names that need escaping (or must not be escaped) in a URL path.
const AWKWARD: &[&str] = &[
    "a b",
    "a%b",
    "a?b",
    "a#b",
    "a+b",
    "a&b=c",
    "a=b",
    "ü€",
    "日本語 キー",
    "a%20b",
    "a:b@c$d,e;f",
    "a!b*c(d)e'f",
    "tab\there",
    "<a&b>",
    "~x.y_z-",
];

/// Each awkward name is stored under exactly its own key, read back, listed with the right
/// key, watched and deleted.
pub fn names_awkward_keys_round_trip(ctx: &Ctx<'_>) -> Result<(), String> {
    let dir = ctx.key("esc");
    let mut expected = Vec::new();
    for name in AWKWARD {
        let key = format!("{dir}/{name}");
        let r = ctx
            .sut
            .set(&key, name, SetOptions::default())
            .ctx(format!("set {key:?}"))?;
        ensure_eq!(node(&r)?.key, key, "stored key of {name:?}");
        let got = ctx
            .sut
            .get(&key, GetOptions::default())
            .ctx(format!("get {key:?}"))?;
        ensure_eq!(node(&got)?.key, key, "key read back for {name:?}");
        ensure_eq!(
            node(&got)?.value.as_deref(),
            Some(*name),
            "value read back for {name:?}"
        );
        expected.push(key);
    }
    expected.sort();
    let listed = ctx
        .sut
        .get(&dir, GetOptions::default().sort(true))
        .ctx("sorted listing")?;
    let l = node(&listed)?;
    ensure_eq!(
        child_keys(l),
        expected.iter().map(String::as_str).collect::<Vec<_>>(),
        "sorted listing"
    );
    for n in &l.nodes {
        ensure_eq!(
            n.value.as_deref(),
            n.key.strip_prefix(&format!("{dir}/")),
            "listed value"
        );
    }
    // `a%20b` and `a b` are different keys.
    let spaced = format!("{dir}/a b");
    let literal = format!("{dir}/a%20b");
    ctx.sut
        .set(&literal, "literal", SetOptions::default())
        .ctx("overwrite a%20b")?;
    let got = ctx.sut.get(&spaced, GetOptions::default()).ctx("get a b")?;
    ensure_eq!(
        node(&got)?.value.as_deref(),
        Some("a b"),
        "`a b` untouched by a write to `a%20b`"
    );

    // A watcher on an awkward key sees its writes.
    let key = format!("{dir}/a?b");
    let base = ctx.sut.get(&key, GetOptions::default()).ctx("get")?.index;
    let mut watcher = ctx
        .sut
        .watch(&key, WatchOptions::default().after_index(base))
        .ctx("watcher")?;
    let w = ctx
        .sut
        .set(&key, "watched", SetOptions::default())
        .ctx("set watched")?;
    let event = watcher.next().ctx("watch")?;
    ensure_eq!(
        (node(&event)?.key.as_str(), node(&event)?.modified_index),
        (key.as_str(), node(&w)?.modified_index),
        "event on an awkward key"
    );

    for name in AWKWARD {
        let key = format!("{dir}/{name}");
        ctx.sut
            .delete(&key, DeleteOptions::default())
            .ctx(format!("delete {key:?}"))?;
        expect_code(
            ctx.sut.get(&key, GetOptions::default()),
            100,
            format!("get deleted {key:?}"),
        )?;
    }
    Ok(())
}

/// A trailing slash is dropped by the server, `//a//b` and `a/./b` are cleaned by the
/// client, `a/../b` is resolved.
pub fn names_path_cleaning(ctx: &Ctx<'_>) -> Result<(), String> {
    let trailing = format!("{}/", ctx.key("ts"));
    let r = ctx
        .sut
        .set(&trailing, "t", SetOptions::default())
        .ctx("set with a trailing slash")?;
    ensure_eq!(
        node(&r)?.key,
        ctx.key("ts"),
        "key stored for a trailing slash"
    );
    let got = ctx
        .sut
        .get(&ctx.key("ts"), GetOptions::default())
        .ctx("get without the slash")?;
    ensure_eq!(node(&got)?.value.as_deref(), Some("t"), "value");
    let got = ctx
        .sut
        .get(&trailing, GetOptions::default())
        .ctx("get with the slash")?;
    ensure_eq!(
        node(&got)?.key,
        ctx.key("ts"),
        "key read with a trailing slash"
    );

    let doubled = format!("{}//x//y", ctx.prefix);
    let r = ctx
        .sut
        .set(&doubled, "d", SetOptions::default())
        .ctx("set //x//y")?;
    ensure_eq!(node(&r)?.key, ctx.key("x/y"), "key stored for //x//y");
    let r = ctx
        .sut
        .set(&ctx.key("p/./q"), "dot", SetOptions::default())
        .ctx("set p/./q")?;
    ensure_eq!(node(&r)?.key, ctx.key("p/q"), "key stored for p/./q");
    let r = ctx
        .sut
        .set(&ctx.key("p/../r"), "up", SetOptions::default())
        .ctx("set p/../r")?;
    ensure_eq!(node(&r)?.key, ctx.key("r"), "key stored for p/../r");
    let got = ctx
        .sut
        .get(
            &ctx.prefix,
            GetOptions::default().recursive(true).sort(true),
        )
        .ctx("listing")?;
    let keys = child_keys(node(&got)?);
    let (p, r, ts, x) = (ctx.key("p"), ctx.key("r"), ctx.key("ts"), ctx.key("x"));
    ensure_eq!(
        keys,
        vec![p.as_str(), r.as_str(), ts.as_str(), x.as_str()],
        "listing after cleaning"
    );
    Ok(())
}
