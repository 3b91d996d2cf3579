//! Conditional writes: compare-and-swap on prev value / prev index / prev exist, and
//! compare-and-delete on value and index (success and 101 TestFailed).

use etcd_v2_proto::{Action, Api, DeleteOptions, GetOptions, PrevExist, SetOptions};

use super::{Check, Ctx, expect_code, node};

fn value_of(ctx: &Ctx<'_>, key: &str) -> Result<Option<String>, String> {
    let got = ctx.sut.get(key, GetOptions::default()).ctx("get")?;
    Ok(node(&got)?.value.clone())
}

/// CAS on the previous value: a match swaps, a mismatch is 101 with `[wrong != cur]`.
pub fn keys_cas_on_value(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("cas");
    ctx.sut.set(&k, "one", SetOptions::default()).ctx("set")?;
    let e = expect_code(
        ctx.sut
            .set(&k, "two", SetOptions::default().prev_value("wrong")),
        101,
        "CAS with a wrong prev value",
    )?;
    ensure_eq!(e.message, "Compare failed", "message of 101");
    ensure_eq!(e.cause, "[wrong != one]", "cause of 101");
    ensure!(e.index > 0, "101 carries the current index: {e:?}");
    let err = ctx
        .sut
        .set(&k, "two", SetOptions::default().prev_value("wrong"))
        .expect_err("CAS again");
    ensure!(err.is_test_failed(), "is_test_failed() on 101: {err:?}");
    ensure_eq!(
        value_of(ctx, &k)?.as_deref(),
        Some("one"),
        "value after a failed CAS"
    );

    let r = ctx
        .sut
        .set(&k, "two", SetOptions::default().prev_value("one"))
        .ctx("CAS with the right prev value")?;
    ensure_eq!(r.action, Action::CompareAndSwap, "action of CAS");
    ensure_eq!(node(&r)?.value.as_deref(), Some("two"), "swapped value");
    ensure_eq!(
        r.prev_node.as_ref().and_then(|p| p.value.as_deref()),
        Some("one"),
        "prevNode of CAS"
    );
    expect_code(
        ctx.sut.set(
            &ctx.key("missing"),
            "x",
            SetOptions::default().prev_value("one"),
        ),
        100,
        "CAS on a missing key",
    )?;
    Ok(())
}

/// CAS on the previous modified index.
pub fn keys_cas_on_index(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("cas");
    let set = ctx.sut.set(&k, "one", SetOptions::default()).ctx("set")?;
    let idx = node(&set)?.modified_index;
    let e = expect_code(
        ctx.sut
            .set(&k, "two", SetOptions::default().prev_index(idx + 1000)),
        101,
        "CAS with a wrong prev index",
    )?;
    ensure_eq!(
        e.cause,
        format!("[{} != {idx}]", idx + 1000),
        "cause of 101 on index"
    );
    let e = expect_code(
        ctx.sut.set(
            &k,
            "two",
            SetOptions::default()
                .prev_index(idx + 1000)
                .prev_value("nope"),
        ),
        101,
        "CAS with wrong value and index",
    )?;
    ensure_eq!(
        e.cause,
        format!("[nope != one] [{} != {idx}]", idx + 1000),
        "cause of 101 on both"
    );

    let r = ctx
        .sut
        .set(&k, "two", SetOptions::default().prev_index(idx))
        .ctx("CAS with the right prev index")?;
    ensure_eq!(r.action, Action::CompareAndSwap, "action of CAS on index");
    let n = node(&r)?;
    ensure!(n.modified_index > idx, "CAS bumps modifiedIndex");
    ensure_eq!(
        n.created_index,
        node(&set)?.created_index,
        "CAS keeps createdIndex"
    );
    // The old index no longer matches.
    expect_code(
        ctx.sut
            .set(&k, "three", SetOptions::default().prev_index(idx)),
        101,
        "CAS on a stale index",
    )?;
    ensure_eq!(
        value_of(ctx, &k)?.as_deref(),
        Some("two"),
        "value after the stale CAS"
    );
    Ok(())
}

/// `prevExist`: true on a missing key is 100, false on an existing key is 105; both succeed
/// in the other case; true with a prev value is a CAS.
pub fn keys_cas_on_exist(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("ex");
    let must_exist = SetOptions::default().prev_exist(PrevExist::Exist);
    let must_not = SetOptions::default().prev_exist(PrevExist::NoExist);
    expect_code(
        ctx.sut.set(&k, "x", must_exist.clone()),
        100,
        "prevExist=true on a missing key",
    )?;
    let r = ctx
        .sut
        .set(&k, "a", must_not.clone())
        .ctx("prevExist=false on a missing key")?;
    ensure_eq!(r.action, Action::Create, "action of prevExist=false");
    let e = expect_code(
        ctx.sut.set(&k, "b", must_not),
        105,
        "prevExist=false on an existing key",
    )?;
    ensure!(
        e.cause.ends_with("/ex"),
        "cause of 105 names the key: {e:?}"
    );
    let r = ctx
        .sut
        .set(&k, "b", must_exist.clone())
        .ctx("prevExist=true on an existing key")?;
    ensure_eq!(r.action, Action::Update, "action of prevExist=true");
    let r = ctx
        .sut
        .set(&k, "c", must_exist.clone().prev_value("b"))
        .ctx("prevExist=true with prev value")?;
    ensure_eq!(
        r.action,
        Action::CompareAndSwap,
        "action of prevExist=true + prevValue"
    );
    expect_code(
        ctx.sut.set(&k, "d", must_exist.prev_value("b")),
        101,
        "prevExist=true with stale prev value",
    )?;
    ensure_eq!(value_of(ctx, &k)?.as_deref(), Some("c"), "final value");
    Ok(())
}

/// Compare-and-delete on the value.
pub fn keys_cad_on_value(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("cad");
    ctx.sut.set(&k, "v", SetOptions::default()).ctx("set")?;
    let e = expect_code(
        ctx.sut.delete(&k, DeleteOptions::default().prev_value("w")),
        101,
        "CAD with a wrong value",
    )?;
    ensure_eq!(e.cause, "[w != v]", "cause of a failed CAD");
    ensure_eq!(
        value_of(ctx, &k)?.as_deref(),
        Some("v"),
        "key kept after a failed CAD"
    );
    let r = ctx
        .sut
        .delete(&k, DeleteOptions::default().prev_value("v"))
        .ctx("CAD with the right value")?;
    ensure_eq!(r.action, Action::CompareAndDelete, "action of CAD");
    ensure!(node(&r)?.value.is_none(), "CAD node has no value");
    ensure_eq!(
        r.prev_node.as_ref().and_then(|p| p.value.as_deref()),
        Some("v"),
        "prevNode of CAD"
    );
    expect_code(ctx.sut.get(&k, GetOptions::default()), 100, "get after CAD")?;
    Ok(())
}

/// Compare-and-delete on the modified index.
pub fn keys_cad_on_index(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("cad");
    let first = ctx.sut.set(&k, "v", SetOptions::default()).ctx("set")?;
    let old = node(&first)?.modified_index;
    let second = ctx
        .sut
        .set(&k, "v", SetOptions::default())
        .ctx("set again")?;
    let cur = node(&second)?.modified_index;
    let e = expect_code(
        ctx.sut.delete(&k, DeleteOptions::default().prev_index(old)),
        101,
        "CAD with a stale index",
    )?;
    ensure_eq!(
        e.cause,
        format!("[{old} != {cur}]"),
        "cause of a failed CAD on index"
    );
    let r = ctx
        .sut
        .delete(&k, DeleteOptions::default().prev_index(cur))
        .ctx("CAD with the current index")?;
    ensure_eq!(r.action, Action::CompareAndDelete, "action of CAD on index");
    ensure_eq!(
        r.prev_node.as_ref().map(|p| p.modified_index),
        Some(cur),
        "prevNode index"
    );
    expect_code(ctx.sut.get(&k, GetOptions::default()), 100, "get after CAD")?;
    expect_code(
        ctx.sut.delete(&k, DeleteOptions::default().prev_index(cur)),
        100,
        "CAD of a missing key",
    )?;
    Ok(())
}
