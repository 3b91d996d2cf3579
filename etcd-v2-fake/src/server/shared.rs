//! What the server's threads share: the fake cluster and the signal that it changed, the stop
//! flag, and the open connections (to close and join them on stop)

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::FakeCluster;

/// Most connections open at once; more are answered `503` and closed.
pub(crate) const MAX_CONNECTIONS: usize = 512;

/// The state every listener and connection thread holds.
#[derive(Debug)]
pub(crate) struct Shared {
    cluster: Mutex<FakeCluster>,
    /// Notified after every request and on stop: waiting watches look again.
    changed: Condvar,
    stopping: AtomicBool,
    connections: Mutex<Connections>,
}

#[derive(Debug, Default)]
struct Connections {
    next_id: u64,
    open: BTreeMap<u64, (TcpStream, JoinHandle<()>)>,
}

impl Shared {
    pub(crate) fn new(cluster: FakeCluster) -> Self {
        Self {
            cluster: Mutex::new(cluster),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            connections: Mutex::default(),
        }
    }

    /// The cluster, locked (a panicking thread cannot leave it half-updated: every change is
    /// one call).
    pub(crate) fn cluster(&self) -> MutexGuard<'_, FakeCluster> {
        self.cluster.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every waiting watch (call after a change, without holding the lock).
    pub(crate) fn notify(&self) {
        self.changed.notify_all();
    }

    /// Releases the lock until notified or `timeout` passed, then takes it again.
    pub(crate) fn wait<'a>(
        &self,
        guard: MutexGuard<'a, FakeCluster>,
        timeout: Duration,
    ) -> MutexGuard<'a, FakeCluster> {
        let waited = self.changed.wait_timeout(guard, timeout);
        waited.unwrap_or_else(PoisonError::into_inner).0
    }

    pub(crate) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Serves `stream` on a thread of its own with `serve`, or refuses it (too many open, or
    /// stopping).
    pub(crate) fn admit(
        self: &Arc<Self>,
        mut stream: TcpStream,
        serve: impl FnOnce(&Self, TcpStream) + Send + 'static,
    ) {
        let mut connections = self.connections();
        let full = connections.open.len() >= MAX_CONNECTIONS;
        let Ok(handle) = stream.try_clone() else {
            return;
        };
        if self.stopping() || full {
            let refusal = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            let _ = stream.write_all(refusal.as_bytes());
            return;
        }
        let id = connections.next_id;
        connections.next_id += 1;
        let shared = Arc::clone(self);
        let thread = std::thread::Builder::new()
            .name(format!("fake-etcd-conn-{id}"))
            .spawn(move || {
                serve(&shared, stream);
                shared.connections().open.remove(&id);
            });
        // No thread (out of resources): the stream is dropped, closing the connection.
        if let Ok(thread) = thread {
            connections.open.insert(id, (handle, thread));
        }
    }

    /// Stops everything: waiting watches end, open connections are closed, their threads
    /// joined.
    pub(crate) fn stop(&self) {
        {
            let _cluster = self.cluster();
            self.stopping.store(true, Ordering::SeqCst);
        }
        self.notify();
        let open = std::mem::take(&mut self.connections().open);
        for (stream, _) in open.values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        for (_, thread) in open.into_values() {
            let _ = thread.join();
        }
    }

    fn connections(&self) -> MutexGuard<'_, Connections> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
