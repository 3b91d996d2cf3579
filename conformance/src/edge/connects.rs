//! Connections that close, are refused, or never complete: which calls fail over, and
//! which writes are outcome unknown.

use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use etcd_v2_proto::{
    Api, AttemptFailure, DeleteOptions, Error, GetOptions, KeysResponse, TransportFailure,
};

use super::{
    VALUE, answer, client_in_order, hangs_up, header_timeout, healthy, node_json, server, timed,
};
use crate::hostile::HostileServer;
use crate::sut::{Adapter, Sut};

/// A member that answers every request as a successful create.
fn creates() -> Result<HostileServer, String> {
    server(|_, conn| {
        answer(
            conn,
            "201 Created",
            "application/json",
            &node_json("create"),
        )
    })
}

/// Checks that `got` is a cluster error with one `Connect` failure, at `endpoint`.
fn one_connect_failure<T: std::fmt::Debug>(
    got: Result<T, Error>,
    endpoint: &str,
) -> Result<(), String> {
    ensure!(
        matches!(
            &got,
            Err(Error::Cluster(c)) if matches!(
                &c.failures[..],
                [(e, AttemptFailure::Transport(TransportFailure::Connect(_)))] if e == endpoint
            )
        ),
        "expected one Connect failure at {endpoint}: {got:?}"
    );
    Ok(())
}

/// Checks that a create succeeded with [`VALUE`].
fn created(got: Result<KeysResponse, Error>) -> Result<(), String> {
    let resp = got.map_err(|e| format!("the create failed: {e:?}"))?;
    ensure_eq!(
        resp.node.and_then(|n| n.value).as_deref(),
        Some(VALUE),
        "the value"
    );
    Ok(())
}

/// A delete whose connection closes after the request was read: outcome unknown (an I/O
/// failure at that member), and not sent to the next member.
pub(super) fn delete_on_a_closed_connection_is_outcome_unknown_and_sent_once(
    adapter: Adapter,
) -> Result<(), String> {
    let (a, b) = (hangs_up()?, healthy()?);
    let sut = client_in_order(adapter, &[&a.url(), &b.url()], |c| c)?;
    let got = sut.delete("/foo", DeleteOptions::default());
    let err = got.err().ok_or("the delete succeeded")?;
    let unknown = err.outcome_unknown().ok_or(format!("{err:?}"))?;
    ensure_eq!(unknown.endpoint, a.url(), "the endpoint");
    ensure!(
        matches!(
            unknown.failure,
            AttemptFailure::Transport(TransportFailure::Io(_))
        ),
        "{:?}",
        unknown.failure
    );
    ensure_eq!((a.hits(), b.hits()), (1, 0), "requests per member");
    Ok(())
}

/// A get whose connection closes fails over to the next member.
pub(super) fn get_on_a_closed_connection_fails_over(adapter: Adapter) -> Result<(), String> {
    let (a, b) = (hangs_up()?, healthy()?);
    let sut = client_in_order(adapter, &[&a.url(), &b.url()], |c| c)?;
    let got = sut
        .get("/foo", GetOptions::default())
        .map_err(|e| e.to_string())?;
    ensure_eq!(
        got.node.and_then(|n| n.value).as_deref(),
        Some(VALUE),
        "the value"
    );
    ensure_eq!((a.hits(), b.hits()), (1, 1), "requests per member");
    Ok(())
}

/// A refused connection is `Connect`: nothing was sent, so even a create fails over.
pub(super) fn refused_connection_is_connect_and_a_create_fails_over(
    adapter: Adapter,
) -> Result<(), String> {
    let refused = refused_url("http")?;
    let b = creates()?;
    let sut = client_in_order(adapter, &[&refused, &b.url()], |c| c)?;
    created(sut.create("/foo", VALUE))?;
    ensure_eq!(b.hits(), 1, "requests to the second member");
    sut.set_endpoints(&[&refused]).map_err(|e| e.to_string())?;
    one_connect_failure(sut.create("/foo", VALUE), &refused)
}

/// A connect that never completes ends at the header timeout as `Connect`: a create fails
/// over; alone, a create and a get are told `Connect`.
pub(super) fn connect_that_never_completes_is_connect_and_a_create_fails_over(
    adapter: Adapter,
) -> Result<(), String> {
    const HEADER_TIMEOUT: Duration = Duration::from_millis(300);
    let hole = NeverConnects::new()?;
    let b = creates()?;
    let sut = client_in_order(adapter, &[&hole.url, &b.url()], header_timeout(300))?;
    let (got, took) = timed(|| sut.create("/foo", VALUE));
    created(got)?;
    ensure!(
        took >= HEADER_TIMEOUT - Duration::from_millis(20) && took < Duration::from_secs(3),
        "took {took:?}"
    );
    ensure_eq!(b.hits(), 1, "requests to the second member");
    sut.set_endpoints(&[&hole.url]).map_err(|e| e.to_string())?;
    one_connect_failure(sut.create("/foo", VALUE), &hole.url)?;
    one_connect_failure(sut.get("/foo", GetOptions::default()), &hole.url)
}

/// With the `tls` feature (on in this crate) an https endpoint is dialled: nothing
/// listens, so `Connect`. (Without it, each adapter's own tests check it is refused.)
pub(super) fn https_endpoint_is_dialled_with_tls(adapter: Adapter) -> Result<(), String> {
    let refused = refused_url("https")?;
    let config = etcd_v2_proto::Config::new([refused.as_str()]);
    let sut = Sut::new(adapter, config).map_err(|e| e.to_string())?;
    one_connect_failure(sut.get("/foo", GetOptions::default()), &refused)
}

/// `<scheme>://127.0.0.1:<port>` of a port nothing listens on.
fn refused_url(scheme: &str) -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    Ok(format!("{scheme}://{addr}"))
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connect to it
/// never completes, like one to a powered-off host (nothing can be sent). Holds the listener
/// and the sockets that filled its queue.
struct NeverConnects {
    url: String,
    _listener: TcpListener,
    _held: Vec<TcpStream>,
}

impl NeverConnects {
    /// Blocks for a moment: the last connect has to time out.
    fn new() -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let mut held = Vec::new();
        while held.len() < 4096 {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(s) => held.push(s),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    return Ok(Self {
                        url: format!("http://{addr}"),
                        _listener: listener,
                        _held: held,
                    });
                }
                Err(e) => return Err(format!("filling the accept queue: {e}")),
            }
        }
        Err("the kernel kept accepting connections: cannot make a hanging connect".into())
    }
}
