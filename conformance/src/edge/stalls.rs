//! Members that read the request and never answer: header timeouts, deadlines, and an
//! abandoned call.

use std::time::Duration;

use etcd_v2_proto::{
    Api, AttemptFailure, ClusterError, Error, GetOptions, TransportFailure, WatchOptions,
};

use super::{VALUE, client_in_order, header_timeout, healthy, stalled, timed};
use crate::sut::{Adapter, Sut};

/// Two stalled members: one `HeaderTimeout` each, in order, after both timeouts.
pub(super) fn stalled_members_give_a_header_timeout_each(adapter: Adapter) -> Result<(), String> {
    let (a, b) = (stalled()?, stalled()?);
    let sut = client_in_order(adapter, &[&a.url(), &b.url()], header_timeout(200))?;
    let (got, took) = timed(|| sut.get("/foo", GetOptions::default()));
    let timeout = |u: String| (u.clone(), AttemptFailure::HeaderTimeout { endpoint: u });
    let failures = vec![timeout(a.url()), timeout(b.url())];
    ensure_eq!(
        got,
        Err(Error::Cluster(ClusterError { failures })),
        "the get"
    );
    ensure!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(2),
        "took {took:?}"
    );
    ensure_eq!((a.hits(), b.hits()), (1, 1), "requests per member");
    Ok(())
}

/// A create the member read but never answered may have been applied: outcome unknown,
/// naming the member and its header timeout; not sent again.
pub(super) fn create_on_a_stalled_member_is_outcome_unknown(
    adapter: Adapter,
) -> Result<(), String> {
    let a = stalled()?;
    let sut = client_in_order(adapter, &[&a.url()], header_timeout(200))?;
    let err = sut
        .create("/foo", VALUE)
        .err()
        .ok_or("the create succeeded")?;
    let unknown = err.outcome_unknown().ok_or(format!("{err:?}"))?;
    ensure_eq!(unknown.endpoint, a.url(), "the endpoint");
    let expected = AttemptFailure::HeaderTimeout { endpoint: a.url() };
    ensure_eq!(unknown.failure, expected, "the failure");
    ensure_eq!(a.hits(), 1, "requests");
    Ok(())
}

/// With no header timeout, `with_timeout` ends a stalled create as outcome unknown (a
/// transport timeout) and a stalled get as `DeadlineExceeded`.
pub(super) fn with_timeout_on_a_stalled_write_is_outcome_unknown(
    adapter: Adapter,
) -> Result<(), String> {
    let a = stalled()?;
    let sut = client_in_order(adapter, &[&a.url()], |c| c.header_timeout(None))?
        .with_timeout(Duration::from_millis(300));
    let (got, took) = timed(|| sut.create("/foo", VALUE));
    let err = got.err().ok_or("the create succeeded")?;
    let unknown = err.outcome_unknown().ok_or(format!("{err:?}"))?;
    ensure_eq!(unknown.endpoint, a.url(), "the endpoint");
    let timeout = AttemptFailure::Transport(TransportFailure::Timeout);
    ensure_eq!(unknown.failure, timeout, "the failure");
    ensure!(took < Duration::from_secs(2), "the create took {took:?}");
    let got = sut.get("/foo", GetOptions::default());
    ensure_eq!(got, Err(Error::DeadlineExceeded), "the get");
    Ok(())
}

/// `with_timeout` bounds each wait of a watch on a stalled member, and a sync.
pub(super) fn with_timeout_bounds_each_watch_wait(adapter: Adapter) -> Result<(), String> {
    let a = stalled()?;
    let sut = client_in_order(adapter, &[&a.url()], |c| c)?;
    let short = sut.with_timeout(Duration::from_millis(300));
    let opts = WatchOptions::default().after_index(2);
    let mut watcher = short.watch("/foo", opts).map_err(|e| e.to_string())?;
    for poll in 1..=2 {
        let (got, took) = timed(|| watcher.next_within(Duration::from_secs(5)));
        ensure!(
            matches!(got, Some(Err(Error::DeadlineExceeded))),
            "poll {poll}: {got:?}"
        );
        ensure!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(1),
            "poll {poll} took {took:?}"
        );
    }
    ensure_eq!(short.sync(), Err(Error::DeadlineExceeded), "the sync");
    Ok(())
}

/// A get dropped after 100 ms (no header timeout) returns at once, and the client still
/// works afterwards. Async adapters only: a blocking call cannot be dropped.
pub(super) fn dropping_a_call_returns_promptly(adapter: Adapter) -> Result<(), String> {
    let a = stalled()?;
    let sut = client_in_order(adapter, &[&a.url()], |c| c.header_timeout(None))?;
    let bound = Duration::from_millis(100);
    let (out, took) = timed(|| match &sut {
        Sut::Tokio(rt, c) => rt
            .block_on(async {
                tokio::time::timeout(bound, c.get("/foo", GetOptions::default())).await
            })
            .ok(),
        Sut::AsyncStd(c) => async_std::task::block_on(async_std::future::timeout(
            bound,
            c.get("/foo", GetOptions::default()),
        ))
        .ok(),
        Sut::Blocking(_) => None,
    });
    ensure!(
        adapter != Adapter::Blocking,
        "a blocking call cannot be dropped"
    );
    ensure!(out.is_none(), "the stalled get ended: {out:?}");
    ensure!(took < Duration::from_millis(500), "dropping took {took:?}");
    let b = healthy()?;
    sut.set_endpoints(&[&b.url()]).map_err(|e| e.to_string())?;
    let got = sut
        .get("/foo", GetOptions::default())
        .map_err(|e| e.to_string())?;
    ensure_eq!(
        got.node.and_then(|n| n.value).as_deref(),
        Some(VALUE),
        "the value"
    );
    Ok(())
}
