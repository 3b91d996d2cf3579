//! The quickstart without a runtime, through the facade: no trait import.
//!
//! `cargo run -p etcd-v2 --features blocking --example quickstart_blocking`.

use etcd_v2::blocking::Client;
use etcd_v2::{Config, Error, GetOptions, SetOptions};

fn main() -> Result<(), Error> {
    let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
    client.set("/foo", "bar", SetOptions::default())?;
    let resp = client.get("/foo", GetOptions::default())?;
    println!("{:?}", resp.node.and_then(|n| n.value));
    Ok(())
}
