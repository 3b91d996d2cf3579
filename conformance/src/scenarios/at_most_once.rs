//! Writes are applied at most once behind the caller's back, shown on real members under
//! real faults: a SIGSTOPped member, answers lost on the way back, a partition that outlasts
//! the call's deadline, a connection closed once the request is in. Each scenario fails
//! against a client that re-sends writes (as Go's does).

use std::time::{Duration, Instant};

use etcd_v2_proto::{Api, Config, Error, GetOptions, SetOptions, WriteRetry};

use super::{Check, Ctx, expect_err, node};
use crate::fault_proxy::{Fault, FaultProxy};
use crate::sut::Sut;

const HEADER_TIMEOUT: Duration = Duration::from_millis(700);

/// A client over `endpoints` whose first (pinned) endpoint is `endpoints[0]`.
fn pinned_client(ctx: &Ctx<'_>, endpoints: &[String], config: Config) -> Result<Sut, String> {
    for seed in 0..1000 {
        let mut config = config.clone().seed(seed);
        config.endpoints = endpoints.to_vec();
        let sut = ctx.sut_with(config)?;
        if sut.endpoints()[0] == endpoints[0] {
            return Ok(sut);
        }
    }
    Err(format!("no seed pins {}", endpoints[0]))
}

/// The value of `key` read with a quorum read through member `i` alone.
fn quorum_value(ctx: &Ctx<'_>, i: usize, key: &str) -> Result<Option<String>, String> {
    let one = ctx.sut_with(Config::new([ctx.url(i)]))?;
    match one.get(key, GetOptions::default().quorum(true)) {
        Ok(resp) => Ok(node(&resp)?.value.clone()),
        Err(e) if e.is_key_not_found() => Ok(None),
        Err(e) => Err(format!("quorum read of {key}: {e}")),
    }
}

/// The number of attempts an `OutcomeUnknown` records, or a failure naming what came instead.
fn unknown_attempts(e: &Error, what: &str) -> Result<usize, String> {
    match e {
        Error::OutcomeUnknown(unknown) => Ok(unknown.attempts.len()),
        other => Err(format!(
            "{what}: expected OutcomeUnknown, got {other} ({other:?})"
        )),
    }
}

/// Finding: a set timed out on a SIGSTOPped member, was re-sent elsewhere and returned Ok;
/// the member later applied its copy over a newer write. Now the set is sent once and ends
/// `OutcomeUnknown`, so the caller knows it may still land.
pub fn at_most_once_set_to_stopped_member(ctx: &Ctx<'_>) -> Result<(), String> {
    // A follower is stopped, so the others keep their leader and take "B" at once (a
    // stopped leader would leave them electing one for longer than the header timeout).
    let leader = crate::nemesis::leader(&ctx.cluster());
    let follower = (0..3).find(|&i| Some(i) != leader).ok_or("no follower")?;
    let mut urls = ctx.urls();
    urls.swap(0, follower);
    let config = Config::default().header_timeout(Some(HEADER_TIMEOUT));
    let sut = pinned_client(ctx, &urls, config)?;
    let k = ctx.key("k");
    sut.set(&k, "0", SetOptions::default()).ctx("first set")?;
    ctx.cluster()
        .stop(follower)
        .map_err(|e| format!("SIGSTOP: {e}"))?;
    let outcome = (|| {
        let started = Instant::now();
        let e = expect_err(
            sut.set(&k, "A", SetOptions::default()),
            "set to the stopped member",
        )?;
        let took = started.elapsed();
        ensure_eq!(unknown_attempts(&e, "set A")?, 1, "attempts of set A");
        ensure!(took < Duration::from_secs(4), "set A ended after {took:?}");
        // The pin moved on: the next write goes to a live member.
        sut.set(&k, "B", SetOptions::default()).ctx("set B")?;
        Ok(())
    })();
    ctx.cluster()
        .cont(follower)
        .map_err(|e| format!("SIGCONT: {e}"))?;
    outcome
}

/// Finding: a compare-and-swap whose answer was lost was re-sent and got 101 because the
/// first attempt had applied. Now it is sent once and ends `OutcomeUnknown`; with Go's
/// re-send behaviour opted in, the 101 comes back inside `OutcomeUnknown`, never alone.
pub fn at_most_once_cas_with_lost_answer(ctx: &Ctx<'_>) -> Result<(), String> {
    let mut urls = ctx.urls();
    let proxy = FaultProxy::in_front_of(&urls[0]).map_err(|e| format!("proxy: {e}"))?;
    urls[0] = proxy.url();
    let k = ctx.key("counter");
    for retry in [WriteRetry::AtMostOnce, WriteRetry::ResendAll] {
        let config = Config::default()
            .header_timeout(Some(HEADER_TIMEOUT))
            .write_retry(retry);
        let sut = pinned_client(ctx, &urls, config)?;
        proxy.set(Fault::Pass);
        let v0 = sut.set(&k, "v0", SetOptions::default()).ctx("set v0")?;
        let index = node(&v0)?.modified_index;
        proxy.set(Fault::DropAnswers);
        let before = proxy.requests();
        let cas = SetOptions::default().prev_index(index);
        let e = expect_err(sut.set(&k, "v1", cas), "CAS whose answer is lost")?;
        let attempts = unknown_attempts(&e, &format!("CAS under {retry:?}"))?;
        ensure_eq!(
            proxy.requests() - before,
            1,
            "CAS requests through the proxy"
        );
        let answer = e.outcome_unknown().and_then(|u| u.answer.as_ref());
        match retry {
            WriteRetry::AtMostOnce => {
                ensure_eq!(attempts, 1, "attempts at most once");
                ensure!(answer.is_none(), "no later answer: {e:?}");
            }
            _ => {
                let refused = answer.is_some_and(Error::is_test_failed);
                ensure!(refused, "the re-send's 101 is kept inside: {e:?}");
            }
        }
        // The lost attempt did apply: a definite "failed" would have been a lie.
        let value = quorum_value(ctx, 1, &k)?;
        ensure_eq!(value.as_deref(), Some("v1"), "the CAS applied");
    }
    Ok(())
}

/// Finding: a write still in flight when the caller's deadline passed ended as
/// `DeadlineExceeded` ("not done") and was applied later. Now it is `OutcomeUnknown`; a read
/// in the same spot is `DeadlineExceeded`.
pub fn at_most_once_deadline_after_send(ctx: &Ctx<'_>) -> Result<(), String> {
    let mut urls = ctx.urls();
    let proxy = FaultProxy::in_front_of(&urls[0]).map_err(|e| format!("proxy: {e}"))?;
    urls[0] = proxy.url();
    let config = Config::default().header_timeout(Some(Duration::from_secs(5)));
    let sut = pinned_client(ctx, &urls, config)?;
    let k = ctx.key("k");
    sut.set(&k, "0", SetOptions::default()).ctx("warm-up set")?;
    proxy.set(Fault::Hold);
    let deadline = Duration::from_millis(800);
    let bounded = sut.with_timeout(deadline);
    let started = Instant::now();
    let e = expect_err(bounded.set(&k, "1", SetOptions::default()), "held set")?;
    let took = started.elapsed();
    ensure_eq!(
        unknown_attempts(&e, "held set")?,
        1,
        "attempts of the held set"
    );
    ensure!(
        took >= deadline - Duration::from_millis(50) && took < deadline * 3,
        "the set ended at its deadline, took {took:?}"
    );
    let e = expect_err(bounded.get(&k, GetOptions::default()), "held get")?;
    ensure!(
        matches!(e, Error::DeadlineExceeded),
        "a read has nothing unknown: {e:?}"
    );
    proxy.set(Fault::Pass);
    Ok(())
}

/// Neither the client nor the HTTP library under it re-sends a write on a fresh connection
/// after the member closed the one it was sent on; a read goes on to the next member.
pub fn at_most_once_no_hidden_resend(ctx: &Ctx<'_>) -> Result<(), String> {
    let mut urls = ctx.urls();
    let proxy = FaultProxy::in_front_of(&urls[0]).map_err(|e| format!("proxy: {e}"))?;
    urls[0] = proxy.url();
    let config = Config::default().header_timeout(Some(Duration::from_secs(5)));
    let sut = pinned_client(ctx, &urls, config)?;
    let k = ctx.key("k");
    proxy.set(Fault::CloseOnRequest);
    let e = expect_err(
        sut.set(&k, "x", SetOptions::default()),
        "set on a closing member",
    )?;
    ensure_eq!(unknown_attempts(&e, "set")?, 1, "attempts of the set");
    ensure_eq!(proxy.requests(), 1, "requests the closing member saw");
    ensure_eq!(quorum_value(ctx, 1, &k)?, None, "nothing was forwarded");
    // The pin moved; point it back at the proxy for a read.
    let sut = pinned_client(ctx, &urls, Config::default())?;
    let got = sut.get(&k, GetOptions::default());
    ensure!(
        got.as_ref().err().is_some_and(Error::is_key_not_found),
        "read failed over: {got:?}"
    );
    ensure_eq!(
        proxy.requests(),
        2,
        "the read was sent to the closing member once"
    );
    Ok(())
}
