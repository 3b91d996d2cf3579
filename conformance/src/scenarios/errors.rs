//! Errors: every keys error code the store produces arrives as a typed [`Error::Etcd`];
//! invalid requests are refused before anything is sent.

use std::time::Duration;

use etcd_v2_proto::{
    Api, Config, DeleteOptions, Error, GetOptions, PrevExist, ProtocolError, SetOptions, UsageError,
};

use super::{Check, Ctx, expect_code, expect_err, node};

/// 100, 101, 102, 104, 105, 107 and 108 from the real server, with message, cause and index.
pub fn errors_typed_codes(ctx: &Ctx<'_>) -> Result<(), String> {
    let file = ctx.key("file");
    let dir = ctx.key("dir");
    let set = ctx
        .sut
        .set(&file, "v", SetOptions::default())
        .ctx("set file")?;
    ctx.sut
        .set(&ctx.key("dir/child"), "c", SetOptions::default())
        .ctx("set dir/child")?;
    let index = node(&set)?.modified_index;

    // 100: the cause is the path up to the first missing component.
    let missing = ctx.key("missing/deeper");
    let result = ctx.sut.get(&missing, GetOptions::default());
    let err = expect_err(result, "get of a missing key")?;
    ensure!(err.is_key_not_found(), "is_key_not_found(): {err:?}");
    let e = err.etcd().ok_or("100 is an etcd error")?;
    ensure_eq!(e.message, "Key not found", "message of 100");
    ensure_eq!(e.cause, ctx.key("missing"), "cause of 100");
    ensure!(e.index >= index, "100 carries the current index: {e:?}");
    ensure_eq!(
        err.to_string(),
        format!("100: Key not found ({}) [{}]", e.cause, e.index),
        "Display of an etcd error"
    );

    let e = expect_code(
        ctx.sut
            .set(&file, "w", SetOptions::default().prev_value("x")),
        101,
        "101",
    )?;
    ensure_eq!(e.message, "Compare failed", "message of 101");

    let e = expect_code(
        ctx.sut.set(&dir, "v", SetOptions::default()),
        102,
        "value write on a dir",
    )?;
    ensure_eq!(e.message, "Not a file", "message of 102");

    let e = expect_code(
        ctx.sut
            .set(&ctx.key("file/child"), "v", SetOptions::default()),
        104,
        "key below a file",
    )?;
    ensure_eq!(e.message, "Not a directory", "message of 104");
    // Reading below a file is 104 too, not 100.
    let e = expect_code(
        ctx.sut.get(&ctx.key("file/child"), GetOptions::default()),
        104,
        "get below a file",
    )?;
    ensure_eq!(e.cause, file, "cause of 104 is the file");

    let e = expect_code(ctx.sut.create(&file, "v"), 105, "create of an existing key")?;
    ensure_eq!(e.message, "Key already exists", "message of 105");

    for root in ["/", ""] {
        let e = expect_code(
            ctx.sut.set(root, "v", SetOptions::default()),
            107,
            format!("set of root {root:?}"),
        )?;
        ensure_eq!(e.message, "Root is read only", "message of 107");
        expect_code(
            ctx.sut
                .delete(root, DeleteOptions::default().recursive(true)),
            107,
            format!("delete of root {root:?}"),
        )?;
    }

    let e = expect_code(
        ctx.sut.delete(&dir, DeleteOptions::default().dir(true)),
        108,
        "dir delete of a non-empty dir",
    )?;
    ensure_eq!(e.message, "Directory not empty", "message of 108");

    // Nothing above changed the data.
    let got = ctx.sut.get(&file, GetOptions::default()).ctx("get file")?;
    ensure_eq!(
        node(&got)?.modified_index,
        index,
        "the file was not modified"
    );
    Ok(())
}

/// Contradictory options, empty prev values, zero TTLs and escaping keys are usage errors
/// returned before anything is sent: the keys stay untouched.
pub fn errors_usage_nothing_sent(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("k");
    let ttl = Duration::from_secs(10);
    let cases: Vec<(&str, Result<_, Error>)> = vec![
        (
            "refresh with a value",
            ctx.sut
                .set(&k, "v", SetOptions::default().refresh(true).ttl(ttl)),
        ),
        (
            "refresh without ttl",
            ctx.sut.set(&k, "", SetOptions::default().refresh(true)),
        ),
        (
            "dir with a value",
            ctx.sut.set(&k, "v", SetOptions::default().dir(true)),
        ),
        (
            "empty prev value",
            ctx.sut.set(&k, "v", SetOptions::default().prev_value("")),
        ),
        (
            "prev index 0",
            ctx.sut.set(&k, "v", SetOptions::default().prev_index(0)),
        ),
        (
            "zero ttl",
            ctx.sut
                .set(&k, "v", SetOptions::default().ttl(Duration::ZERO)),
        ),
        (
            "create with a prev value",
            ctx.sut.set(
                &k,
                "v",
                SetOptions::default()
                    .prev_exist(PrevExist::NoExist)
                    .prev_value("x"),
            ),
        ),
        (
            "key escaping the prefix",
            ctx.sut.set("../x", "v", SetOptions::default()),
        ),
    ];
    for (what, result) in cases {
        let err = expect_err(result, what)?;
        ensure!(
            matches!(err, Error::Usage(_)),
            "{what}: expected a usage error, got {err:?}"
        );
    }
    let err = expect_err(
        ctx.sut.delete(&k, DeleteOptions::default().prev_value("")),
        "CAD with empty value",
    )?;
    ensure_eq!(
        err,
        Error::Usage(UsageError::EmptyPrevValue),
        "CAD with an empty prev value"
    );
    let err = expect_err(
        ctx.sut.watch("../x", Default::default()).map(|_| ()),
        "watch escaping the prefix",
    )?;
    ensure!(
        matches!(err, Error::Usage(UsageError::KeyEscapesPrefix(_))),
        "watch of ../x: {err:?}"
    );
    expect_code(
        ctx.sut.get(&k, GetOptions::default()),
        100,
        "nothing was written",
    )?;
    Ok(())
}

/// An answer over `max_body_bytes` ends the call with a protocol error (every member would
/// send the same); the limit is applied while reading, by the adapter.
pub fn errors_body_too_large(ctx: &Ctx<'_>) -> Result<(), String> {
    let k = ctx.key("big");
    let big = "x".repeat(64 * 1024);
    ctx.sut
        .set(&k, &big, SetOptions::default())
        .ctx("set 64 KiB")?;
    let small = ctx.sut_with(Config::new(ctx.urls()).max_body_bytes(4096))?;
    let err = expect_err(
        small.get(&k, GetOptions::default()),
        "get of 64 KiB with a 4 KiB limit",
    )?;
    ensure_eq!(
        err,
        Error::Protocol(ProtocolError::BodyTooLarge { limit: 4096 }),
        "oversized answer"
    );
    // Small answers still fit.
    let r = small
        .set(&ctx.key("small"), "s", SetOptions::default())
        .ctx("small set")?;
    ensure_eq!(node(&r)?.value.as_deref(), Some("s"), "small answer");
    let got = ctx
        .sut
        .get(&k, GetOptions::default())
        .ctx("get with the default limit")?;
    ensure_eq!(
        node(&got)?.value.as_ref().map(String::len),
        Some(big.len()),
        "64 KiB value read back"
    );
    Ok(())
}
