//! Opening a TCP connection to a host that may resolve to several addresses: the core's
//! [`dial_first`] (Go's "Happy Eyeballs" fast fallback) over tokio's resolver, sockets and timer.

use std::io;
use std::net::SocketAddr;

use etcd_v2_proto::pool::{FALLBACK_DELAY, dial_first};
use tokio::net::TcpStream;

/// Connects to `host`'s first address that answers.
pub(crate) async fn dial(host: &str, port: u16) -> io::Result<TcpStream> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await?.collect();
    race(addrs).await
}

/// Connects to the first of `addrs` that answers, starting them one after another.
async fn race(addrs: Vec<SocketAddr>) -> io::Result<TcpStream> {
    let fallback = || tokio::time::sleep(FALLBACK_DELAY);
    dial_first(addrs, TcpStream::connect, fallback)
        .await
        .map_err(|e| e.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// A loopback address whose connects hang: its accept queue is full. Blocks for a moment
    /// (the last connect has to time out).
    fn hanging() -> (SocketAddr, std::net::TcpListener, Vec<std::net::TcpStream>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut held = Vec::new();
        for _ in 0..4096 {
            match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(s) => held.push(s),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => return (addr, listener, held),
                Err(e) => panic!("filling the accept queue: {e}"),
            }
        }
        panic!("the kernel kept accepting connections: cannot make a hanging connect")
    }

    fn refused() -> SocketAddr {
        // A port just freed: nothing listens on it.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    }

    #[tokio::test]
    async fn a_hanging_first_address_costs_the_fallback_delay() {
        let (stuck, _listener, _held) = hanging();
        let open = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open_addr = open.local_addr().unwrap();
        #[allow(clippy::disallowed_methods)] // a test measures real time
        let started = Instant::now();
        // Bounded, so that a dial that waits for the stuck address fails instead of hanging.
        let raced = tokio::time::timeout(Duration::from_secs(5), race(vec![stuck, open_addr]));
        let stream = raced
            .await
            .expect("no fallback to the second address")
            .unwrap();
        let took = started.elapsed();
        assert_eq!(stream.peer_addr().unwrap(), open_addr);
        assert!(
            took >= FALLBACK_DELAY - Duration::from_millis(20) && took < Duration::from_secs(3),
            "took {took:?}"
        );
    }

    #[tokio::test]
    async fn a_refused_address_moves_on_at_once_and_the_last_error_is_kept() {
        let open = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open_addr = open.local_addr().unwrap();
        #[allow(clippy::disallowed_methods)] // a test measures real time
        let started = Instant::now();
        let stream = race(vec![refused(), open_addr]).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), open_addr);
        assert!(
            started.elapsed() < FALLBACK_DELAY,
            "did not wait for the delay"
        );

        let err = race(vec![refused(), refused()]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
        let err = race(Vec::new()).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[tokio::test]
    async fn a_host_name_is_resolved() {
        let open = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = open.local_addr().unwrap().port();
        let stream = dial("localhost", port).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap().port(), port);
    }
}
