//! A member's life after the start: SIGKILL, SIGSTOP and SIGCONT, restarts, and the `/proc`
//! reads that tell when a signal has taken effect.

use std::fs;
use std::io;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{EtcdCluster, FixtureError, context};

/// True while `pid` exists and is not a zombie (Linux `/proc`).
pub(super) fn process_running(pid: u32) -> bool {
    !matches!(proc_state(&format!("/proc/{pid}")), Some('Z' | 'X') | None)
}

/// The state letter (`R`, `S`, `T`, `Z`, ...) in `<proc_dir>/stat`.
fn proc_state(proc_dir: &str) -> Option<char> {
    let stat = fs::read_to_string(format!("{proc_dir}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Waits (up to 5 s) until every thread of `pid` is (or is no longer) stopped:
/// signal delivery is asynchronous, a multi-threaded etcd stops a bit later.
fn await_stopped(pid: u32, stopped: bool) -> io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let tasks = fs::read_dir(format!("/proc/{pid}/task"))?;
        let states: Vec<_> = tasks
            .map(|t| Ok(proc_state(&t?.path().to_string_lossy())))
            .collect::<io::Result<_>>()?;
        if states.iter().all(|s| (*s == Some('T')) == stopped) {
            return Ok(());
        } else if Instant::now() >= deadline {
            let want = if stopped { "stop" } else { "resume" };
            return Err(io::Error::other(format!(
                "pid {pid} did not {want}: {states:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

impl EtcdCluster {
    /// SIGKILLs member `i` and reaps it. No-op if it is not running.
    pub fn kill(&mut self, i: usize) {
        let m = &mut self.members[i];
        if let Some(mut child) = m.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        m.stopped = false;
    }

    /// Freezes member `i` with SIGSTOP and waits until all its threads are stopped:
    /// it keeps its sockets (connections are accepted by the kernel) but answers nothing.
    pub fn stop(&mut self, i: usize) -> Result<(), FixtureError> {
        self.members[i].stopped = true;
        Ok(self.signal(i, "-STOP", true)?)
    }

    /// Resumes member `i`, frozen by [`stop`](Self::stop), with SIGCONT and waits
    /// until it runs again.
    pub fn cont(&mut self, i: usize) -> Result<(), FixtureError> {
        self.signal(i, "-CONT", false)?;
        self.members[i].stopped = false;
        Ok(())
    }

    fn signal(&self, i: usize, sig: &str, stopped: bool) -> io::Result<()> {
        let what = format!("kill {sig} member {i}");
        let pid = self
            .pid(i)
            .ok_or_else(|| io::Error::other(format!("{what}: not running")))?;
        let status = Command::new("kill").args([sig, &pid.to_string()]).status();
        match status.map_err(context(&what))? {
            s if s.success() => await_stopped(pid, stopped).map_err(context(&what)),
            s => Err(io::Error::other(format!("{what}: {s}"))),
        }
    }

    /// Starts member `i` again (SIGKILLing it first if running) with the same data
    /// dir, ports and flags. Does not wait: call [`wait_healthy`](Self::wait_healthy).
    pub fn restart(&mut self, i: usize) -> Result<(), FixtureError> {
        self.kill(i);
        Ok(self.spawn(i)?)
    }
}
