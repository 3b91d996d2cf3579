//! Hostile servers: every attack of `conformance::hostile::attacks::ATTACKS` through every
//! adapter, one trial per (adapter, attack), named `<adapter>::<attack>`. No etcd needed:
//! each attack runs its own in-process server.
//!
//! Trials run one at a time so that each one's peak memory (measured by the global
//! allocator, the attack's server included) is its own.

use std::sync::{Mutex, PoisonError};

use conformance::hostile::attacks::ATTACKS;
use conformance::sut::Adapter;
use libtest_mimic::{Arguments, Failed, Trial};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for attack in ATTACKS {
        for adapter in Adapter::ALL {
            trials.push(Trial::test(
                format!("{adapter}::{}", attack.name),
                move || {
                    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
                    let before = ALLOCATOR.current_usage();
                    ALLOCATOR.reset_peak_usage();
                    (attack.run)(adapter)?;
                    let peak = ALLOCATOR.peak_usage().saturating_sub(before);
                    if peak > attack.max_peak {
                        return Err(Failed::from(format!(
                            "allocated up to {peak} bytes above the start, bound {}",
                            attack.max_peak
                        )));
                    }
                    Ok(())
                },
            ));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
