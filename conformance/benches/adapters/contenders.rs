//! The contenders: every client measured, and one get or set on each kind of client.

use std::path::PathBuf;
use std::sync::Arc;

use conformance::sut::{Adapter, Sut};
use etcd_v2_proto::{Api, Config, Error, GetOptions, KeysResponse, SetOptions};

use crate::{Client, Contender, Kind, VALUE};

pub(crate) fn blocking_op(
    c: &etcd_v2::blocking::Client,
    kind: Kind,
    key: &str,
) -> Result<KeysResponse, Error> {
    match kind {
        Kind::Get => c.get(key, GetOptions::default()),
        Kind::Set => c.set(key, VALUE, SetOptions::default()),
    }
}

pub(crate) fn sut_op(c: &Sut, kind: Kind, key: &str) -> Result<KeysResponse, Error> {
    match kind {
        Kind::Get => c.get(key, GetOptions::default()),
        Kind::Set => c.set(key, VALUE, SetOptions::default()),
    }
}

pub(crate) async fn tokio_op(
    c: &etcd_v2::tokio::Client,
    kind: Kind,
    key: &str,
) -> Result<KeysResponse, Error> {
    match kind {
        Kind::Get => c.get(key, GetOptions::default()).await,
        Kind::Set => c.set(key, VALUE, SetOptions::default()).await,
    }
}

pub(crate) async fn async_std_op(
    c: &etcd_v2::async_std::Client,
    kind: Kind,
    key: &str,
) -> Result<KeysResponse, Error> {
    match kind {
        Kind::Get => c.get(key, GetOptions::default()).await,
        Kind::Set => c.set(key, VALUE, SetOptions::default()).await,
    }
}

pub(crate) fn ok<T>(label: &str, r: Result<T, Error>) -> T {
    r.unwrap_or_else(|e| panic!("{label}: {e}"))
}

fn etcdctl_binary() -> Option<PathBuf> {
    let from_env = std::env::var_os("ETCDCTL_BIN").map(PathBuf::from);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = std::env::split_paths(&path)
        .map(|dir| dir.join("etcdctl"))
        .chain([PathBuf::from("/usr/bin/etcdctl")]);
    from_env.into_iter().chain(on_path).find(|p| p.is_file())
}

pub(crate) fn contenders(
    endpoint: &str,
    rt: &Arc<tokio::runtime::Runtime>,
) -> Result<Vec<Contender>, Error> {
    let config = || Config::new([endpoint]);
    let contender = |label: &'static str, client, sequential, throughput| Contender {
        label,
        dir: format!(
            "/bench/{}",
            label.replace([' ', ',', '(', ')', '/', ':'], "_")
        ),
        client,
        sequential,
        throughput,
    };
    let tokio_client = etcd_v2::tokio::Client::new(config())?;
    let big_pool = etcd_v2::blocking::UreqTransport::with_config(|c| {
        c.max_idle_connections(64).max_idle_connections_per_host(64)
    });
    let mut all = vec![
        contender(
            "blocking",
            Client::Blocking(etcd_v2::blocking::Client::new(config())?),
            true,
            true,
        ),
        contender(
            "tokio",
            Client::Tokio(Arc::clone(rt), tokio_client),
            true,
            true,
        ),
        contender(
            "async-std",
            Client::AsyncStd(etcd_v2::async_std::Client::new(config())?),
            true,
            true,
        ),
        contender(
            "tokio via Sut (block_on per call)",
            Client::Sut(Sut::new(Adapter::Tokio, config())?),
            true,
            false,
        ),
        contender(
            "async-std via Sut (block_on per call)",
            Client::Sut(Sut::new(Adapter::AsyncStd, config())?),
            true,
            false,
        ),
        // Diagnostics of the blocking client's costs, not configurations to recommend.
        // ureq keeps 3 idle connections per host by default: K > 3 callers churn connections.
        contender(
            "diag: blocking, ureq pool 64/host",
            Client::Blocking(etcd_v2::blocking::Client::with_transport(
                config(),
                big_pool,
            )?),
            false,
            true,
        ),
        // With a deadline, ureq 3.5 resolves the host (even an IP literal) on a fresh thread
        // per request; without header timeout the request has no deadline and no thread.
        contender(
            "diag: blocking, no header timeout",
            Client::Blocking(etcd_v2::blocking::Client::new(
                config().header_timeout(None),
            )?),
            true,
            true,
        ),
    ];
    match etcdctl_binary() {
        Some(bin) => all.push(contender(
            "etcdctl v2 (process per op)",
            Client::Etcdctl {
                bin,
                endpoint: endpoint.to_owned(),
            },
            true,
            false,
        )),
        None => eprintln!("etcdctl not found (PATH or ETCDCTL_BIN): its row is left out"),
    }
    Ok(all)
}

/// The order of round `round`: every contender, rotated by the round number.
pub(crate) fn rotated<'a>(
    all: &'a [&'a Contender],
    round: usize,
) -> impl Iterator<Item = &'a Contender> {
    let n = all.len();
    (0..n).map(move |i| all[(i + round) % n])
}
