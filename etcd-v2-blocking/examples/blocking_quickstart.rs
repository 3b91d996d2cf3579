//! The Go client's README example: set `/foo` to `bar`, then read it back.
//!
//! ```text
//! ETCD_ENDPOINTS=http://127.0.0.1:2379 cargo run -p etcd-v2-blocking --example blocking_quickstart
//! ```

use std::time::Duration;

use etcd_v2_blocking::{Client, Config, GetOptions, SetOptions};

fn main() -> Result<(), etcd_v2_blocking::Error> {
    let endpoints =
        std::env::var("ETCD_ENDPOINTS").unwrap_or_else(|_| "http://127.0.0.1:2379".to_owned());
    let config = Config::new(
        endpoints
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty()),
    )
    // Set a timeout per request to fail fast when the target endpoint is unavailable.
    .header_timeout(Some(Duration::from_secs(1)));
    let client = Client::new(config)?;

    println!("Setting '/foo' key with 'bar' value");
    let resp = client.set("/foo", "bar", SetOptions::default())?;
    println!("Set is done. Metadata is {resp:?}");

    println!("Getting '/foo' key value");
    let resp = client.get("/foo", GetOptions::default())?;
    println!("Get is done. Metadata is {resp:?}");
    if let Some(node) = &resp.node {
        println!(
            "{:?} key has {:?} value",
            node.key,
            node.value.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
