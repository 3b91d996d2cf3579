//! The loop every adapter drives its tasks with, written once
//!
//! An adapter supplies only what the core must not do itself: read the clock, perform an
//! exchange, sleep. The loop holds the cluster lock only inside the task's synchronous steps,
//! never across an exchange or a wait, and decodes answers with it released
//! ([`Task::decode_answer`]), so the other calls of a client go on meanwhile.
//!
//! ```
//! use std::sync::Mutex;
//! use std::time::Instant;
//! use etcd_v2_proto::body::Body;
//! use etcd_v2_proto::{call, run_loop, Cluster, Config, GetOptions, Op};
//!
//! let cluster = Mutex::new(Cluster::new(Config::new(["http://127.0.0.1:2379"])).unwrap());
//! let op = Op::new(call::keys::get("/v2/keys", "/foo", GetOptions::default()).unwrap());
//! let answer = |_t| {
//!     let body = r#"{"action":"get","node":{"key":"/foo","value":"bar"}}"#;
//!     Ok(http::Response::new(Body::from(body)))
//! };
//! let resp = run_loop::run_blocking(op, &cluster, Instant::now, answer, |_at| {});
//! assert_eq!(resp.unwrap().node.unwrap().value.as_deref(), Some("bar"));
//! ```

use core::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use http::Response;

use crate::body::Body;
use crate::cluster::Cluster;
use crate::error::{Error, TransportFailure};
use crate::task::{AttemptId, Step, Task, Transmit};

/// The outcome of one exchange, as a transport reports it.
pub type Answer = Result<Response<Body>, TransportFailure>;

/// Drives `task` to its end without blocking a thread: `send` starts each exchange the task
/// asks for (printing [`Transmit::curl`] if it is set), `wait` sleeps until an instant.
///
/// Only the futures `send` and `wait` return are kept across an await, so an adapter that
/// boxes them keeps this future small (it is moved once per call).
///
/// # Errors
/// Whatever the task ends with.
#[allow(clippy::manual_async_fn)] // an `async fn` would keep `task` twice in its future
pub fn run_async<'a, K, S, A, W, WaitFut>(
    mut task: K,
    cluster: &'a Mutex<Cluster>,
    clock: fn() -> Instant,
    mut send: S,
    mut wait: W,
) -> impl Future<Output = Result<K::Output, Error>> + 'a
where
    K: Task + 'a,
    S: FnMut(Transmit) -> A + 'a,
    A: Future<Output = Answer> + 'a,
    W: FnMut(Instant) -> WaitFut + 'a,
    WaitFut: Future<Output = ()> + 'a,
{
    async move {
        loop {
            // The step is used up before any await: a step still matched on while waiting (the
            // back-off) would keep its room, a whole result's, in this future.
            let next = match task.poll(clock(), &mut lock(cluster)) {
                Step::Done(result) => return result,
                Step::Wait(at) => Err(wait(at)),
                Step::Send(t) => Ok((t.attempt, send(t))),
            };
            match next {
                Err(sleep) => sleep.await,
                Ok((attempt, exchange)) => {
                    let outcome = exchange.await;
                    settle(&mut task, cluster, clock(), attempt, outcome);
                }
            }
        }
    }
}

/// Drives `task` to its end on this thread: `send` performs each exchange the task asks for
/// (printing [`Transmit::curl`] if it is set), `wait` sleeps until an instant.
///
/// # Errors
/// Whatever the task ends with.
pub fn run_blocking<K: Task>(
    mut task: K,
    cluster: &Mutex<Cluster>,
    clock: fn() -> Instant,
    mut send: impl FnMut(Transmit) -> Answer,
    mut wait: impl FnMut(Instant),
) -> Result<K::Output, Error> {
    loop {
        let step = task.poll(clock(), &mut lock(cluster));
        match step {
            Step::Done(result) => return result,
            Step::Wait(at) => wait(at),
            Step::Send(t) => {
                let attempt = t.attempt;
                let outcome = send(t);
                settle(&mut task, cluster, clock(), attempt, outcome);
            }
        }
    }
}

/// Hands the exchange's outcome to the task under the lock, then decodes with it released.
fn settle<K: Task>(
    task: &mut K,
    cluster: &Mutex<Cluster>,
    now: Instant,
    attempt: AttemptId,
    outcome: Answer,
) {
    match outcome {
        Ok(r) => task.handle_response(now, &mut lock(cluster), attempt, r),
        Err(f) => task.handle_failure(now, &mut lock(cluster), attempt, f),
    }
    task.decode_answer();
}

/// Locks, taking over a poisoned lock. Only for state changed in short synchronous steps, so
/// that a panic elsewhere cannot leave it half-updated: the cluster (a task's steps) and the
/// connection pool (single pushes and pops).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
