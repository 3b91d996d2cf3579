//! The custom-transport example `etcd-v2-tokio/examples/tokio_unix_socket.rs`, compiled in
//! here unchanged and run against a member that also listens on a unix socket, so the example
//! cannot rot.

use etcd_v2_proto::{Api, GetOptions, SetOptions};

use super::{Check, Ctx, node};
use crate::etcd_process::http_get;
use crate::sut::Adapter;

// `etcd-v2-tokio/examples/tokio_unix_socket.rs`, compiled as is (no outer doc: the file's own
// `//!` docs, with intra-doc links relative to it, are the module's docs).
#[allow(dead_code, reason = "the example's `main` is its binary's entry point")]
#[path = "../../../etcd-v2-tokio/examples/tokio_unix_socket.rs"]
pub mod tokio_unix_socket;

use tokio_unix_socket::KEY;

/// Version, set and get of [`KEY`] on a member serving both TCP and a unix socket. The tokio
/// trial runs the example's `run` over the socket (its `UnixTransport`); the example is
/// tokio-only, so the other adapters do the same steps with their own client over TCP. Every
/// trial then checks the other path: the adapter's client over TCP sees the same version and
/// value, and so does a raw `GET` over the socket.
pub fn unix_socket_example(ctx: &Ctx<'_>) -> Result<(), String> {
    let socket = ctx
        .cluster()
        .unix_socket_path()
        .ok_or("the member was started without a unix socket")?;
    let (version, value) = match ctx.adapter() {
        Adapter::Tokio => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("building a tokio runtime: {e}"))?
            .block_on(tokio_unix_socket::run(&socket))
            .ctx("examples/tokio_unix_socket.rs")?,
        Adapter::Blocking | Adapter::AsyncStd => {
            let version = ctx.sut.version().ctx("version over TCP")?;
            ctx.sut
                .set(KEY, "hello", SetOptions::default())
                .ctx("set over TCP")?;
            let resp = ctx
                .sut
                .get(KEY, GetOptions::default())
                .ctx("get over TCP")?;
            (version, node(&resp)?.value.clone())
        }
    };
    ensure!(
        version.server.starts_with("3."),
        "server version: {version:?}"
    );
    ensure_eq!(value.as_deref(), Some("hello"), "value of {KEY} read back");

    let tcp_version = ctx.sut.version().ctx("version over TCP")?;
    ensure_eq!(
        tcp_version.server,
        version.server,
        "server version over TCP"
    );
    let resp = ctx
        .sut
        .get(KEY, GetOptions::default())
        .ctx("get over TCP")?;
    ensure_eq!(
        node(&resp)?.value.as_deref(),
        Some("hello"),
        "value of {KEY} over TCP"
    );
    let url = format!("unix://{}", socket.display());
    let (status, body) =
        http_get(&url, &format!("/v2/keys{KEY}")).map_err(|e| format!("GET over {url}: {e}"))?;
    ensure_eq!(status, 200, "status of a raw GET over the socket ({body})");
    ensure!(
        body.contains(r#""value":"hello""#),
        "raw GET over the socket: {body}"
    );
    Ok(())
}
