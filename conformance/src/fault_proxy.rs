//! A TCP proxy on 127.0.0.1 between a client and one etcd member that can be told to
//! misbehave: pass bytes, hold them (a partition: nothing moves until it heals), drop the
//! member's answers (the request arrives and is applied, the client never hears back), or
//! close a connection as soon as a request arrives, without forwarding it.
//!
//! It counts the HTTP requests it saw from clients, so a test can prove a request was sent
//! exactly once (no re-send by the client or the HTTP library beneath it).
//!
//! Put in front of a member's peer port, it can also cut one member off: etcd members name
//! themselves in every peer request (`X-PeerURLs`, the sender's advertised peer URLs), so a
//! proxy can hold just the connections a given member dialed ([`FaultProxy::hold_sender`]).
//!
//! ```no_run
//! use conformance::fault_proxy::{Fault, FaultProxy};
//! let proxy = FaultProxy::start("127.0.0.1:2379").unwrap();
//! proxy.set(Fault::DropAnswers);
//! // point a client at proxy.url() ...
//! assert_eq!(proxy.requests(), 0);
//! ```

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::Duration;

/// What the proxy does with the bytes it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    /// Forward both ways.
    Pass = 0,
    /// Forward nothing either way until the fault changes; bytes wait in the proxy.
    Hold = 1,
    /// Forward requests to the member, discard its answers.
    DropAnswers = 2,
    /// Close the client's connection when a request arrives, forwarding nothing.
    CloseOnRequest = 3,
}

impl Fault {
    fn from_u8(v: u8) -> Self {
        match v {
            1 => Self::Hold,
            2 => Self::DropAnswers,
            3 => Self::CloseOnRequest,
            _ => Self::Pass,
        }
    }
}

/// How often a pump looks at the fault while waiting (and its read timeout).
const TICK: Duration = Duration::from_millis(10);

struct Shared {
    fault: AtomicU8,
    requests: AtomicUsize,
    stop: AtomicBool,
    /// Connections whose sender (see [`Sender`]) is this one are held.
    held_sender: Mutex<Option<String>>,
}

impl Shared {
    fn fault(&self) -> Fault {
        Fault::from_u8(self.fault.load(Ordering::SeqCst))
    }

    /// Whether bytes of a connection from `sender` must wait.
    fn holds(&self, sender: &Sender) -> bool {
        self.fault() == Fault::Hold || {
            let held = self
                .held_sender
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            held.is_some() && sender.get() == held.as_ref()
        }
    }
}

/// Who opened a connection: the `X-PeerURLs` value of its first request (an etcd member
/// talking to a peer), `""` for anything else; unset until that request's head is read.
type Sender = OnceLock<String>;

/// A running proxy; dropping it stops accepting and ends every connection within a tick.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// A proxy on a free 127.0.0.1 port in front of `upstream` (`host:port`), passing bytes.
    ///
    /// # Errors
    /// Binding the port failed or `upstream` is not an address.
    pub fn start(upstream: impl ToSocketAddrs) -> io::Result<Self> {
        let upstream = upstream
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::other("no upstream address"))?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            fault: AtomicU8::new(Fault::Pass as u8),
            requests: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            held_sender: Mutex::new(None),
        });
        let accepting = Arc::clone(&shared);
        thread::spawn(move || accept_loop(&listener, upstream, &accepting));
        Ok(Self { addr, shared })
    }

    /// A proxy in front of an etcd client URL such as `http://127.0.0.1:2379`.
    ///
    /// # Errors
    /// As [`FaultProxy::start`].
    pub fn in_front_of(url: &str) -> io::Result<Self> {
        let authority = url.trim_start_matches("http://").trim_end_matches('/');
        Self::start(authority)
    }

    /// The URL clients use: `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes what the proxy does, for open connections too.
    pub fn set(&self, fault: Fault) {
        self.shared.fault.store(fault as u8, Ordering::SeqCst);
    }

    /// Holds (as [`Fault::Hold`] does) every connection, open or new, whose first request
    /// names `peer_urls` as its sender's `X-PeerURLs`; `None` lets them pass again.
    pub fn hold_sender(&self, peer_urls: Option<&str>) {
        *self
            .shared
            .held_sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = peer_urls.map(str::to_owned);
    }

    /// HTTP requests seen from clients so far (request lines), forwarded or not.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
    }
}

fn accept_loop(listener: &TcpListener, upstream: SocketAddr, shared: &Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((client, _)) => {
                let shared = Arc::clone(shared);
                thread::spawn(move || {
                    let _ = serve(client, upstream, &shared);
                });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::sleep(TICK),
            Err(_) => thread::sleep(TICK),
        }
    }
}

fn serve(client: TcpStream, upstream: SocketAddr, shared: &Arc<Shared>) -> io::Result<()> {
    client.set_nonblocking(false)?;
    let member = TcpStream::connect_timeout(&upstream, Duration::from_secs(2))?;
    for s in [&client, &member] {
        s.set_read_timeout(Some(TICK))?;
        s.set_nodelay(true)?;
    }
    let (c2, m2) = (client.try_clone()?, member.try_clone()?);
    let answers = Arc::clone(shared);
    let sender = Arc::new(Sender::new());
    let of_answers = Arc::clone(&sender);
    let back = thread::spawn(move || pump(m2, c2, Direction::Answers, &answers, &of_answers));
    let _ = pump(client, member, Direction::Requests, shared, &sender);
    let _ = back.join();
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Requests,
    Answers,
}

/// Copies `from` to `to` under the current fault until either side closes or the proxy stops.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    dir: Direction,
    shared: &Shared,
    sender: &Sender,
) -> io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut counter = RequestLines::default();
    let mut first_head = Vec::new();
    let result = loop {
        if shared.stop.load(Ordering::SeqCst) {
            break Ok(());
        }
        if shared.holds(sender) {
            thread::sleep(TICK);
            continue;
        }
        let n = match from.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => break Err(e),
        };
        if dir == Direction::Requests {
            let seen = counter.feed(&buf[..n]);
            shared.requests.fetch_add(seen, Ordering::SeqCst);
            if sender.get().is_none() {
                first_head.extend_from_slice(&buf[..n]);
                if let Some(name) = sender_of(&first_head) {
                    let _ = sender.set(name);
                    first_head = Vec::new();
                }
            }
        }
        // Bytes read during a hold wait for it to end.
        while shared.holds(sender) && !shared.stop.load(Ordering::SeqCst) {
            thread::sleep(TICK);
        }
        match (shared.fault(), dir) {
            (Fault::DropAnswers, Direction::Answers) => {}
            (Fault::CloseOnRequest, Direction::Requests) => break Ok(()),
            _ => {
                if let Err(e) = to.write_all(&buf[..n]) {
                    break Err(e);
                }
            }
        }
    };
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
    result
}

/// The sender named by a request head once it is complete (`""` if it names none); `None`
/// while more of the head is to come.
fn sender_of(head: &[u8]) -> Option<String> {
    let end = head.windows(4).position(|w| w == b"\r\n\r\n");
    if end.is_none() && head.len() < 64 * 1024 {
        return None;
    }
    let head = String::from_utf8_lossy(&head[..end.unwrap_or(head.len())]);
    let name = head.lines().find_map(|line| {
        let (field, value) = line.split_once(':')?;
        field
            .eq_ignore_ascii_case("x-peerurls")
            .then(|| value.trim().to_owned())
    });
    Some(name.unwrap_or_default())
}

/// Counts `HTTP/1.1\r\n` request-line endings in a byte stream split anywhere.
#[derive(Default)]
struct RequestLines {
    tail: Vec<u8>,
}

impl RequestLines {
    const END: &'static [u8] = b" HTTP/1.1\r\n";

    fn feed(&mut self, bytes: &[u8]) -> usize {
        self.tail.extend_from_slice(bytes);
        let seen = self
            .tail
            .windows(Self::END.len())
            .filter(|w| *w == Self::END)
            .count();
        let keep = self.tail.len().min(Self::END.len() - 1);
        self.tail.drain(..self.tail.len() - keep);
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::{RequestLines, sender_of};

    #[test]
    fn a_peer_request_names_its_sender_once_its_head_is_complete() {
        let head = b"GET /raft/stream/message/8e9e05c52164694d HTTP/1.1\r\nHost: x\r\n\
                     X-Peerurls: http://127.0.0.1:4001\r\nX-Raft-To: 1\r\n\r\n";
        assert_eq!(sender_of(&head[..40]), None);
        assert_eq!(sender_of(head).as_deref(), Some("http://127.0.0.1:4001"));
        assert_eq!(
            sender_of(b"GET /v2/keys HTTP/1.1\r\nHost: x\r\n\r\n").as_deref(),
            Some("")
        );
    }

    #[test]
    fn request_lines_are_counted_across_chunk_boundaries() {
        let stream = b"PUT /v2/keys/a HTTP/1.1\r\nhost: x\r\n\r\nGET /v2/keys/a HTTP/1.1\r\n\r\n";
        for split in 1..stream.len() {
            let mut c = RequestLines::default();
            let n = c.feed(&stream[..split]) + c.feed(&stream[split..]);
            assert_eq!(n, 2, "split at {split}");
        }
    }
}
