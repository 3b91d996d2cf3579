//! A custom [`Transport`]: HTTP/1.1 over a unix socket, to an etcd started with
//! `--listen-client-urls unix:///path/to/etcd.sock` (etcd 3.4 accepts `unix://` client URLs).
//!
//! `cargo run -p etcd-v2-tokio --example tokio_unix_socket -- /path/to/etcd.sock`
//! (or set `ETCD_UNIX_SOCKET`). The endpoint is `http://localhost`: it only names the `Host`
//! header, every request goes to the socket. One connection per exchange, for brevity.
//!
//! The conformance suite runs [`run`] against a real etcd member listening on a unix socket
//! (`tokio::unix_socket_example`).

use std::path::{Path, PathBuf};

use bytes::Bytes;
use etcd_v2_tokio::{
    Client, Config, Error, GetOptions, Sending, SetOptions, Transport, TransportFailure, Version,
};
use http::{Request, Uri, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

/// The key [`run`] writes (`hello`) and reads back over the socket.
pub const KEY: &str = "/unix-socket-example";

/// HTTP/1.1 to etcd over the unix socket at `path`, one connection per exchange.
pub struct UnixTransport {
    /// The socket etcd listens on.
    pub path: PathBuf,
}

impl Transport for UnixTransport {
    fn send(&self, mut request: Request<Bytes>) -> Sending {
        let path = self.path.clone();
        Sending::new(async move {
            let stream = tokio::net::UnixStream::connect(&path)
                .await
                .map_err(|e| TransportFailure::Connect(format!("{}: {e}", path.display())))?;
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| TransportFailure::Connect(e.to_string()))?;
            tokio::spawn(conn); // drives the connection; ends when `sender` is dropped
            // Origin-form request target plus a Host header, as a server expects them.
            let host = request
                .uri()
                .authority()
                .map_or("localhost", |a| a.as_str())
                .to_owned();
            let target = request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            *request.uri_mut() = target
                .parse::<Uri>()
                .map_err(|e| TransportFailure::InvalidRequest(e.to_string()))?;
            let host = header::HeaderValue::from_str(&host)
                .map_err(|e| TransportFailure::InvalidRequest(e.to_string()))?;
            request.headers_mut().insert(header::HOST, host);
            // The client reads the body, within the call's deadline and body limit.
            let response = sender
                .send_request(request.map(Full::new))
                .await
                .map_err(|e| TransportFailure::Io(e.to_string()))?;
            Ok(response.map(|body| body.map_err(Into::into).boxed_unsync()))
        })
    }
}

/// Talks to etcd over the unix socket at `socket`: asks its version, sets [`KEY`] to `hello`
/// and reads it back. Returns the version and the value read.
pub async fn run(socket: &Path) -> Result<(Version, Option<String>), Error> {
    let transport = UnixTransport {
        path: socket.to_path_buf(),
    };
    let client = Client::with_transport(Config::new(["http://localhost"]), transport)?;

    let version = client.version().await?;
    client.set(KEY, "hello", SetOptions::default()).await?;
    let resp = client.get(KEY, GetOptions::default()).await?;
    Ok((version, resp.node.and_then(|n| n.value)))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os()
        .nth(1)
        .or_else(|| std::env::var_os("ETCD_UNIX_SOCKET"))
        .ok_or("usage: unix_socket <socket path> (or set ETCD_UNIX_SOCKET)")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (version, value) = runtime.block_on(run(Path::new(&path)))?;
    println!("etcd over unix socket: {version:?}");
    println!("{KEY} = {value:?}");
    assert_eq!(value.as_deref(), Some("hello"));
    Ok(())
}
