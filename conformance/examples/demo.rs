//! Demo against a real local etcd, through the blocking client.
//!
//! ```text
//! cargo run -p conformance --example demo                      # starts a throwaway etcd
//! ETCD_ENDPOINTS=http://127.0.0.1:2379 cargo run -p conformance --example demo
//! ```
//!
//! With `ETCD_ENDPOINTS` (comma-separated client URLs, v2 API enabled) the tour runs against
//! that cluster under `/etcd-v2-demo`; otherwise a single member is started for the run and
//! killed at the end (this fails with the install hint when no etcd binary is found).

use std::time::Duration;

use conformance::etcd_process::EtcdCluster;
use etcd_v2::blocking::{Client, Config, DeleteOptions, GetOptions, SetOptions, WatchOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep a throwaway member alive until the end of main.
    let (endpoints, _etcd) = match std::env::var("ETCD_ENDPOINTS") {
        Ok(list) => {
            let endpoints: Vec<String> = list.split(',').map(|s| s.trim().to_owned()).collect();
            println!("using ETCD_ENDPOINTS: {endpoints:?}");
            (endpoints, None)
        }
        Err(_) => {
            let etcd = EtcdCluster::single()?;
            println!("started a throwaway etcd member at {}", etcd.client_url(0));
            (etcd.client_urls(), Some(etcd))
        }
    };
    let client = Client::new(Config::new(endpoints).header_timeout(Some(Duration::from_secs(2))))?;
    let dir = "/etcd-v2-demo";
    let key = format!("{dir}/greeting");

    let resp = client.set(&key, "hello", SetOptions::default())?;
    println!(
        "set {key} = \"hello\": action {}, index {}",
        resp.action, resp.index
    );

    let resp = client.get(&key, GetOptions::default())?;
    let node = resp.node.unwrap_or_default();
    println!(
        "get {key}: {:?} (modifiedIndex {})",
        node.value_str(),
        node.modified_index
    );

    let cas = SetOptions::default().prev_value("nope");
    match client.set(&key, "bonjour", cas) {
        Err(e) if e.is_test_failed() => println!("compare-and-swap against \"nope\" refused: {e}"),
        other => println!("unexpected compare-and-swap outcome: {other:?}"),
    }
    let cas = SetOptions::default().prev_value("hello");
    let resp = client.set(&key, "bonjour", cas)?;
    println!("compare-and-swap against \"hello\": action {}", resp.action);

    let mut watcher = client.watcher(&key, WatchOptions::default().after_index(resp.index))?;
    let writer = {
        let client = client.clone();
        let key = key.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            client.set(&key, "written from a thread", SetOptions::default())
        })
    };
    let event = watcher.next().expect("a watcher never ends")?;
    println!(
        "watch saw {} of {} = {:?} at index {}",
        event.action,
        event.node.as_ref().map_or("", |n| n.key.as_str()),
        event.node.as_ref().map_or("", |n| n.value_str()),
        event.node.as_ref().map_or(0, |n| n.modified_index),
    );
    writer.join().expect("writer thread")?;

    for m in client.list_members()? {
        println!(
            "member {} {:?}: peers {:?}, clients {:?}",
            m.id, m.name, m.peer_urls, m.client_urls
        );
    }
    let version = client.version()?;
    println!(
        "etcd server {} (cluster {})",
        version.server, version.cluster
    );

    client.delete(dir, DeleteOptions::default().recursive(true))?;
    println!("removed {dir}; done");
    Ok(())
}
