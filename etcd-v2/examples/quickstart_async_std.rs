//! The quickstart on async-std, through the facade: no trait import.
//!
//! `cargo run -p etcd-v2 --features async-std --example quickstart_async_std`.

use etcd_v2::async_std::Client;
use etcd_v2::{Config, Error, GetOptions, SetOptions};

fn main() -> Result<(), Error> {
    async_std::task::block_on(async {
        let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
        client.set("/foo", "bar", SetOptions::default()).await?;
        let resp = client.get("/foo", GetOptions::default()).await?;
        println!("{:?}", resp.node.and_then(|n| n.value));
        Ok(())
    })
}
