//! The fake cluster over HTTP/1.1 on loopback, on real time
//!
//! [`FakeServer::start`] binds one `127.0.0.1` listener per member; each accepted connection
//! gets a thread of its own (keep-alive, one request at a time) and long-poll watches wait
//! without blocking anyone else. Dropping the server closes every connection and joins every
//! thread. A malformed request is answered `400` and its connection closed.

mod connection;
mod http1;
mod shared;

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use shared::Shared;

use crate::FakeCluster;

/// A running fake etcd cluster with a loopback HTTP endpoint per member.
#[derive(Debug)]
pub struct FakeServer {
    shared: Arc<Shared>,
    addresses: Vec<SocketAddr>,
    listeners: Vec<JoinHandle<()>>,
}

impl FakeServer {
    /// Starts `members` members over one empty store, each on its own `127.0.0.1` port;
    /// `/v2/members` lists these URLs as the members' client URLs.
    ///
    /// # Errors
    /// Binding a listener or starting its thread failed.
    pub fn start(members: usize) -> io::Result<Self> {
        let sockets = (0..members)
            .map(|_| TcpListener::bind("127.0.0.1:0"))
            .collect::<io::Result<Vec<_>>>()?;
        let addresses = sockets
            .iter()
            .map(TcpListener::local_addr)
            .collect::<io::Result<Vec<_>>>()?;
        let mut cluster = FakeCluster::new(members, Instant::now());
        if let Ok(wall) = SystemTime::now().duration_since(UNIX_EPOCH) {
            cluster.store.set_wall_epoch(wall);
        }
        for (member, address) in cluster.members.iter_mut().zip(&addresses) {
            member.client_urls = vec![format!("http://{address}")];
        }
        let mut server = Self {
            shared: Arc::new(Shared::new(cluster)),
            addresses,
            listeners: Vec::new(),
        };
        for (member, socket) in sockets.into_iter().enumerate() {
            let shared = Arc::clone(&server.shared);
            let thread = std::thread::Builder::new()
                .name(format!("fake-etcd-listen-{member}"))
                .spawn(move || accept_loop(&shared, member, &socket))?;
            server.listeners.push(thread);
        }
        Ok(server)
    }

    /// Every member's URL, `http://127.0.0.1:<port>`, in member order.
    pub fn endpoints(&self) -> Vec<String> {
        self.addresses
            .iter()
            .map(|a| format!("http://{a}"))
            .collect()
    }

    /// Runs `f` on the fake cluster (to look at the store, or flip a member's fault
    /// switches); waiting watches look for their event afterwards.
    pub fn with_cluster<R>(&self, f: impl FnOnce(&mut FakeCluster) -> R) -> R {
        let result = f(&mut self.shared.cluster());
        self.shared.notify();
        result
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.shared.stop();
        let mut listeners = std::mem::take(&mut self.listeners);
        for (address, listener) in self.addresses.iter().zip(listeners.drain(..)) {
            // Wakes the listener blocked in `accept`; it sees the stop and returns. If the
            // connection fails, the thread is left to end with the process, not waited for.
            if TcpStream::connect(address).is_ok() {
                let _ = listener.join();
            }
        }
    }
}

/// Accepts connections to `member` until the server stops.
fn accept_loop(shared: &Arc<Shared>, member: usize, socket: &TcpListener) {
    for stream in socket.incoming() {
        if shared.stopping() {
            return;
        }
        // A failed accept (e.g. out of file descriptors) drops that one connection.
        if let Ok(stream) = stream {
            shared.admit(stream, move |shared, stream| {
                connection::serve(shared, member, stream);
            });
        }
    }
}
