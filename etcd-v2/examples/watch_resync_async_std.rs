//! A watch that keeps a local copy of a directory in step, across a cleared history: with
//! `ResumePolicy::Resync`, error 401 becomes one `Action::Resync` item holding the whole
//! directory, after which the events go on (async-std).
//!
//! `cargo run -p etcd-v2 --features async-std --example watch_resync_async_std` (etcd on 127.0.0.1:2379).

use std::collections::BTreeMap;

use etcd_v2::async_std::Client;
use etcd_v2::{Action, Config, Error, GetOptions, KeysResponse, ResumePolicy, WatchOptions};
use futures_util::StreamExt;

#[path = "shared/mirror.rs"]
mod mirror;

use mirror::apply;

fn main() -> Result<(), Error> {
    async_std::task::block_on(async {
        let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
        let listing = client
            .get("/config", GetOptions::default().recursive(true))
            .await?;
        let mut copy = BTreeMap::new();
        apply(
            &mut copy,
            KeysResponse {
                action: Action::Resync,
                ..listing.clone()
            },
        );
        let opts = WatchOptions::default()
            .recursive(true)
            .after_index(listing.index)
            .resume(ResumePolicy::Resync);
        let mut watcher = client.watcher("/config", opts)?;
        while let Some(item) = watcher.next().await {
            apply(&mut copy, item?);
            println!("{copy:?}");
        }
        Ok(())
    })
}
