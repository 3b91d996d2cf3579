//! Deliberate differences from Go (README, "Differences from the Go client"): TTL rounding,
//! refused option combinations, conditions that Go cannot express, idempotency, huge TTLs.

use std::time::Duration;

use etcd_v2_proto::call::keys;
use etcd_v2_proto::{
    CreateInOrderOptions, DeleteOptions, Error, GetOptions, Idempotency, PrevExist, SetOptions,
    UsageError,
};

use crate::{DEFAULT, request, usage};

/// Go sends a 999 ms TTL as `ttl=0` (#100), deleting the key at once; here a TTL is rounded
/// up to whole seconds and never sent as `ttl=0`.
#[test]
fn ttl_rounds_up_never_to_zero() {
    let cases = [
        (Duration::from_millis(999), "ttl=1&value=v"),
        (Duration::from_nanos(1), "ttl=1&value=v"),
        (Duration::from_millis(1000), "ttl=1&value=v"),
        (Duration::from_millis(1001), "ttl=2&value=v"),
        (Duration::from_millis(1500), "ttl=2&value=v"),
        (Duration::from_secs(180), "ttl=180&value=v"),
    ];
    for (ttl, body) in cases {
        let set = keys::set(DEFAULT, "k", "v", &SetOptions::default().ttl(ttl)).unwrap();
        assert_eq!(
            request(&set, "http://h").body().as_ref(),
            body.as_bytes(),
            "set ttl {ttl:?}"
        );
        let post =
            keys::create_in_order(DEFAULT, "q", "v", CreateInOrderOptions::default().ttl(ttl))
                .unwrap();
        assert_eq!(
            request(&post, "http://h").body().as_ref(),
            body.as_bytes(),
            "post ttl {ttl:?}"
        );
    }
    assert_eq!(
        usage(keys::set(
            DEFAULT,
            "k",
            "v",
            &SetOptions::default().ttl(Duration::ZERO)
        )),
        UsageError::ZeroTtl
    );
    assert_eq!(
        usage(keys::create_in_order(
            DEFAULT,
            "q",
            "v",
            CreateInOrderOptions::default().ttl(Duration::ZERO)
        )),
        UsageError::ZeroTtl
    );
}

/// Go's TestSetAction (#47) and etcd's 211/212 (#101): contradictory options are usage
/// errors, not silently dropped fields or server errors 211/212.
#[test]
fn conflicting_set_options_are_refused() {
    let ttl = Duration::from_secs(10);
    let cases: [(&str, &str, SetOptions); 7] = [
        ("dir + value (#47)", "bar", SetOptions::default().dir(true)),
        (
            "dir + prev_value (#47)",
            "",
            SetOptions::default().dir(true).prev_value("bar"),
        ),
        (
            "refresh + value (#101, server 211)",
            "val",
            SetOptions::default().refresh(true).ttl(ttl),
        ),
        (
            "refresh without ttl (#101, server 212)",
            "",
            SetOptions::default().refresh(true),
        ),
        (
            "no-exist + prev_value",
            "v",
            SetOptions::default()
                .prev_exist(PrevExist::NoExist)
                .prev_value("x"),
        ),
        (
            "no-exist + prev_index",
            "v",
            SetOptions::default()
                .prev_exist(PrevExist::NoExist)
                .prev_index(3),
        ),
        (
            "#62 full options with dir",
            "",
            SetOptions::default()
                .prev_value("baz")
                .prev_index(13)
                .prev_exist(PrevExist::Exist)
                .ttl(Duration::from_secs(60))
                .dir(true),
        ),
    ];
    for (name, value, opts) in cases {
        let err = usage(keys::set(DEFAULT, "k", value, &opts));
        assert!(
            matches!(err, UsageError::ConflictingOptions(_)),
            "{name}: {err:?}"
        );
        assert!(
            err.to_string().starts_with("conflicting options: "),
            "{name}: {err}"
        );
    }
    // Refresh with an empty value and a TTL is the valid refresh.
    let ok = keys::set(
        DEFAULT,
        "k",
        "",
        &SetOptions::default().refresh(true).ttl(ttl),
    )
    .unwrap();
    assert_eq!(
        request(&ok, "http://h").body().as_ref(),
        b"refresh=true&ttl=10&value="
    );
}

/// Conditions are `Option`s; the unexpressible-in-Go empty prev value and index 0 are
/// refused rather than dropped.
#[test]
fn empty_prev_value_and_zero_prev_index_are_refused() {
    assert_eq!(
        usage(keys::set(
            DEFAULT,
            "k",
            "v",
            &SetOptions::default().prev_value("")
        )),
        UsageError::EmptyPrevValue
    );
    assert_eq!(
        usage(keys::set(
            DEFAULT,
            "k",
            "v",
            &SetOptions::default().prev_index(0)
        )),
        UsageError::ZeroPrevIndex
    );
    assert_eq!(
        usage(keys::delete(
            DEFAULT,
            "k",
            &DeleteOptions::default().prev_value("")
        )),
        UsageError::EmptyPrevValue
    );
    assert_eq!(
        usage(keys::delete(
            DEFAULT,
            "k",
            &DeleteOptions::default().prev_index(0)
        )),
        UsageError::ZeroPrevIndex
    );
    // A set of an empty value with a real condition is still sent as `value=`.
    let call = keys::set(DEFAULT, "k", "", &SetOptions::default().prev_value("old")).unwrap();
    let req = request(&call, "http://h");
    assert_eq!(req.uri().query(), Some("prevValue=old"));
    assert_eq!(req.body().as_ref(), b"value=");
}

/// Idempotency: reads and watches are reads; plain set, update and mkdir are idempotent;
/// compare-and-swap, create, in-order create, delete and compare-and-delete are not.
#[test]
fn idempotency_of_keys_calls() {
    let cases = [
        (
            "get",
            keys::get(DEFAULT, "k", GetOptions::default())
                .unwrap()
                .idempotency(),
            Idempotency::Read,
        ),
        (
            "wait",
            keys::wait(DEFAULT, "k", true, 3).unwrap().idempotency(),
            Idempotency::Read,
        ),
        (
            "set",
            keys::set(DEFAULT, "k", "v", &SetOptions::default())
                .unwrap()
                .idempotency(),
            Idempotency::Idempotent,
        ),
        (
            "compare-and-swap",
            keys::set(
                DEFAULT,
                "k",
                "v",
                &SetOptions::default().prev_value("o").prev_index(2),
            )
            .unwrap()
            .idempotency(),
            Idempotency::NotIdempotent,
        ),
        (
            "update",
            keys::update(DEFAULT, "k", "v").unwrap().idempotency(),
            Idempotency::Idempotent,
        ),
        (
            "mkdir",
            keys::set(DEFAULT, "d", "", &SetOptions::default().dir(true))
                .unwrap()
                .idempotency(),
            Idempotency::Idempotent,
        ),
        (
            "create",
            keys::create(DEFAULT, "k", "v").unwrap().idempotency(),
            Idempotency::NotIdempotent,
        ),
        (
            "set with prev_exist=NoExist",
            keys::set(
                DEFAULT,
                "k",
                "v",
                &SetOptions::default().prev_exist(PrevExist::NoExist),
            )
            .unwrap()
            .idempotency(),
            Idempotency::NotIdempotent,
        ),
        (
            "create_in_order",
            keys::create_in_order(DEFAULT, "q", "v", CreateInOrderOptions::default())
                .unwrap()
                .idempotency(),
            Idempotency::NotIdempotent,
        ),
        (
            "delete",
            keys::delete(DEFAULT, "k", &DeleteOptions::default())
                .unwrap()
                .idempotency(),
            Idempotency::NotIdempotent,
        ),
        (
            "compare-and-delete",
            keys::delete(DEFAULT, "k", &DeleteOptions::default().prev_index(4))
                .unwrap()
                .idempotency(),
            Idempotency::NotIdempotent,
        ),
    ];
    for (name, got, want) in cases {
        assert_eq!(got, want, "{name}");
    }
}

/// A huge TTL must neither panic nor reach the server as something that expires at once.
///
/// `ttl_seconds` (src/call/keys.rs) computes `ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0)`:
/// for `Duration::MAX` that overflows (a panic in debug builds, `ttl=0` in release builds: the
/// key is deleted at once, exactly what rounding up is there to prevent). And etcd computes the
/// expiry as `time.Duration(ttl) * time.Second` in i64 nanoseconds, so any TTL over 9 223 372 036 s
/// (the largest Go's client can send) wraps on the server (`ttl=18446744073709551615` is -1 s).
#[test]
fn huge_ttls_are_refused_or_clamped() {
    const GO_MAX_TTL_SECS: u64 = 9_223_372_036;
    for ttl in [
        Duration::MAX,
        Duration::new(u64::MAX, 0),
        Duration::from_secs(GO_MAX_TTL_SECS + 1),
    ] {
        let built = std::panic::catch_unwind(|| {
            keys::set(DEFAULT, "k", "v", &SetOptions::default().ttl(ttl))
                .map(|call| request(&call, "http://h").body().clone())
        });
        let Ok(built) = built else {
            panic!("set with ttl {ttl:?} panicked");
        };
        match built {
            Err(Error::Usage(_)) => {}
            Err(e) => panic!("ttl {ttl:?}: unexpected error {e:?}"),
            Ok(body) => {
                let body = std::str::from_utf8(&body).unwrap();
                let secs: u64 = body
                    .strip_prefix("ttl=")
                    .and_then(|rest| rest.split('&').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("ttl {ttl:?}: body {body:?}"));
                assert!(
                    (1..=GO_MAX_TTL_SECS).contains(&secs),
                    "ttl {ttl:?} sent as ttl={secs}"
                );
            }
        }
    }
}
