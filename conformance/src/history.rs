//! Histories of register operations by concurrent clients, and their check: linearizability
//! with stateright's `LinearizabilityTester`, on a register that also knows compare-and-swap.
//!
//! Each operation is recorded with when it was invoked and when it returned, and how it
//! ended: ok, failed (definitely not applied: the client's promise), or unknown (it may have
//! been applied, at any time after its invocation — it stays "in flight" forever, as a
//! Jepsen `info`). A client that reports a failure for a write that was applied produces a
//! history no order explains, and the check fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use stateright::semantics::{ConsistencyTester, LinearizabilityTester, SequentialSpec};

use crate::nemesis::FaultRecord;

/// An operation on one register (an etcd key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// A quorum read.
    Read,
    /// An unconditional set.
    Write(u64),
    /// A set with `prevValue = from`.
    Cas {
        /// The value the key must hold.
        from: u64,
        /// The value it gets.
        to: u64,
    },
}

/// What an operation returned when it returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// A read's value (`None`: the key did not exist).
    Read(Option<u64>),
    /// A set or a swap took effect.
    Done,
    /// A swap was refused (101): the key held something else.
    CasFailed,
}

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// It returned this.
    Ok(Ret),
    /// It definitely had no effect (a failed read, a write the client says was not applied).
    Failed,
    /// It may or may not have taken effect.
    Unknown,
}

/// One operation of one worker on one key.
#[derive(Debug, Clone)]
pub struct Record {
    /// The client that made it (one operation at a time).
    pub worker: usize,
    /// The register (key) it was on.
    pub key: usize,
    /// The operation.
    pub op: Op,
    /// When it was invoked.
    pub start: Instant,
    /// When it returned.
    pub end: Instant,
    /// How it ended.
    pub outcome: Outcome,
}

/// The reference object: a register that starts absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
struct CasRegister(Option<u64>);

impl SequentialSpec for CasRegister {
    type Op = Op;
    type Ret = Ret;

    fn invoke(&mut self, op: &Op) -> Ret {
        match *op {
            Op::Read => Ret::Read(self.0),
            Op::Write(v) => {
                self.0 = Some(v);
                Ret::Done
            }
            Op::Cas { from, to } if self.0 == Some(from) => {
                self.0 = Some(to);
                Ret::Done
            }
            Op::Cas { .. } => Ret::CasFailed,
        }
    }
}

/// Checks every key's history on its own.
///
/// # Errors
/// The keys whose history no sequential order explains, with their operations.
pub fn check_linearizable(records: &[Record]) -> Result<(), String> {
    let mut by_key: BTreeMap<usize, Vec<&Record>> = BTreeMap::new();
    for r in records {
        by_key.entry(r.key).or_default().push(r);
    }
    let mut failures = String::new();
    for (key, ops) in by_key {
        if !linearizable(&ops)? {
            let _ = writeln!(failures, "key {key}: not linearizable:");
            for r in ops {
                let _ = writeln!(failures, "  {:?} -> {:?}", r.op, r.outcome);
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

/// Tester thread ids from here on are unknown operations' own.
const UNKNOWN_THREADS: usize = 1 << 20;

/// Whether one key's history is linearizable. The search is exponential in the operations
/// in flight at once, and an unknown one stays in flight forever; so it first tries without
/// the unknown writes whose value nobody saw (no read returned it, no swap expected it).
/// Leaving an unknown write out is one of the orders it allows (it never took effect), so
/// success there settles it; only a failure needs the whole history.
fn linearizable(ops: &[&Record]) -> Result<bool, String> {
    let seen = |v: u64| {
        ops.iter().any(|r| {
            r.outcome == Outcome::Ok(Ret::Read(Some(v)))
                || matches!(r.op, Op::Cas { from, .. } if from == v)
        })
    };
    let matters = |r: &&&Record| {
        r.outcome != Outcome::Unknown
            || match r.op {
                Op::Read => false,
                Op::Write(v) | Op::Cas { to: v, .. } => seen(v),
            }
    };
    let pruned: Vec<&Record> = ops.iter().filter(matters).copied().collect();
    Ok(pruned.len() < ops.len() && search(&pruned)? || search(ops)?)
}

fn search(ops: &[&Record]) -> Result<bool, String> {
    // Events in time order; a return before an invocation at the same instant.
    let mut events: Vec<(Instant, u8, usize, Option<Ret>)> = Vec::new();
    for (i, r) in ops.iter().enumerate() {
        match r.outcome {
            Outcome::Failed => {}
            Outcome::Ok(ret) => {
                events.push((r.start, 1, i, None));
                events.push((r.end, 0, i, Some(ret)));
            }
            Outcome::Unknown => events.push((r.start, 1, i, None)),
        }
    }
    events.sort_by_key(|e| (e.0, e.1));
    // A worker is a tester thread; an unknown operation gets a thread of its own, since it
    // never returns and must not hold up the worker's next operation.
    let mut tester = LinearizabilityTester::new(CasRegister::default());
    for (_, _, i, ret) in events {
        let r = ops[i];
        let thread = match r.outcome {
            Outcome::Unknown => UNKNOWN_THREADS + i,
            _ => r.worker,
        };
        match ret {
            None => tester.on_invoke(thread, r.op).map(|_| ())?,
            Some(ret) => tester.on_return(thread, ret).map(|_| ())?,
        }
    }
    Ok(tester.is_consistent())
}

/// Counts of a history: `(ops, ok, failed, unknown)`.
pub fn counts(records: &[Record]) -> (usize, usize, usize, usize) {
    let of = |f: fn(&Outcome) -> bool| records.iter().filter(|r| f(&r.outcome)).count();
    (
        records.len(),
        of(|o| matches!(o, Outcome::Ok(_))),
        of(|o| matches!(o, Outcome::Failed)),
        of(|o| matches!(o, Outcome::Unknown)),
    )
}

/// A table, per fault, of the calls that did not succeed while it lasted (and until the
/// client recovered) and the recovery time: from the heal to the first call invoked after it
/// that succeeded.
pub fn fault_table(faults: &[FaultRecord], records: &[Record]) -> String {
    let mut out = String::from(
        "| fault | member | leader | held | failed | unknown | recovery after heal |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for f in faults {
        let recovered = records
            .iter()
            .filter(|r| r.start >= f.healed && matches!(r.outcome, Outcome::Ok(_)))
            .map(|r| r.end)
            .min();
        let until = recovered.unwrap_or(f.healed + Duration::from_secs(5));
        let during = |o: fn(&Outcome) -> bool| {
            records
                .iter()
                .filter(|r| r.end >= f.start && r.end <= until && o(&r.outcome))
                .count()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.1} s | {} | {} | {} |",
            f.kind,
            f.member,
            if f.leader { "yes" } else { "no" },
            (f.healed - f.start).as_secs_f64(),
            during(|o| matches!(o, Outcome::Failed)),
            during(|o| matches!(o, Outcome::Unknown)),
            match recovered {
                Some(t) => format!("{} ms", t.saturating_duration_since(f.healed).as_millis()),
                None if records.iter().all(|r| r.start < f.healed) => "(run over)".into(),
                None => "none".into(),
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(op: Op, start: u64, end: u64, outcome: Outcome, t0: Instant) -> Record {
        Record {
            worker: 0,
            key: 0,
            op,
            start: t0 + Duration::from_millis(start),
            end: t0 + Duration::from_millis(end),
            outcome,
        }
    }

    #[test]
    fn an_applied_write_reported_failed_is_a_violation() {
        let t0 = Instant::now();
        let history = [
            rec(Op::Write(1), 0, 10, Outcome::Failed, t0),
            rec(Op::Read, 20, 30, Outcome::Ok(Ret::Read(Some(1))), t0),
        ];
        assert!(check_linearizable(&history).is_err());
        // The same write reported unknown explains the read.
        let history = [
            rec(Op::Write(1), 0, 10, Outcome::Unknown, t0),
            rec(Op::Read, 20, 30, Outcome::Ok(Ret::Read(Some(1))), t0),
        ];
        assert!(check_linearizable(&history).is_ok());
    }

    #[test]
    fn an_unknown_write_that_was_seen_is_placed() {
        // The unseen unknown write (7) may be left out; the seen one (1) must be applied.
        let t0 = Instant::now();
        let history = [
            rec(Op::Write(7), 0, 5, Outcome::Unknown, t0),
            rec(Op::Write(1), 0, 10, Outcome::Unknown, t0),
            rec(Op::Read, 20, 30, Outcome::Ok(Ret::Read(Some(1))), t0),
        ];
        assert!(check_linearizable(&history).is_ok());
        // A swap refused because an unknown write got in first: only the whole history
        // explains it.
        let history = [
            rec(Op::Write(1), 0, 10, Outcome::Ok(Ret::Done), t0),
            rec(Op::Write(7), 15, 16, Outcome::Unknown, t0),
            rec(
                Op::Cas { from: 1, to: 2 },
                20,
                30,
                Outcome::Ok(Ret::CasFailed),
                t0,
            ),
        ];
        assert!(check_linearizable(&history).is_ok());
    }

    #[test]
    fn an_acknowledged_write_undone_later_is_a_violation() {
        // set A ok, set B ok, then A reappears: A must have been applied twice.
        let t0 = Instant::now();
        let history = [
            rec(Op::Write(1), 0, 10, Outcome::Ok(Ret::Done), t0),
            rec(Op::Write(2), 20, 30, Outcome::Ok(Ret::Done), t0),
            rec(Op::Read, 40, 50, Outcome::Ok(Ret::Read(Some(1))), t0),
        ];
        assert!(check_linearizable(&history).is_err());
    }

    #[test]
    fn a_cas_refused_because_it_applied_is_a_violation() {
        let t0 = Instant::now();
        let history = [
            rec(Op::Write(1), 0, 10, Outcome::Ok(Ret::Done), t0),
            rec(
                Op::Cas { from: 1, to: 2 },
                20,
                30,
                Outcome::Ok(Ret::CasFailed),
                t0,
            ),
            rec(Op::Read, 40, 50, Outcome::Ok(Ret::Read(Some(2))), t0),
        ];
        assert!(check_linearizable(&history).is_err());
    }
}
