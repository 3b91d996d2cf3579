//! The plain-HTTP baselines of the async runtimes, written once over [`Exchange`]: hand-built
//! requests (see [`crate::raw`]), status checks, and a long-poll loop that parses just
//! `node.modifiedIndex`.

use std::future::Future;

use bytes::Bytes;

use crate::async_runs::{AsyncKv, AsyncWatch};
use crate::raw;

/// One HTTP exchange over a runtime's plain hyper client.
pub(crate) trait Exchange: Clone + Send + Sync + 'static {
    /// Sends a GET of `path_and_query`, or with `put` a form PUT of the set body; returns
    /// the status and the whole body.
    fn exchange(
        &self,
        path_and_query: &str,
        put: bool,
    ) -> impl Future<Output = Result<(u16, Bytes), String>> + Send;
}

/// A plain hyper client used as a key-value client.
#[derive(Clone)]
pub(crate) struct RawKv<E>(pub(crate) E);

/// A long-poll loop on a plain hyper client.
pub(crate) struct RawWatch<E> {
    raw: E,
    key: String,
    recursive: bool,
    wait_index: u64,
}

impl<E: Exchange> AsyncKv for RawKv<E> {
    type Watch = RawWatch<E>;

    async fn set(&self, key: String) -> Result<(), String> {
        let (status, body) = self.0.exchange(&raw::set_path(&key), true).await?;
        raw::expect_ok(status, &body)
    }

    async fn set_indexed(&self, key: String) -> Result<u64, String> {
        let (status, body) = self.0.exchange(&raw::set_path(&key), true).await?;
        raw::modified_index(status, &body)
    }

    async fn get(&self, key: String) -> Result<(), String> {
        let (status, body) = self.0.exchange(&raw::get_path(&key), false).await?;
        raw::expect_ok(status, &body)
    }

    async fn list(&self, dir: String) -> Result<usize, String> {
        let (status, body) = self.0.exchange(&raw::list_path(&dir), false).await?;
        raw::expect_ok(status, &body).map(|()| body.len())
    }

    fn watch(&self, key: String, after: u64, recursive: bool) -> RawWatch<E> {
        RawWatch {
            raw: self.0.clone(),
            key,
            recursive,
            wait_index: after + 1,
        }
    }
}

impl<E: Exchange> AsyncWatch for RawWatch<E> {
    async fn next(&mut self) -> Result<u64, String> {
        let path = raw::wait_path(&self.key, self.recursive, self.wait_index);
        let (status, body) = self.raw.exchange(&path, false).await?;
        let index = raw::modified_index(status, &body)?;
        self.wait_index = index + 1;
        Ok(index)
    }
}
