//! TTLs: node fields, expiry, refresh.

use std::time::{Duration, SystemTime};

use etcd_v2_proto::{Action, Api, GetOptions, PrevExist, SetOptions, WatchOptions};

use super::{Check, Ctx, node, poll_until};

/// A key with a TTL carries `ttl` (ceiling of the seconds left) and `expiration`; a
/// fractional TTL is rounded up; a set without TTL makes the key permanent again.
pub fn ttl_node_fields(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("t");
    let before = SystemTime::now();
    let r = ctx
        .sut
        .set(&k, "v", SetOptions::default().ttl(Duration::from_secs(100)))
        .ctx("set with ttl")?;
    let n = node(&r)?;
    ensure!(
        n.ttl.is_some_and(|t| (99..=100).contains(&t)),
        "ttl of a 100 s key: {n:?}"
    );
    ensure_eq!(
        n.ttl_duration(),
        Duration::from_secs(n.ttl.unwrap_or(0).unsigned_abs()),
        "ttl_duration"
    );
    let exp = n
        .expiration
        .as_ref()
        .ok_or_else(|| format!("no expiration: {n:?}"))?;
    let left = exp
        .remaining_at(before)
        .ok_or_else(|| format!("expiration {exp} is in the past"))?;
    ensure!(
        (Duration::from_secs(95)..=Duration::from_secs(105)).contains(&left),
        "expiration {exp} is {left:?} after the set"
    );
    let got = ctx.sut.get(&k, GetOptions::default()).ctx("get")?;
    let g = node(&got)?;
    ensure!(
        g.ttl.is_some_and(|t| (95..=100).contains(&t)) && g.expiration.is_some(),
        "ttl read back: {g:?}"
    );

    // 1.5 s is rounded up to 2 s (Go would send 1).
    let r = ctx
        .sut
        .set(
            &k,
            "v",
            SetOptions::default().ttl(Duration::from_millis(1500)),
        )
        .ctx("set with a 1.5 s ttl")?;
    ensure_eq!(node(&r)?.ttl, Some(2), "ttl of a 1.5 s key");

    let r = ctx
        .sut
        .set(&k, "v", SetOptions::default())
        .ctx("set without ttl")?;
    let n = node(&r)?;
    ensure!(
        n.ttl.is_none() && n.expiration.is_none(),
        "a set without ttl makes the key permanent: {n:?}"
    );
    ensure!(
        r.prev_node.as_ref().is_some_and(|p| p.ttl.is_some()),
        "prevNode keeps its ttl: {r:?}"
    );
    Ok(())
}

/// A 1 s key disappears (polled with a bounded wait) and a watcher sees `expire`.
pub fn ttl_key_expires(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("short");
    let r = ctx
        .sut
        .set(&k, "v", SetOptions::default().ttl(Duration::from_secs(1)))
        .ctx("set with a 1 s ttl")?;
    let set_index = node(&r)?.modified_index;
    ensure_eq!(node(&r)?.ttl, Some(1), "ttl of a 1 s key");
    let mut watcher = ctx
        .sut
        .watch(&k, WatchOptions::default().after_index(set_index))
        .ctx("watcher")?;
    poll_until(Duration::from_secs(5), "the 1 s key expires", || match ctx
        .sut
        .get(&k, GetOptions::default())
    {
        Err(e) if e.is_key_not_found() => Some(()),
        _ => None,
    })?;
    let event = watcher.next().ctx("watch the expiry")?;
    ensure_eq!(event.action, Action::Expire, "event of an expiry");
    let n = node(&event)?;
    ensure_eq!(n.key, k, "expired key");
    ensure!(
        n.value.is_none() && n.modified_index > set_index,
        "expired node: {n:?}"
    );
    ensure_eq!(n.created_index, set_index, "expired node's createdIndex");
    ensure_eq!(
        event.prev_node.as_ref().and_then(|p| p.value.as_deref()),
        Some("v"),
        "prevNode of expire"
    );
    Ok(())
}

/// A refresh resets the TTL but keeps the value and wakes no watcher: a watcher registered
/// before two refreshes first sees the normal set that follows them.
pub fn ttl_refresh_keeps_value_and_wakes_no_watcher(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("r");
    let set = ctx
        .sut
        .set(&k, "v", SetOptions::default().ttl(Duration::from_secs(100)))
        .ctx("set with ttl")?;
    let set_node = node(&set)?.clone();
    let mut watcher = ctx
        .sut
        .watch(
            &k,
            WatchOptions::default().after_index(set_node.modified_index),
        )
        .ctx("watcher")?;

    // A refresh as the Go client sends it: no prevExist.
    let refresh = SetOptions::default()
        .refresh(true)
        .ttl(Duration::from_secs(200));
    let r1 = ctx.sut.set(&k, "", refresh.clone()).ctx("refresh")?;
    let n1 = node(&r1)?;
    ensure_eq!(n1.value.as_deref(), Some("v"), "refresh keeps the value");
    ensure!(
        n1.ttl.is_some_and(|t| (199..=200).contains(&t)),
        "refresh resets the ttl: {n1:?}"
    );
    ensure!(
        n1.modified_index > set_node.modified_index,
        "refresh bumps modifiedIndex: {n1:?}"
    );
    // etcd 3.4: without prevExist the action is `set` and createdIndex is reset (the v2 docs
    // describe `update`; see `docs/protocol.md#where-etcd-34-differs-from-the-v2-docs`).
    ensure_eq!(
        r1.action,
        Action::Set,
        "action of a refresh without prevExist"
    );
    ensure_eq!(
        n1.created_index,
        n1.modified_index,
        "createdIndex of a refresh without prevExist"
    );

    let r2 = ctx
        .sut
        .set(
            &k,
            "",
            refresh
                .clone()
                .prev_exist(PrevExist::Exist)
                .ttl(Duration::from_secs(300)),
        )
        .ctx("refresh with prevExist=true")?;
    let n2 = node(&r2)?;
    ensure_eq!(
        r2.action,
        Action::Update,
        "action of a refresh with prevExist=true"
    );
    ensure_eq!(
        n2.created_index,
        n1.created_index,
        "refresh with prevExist keeps createdIndex"
    );
    ensure_eq!(
        n2.value.as_deref(),
        Some("v"),
        "value after the second refresh"
    );

    // Nothing so far may reach the watcher.
    let normal = ctx
        .sut
        .set(&k, "v2", SetOptions::default())
        .ctx("normal set")?;
    let event = watcher.next().ctx("watch")?;
    ensure_eq!(event.action, Action::Set, "first event after two refreshes");
    let e = node(&event)?;
    ensure_eq!(
        e.value.as_deref(),
        Some("v2"),
        "the watcher saw the normal set first"
    );
    ensure_eq!(
        e.modified_index,
        node(&normal)?.modified_index,
        "index of the first event"
    );
    ensure_eq!(
        watcher.wait_index(),
        e.modified_index + 1,
        "wait index after the event"
    );
    Ok(())
}
