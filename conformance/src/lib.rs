//! Conformance harness for the etcd v2 clients: fixtures that run real etcd
//! processes (see [`etcd_process`]), a uniform blocking view of every adapter
//! ([`sut`]) and the scenario suite that drives each adapter against real etcd, and
//! against the fake etcd of `etcd-v2-fake` where it models the scenario ([`scenarios`], run
//! by `tests/suite.rs`), and the scripted servers of the hostile attacks ([`hostile`]) and the
//! edge cases ([`edge`], run by `tests/hostile.rs` and `tests/edge.rs`).

/// Fails the scenario (or attack) with a formatted message unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(format!($($arg)+));
        }
    };
}

/// Fails the scenario (or attack) unless both sides are equal, showing both.
macro_rules! ensure_eq {
    ($left:expr, $right:expr, $($arg:tt)+) => {
        match (&$left, &$right) {
            (left, right) => {
                if left != right {
                    return Err(format!(
                        "{}: expected {:?}, got {:?}",
                        format!($($arg)+),
                        right,
                        left
                    ));
                }
            }
        }
    };
}

pub mod edge;
pub mod etcd_process;
pub mod fault_proxy;
pub mod history;
pub mod hostile;
pub mod nemesis;
pub mod scenarios;
pub mod sut;
