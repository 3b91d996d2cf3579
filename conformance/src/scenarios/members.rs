//! Members: list and leader on the shared member; add, update and remove on a cluster of its
//! own; sync from one member to all.

use std::time::{Duration, Instant};

use etcd_v2_proto::{
    Api, AttemptFailure, Config, Error, GetOptions, Member, SelectionMode, SetOptions,
};

use super::{Check, Ctx, expect_err, node, unused_url};

/// The single member lists itself (name, peer and client URL) and is its own leader.
pub fn members_list_and_leader(ctx: &Ctx<'_>) -> Result<(), String> {
    let (client_url, peer_url) = {
        let etcd = ctx.cluster();
        (etcd.client_url(0), etcd.peer_url(0))
    };
    let members = ctx.sut.list_members().ctx("list members")?;
    ensure_eq!(members.len(), 1, "number of members");
    let m = &members[0];
    ensure_eq!(m.name, "e0", "member name");
    ensure_eq!(m.client_urls, vec![client_url], "client URLs");
    ensure_eq!(m.peer_urls, vec![peer_url], "peer URLs");
    ensure!(
        m.id.len() <= 16
            && !m.id.is_empty()
            && m.id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "member id is lower-case hex: {:?}",
        m.id
    );
    let leader = ctx.sut.leader().ctx("leader")?;
    ensure_eq!(&leader, m, "the leader is the only member");
    Ok(())
}

/// Adds a member by peer URL, retrying while etcd's strict reconfiguration check refuses
/// (every voting member must have been connected for 5 s; etcd answers 500, which the client
/// reports as outcome-unknown). Returns the final outcome and the refusals seen.
fn add_member_when_ready(
    ctx: &Ctx<'_>,
    peer_url: &str,
) -> Result<(Result<Member, Error>, Vec<String>), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut refusals = Vec::new();
    loop {
        match ctx.sut.add_member(peer_url) {
            Err(e) if is_refusal(&e) => {
                // Read the list to learn whether it was applied after all.
                let members = ctx.sut.list_members().ctx("list after a refused add")?;
                if let Some(m) = members
                    .iter()
                    .find(|m| m.peer_urls.iter().any(|u| u == peer_url) && m.name.is_empty())
                {
                    return Err(format!(
                        "add ended with {e:?} but the member {m:?} was added"
                    ));
                }
                refusals.push(e.to_string());
            }
            other => return Ok((other, refusals)),
        }
        if Instant::now() >= deadline {
            return Err(format!("add member still refused after 30 s: {refusals:?}"));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// etcd's 500 to a member add it will not make now, as the client reports it: the add is not
/// re-sent elsewhere and its outcome is unknown (Go: `has no leader`, as in etcd's
/// TestRejectUnhealthyAdd).
fn is_refusal(err: &Error) -> bool {
    matches!(
        err.outcome_unknown().map(|u| &u.failure),
        Some(AttemptFailure::NoLeader { status: 500, .. })
    )
}

/// Adds an unstarted member (quorum: 3 of 4), updates its peer URL, removes it, removes it
/// again (410 counts as success) and removes an unknown id (404). A duplicate peer URL is 409
/// on a healthy cluster; while the unstarted member is in, every add is refused with 500.
pub fn members_add_update_remove(ctx: &Ctx<'_>) -> Result<(), String> {
    let before = ctx.sut.list_members().ctx("list")?;
    let mut names: Vec<&str> = before.iter().map(|m| m.name.as_str()).collect();
    names.sort_unstable();
    ensure_eq!(names, vec!["e0", "e1", "e2"], "member names");

    // A started member's peer URL, once the cluster accepts changes: 409.
    let taken = ctx.cluster().peer_url(0);
    let (result, refusals) = add_member_when_ready(ctx, &taken)?;
    match &result {
        Err(Error::Api(api))
            if api.status == 409 && api.message == "membership: peerURL exists" => {}
        other => {
            return Err(format!(
                "add of an existing peer URL: expected Api(409), got {other:?}"
            ));
        }
    }
    for refusal in &refusals {
        ensure!(
            refusal.contains("has no leader"),
            "a refused add reads 'has no leader' (Go #98): {refusal}"
        );
    }

    let peer = unused_url();
    let (added, _) = add_member_when_ready(ctx, &peer)?;
    let added = added.ctx("add member")?;
    ensure!(!added.id.is_empty(), "new member id: {added:?}");
    ensure_eq!(added.name, "", "an unstarted member has no name");
    ensure!(
        added.client_urls.is_empty(),
        "an unstarted member has no client URLs: {added:?}"
    );
    ensure_eq!(
        added.peer_urls,
        vec![peer.clone()],
        "peer URLs of the new member"
    );
    let listed = ctx.sut.list_members().ctx("list after add")?;
    ensure_eq!(listed.len(), 4, "members after add");
    ensure!(
        listed.contains(&added),
        "the new member is listed: {listed:?}"
    );

    // 3 of 4 members still make a quorum.
    let k = ctx.key("quorum");
    ctx.sut
        .set(&k, "3 of 4", SetOptions::default())
        .ctx("write with 3 of 4 members")?;
    ctx.sut
        .get(&k, GetOptions::default().quorum(true))
        .ctx("quorum read with 3 of 4 members")?;

    // Not every member is connected now: etcd refuses any add with 500, even a duplicate.
    let err = expect_err(ctx.sut.add_member(&peer), "adding the same peer URL again")?;
    ensure!(
        is_refusal(&err),
        "add while a member is down: expected outcome-unknown after a 500, got {err:?}"
    );
    ensure_eq!(
        ctx.sut.list_members().ctx("list")?.len(),
        4,
        "members after the refused add"
    );

    let moved = unused_url();
    ctx.sut
        .update_member(&added.id, &[&moved])
        .ctx("update member")?;
    let listed = ctx.sut.list_members().ctx("list after update")?;
    let m = listed
        .iter()
        .find(|m| m.id == added.id)
        .ok_or("updated member missing")?;
    ensure_eq!(m.peer_urls, vec![moved.clone()], "peer URLs after update");
    let err = expect_err(
        ctx.sut.update_member("1234", &[&unused_url()]),
        "update of an unknown id",
    )?;
    ensure!(
        matches!(&err, Error::Api(api) if api.status == 404 && api.message == "No such member: 1234"),
        "update of an unknown id: {err:?}"
    );

    ctx.sut.remove_member(&added.id).ctx("remove member")?;
    let listed = ctx.sut.list_members().ctx("list after remove")?;
    ensure_eq!(listed.len(), 3, "members after remove");
    // etcd answers 410 Gone to a second removal; like Go, that is success.
    ctx.sut
        .remove_member(&added.id)
        .ctx("remove the same member again")?;
    let err = expect_err(ctx.sut.remove_member("1234"), "remove an unknown id")?;
    ensure_eq!(err, Error::UnexpectedStatus(404), "remove of an unknown id");
    ctx.sut
        .set(&k, "3 of 3", SetOptions::default())
        .ctx("write after remove")?;
    Ok(())
}

/// A client that knows one member learns all three from sync; a second sync with the same
/// set keeps the order.
pub fn members_sync_learns_all_endpoints(ctx: &Ctx<'_>) -> Result<(), String> {
    let urls = ctx.urls();
    let one = ctx.sut_with(Config::new([urls[1].clone()]))?;
    ensure_eq!(
        one.endpoints(),
        vec![urls[1].clone()],
        "endpoints before sync"
    );
    one.sync().ctx("sync")?;
    let after = one.endpoints();
    let mut sorted = after.clone();
    sorted.sort();
    let mut all = urls.clone();
    all.sort();
    ensure_eq!(sorted, all, "endpoints after sync (as a set)");
    one.sync().ctx("second sync")?;
    ensure_eq!(
        one.endpoints(),
        after,
        "a sync with the same members keeps the order"
    );

    // The synced client works through any member.
    let k = ctx.key("synced");
    let r = one
        .set(&k, "v", SetOptions::default())
        .ctx("set through the synced client")?;
    let got = one.get(&k, GetOptions::default().quorum(true)).ctx("get")?;
    ensure_eq!(
        node(&got)?.modified_index,
        node(&r)?.modified_index,
        "read back"
    );

    // Prioritize-leader mode: sync pins the leader (answers then come from it).
    let leader = ctx.sut.leader().ctx("leader")?;
    let follower = urls
        .iter()
        .find(|u| !leader.client_urls.contains(u))
        .ok_or("no follower")?;
    let led = ctx.sut_with(
        Config::new([follower.clone()]).selection_mode(SelectionMode::PrioritizeLeader),
    )?;
    ensure_eq!(
        led.stats_self().ctx("stats self")?.state,
        "StateFollower",
        "before sync"
    );
    led.sync().ctx("sync in prioritize-leader mode")?;
    let me = led.stats_self().ctx("stats self after sync")?;
    ensure_eq!(
        (me.state.as_str(), me.id.as_str()),
        ("StateLeader", leader.id.as_str()),
        "the pinned member after a leader sync"
    );
    let mut synced = led.endpoints();
    synced.sort();
    ensure_eq!(synced, all, "endpoints after a leader sync (as a set)");

    ensure!(
        one.set_endpoints(&[]).is_err(),
        "set_endpoints([]) is refused"
    );
    ensure_eq!(
        one.endpoints(),
        after,
        "a refused set_endpoints keeps the list"
    );
    one.set_endpoints(&[&urls[2]]).ctx("set_endpoints")?;
    ensure_eq!(
        one.endpoints(),
        vec![urls[2].clone()],
        "endpoints after set_endpoints"
    );
    Ok(())
}
