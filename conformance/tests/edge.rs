//! Edge cases real etcd cannot produce: every case of `conformance::edge::CASES` through
//! every adapter it applies to, one trial per (adapter, case), named `<adapter>::<case>`,
//! and the SRV discovery cases of `conformance::edge::srv::CASES`, named
//! `<adapter>::srv::<case>`. No etcd needed: each case runs its own in-process servers.

use conformance::edge::{CASES, Case, srv};
use conformance::sut::Adapter;
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for (prefix, list) in [("", CASES), ("srv::", srv::CASES)] {
        for case in list {
            for &adapter in Adapter::ALL.iter().filter(|a| case.adapters.contains(a)) {
                trials.push(trial(adapter, prefix, case));
            }
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn trial(adapter: Adapter, prefix: &str, case: &'static Case) -> Trial {
    Trial::test(format!("{adapter}::{prefix}{}", case.name), move || {
        (case.run)(adapter).map_err(Failed::from)
    })
}
