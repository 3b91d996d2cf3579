//! The scenario suite: every scenario of `conformance::scenarios::SCENARIOS` through every
//! adapter, against real etcd, and those marked `Backends::EtcdAndFake` also against the
//! in-memory fake etcd. One trial per (backend, adapter, scenario), named
//! `<adapter>::<scenario>` on etcd (e.g. `tokio::keys_cas_on_index`) and
//! `fake::<adapter>::<scenario>` on the fake.
//!
//! The etcd trials need an etcd binary (`etcd` on PATH or `ETCD_BIN`); without one they fail
//! with the install hint, they are never skipped. The fake trials need none: run only them
//! with `cargo test -p conformance --test suite -- fake::`.

use std::sync::{Arc, Mutex, OnceLock};

use conformance::etcd_process::{EtcdCluster, etcd_binary};
use conformance::scenarios::{
    Backends, Entry, KNOWN_FAILURES, Needs, SCENARIOS, known_failure, run_scenario,
    run_scenario_on_fake,
};
use conformance::sut::Adapter;
use libtest_mimic::{Arguments, Failed, Trial};

/// The shared single member, started by the first trial that needs it.
type SharedEtcd = OnceLock<Result<Mutex<EtcdCluster>, String>>;

fn main() {
    let args = Arguments::from_args();
    if !args.list {
        if let Err(e) = etcd_binary() {
            eprintln!("warning: every etcd trial will fail: {e}");
        }
        if !args.include_ignored && !args.ignored {
            for (adapter, scenario, why) in KNOWN_FAILURES {
                eprintln!("known adapter bug, ignored: {adapter}::{scenario}: {why}");
            }
        }
    }
    // Dropped (its member killed) below, after every trial has ended.
    let shared = Arc::new(SharedEtcd::new());
    let conclusion = libtest_mimic::run(&args, trials(&shared));
    drop(shared);
    conclusion.exit();
}

/// One trial per (scenario, adapter) on etcd, slowest scenarios (own clusters) first so the
/// parallel trials finish together; then one per (scenario, adapter) on the fake.
fn trials(shared: &Arc<SharedEtcd>) -> Vec<Trial> {
    let mut order: Vec<&'static Entry> = SCENARIOS.iter().collect();
    order.sort_by_key(|entry| match entry.needs {
        Needs::OwnCluster3 | Needs::OwnCluster3Isolable => 0,
        Needs::OwnSingle | Needs::OwnUnixSocket => 1,
        Needs::Shared => 2,
    });
    let mut trials = Vec::new();
    for &entry in &order {
        for adapter in Adapter::ALL {
            let shared = Arc::clone(shared);
            let trial = Trial::test(format!("{adapter}::{}", entry.name), move || {
                run_scenario(adapter, entry, || shared_etcd(&shared)).map_err(Failed::from)
            });
            trials.push(known(trial, adapter, entry));
        }
    }
    let on_fake = order
        .iter()
        .filter(|entry| entry.backends == Backends::EtcdAndFake);
    for &entry in on_fake {
        for adapter in Adapter::ALL {
            let trial = Trial::test(format!("fake::{adapter}::{}", entry.name), move || {
                run_scenario_on_fake(adapter, entry).map_err(Failed::from)
            });
            trials.push(known(trial, adapter, entry));
        }
    }
    trials
}

/// The shared member, started on first use; every trial sees the same failure if it
/// could not start.
fn shared_etcd(shared: &SharedEtcd) -> Result<&Mutex<EtcdCluster>, String> {
    let started = shared.get_or_init(|| {
        EtcdCluster::single()
            .map(Mutex::new)
            .map_err(|e| format!("the conformance suite needs a real etcd: {e}"))
    });
    started.as_ref().map_err(Clone::clone)
}

/// A known adapter bug: listed as ignored, run with `--include-ignored`.
fn known(trial: Trial, adapter: Adapter, entry: &Entry) -> Trial {
    match known_failure(adapter, entry.name) {
        Some(_) => trial.with_ignored_flag(true).with_kind("known adapter bug"),
        None => trial,
    }
}
