//! The Go client's documentation examples as the adapter crates ship them: each
//! `examples/<adapter>_go_doc.rs` is compiled in here unchanged, and [`go_doc_examples`] runs
//! the adapter's own file against the member, so the examples cannot rot.

use super::{Check, Ctx};
use crate::sut::Adapter;

/// `etcd-v2-blocking/examples/blocking_go_doc.rs`, compiled as is.
#[allow(dead_code, reason = "the example's `main` is its binary's entry point")]
#[path = "../../../etcd-v2-blocking/examples/blocking_go_doc.rs"]
pub mod blocking_go_doc;

/// `etcd-v2-tokio/examples/tokio_go_doc.rs`, compiled as is.
#[allow(dead_code, reason = "the example's `main` is its binary's entry point")]
#[path = "../../../etcd-v2-tokio/examples/tokio_go_doc.rs"]
pub mod tokio_go_doc;

/// `etcd-v2-async-std/examples/async_std_go_doc.rs`, compiled as is.
#[allow(dead_code, reason = "the example's `main` is its binary's entry point")]
#[path = "../../../etcd-v2-async-std/examples/async_std_go_doc.rs"]
pub mod async_std_go_doc;

/// The adapter's Go doc example (README usage, package overview, error handling, directory
/// listing, members, sync and auto-sync, watcher), run as its `main` would, with the member's
/// URLs. It keeps to a key prefix of its own (`/go-doc-<adapter>-<pid>-<nanos>`) and removes it.
pub fn go_doc_examples(ctx: &Ctx<'_>) -> Result<(), String> {
    let endpoints = ctx.urls();
    let result = match ctx.adapter() {
        Adapter::Blocking => blocking_go_doc::run(&endpoints),
        Adapter::Tokio => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("building a tokio runtime: {e}"))?
            .block_on(tokio_go_doc::run(&endpoints)),
        Adapter::AsyncStd => async_std::task::block_on(async_std_go_doc::run(&endpoints)),
    };
    result.ctx(format!("examples/{}_go_doc.rs", ctx.adapter()))
}
