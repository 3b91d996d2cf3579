//! Connection reuse for the HTTP/1 transports: where a request goes, the idle connections kept
//! per origin, and when a request handed back unsent is sent again
//!
//! The async adapters drive hyper's bare HTTP/1 connections, so the pooling policy is theirs
//! to decide, and it is decided here once. The adapters dial, check that a pooled connection
//! is still open and send; [`send_pooled`] says which connection each attempt uses and what a
//! failure means for the caller: a request a fresh connection hands back unsent was never sent
//! ([`TransportFailure::Connect`]), which the core needs to know to fail over a write. The
//! same holds for running out of time before any connection took the request: the request
//! waits in an [`Outgoing`] until one does, and [`Outgoing::timed_out`] says what a timeout
//! means.
//!
//! ```
//! use etcd_v2_proto::pool::{origin_form, IdlePool};
//!
//! let (mut parts, ()) = http::Request::get("http://127.0.0.1:2379/v2/keys/a?quorum=true")
//!     .body(())
//!     .unwrap()
//!     .into_parts();
//! let origin = origin_form(&mut parts, false).unwrap();
//! assert_eq!(parts.uri, "/v2/keys/a?quorum=true");
//! assert_eq!(parts.headers["host"], "127.0.0.1:2379");
//! assert_eq!((origin.host(), origin.port(), origin.tls()), ("127.0.0.1", 2379, false));
//!
//! let mut idle = IdlePool::default();
//! idle.put(&origin, "a connection");
//! assert_eq!(idle.take(&origin), Some("a connection"));
//! assert_eq!(idle.take(&origin), None);
//! ```

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::future::{Future, poll_fn};
use core::pin::Pin;
use core::task::{Context, Poll};

use http::uri::{Authority, PathAndQuery};
use http::{HeaderValue, Uri, header, request};

use crate::error::TransportFailure;
#[cfg(feature = "std")]
use crate::run_loop::lock;

/// Idle connections kept per origin: as many as callers a busy program runs at once, so that
/// 64 concurrent callers do not close and reopen connections on every call (8 did: it halved
/// their throughput). Each idle hyper connection holds about 30 KiB of buffers.
pub const MAX_IDLE_PER_ORIGIN: usize = 128;

/// How many pooled connections one exchange tries whose driver hands the request back unsent
/// (closed under it by the server) before it opens a fresh connection.
pub const POOLED_ATTEMPTS: usize = 2;

/// How long a dial waits on one of a host's addresses before it tries the next one as well
/// (Go's and hyper-util's "Happy Eyeballs" fallback delay): a host whose first address is
/// black-holed costs this, not the whole header timeout.
pub const FALLBACK_DELAY: core::time::Duration = core::time::Duration::from_millis(300);

/// Where a request goes: its scheme and authority. Requests to one origin share connections.
#[derive(Debug, Clone)]
pub struct Origin {
    tls: bool,
    authority: Authority,
}

/// Origins are the same when written the same: `Authority`'s own comparison ignores case, one
/// byte at a time, and a pool compares origins on every request (a client's endpoints are
/// written one way, so nothing is lost by being exact).
impl PartialEq for Origin {
    fn eq(&self, other: &Self) -> bool {
        self.tls == other.tls && self.authority.as_str() == other.authority.as_str()
    }
}

impl Eq for Origin {}

impl Origin {
    /// Whether the origin is `https`.
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// The host to dial and to name in TLS: an IPv6 literal without its brackets.
    pub fn host(&self) -> &str {
        let host = self.authority.host();
        host.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
    }

    /// The port to dial: the URI's, else 80 (`http`) or 443 (`https`).
    pub fn port(&self) -> u16 {
        let default = if self.tls { 443 } else { 80 };
        self.authority.port_u16().unwrap_or(default)
    }

    /// `host:port` as written in the URI, e.g. for messages.
    pub fn authority(&self) -> &str {
        self.authority.as_str()
    }
}

/// Rewrites a request with an absolute URI into HTTP/1's origin form (the URI becomes its path
/// and query, the authority goes to `Host`) and says where it goes.
///
/// # Errors
/// [`TransportFailure::InvalidRequest`] for a URI that is not `http(s)://host…`, or an
/// `https` one when the transport has no TLS (`tls_supported` false).
pub fn origin_form(
    parts: &mut request::Parts,
    tls_supported: bool,
) -> Result<Origin, TransportFailure> {
    let invalid = |why: &str| TransportFailure::InvalidRequest(format!("{}: {why}", parts.uri));
    let tls = match parts.uri.scheme_str() {
        Some("http") => false,
        Some("https") if tls_supported => true,
        Some("https") => return Err(invalid("https needs the `tls` feature")),
        _ => return Err(invalid("not an http(s)://host URL")),
    };
    let Some(authority) = parts.uri.authority().cloned() else {
        return Err(invalid("not an http(s)://host URL"));
    };
    let host = HeaderValue::from_str(authority.as_str()).map_err(|_| invalid("bad authority"))?;
    parts.headers.insert(header::HOST, host);
    // Taken out of the URI, not cloned: a clone of a path built from a `String` allocates.
    let target = core::mem::take(&mut parts.uri).into_parts().path_and_query;
    parts.uri = Uri::from(target.unwrap_or_else(|| PathAndQuery::from_static("/")));
    Ok(Origin { tls, authority })
}

/// Idle connections by origin; the most recently returned one is taken first (it is the
/// likeliest to be still open).
#[derive(Debug)]
pub struct IdlePool<C> {
    origins: Vec<(Origin, Vec<C>)>,
}

impl<C> Default for IdlePool<C> {
    fn default() -> Self {
        Self {
            origins: Vec::new(),
        }
    }
}

impl<C> IdlePool<C> {
    /// An idle connection to `origin`, if any (the caller checks it is still open).
    pub fn take(&mut self, origin: &Origin) -> Option<C> {
        self.idle(origin)?.pop()
    }

    /// Keeps `connection` for reuse, unless [`MAX_IDLE_PER_ORIGIN`] are kept already (then it
    /// is dropped, which closes it).
    pub fn put(&mut self, origin: &Origin, connection: C) {
        let idle = match self.origins.iter().position(|(o, _)| o == origin) {
            Some(i) => &mut self.origins[i].1,
            None => {
                self.origins.push((origin.clone(), Vec::new()));
                &mut self.origins.last_mut().expect("just pushed").1
            }
        };
        if idle.len() < MAX_IDLE_PER_ORIGIN {
            idle.push(connection);
        }
    }

    /// How many idle connections to `origin` are kept.
    pub fn idle_count(&self, origin: &Origin) -> usize {
        self.origins
            .iter()
            .find(|(o, _)| o == origin)
            .map_or(0, |(_, idle)| idle.len())
    }

    fn idle(&mut self, origin: &Origin) -> Option<&mut Vec<C>> {
        // A handful of origins (one per endpoint): a scan is cheaper than hashing the authority.
        let (_, idle) = self.origins.iter_mut().find(|(o, _)| o == origin)?;
        Some(idle)
    }
}

/// A request on its way to a connection: kept here until one takes it, and again if one hands
/// it back unsent. [`send_pooled`] takes it from here, and an exchange whose time runs out asks
/// it what that means (whether anything may have been sent).
///
/// The exchange owns it and lends it to `send_pooled`, so the request is kept once in the
/// exchange's future, not once per layer (an `async fn` keeps its arguments apart from its
/// states).
///
/// ```
/// use etcd_v2_proto::TransportFailure;
/// use etcd_v2_proto::pool::Outgoing;
///
/// let outgoing = Outgoing::new("GET /v2/keys/a");
/// assert!(!outgoing.handed_off());
/// assert!(matches!(outgoing.timed_out(), TransportFailure::Connect(_)));
/// ```
#[derive(Debug)]
pub struct Outgoing<R>(Option<R>);

impl<R> Outgoing<R> {
    /// `request`, held by no connection yet.
    pub const fn new(request: R) -> Self {
        Self(Some(request))
    }

    /// Whether a connection holds the request now (it may have been sent).
    pub const fn handed_off(&self) -> bool {
        self.0.is_none()
    }

    /// What running out of time means now: [`TransportFailure::Timeout`] once a connection
    /// holds the request, else [`TransportFailure::Connect`] (nothing was sent, so even a write
    /// may go to the next endpoint).
    pub fn timed_out(&self) -> TransportFailure {
        match self.handed_off() {
            true => TransportFailure::Timeout,
            false => TransportFailure::Connect("timed out before the request was sent".into()),
        }
    }
}

/// The deadlines of an exchange's two phases, for one timer that bounds both: set for the
/// head, then moved to the body's deadline if that differs (for most calls both are the same
/// instant, and no timer is armed twice).
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phases {
    /// Connect, send and the response headers: the header deadline or the whole exchange's,
    /// whichever comes first.
    pub head: Option<std::time::Instant>,
    /// The body (a watch has none: its body waits for an event).
    pub body: Option<std::time::Instant>,
}

#[cfg(feature = "std")]
impl Phases {
    /// The phases of an exchange given up at `deadline`, and at `header_deadline` if its
    /// headers have not arrived by then ([`Transmit`](crate::Transmit)'s two deadlines).
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// use etcd_v2_proto::pool::Phases;
    ///
    /// let now = Instant::now();
    /// let (soon, later) = (now + Duration::from_secs(1), now + Duration::from_secs(5));
    /// let watch = Phases::new(None, Some(soon));
    /// assert_eq!((watch.head, watch.body), (Some(soon), None));
    /// let short_call = Phases::new(Some(soon), Some(later));
    /// assert_eq!((short_call.head, short_call.body), (Some(soon), Some(soon)));
    /// ```
    pub fn new(
        deadline: Option<std::time::Instant>,
        header_deadline: Option<std::time::Instant>,
    ) -> Self {
        let head = match (header_deadline, deadline) {
            (Some(head), Some(whole)) => Some(head.min(whole)),
            (head, whole) => head.or(whole),
        };
        Self {
            head,
            body: deadline,
        }
    }

    /// Whether the timer must be moved (or dropped) once the headers are in.
    pub fn body_differs(&self) -> bool {
        self.body != self.head
    }
}

/// `future`'s output, or `None` if `timer` (polled after it) is ready first.
///
/// Both are borrowed, not moved: an exchange makes its futures in place and races each phase
/// with one timer of the adapter's runtime, so nothing is kept twice (a timeout wrapper per
/// phase, an `async fn` taking the future, keeps room for what it wraps twice).
///
/// ```
/// use core::pin::pin;
/// use core::task::Poll;
/// use etcd_v2_proto::pool::race;
///
/// # let waker = std::task::Waker::noop();
/// # let mut cx = std::task::Context::from_waker(&waker);
/// let mut pending = pin!(std::future::pending::<u8>());
/// let mut timed_out = pin!(race(pending.as_mut(), |_| Poll::Ready(())));
/// assert_eq!(timed_out.as_mut().poll(&mut cx), Poll::Ready(None));
/// let mut ready = pin!(std::future::ready(7));
/// let mut answered = pin!(race(ready.as_mut(), |_| Poll::Ready(())));
/// assert_eq!(answered.as_mut().poll(&mut cx), Poll::Ready(Some(7)));
/// ```
pub fn race<'a, F: Future>(
    mut future: Pin<&'a mut F>,
    mut timer: impl FnMut(&mut Context<'_>) -> Poll<()> + 'a,
) -> impl Future<Output = Option<F::Output>> + 'a {
    poll_fn(move |cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        timer(cx).map(|()| None)
    })
}

/// What became of a request given to a connection (an adapter's answer to [`send_pooled`]).
#[derive(Debug)]
pub enum Sent<R, P> {
    /// The response head arrived; the connection goes back to the pool once its body is read.
    Answered(P),
    /// The connection was closed before the request was written: here it is back, unsent.
    Unsent(R, String),
    /// Anything else: the request may have been sent.
    Failed(String),
}

/// Sends `request` to `origin` on an idle connection from `pool` if one is still usable, else
/// on one `connect` opens.
///
/// - `usable` tells whether a pooled connection is still open and ready (an adapter's
///   `SendRequest::ready`); unusable ones are dropped.
/// - `send` gives the request to a connection (hyper's `try_send_request`), and `sent` says
///   what became of it once that future is done. The connection's own future is awaited as it
///   is: a wrapper `async` block around it would keep room for it twice.
/// - A pooled connection that hands the request back unsent (the server closed it meanwhile)
///   is dropped and the request goes to the next, up to [`POOLED_ATTEMPTS`], then to a fresh
///   connection.
/// - A fresh connection that hands it back means nothing was sent:
///   [`TransportFailure::Connect`], as for a failed connect.
/// - The request is taken from `outgoing` when a connection takes it and put back when one
///   hands it back, so a timer racing this future knows what running out of time means.
///
/// # Errors
/// What `connect` fails with; `Connect` as above; [`TransportFailure::Io`] for a failed send;
/// [`TransportFailure::InvalidRequest`] if `outgoing` holds no request.
#[cfg(feature = "std")]
#[allow(clippy::manual_async_fn)] // an `async fn` would keep each argument twice
pub fn send_pooled<C, R, P, U, K, S>(
    pool: &std::sync::Mutex<IdlePool<C>>,
    origin: &Origin,
    outgoing: &mut Outgoing<R>,
    mut usable: impl FnMut(C) -> U,
    mut connect: impl FnMut() -> K,
    mut send: impl FnMut(&mut C, R) -> S,
    mut sent: impl FnMut(S::Output) -> Sent<R, P>,
) -> impl Future<Output = Result<(C, P), TransportFailure>>
where
    U: Future<Output = Option<C>>,
    K: Future<Output = Result<C, TransportFailure>>,
    S: Future,
{
    // An `async` block, not an `async fn`: an `async fn` moves its arguments into locals and
    // keeps room for both.
    async move {
        let mut unsent = 0;
        loop {
            let pooled = if unsent < POOLED_ATTEMPTS {
                checkout(pool, origin, &mut usable).await
            } else {
                None
            };
            let fresh = pooled.is_none();
            let mut connection = match pooled {
                Some(c) => c,
                None => connect().await?,
            };
            let Some(request) = outgoing.0.take() else {
                let why = "no request to send: it was handed to a connection already";
                return Err(TransportFailure::InvalidRequest(why.into()));
            };
            let output = send(&mut connection, request).await;
            match sent(output) {
                Sent::Answered(response) => return Ok((connection, response)),
                Sent::Unsent(back, _) if !fresh => {
                    outgoing.0 = Some(back);
                    unsent += 1;
                }
                Sent::Unsent(back, why) => {
                    outgoing.0 = Some(back);
                    let msg = format!(
                        "{}: closed before the request was sent: {why}",
                        origin.authority()
                    );
                    return Err(TransportFailure::Connect(msg));
                }
                Sent::Failed(why) => return Err(TransportFailure::Io(why)),
            }
        }
    }
}

/// An idle connection to `origin` that `usable` accepts, dropping the ones it refuses.
#[cfg(feature = "std")]
async fn checkout<C, U>(
    pool: &std::sync::Mutex<IdlePool<C>>,
    origin: &Origin,
    usable: &mut impl FnMut(C) -> U,
) -> Option<C>
where
    U: Future<Output = Option<C>>,
{
    loop {
        let pooled = lock(pool).take(origin)?;
        if let Some(c) = usable(pooled).await {
            return Some(c);
        }
    }
}

/// Connects to the first of a host's addresses that answers, as Go's dialer does ("Happy
/// Eyeballs" fast fallback, RFC 6555): `connect` dials one address, `fallback` sleeps for
/// [`FALLBACK_DELAY`] (the adapter's timer).
///
/// The addresses are tried in the resolver's order. The next one starts when the one before
/// has failed, or when `fallback` ends with no answer yet; earlier attempts go on, the first
/// connection made wins, and the other attempts are dropped. A host whose first address is
/// black-holed (an IPv6 route that drops packets, say) costs one delay, not the whole header
/// timeout.
///
/// # Errors
/// The last attempt's error once every address has failed; `None` if there was no address.
pub async fn dial_first<S, E, C, W>(
    addrs: Vec<core::net::SocketAddr>,
    mut connect: impl FnMut(core::net::SocketAddr) -> C,
    mut fallback: impl FnMut() -> W,
) -> Result<S, Option<E>>
where
    C: Future<Output = Result<S, E>>,
    W: Future<Output = ()>,
{
    use alloc::boxed::Box;
    use core::pin::Pin;
    use core::task::Poll;

    let mut waiting = addrs.into_iter();
    let Some(first) = waiting.next() else {
        return Err(None);
    };
    if waiting.len() == 0 {
        // An IP literal (the usual endpoint): nothing to race.
        return connect(first).await.map_err(Some);
    }
    let mut attempts: Vec<Pin<Box<C>>> = alloc::vec![Box::pin(connect(first))];
    let mut delay = Some(Box::pin(fallback()));
    let mut last_error = None;
    core::future::poll_fn(move |cx| {
        loop {
            let mut start_next = false;
            let mut i = 0;
            while i < attempts.len() {
                match attempts[i].as_mut().poll(cx) {
                    Poll::Ready(Ok(stream)) => return Poll::Ready(Ok(stream)),
                    Poll::Ready(Err(e)) => {
                        last_error = Some(e);
                        drop(attempts.swap_remove(i));
                        start_next = true;
                    }
                    Poll::Pending => i += 1,
                }
            }
            if let Some(d) = delay.as_mut() {
                start_next |= d.as_mut().poll(cx).is_ready();
            }
            if start_next {
                if let Some(addr) = waiting.next() {
                    attempts.push(Box::pin(connect(addr)));
                    // Each new attempt gets a whole delay before the next one joins it.
                    delay = (waiting.len() > 0).then(|| Box::pin(fallback()));
                    continue;
                }
                delay = None;
            }
            if attempts.is_empty() {
                return Poll::Ready(Err(last_error.take()));
            }
            return Poll::Pending;
        }
    })
    .await
}

/// Returns `connection` to `pool` for the next request to `origin`.
#[cfg(feature = "std")]
pub fn check_in<C>(pool: &std::sync::Mutex<IdlePool<C>>, origin: &Origin, connection: C) {
    lock(pool).put(origin, connection);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;
    use core::future::ready;
    use core::pin::pin;
    use core::task::{Context, Poll, Waker};
    use std::sync::Mutex;

    fn parts(uri: &str) -> request::Parts {
        http::Request::get(uri).body(()).unwrap().into_parts().0
    }

    fn origin(uri: &str) -> Origin {
        origin_form(&mut parts(uri), true).unwrap()
    }

    /// Polls a future whose every await is ready (as every one in these tests is).
    fn now<F: Future>(fut: F) -> F::Output {
        let mut fut = pin!(fut);
        match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("the test's futures are all ready"),
        }
    }

    #[test]
    fn origin_form_moves_the_authority_to_host() {
        let mut p = parts("http://127.0.0.1:2379/v2/keys/a%20b?recursive=true");
        let o = origin_form(&mut p, false).unwrap();
        assert_eq!(p.uri.to_string(), "/v2/keys/a%20b?recursive=true");
        assert_eq!(p.uri.authority(), None);
        assert_eq!(p.headers[header::HOST], "127.0.0.1:2379");
        assert_eq!((o.tls(), o.host(), o.port()), (false, "127.0.0.1", 2379));
        assert_eq!(o.authority(), "127.0.0.1:2379");
    }

    #[test]
    fn default_ports_and_ipv6_hosts() {
        let o = origin("http://example.com/v2/keys");
        assert_eq!((o.host(), o.port()), ("example.com", 80));
        let o = origin("https://example.com");
        assert_eq!((o.tls(), o.port()), (true, 443));
        let mut p = parts("http://[::1]:2379/version");
        let o = origin_form(&mut p, false).unwrap();
        assert_eq!((o.host(), o.port()), ("::1", 2379));
        assert_eq!(p.headers[header::HOST], "[::1]:2379");
        let mut p = parts("http://127.0.0.1:2379");
        origin_form(&mut p, false).unwrap();
        assert_eq!(p.uri.to_string(), "/");
    }

    #[test]
    fn origin_form_refuses_what_it_cannot_send() {
        let refused = |uri: &str, tls| match origin_form(&mut parts(uri), tls) {
            Err(TransportFailure::InvalidRequest(msg)) => msg,
            other => panic!("{uri}: {other:?}"),
        };
        assert!(refused("https://127.0.0.1:2379/", false).contains("`tls` feature"));
        assert!(refused("ftp://127.0.0.1/", true).contains("not an http(s)"));
        assert!(refused("/v2/keys", true).contains("not an http(s)"));
    }

    #[test]
    fn the_pool_keeps_connections_per_origin_last_in_first_out() {
        let (a, b) = (origin("http://127.0.0.1:1"), origin("http://127.0.0.1:2"));
        let tls_a = origin("https://127.0.0.1:1");
        let mut idle = IdlePool::default();
        idle.put(&a, 1);
        idle.put(&a, 2);
        idle.put(&b, 3);
        assert_eq!(
            idle.take(&tls_a),
            None,
            "a TLS connection is another origin"
        );
        assert_eq!(idle.take(&a), Some(2));
        assert_eq!(idle.take(&a), Some(1));
        assert_eq!(idle.take(&a), None);
        assert_eq!(idle.take(&b), Some(3));
    }

    #[test]
    fn the_pool_drops_connections_past_its_limit() {
        let a = origin("http://127.0.0.1:1");
        let mut idle = IdlePool::default();
        for i in 0..MAX_IDLE_PER_ORIGIN + 5 {
            idle.put(&a, i);
        }
        assert_eq!(idle.idle_count(&a), MAX_IDLE_PER_ORIGIN);
        assert_eq!(idle.take(&a), Some(MAX_IDLE_PER_ORIGIN - 1));
    }

    /// A fake connection: its number, and whether it is still open.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Conn {
        id: u32,
        open: bool,
    }

    type Outcome = Result<(Conn, &'static str), TransportFailure>;

    /// Runs [`send_pooled`] with `pooled` idle (last taken first), fresh connections numbered
    /// from 100, and `answer` deciding each send; returns the outcome, the connections sent on
    /// and how many were opened.
    fn run(
        pooled: &[Conn],
        mut answer: impl FnMut(Conn) -> Sent<&'static str, &'static str>,
        connect_fails: bool,
    ) -> (Outcome, Vec<u32>, u32) {
        let a = origin("http://127.0.0.1:1");
        let pool = Mutex::new(IdlePool::default());
        for &c in pooled {
            pool.lock().unwrap().put(&a, c);
        }
        let mut opened = 0;
        let mut sent_on = Vec::new();
        let mut outgoing = Outgoing::new("request");
        let outcome = now(send_pooled(
            &pool,
            &a,
            &mut outgoing,
            |c: Conn| ready(c.open.then_some(c)),
            || {
                opened += 1;
                ready(match connect_fails {
                    true => Err(TransportFailure::Connect("refused".into())),
                    false => Ok(Conn {
                        id: 99 + opened,
                        open: true,
                    }),
                })
            },
            |c: &mut Conn, request| {
                assert_eq!(request, "request");
                sent_on.push(c.id);
                ready(answer(*c))
            },
            |sent: Sent<&'static str, &'static str>| sent,
        ));
        // Handed over unless nothing was sent in the end (a failed connect, or a request that
        // came back unsent from every connection).
        let sent = !matches!(outcome, Err(TransportFailure::Connect(_)));
        assert_eq!(outgoing.handed_off(), sent, "hand-off after {outcome:?}");
        (outcome, sent_on, opened)
    }

    fn answered(_: Conn) -> Sent<&'static str, &'static str> {
        Sent::Answered("response")
    }

    #[test]
    fn a_usable_pooled_connection_is_used_and_closed_ones_are_dropped() {
        let open = Conn { id: 1, open: true };
        let closed = Conn { id: 2, open: false };
        let (outcome, sent_on, opened) = run(&[open, closed], answered, false);
        assert_eq!(outcome.unwrap(), (open, "response"));
        assert_eq!((sent_on, opened), (vec![1], 0));
    }

    #[test]
    fn without_an_idle_connection_one_is_opened() {
        let (outcome, sent_on, opened) = run(&[], answered, false);
        assert_eq!(outcome.unwrap().0.id, 100);
        assert_eq!((sent_on, opened), (vec![100], 1));
        let (outcome, _, _) = run(&[], answered, true);
        assert!(matches!(outcome, Err(TransportFailure::Connect(_))));
    }

    #[test]
    fn a_request_handed_back_by_pooled_connections_goes_to_a_fresh_one_at_last() {
        let pooled: Vec<_> = (1..=4).map(|id| Conn { id, open: true }).collect();
        // Every pooled connection hands it back: POOLED_ATTEMPTS of them are tried, then a
        // fresh one, though idle ones are left.
        let answer = |c: Conn| match c.id {
            100.. => answered(c),
            _ => Sent::Unsent("request", "closed".to_string()),
        };
        let (outcome, sent_on, opened) = run(&pooled, answer, false);
        assert_eq!(outcome.unwrap().0.id, 100);
        assert_eq!(sent_on, vec![4, 3, 100]);
        assert_eq!((POOLED_ATTEMPTS, opened), (2, 1));
    }

    #[test]
    fn a_fresh_connection_that_hands_the_request_back_means_nothing_was_sent() {
        let (outcome, sent_on, _) = run(&[], |_| Sent::Unsent("request", "eof".into()), false);
        match outcome {
            Err(TransportFailure::Connect(msg)) => {
                assert!(
                    msg.contains("closed before the request was sent: eof"),
                    "{msg}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(sent_on, vec![100], "not tried again");
    }

    #[test]
    fn a_failed_send_may_have_been_sent_and_is_not_repeated() {
        let pooled = [Conn { id: 1, open: true }, Conn { id: 2, open: true }];
        let (outcome, sent_on, opened) = run(&pooled, |_| Sent::Failed("reset".into()), false);
        assert!(matches!(outcome, Err(TransportFailure::Io(m)) if m == "reset"));
        assert_eq!((sent_on, opened), (vec![2], 0));
    }

    #[test]
    fn a_request_already_handed_to_a_connection_is_not_sent_again() {
        let a = origin("http://127.0.0.1:1");
        let pool = Mutex::new(IdlePool::default());
        let mut outgoing = Outgoing::new("request");
        let mut sends = 0;
        let mut attempt = |outgoing: &mut Outgoing<&'static str>| {
            now(send_pooled(
                &pool,
                &a,
                outgoing,
                |c: Conn| ready(Some(c)),
                || ready(Ok(Conn { id: 1, open: true })),
                |_: &mut Conn, _| {
                    sends += 1;
                    ready(())
                },
                |()| Sent::<&'static str, ()>::Failed("reset".into()),
            ))
        };
        assert!(matches!(
            attempt(&mut outgoing),
            Err(TransportFailure::Io(_))
        ));
        assert!(outgoing.handed_off());
        assert!(matches!(
            attempt(&mut outgoing),
            Err(TransportFailure::InvalidRequest(_))
        ));
        assert_eq!(sends, 1);
    }

    /// Dials `outcomes` (one per address: `None` never answers) with a fallback delay that is
    /// over at once when `delay_over`; returns the result and the addresses dialled, in order.
    fn dial(
        outcomes: &[Option<Result<u16, &'static str>>],
        delay_over: bool,
    ) -> (Result<u16, Option<&'static str>>, Vec<u16>) {
        let addrs = (0..outcomes.len())
            .map(|i| core::net::SocketAddr::from(([127, 0, 0, 1], i as u16)))
            .collect();
        let mut dialled = Vec::new();
        let result = now(async {
            dial_first(
                addrs,
                |addr: core::net::SocketAddr| {
                    dialled.push(addr.port());
                    let outcome = outcomes[usize::from(addr.port())];
                    async move {
                        match outcome {
                            Some(result) => result,
                            None => core::future::pending().await,
                        }
                    }
                },
                || async move {
                    if !delay_over {
                        core::future::pending::<()>().await;
                    }
                },
            )
            .await
        });
        (result, dialled)
    }

    #[test]
    fn a_dial_moves_on_when_an_address_fails() {
        assert_eq!(
            dial(&[Some(Err("refused")), Some(Ok(1))], false),
            (Ok(1), vec![0, 1])
        );
        assert_eq!(dial(&[Some(Ok(0)), Some(Ok(1))], false), (Ok(0), vec![0]));
        let all_fail = [Some(Err("a")), Some(Err("b")), Some(Err("c"))];
        assert_eq!(dial(&all_fail, false), (Err(Some("c")), vec![0, 1, 2]));
        assert_eq!(dial(&[], true), (Err(None), vec![]));
        assert_eq!(
            dial(&[Some(Err("only"))], true),
            (Err(Some("only")), vec![0])
        );
    }

    #[test]
    fn a_dial_adds_the_next_address_when_the_delay_is_over_and_keeps_the_first() {
        // The first never answers: after the delay the second starts and wins.
        assert_eq!(dial(&[None, Some(Ok(1))], true), (Ok(1), vec![0, 1]));
        // Without the delay over, an unanswered first address is all there is.
        let mut fut = pin!(dial_first(
            vec![core::net::SocketAddr::from(([127, 0, 0, 1], 0)); 2],
            |_| core::future::pending::<Result<u16, ()>>(),
            core::future::pending::<()>,
        ));
        let polled = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        assert!(polled.is_pending());
        // A later address that fails does not end the dial while an earlier one may answer.
        let mut dialled = Vec::new();
        {
            let mut fut = pin!(dial_first(
                (0..2)
                    .map(|p| core::net::SocketAddr::from(([127, 0, 0, 1], p)))
                    .collect(),
                |addr| {
                    dialled.push(addr.port());
                    async move {
                        match addr.port() {
                            0 => core::future::pending().await,
                            _ => Err::<u16, _>("refused"),
                        }
                    }
                },
                || core::future::ready(()),
            ));
            let polled = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            assert!(polled.is_pending(), "still waiting on the first address");
        }
        assert_eq!(dialled, vec![0, 1]);
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // a test's own instants
    fn the_head_ends_at_the_sooner_deadline_and_the_body_at_the_whole_one() {
        let now = std::time::Instant::now();
        let second = core::time::Duration::from_secs(1);
        let (soon, later) = (now + second, now + 5 * second);
        let cases = [
            // (deadline, header deadline) -> (head, body, moved for the body)
            ((None, None), (None, None, false)),
            ((Some(later), None), (Some(later), Some(later), false)),
            // A watch: headers at once, the body whenever an event comes.
            ((None, Some(soon)), (Some(soon), None, true)),
            ((Some(later), Some(soon)), (Some(soon), Some(later), true)),
            // A call deadline sooner than the header timeout bounds the head too.
            ((Some(soon), Some(later)), (Some(soon), Some(soon), false)),
            ((Some(soon), Some(soon)), (Some(soon), Some(soon), false)),
        ];
        for ((deadline, header), (head, body, moved)) in cases {
            let phases = Phases::new(deadline, header);
            assert_eq!(
                (phases.head, phases.body),
                (head, body),
                "{deadline:?} {header:?}"
            );
            assert_eq!(phases.body_differs(), moved, "{deadline:?} {header:?}");
        }
    }

    #[test]
    fn check_in_returns_a_connection_for_the_next_request() {
        let a = origin("http://127.0.0.1:1");
        let pool = Mutex::new(IdlePool::default());
        check_in(&pool, &a, Conn { id: 7, open: true });
        assert_eq!(pool.lock().unwrap().idle_count(&a), 1);
        assert_eq!(pool.lock().unwrap().take(&a).map(|c| c.id), Some(7));
    }
}
