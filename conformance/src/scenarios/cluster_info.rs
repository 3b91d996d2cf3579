//! Cluster information: version, health, stats (self, leader, store) and machines.

use etcd_v2_proto::{Api, AttemptFailure, Config, Error, GetOptions, SetOptions};

use super::{Check, Ctx, expect_err};

/// On the single member: version, health, self/leader/store stats and machines agree.
pub fn cluster_info_single_member(ctx: &Ctx<'_>) -> Result<(), String> {
    let url = ctx.url(0);
    let v = ctx.sut.version().ctx("version")?;
    ensure!(v.server.starts_with("3."), "server version: {v:?}");
    ensure!(
        v.cluster.starts_with("3.") && v.cluster.ends_with(".0"),
        "cluster version: {v:?}"
    );
    ensure!(ctx.sut.health().ctx("health")?.healthy, "member healthy");

    let member = ctx.sut.list_members().ctx("members")?.remove(0);
    let me = ctx.sut.stats_self().ctx("stats self")?;
    ensure_eq!(me.name, "e0", "stats self name");
    ensure_eq!(me.id, member.id, "stats self id");
    ensure_eq!(me.state, "StateLeader", "state of a single member");
    ensure_eq!(me.leader_info.leader, member.id, "stats self leader");
    ensure!(
        !me.start_time.is_empty() && !me.leader_info.uptime.is_empty(),
        "stats self times: {me:?}"
    );

    let leader = ctx.sut.stats_leader().ctx("stats leader")?;
    ensure_eq!(leader.leader, member.id, "stats leader id");
    ensure!(
        leader.followers.is_empty(),
        "a single member has no followers: {leader:?}"
    );

    let before = ctx.sut.stats_store().ctx("stats store")?;
    let k = ctx.key("counted");
    ctx.sut.set(&k, "v", SetOptions::default()).ctx("set")?;
    ctx.sut.get(&k, GetOptions::default()).ctx("get")?;
    let after = ctx.sut.stats_store().ctx("stats store again")?;
    ensure!(
        after.sets_success > before.sets_success,
        "setsSuccess grows: {before:?} -> {after:?}"
    );
    ensure!(
        after.gets_success > before.gets_success,
        "getsSuccess grows: {before:?} -> {after:?}"
    );

    ensure_eq!(
        ctx.sut.machines().ctx("machines")?,
        vec![url.clone()],
        "machines"
    );

    // Pinning the cluster id: the member's own id is accepted, another one refused.
    let id = ctx
        .sut
        .get(&k, GetOptions::default())
        .ctx("get")?
        .cluster_id
        .ok_or("no cluster id")?;
    let pinned = ctx.sut_with(Config::new([url.clone()]).expected_cluster_id(id.as_str()))?;
    pinned
        .get(&k, GetOptions::default())
        .ctx("get with the right cluster id")?;
    let wrong = ctx.sut_with(Config::new([url]).expected_cluster_id("1234abcd"))?;
    let err = expect_err(
        wrong.get(&k, GetOptions::default()),
        "get with another cluster id",
    )?;
    let refused = matches!(&err, Error::Cluster(c) if c.failures.len() == 1
        && matches!(&c.failures[0].1, AttemptFailure::WrongCluster { found, .. } if *found == id));
    ensure!(refused, "a member of another cluster: {err:?}");
    Ok(())
}

/// On three members: machines lists all, the leader's stats name two followers, a follower
/// answers stats/leader with 403 `not current leader`, and each member's self stats say
/// which one leads.
pub fn cluster_info_three_members(ctx: &Ctx<'_>) -> Result<(), String> {
    let urls = ctx.urls();
    let mut machines = ctx.sut.machines().ctx("machines")?;
    machines.sort();
    let mut all = urls.clone();
    all.sort();
    ensure_eq!(machines, all, "machines of three members");

    let leader = ctx.sut.leader().ctx("leader")?;
    let members = ctx.sut.list_members().ctx("members")?;
    ensure_eq!(members.len(), 3, "members");
    ensure!(
        members.contains(&leader),
        "the leader is a member: {leader:?}"
    );
    let mut leaders_seen = 0;
    for url in &urls {
        let one = ctx.sut_with(Config::new([url.clone()]))?;
        let me = one.stats_self().ctx(format!("stats self of {url}"))?;
        ensure_eq!(me.leader_info.leader, leader.id, "leader seen by {url}");
        ensure!(one.health().ctx("health")?.healthy, "{url} healthy");
        if leader.client_urls.contains(url) {
            leaders_seen += 1;
            ensure_eq!(me.state, "StateLeader", "state of the leader");
            let stats = one.stats_leader().ctx("stats leader on the leader")?;
            ensure_eq!(stats.leader, leader.id, "stats leader id");
            let mut followers: Vec<&String> = stats.followers.keys().collect();
            followers.sort();
            let mut expected: Vec<&String> = members
                .iter()
                .filter(|m| m.id != leader.id)
                .map(|m| &m.id)
                .collect();
            expected.sort();
            ensure_eq!(followers, expected, "followers in stats leader");
        } else {
            ensure_eq!(me.state, "StateFollower", "state of a follower");
            let err = expect_err(one.stats_leader(), "stats leader on a follower")?;
            ensure!(
                matches!(&err, Error::Api(api) if api.status == 403 && api.message == "not current leader"),
                "stats leader on a follower: {err:?}"
            );
        }
    }
    ensure_eq!(leaders_seen, 1, "exactly one member is the leader");
    Ok(())
}
