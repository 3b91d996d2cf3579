//! Faults injected into a running three-member cluster on a schedule, Jepsen style: every
//! second or so one fault, on the leader half of the time, held 2–5 s and healed.
//!
//! The kinds: SIGKILL then restart, SIGSTOP then SIGCONT, a client link black-holed (a
//! [`FaultProxy`] holding all bytes), a client link that loses every answer, and a member
//! cut off from its peers while clients still reach it (an isolable cluster's peer proxies). Each fault
//! is recorded so a report can say how long the client took to recover from it.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use etcd_v2_proto::Rng;

use crate::etcd_process::{EtcdCluster, http_get};
use crate::fault_proxy::{Fault, FaultProxy};

/// One kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// SIGKILL, restarted with the same data when healed.
    Kill,
    /// SIGSTOP, SIGCONT when healed.
    Pause,
    /// The clients' link to the member holds every byte until healed.
    BlackHole,
    /// The member gets the clients' requests; its answers are dropped until healed.
    LoseAnswers,
    /// The member's peer links hold every byte, both ways, until healed.
    Isolate,
}

impl FaultKind {
    /// Every kind, in the order the schedule cycles through them.
    pub const ALL: [Self; 5] = [
        Self::Kill,
        Self::Pause,
        Self::Isolate,
        Self::BlackHole,
        Self::LoseAnswers,
    ];
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Kill => "SIGKILL + restart",
            Self::Pause => "SIGSTOP + SIGCONT",
            Self::BlackHole => "client link black-holed",
            Self::LoseAnswers => "answers lost",
            Self::Isolate => "peer links black-holed",
        })
    }
}

/// A fault that was injected and healed.
#[derive(Debug, Clone)]
pub struct FaultRecord {
    /// What it was.
    pub kind: FaultKind,
    /// The member it hit.
    pub member: usize,
    /// Whether that member was the leader when it was hit.
    pub leader: bool,
    /// When it began.
    pub start: Instant,
    /// When it was healed.
    pub healed: Instant,
}

/// The member that says it leads, if one does.
pub fn leader(cluster: &EtcdCluster) -> Option<usize> {
    (0..cluster.len()).find(|&i| {
        cluster.pid(i).is_some()
            && http_get(&cluster.client_url(i), "/v2/stats/self")
                .is_ok_and(|(status, body)| status == 200 && body.contains("StateLeader"))
    })
}

/// Runs the fault schedule on `etcd` (whose member `i` clients reach through `proxies[i]`)
/// until `stop` is set or `bound` passes, then leaves every member running and every link
/// passing bytes. Returns the faults in the order they happened.
///
/// # Errors
/// A member could not be signalled or restarted, or the cluster did not recover.
pub fn run(
    etcd: &Mutex<EtcdCluster>,
    proxies: &[FaultProxy],
    seed: u64,
    bound: Duration,
    stop: &AtomicBool,
) -> Result<Vec<FaultRecord>, String> {
    let mut rng = Rng::new(seed);
    let mut records = Vec::new();
    let started = Instant::now();
    let lock = || {
        etcd.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let nap = |d: Duration| {
        let until = Instant::now() + d;
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    for kind in FaultKind::ALL.iter().cycle() {
        nap(Duration::from_millis(700 + rng.below(600)));
        if stop.load(Ordering::SeqCst) || started.elapsed() >= bound {
            break;
        }
        let leader_now = leader(&lock());
        let member = match leader_now {
            Some(l) if rng.below(2) == 0 => l,
            _ => usize::try_from(rng.below(3)).unwrap_or(0),
        };
        let hold = Duration::from_millis(2000 + rng.below(3000));
        let start = Instant::now();
        match kind {
            FaultKind::Kill => lock().kill(member),
            FaultKind::Pause => lock().stop(member).map_err(|e| e.to_string())?,
            FaultKind::BlackHole => proxies[member].set(Fault::Hold),
            FaultKind::LoseAnswers => proxies[member].set(Fault::DropAnswers),
            FaultKind::Isolate => lock().isolate(member),
        }
        nap(hold);
        match kind {
            FaultKind::Kill => lock().restart(member).map_err(|e| e.to_string())?,
            FaultKind::Pause => lock().cont(member).map_err(|e| e.to_string())?,
            FaultKind::BlackHole | FaultKind::LoseAnswers => proxies[member].set(Fault::Pass),
            FaultKind::Isolate => lock().rejoin(member),
        }
        records.push(FaultRecord {
            kind: *kind,
            member,
            leader: leader_now == Some(member),
            start,
            healed: Instant::now(),
        });
        lock()
            .wait_healthy(Duration::from_secs(20))
            .map_err(|e| format!("after {kind} of member {member}: {e}"))?;
    }
    Ok(records)
}
