//! The quickstart on tokio, through the facade: no trait import.
//!
//! `cargo run -p etcd-v2 --features tokio --example quickstart_tokio` (etcd on 127.0.0.1:2379).

use etcd_v2::tokio::Client;
use etcd_v2::{Config, Error, GetOptions, SetOptions};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
    client.set("/foo", "bar", SetOptions::default()).await?;
    let resp = client.get("/foo", GetOptions::default()).await?;
    println!("{:?}", resp.node.and_then(|n| n.value));
    Ok(())
}
