//! The Go client's documentation examples (seed `etcd-v2-go-client-doc.txt`), reproduced.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use etcd_v2_proto::{Action, Api, Config, DeleteOptions, Error, GetOptions, SetOptions};

use super::{Check, Ctx, expect_code, expect_err, node};

/// The Go client's README usage (#96 when collected): set "/foo" to "bar", then get it: key
/// "/foo", value "bar".
pub fn go_example_set_get(ctx: &Ctx<'_>) -> Result<(), String> {
    let foo_key = ctx.key("foo");
    let resp = ctx
        .sut
        .set(&foo_key, "bar", SetOptions::default())
        .ctx("Setting '/foo' key with 'bar' value")?;
    ensure!(
        resp.index > 0 && resp.cluster_id.is_some(),
        "set metadata: {resp:?}"
    );
    let resp = ctx
        .sut
        .get(&foo_key, GetOptions::default())
        .ctx("Getting '/foo' key value")?;
    let n = node(&resp)?;
    ensure_eq!(
        (n.key.as_str(), n.value.as_deref()),
        (foo_key.as_str(), Some("bar")),
        "\"/foo\" key has \"bar\" value"
    );
    Ok(())
}

/// The `myNodes` example (Go: `ExampleKeysAPI_directory`, #95 when collected): a dir with
/// key1/key2, read back and sorted by key.
pub fn go_example_my_nodes_sorted(ctx: &Ctx<'_>) -> Result<(), String> {
    let dir = ctx.key("myNodes");
    ctx.sut
        .set(&dir, "", SetOptions::default().dir(true))
        .ctx("set dir")?;
    // Written in reverse so an unsorted listing would likely show it.
    ctx.sut
        .set(&format!("{dir}/key2"), "value2", SetOptions::default())
        .ctx("set key2")?;
    ctx.sut
        .set(&format!("{dir}/key1"), "value1", SetOptions::default())
        .ctx("set key1")?;
    let resp = ctx
        .sut
        .get(&dir, GetOptions::default().sort(true))
        .ctx("get dir sorted")?;
    let pairs: Vec<(String, String)> = node(&resp)?
        .nodes
        .iter()
        .map(|n| (n.key.clone(), n.value_str().to_owned()))
        .collect();
    let expected = vec![
        (format!("{dir}/key1"), "value1".to_owned()),
        (format!("{dir}/key2"), "value2".to_owned()),
    ];
    ensure_eq!(pairs, expected, "sorted nodes");
    // Client-side sorting of an unsorted listing gives the same (Go: sort.Sort(resp.Node.Nodes)).
    let resp = ctx.sut.get(&dir, GetOptions::default()).ctx("get dir")?;
    let mut nodes = node(&resp)?.nodes.clone();
    nodes.sort_by(|a, b| a.key.cmp(&b.key));
    let pairs: Vec<(String, String)> = nodes
        .iter()
        .map(|n| (n.key.clone(), n.value_str().to_owned()))
        .collect();
    ensure_eq!(pairs, expected, "nodes sorted by the client");
    Ok(())
}

/// Package overview: create "/foo" = "bar", then delete it only if the value is still "bar".
pub fn go_example_create_delete_prev_value(ctx: &Ctx<'_>) -> Result<(), String> {
    let foo_key = ctx.key("foo");
    ctx.sut
        .create(&foo_key, "bar")
        .ctx("create a new key /foo with the value \"bar\"")?;
    let resp = ctx
        .sut
        .delete(&foo_key, DeleteOptions::default().prev_value("bar"))
        .ctx("delete the newly created key only if the value is still \"bar\"")?;
    ensure_eq!(resp.action, Action::CompareAndDelete, "action");
    expect_code(
        ctx.sut.get(&foo_key, GetOptions::default()),
        100,
        "get after delete",
    )?;
    // And the other branch: the value changed, the delete is refused.
    ctx.sut.create(&foo_key, "bar").ctx("create again")?;
    ctx.sut
        .set(&foo_key, "changed", SetOptions::default())
        .ctx("change")?;
    expect_code(
        ctx.sut
            .delete(&foo_key, DeleteOptions::default().prev_value("bar")),
        101,
        "delete after a change",
    )?;
    Ok(())
}

/// Package overview: `context.WithTimeout(5s)` around `Set("/ping", "pong")`; a member that
/// does not answer gives `DeadlineExceeded` when the deadline passes.
pub fn go_example_timeout(ctx: &Ctx<'_>) -> Result<(), String> {
    let ping = ctx.key("ping");
    let quick = ctx.sut.with_timeout(Duration::from_secs(5));
    quick
        .set(&ping, "pong", SetOptions::default())
        .ctx("set a new key, ignoring its previous state")?;
    let got = quick.get(&ping, GetOptions::default()).ctx("get")?;
    ensure_eq!(node(&got)?.value.as_deref(), Some("pong"), "value");

    // A listener that never accepts: the kernel completes the handshake, nobody answers.
    let silent = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let url = format!("http://{}", silent.local_addr().map_err(|e| e.to_string())?);
    let stuck = ctx
        .sut_with(Config::new([url]))?
        .with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = expect_err(
        stuck.set(&ping, "pong", SetOptions::default()),
        "set against a silent member",
    )?;
    let took = started.elapsed();
    // Go says DeadlineExceeded; the set was written to the socket, so it may be applied.
    ensure!(
        err.is_outcome_unknown(),
        "a write past its deadline: expected OutcomeUnknown, got {err:?}"
    );
    ensure!(
        (Duration::from_millis(290)..Duration::from_secs(3)).contains(&took),
        "the deadline of 300 ms ended the call after {took:?}"
    );
    let started = Instant::now();
    let err = expect_err(
        stuck.get(&ping, GetOptions::default()),
        "get against a silent member",
    )?;
    ensure_eq!(err, Error::DeadlineExceeded, "a read past its deadline");
    ensure!(
        started.elapsed() < Duration::from_secs(3),
        "get ended after {:?}",
        started.elapsed()
    );
    drop(silent);
    Ok(())
}
