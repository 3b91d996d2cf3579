//! The Go client's README example: set `/foo` to `bar`, then read it back.
//!
//! `ETCD_ENDPOINTS=http://127.0.0.1:2379 cargo run -p etcd-v2-async-std --example async_std_quickstart`

use etcd_v2_async_std::{Client, Config, GetOptions, SetOptions};

fn main() -> Result<(), etcd_v2_async_std::Error> {
    let endpoints =
        std::env::var("ETCD_ENDPOINTS").unwrap_or_else(|_| "http://127.0.0.1:2379".into());
    let config = Config::new(
        endpoints
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty()),
    );
    async_std::task::block_on(async {
        let client = Client::new(config)?;
        // Set "/foo" to "bar" with no TTL.
        let resp = client.set("/foo", "bar", SetOptions::default()).await?;
        println!("Set is done. Metadata is {resp:?}");
        // Get "/foo".
        let resp = client.get("/foo", GetOptions::default()).await?;
        let node = resp.node.unwrap_or_default();
        println!(
            "Get is done. {:?} key has {:?} value",
            node.key,
            node.value.unwrap_or_default()
        );
        Ok(())
    })
}
