//! A watch that keeps a local copy of a directory in step, across a cleared history: with
//! `ResumePolicy::Resync`, error 401 becomes one `Action::Resync` item holding the whole
//! directory, after which the events go on (blocking: the watcher is an `Iterator` of the same items).
//!
//! `cargo run -p etcd-v2 --features blocking --example watch_resync_blocking` (etcd on 127.0.0.1:2379).

use std::collections::BTreeMap;

use etcd_v2::blocking::Client;
use etcd_v2::{Action, Config, Error, GetOptions, KeysResponse, ResumePolicy, WatchOptions};

#[path = "shared/mirror.rs"]
mod mirror;

use mirror::apply;

fn main() -> Result<(), Error> {
    let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
    let listing = client.get("/config", GetOptions::default().recursive(true))?;
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
    for item in client.watcher("/config", opts)? {
        apply(&mut copy, item?);
        println!("{copy:?}");
    }
    Ok(())
}
