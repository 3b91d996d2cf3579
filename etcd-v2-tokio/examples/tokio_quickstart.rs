//! The Go client's README usage: set `/foo` to `bar`, then read it back.
//!
//! `ETCD_ENDPOINTS=http://127.0.0.1:2379 cargo run -p etcd-v2-tokio --example tokio_quickstart`

use etcd_v2_tokio::{Client, Config, GetOptions, SetOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoints =
        std::env::var("ETCD_ENDPOINTS").unwrap_or_else(|_| "http://127.0.0.1:2379".into());
    let client = Client::new(Config::new(endpoints.split(',').map(str::trim)))?;

    // Set "/foo" to "bar", overwriting any existing value.
    let resp = client.set("/foo", "bar", SetOptions::default()).await?;
    println!("set is done; metadata: {resp:?}");

    // Read it back.
    let resp = client.get("/foo", GetOptions::default()).await?;
    let node = resp.node.ok_or("no node in the answer")?;
    println!("get is done; {:?} = {:?}", node.key, node.value);
    assert_eq!(node.value.as_deref(), Some("bar"));
    Ok(())
}
