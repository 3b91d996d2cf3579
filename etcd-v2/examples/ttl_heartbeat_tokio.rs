//! A presence key kept alive by a heartbeat: set once with a TTL, then refreshed (TTL only,
//! value kept, watchers not woken) well before it runs out; if the process dies, the key
//! expires (tokio).
//!
//! `cargo run -p etcd-v2 --features tokio --example ttl_heartbeat_tokio` (etcd on 127.0.0.1:2379).

use std::time::Duration;

use etcd_v2::tokio::Client;
use etcd_v2::{Config, Error, PrevExist, SetOptions};

const TTL: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
    let key = "/services/worker-1";
    client
        .set(key, "10.0.0.7:8080", SetOptions::default().ttl(TTL))
        .await?;
    let refresh = SetOptions::default()
        .ttl(TTL)
        .refresh(true)
        .prev_exist(PrevExist::Exist);
    // Each call is bounded, so a stalled member cannot make a beat late.
    let beat = client.with_timeout(TTL / 3);
    for _ in 0..3 {
        tokio::time::sleep(TTL / 3).await;
        let resp = beat.set(key, "", refresh.clone()).await?;
        println!("refreshed, ttl {:?}", resp.node.and_then(|n| n.ttl));
    }
    Ok(())
}
