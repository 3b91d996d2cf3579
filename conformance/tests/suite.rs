//! The scenario suite: every scenario of `conformance::scenarios::SCENARIOS` through every
//! adapter, against real etcd. One trial per (adapter, scenario), named
//! `<adapter>::<scenario>`, e.g. `tokio::keys_cas_on_index`.
//!
//! Needs an etcd binary (`etcd` on PATH or `ETCD_BIN`); without one the suite fails with the
//! install hint, it never skips.

use std::sync::{Arc, Mutex};

use conformance::etcd_process::EtcdCluster;
use conformance::scenarios::{KNOWN_FAILURES, Needs, SCENARIOS, known_failure, run_scenario};
use conformance::sut::Adapter;
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    if args.list {
        // Listing runs nothing: no etcd needed.
        libtest_mimic::run(&args, trials(None)).exit();
    }
    // The shared single member; dropped (killed) below, after every trial has ended.
    let shared = match EtcdCluster::single() {
        Ok(cluster) => Arc::new(Mutex::new(cluster)),
        Err(e) => {
            eprintln!("error: the conformance suite needs a real etcd: {e}");
            std::process::exit(101);
        }
    };
    if !args.include_ignored && !args.ignored {
        for (adapter, scenario, why) in KNOWN_FAILURES {
            eprintln!("known adapter bug, ignored: {adapter}::{scenario}: {why}");
        }
    }
    let conclusion = libtest_mimic::run(&args, trials(Some(&shared)));
    drop(shared);
    conclusion.exit();
}

/// One trial per (scenario, adapter), slowest scenarios (own clusters) first so the parallel
/// trials finish together. Without `shared` the trials must not be run.
fn trials(shared: Option<&Arc<Mutex<EtcdCluster>>>) -> Vec<Trial> {
    let mut order: Vec<usize> = (0..SCENARIOS.len()).collect();
    order.sort_by_key(|&i| match SCENARIOS[i].1 {
        Needs::OwnCluster3 | Needs::OwnCluster3Isolable => 0,
        Needs::OwnSingle | Needs::OwnUnixSocket => 1,
        Needs::Shared => 2,
    });
    let mut trials = Vec::new();
    for (name, needs, scenario) in order.into_iter().map(|i| SCENARIOS[i]) {
        for adapter in Adapter::ALL {
            let shared = shared.map(Arc::clone);
            let trial = Trial::test(format!("{adapter}::{name}"), move || {
                let shared = shared.expect("trials built for --list are not run");
                run_scenario(adapter, name, needs, scenario, &shared).map_err(Failed::from)
            });
            // A known adapter bug: listed as ignored, run with --include-ignored.
            trials.push(match known_failure(adapter, name) {
                Some(_) => trial.with_ignored_flag(true).with_kind("known adapter bug"),
                None => trial,
            });
        }
    }
    trials
}
