//! The Go client's documentation examples (`github.com/coreos/etcd/client`), one after another,
//! with the tokio client; each step asserts what the Go docs promise.
//!
//! ```text
//! ETCD_ENDPOINTS=http://127.0.0.1:2379 cargo run -p etcd-v2-tokio --example tokio_go_doc
//! ```
//!
//! Keys live below a prefix unique to the run, removed at the end. The conformance suite runs
//! `run` against real etcd (`tokio::go_doc_examples`).

use futures_util::StreamExt;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener};
use std::time::{Duration, UNIX_EPOCH};

use etcd_v2_tokio::{
    Action, Client, Config, DeleteOptions, Error, GetOptions, SetOptions, WatchOptions,
};
use tokio::runtime::Builder;

/// Runs every Go doc example against `endpoints`: an unexpected client error is returned, a
/// broken promise of the Go docs panics.
pub async fn run(endpoints: &[String]) -> Result<(), Error> {
    let nanos = UNIX_EPOCH.elapsed().unwrap_or_default().as_nanos();
    let p = format!("/go-doc-tokio-{}-{nanos}", std::process::id());

    // README "Usage": HeaderTimeoutPerRequest: time.Second, Set "/foo" = "bar", Get "/foo".
    let config = Config::new(endpoints).header_timeout(Some(Duration::from_secs(1)));
    let client = Client::new(config)?;
    let (set_opts, delete_opts) = (SetOptions::default(), DeleteOptions::default()); // Go: nil
    let foo_key = format!("{p}/foo");
    println!("Setting '{foo_key}' key with 'bar' value");
    let resp = client.set(&foo_key, "bar", set_opts.clone()).await?;
    println!("Set is done. Metadata is {resp:?}");
    let resp = client.get(&foo_key, GetOptions::default()).await?;
    let node = resp.node.unwrap();
    println!("{:?} key has {:?} value", node.key, node.value_str());
    assert_eq!((&*node.key, node.value_str()), (&*foo_key, "bar"));

    // Package overview: Create "/foo" = "bar" (Set with PrevNoExist, so README's "/foo" goes
    // first), then Delete with DeleteOptions{PrevValue: "bar"}: only if the value is still "bar".
    client.delete(&foo_key, delete_opts.clone()).await?;
    client.create(&foo_key, "bar").await?;
    let if_baz = DeleteOptions::default().prev_value("baz");
    let wrong = client.delete(&foo_key, if_baz).await;
    println!("Delete if the value is \"baz\": {wrong:?}");
    assert!(wrong.is_err_and(|e| e.is_test_failed()));
    let if_bar = DeleteOptions::default().prev_value("bar");
    let resp = client.delete(&foo_key, if_bar).await?;
    println!("Delete if the value is still \"bar\": {:?}", resp.action);
    assert_eq!(resp.action, Action::CompareAndDelete);

    // Package overview: context.WithTimeout(ctx, 5*time.Second), then Set "/ping" = "pong".
    let quick = client.with_timeout(Duration::from_secs(5)); // the 5 s context deadline
    quick
        .set(&format!("{p}/ping"), "pong", set_opts.clone())
        .await?;

    // README "Error Handling": a member that never answers, a port nobody listens on and an
    // HTTP server that is not etcd each take one branch of Go's if/else chain.
    let (_silent, silent_url) = listen(); // accepts nothing: connections wait in its backlog
    let (_, refused_url) = listen(); // the listener is dropped at once
    for (url, millis, expected) in [
        (silent_url, 300, "unknown"), // the set was written, nothing came back
        (refused_url, 5000, "cluster"),
        (not_etcd(), 5000, "other"),
    ] {
        let kapi = Client::new(Config::new([url]))?.with_timeout(Duration::from_millis(millis));
        let err = kapi.set("test", "bar", set_opts.clone()).await.unwrap_err();
        let branch = match &err {
            // context.Canceled: drop the call's future (as AutoSync's is, below).
            Error::DeadlineExceeded => "context", // ctx has a deadline and it exceeded
            // A write that may have been applied (Go says DeadlineExceeded here too).
            Error::OutcomeUnknown(_) => "unknown",
            Error::Cluster(_) => "cluster", // *ClusterError: one failure per endpoint
            _ => "other",                   // bad cluster endpoints, not etcd servers
        };
        println!("{branch} error: {err}");
        assert_eq!(branch, expected);
    }

    // example_keys_test.go, ExampleKeysAPI_directory: Set "/myNodes" with Dir: true, add key1
    // and key2, Get the directory sorted (Go sorts with sort.Sort; here the server does).
    let dir = format!("{p}/myNodes");
    let o = SetOptions::default().dir(true);
    client.set(&dir, "", o).await?;
    for (k, v) in [("key1", "value1"), ("key2", "value2")] {
        client
            .set(&format!("{dir}/{k}"), v, set_opts.clone())
            .await?;
    }
    let sorted = GetOptions::default().recursive(true).sort(true);
    let mut listing = Vec::new();
    for n in client.get(&dir, sorted).await?.node.unwrap().nodes {
        println!("Key: {:?}, Value: {:?}", n.key, n.value_str());
        listing.push(format!("{}={}", &n.key[dir.len()..], n.value_str()));
    }
    assert_eq!(listing, ["/key1=value1", "/key2=value2"]);

    // MembersAPI.List.
    let members = client.list_members().await?;
    println!("Members: {members:?}");
    assert!(!members.is_empty() && members.iter().all(|m| !m.client_urls.is_empty()));

    // Client.Sync, then AutoSync as in Client's doc comment, until its context is done: here
    // a timeout drops the future. AutoSync itself returns only the error of a failed sync.
    client.sync().await?;
    println!("Endpoints after Sync: {:?}", client.endpoints());
    assert!(!client.endpoints().is_empty());
    let auto_sync = client.auto_sync(Duration::from_millis(100));
    if let Ok(Err(err)) = tokio::time::timeout(Duration::from_millis(350), auto_sync).await {
        return Err(err); // Go: log.Print(err)
    }

    // KeysAPI.Watcher(key, &WatcherOptions{AfterIndex, Recursive: true}) and Next: events
    // after a known index arrive even if they happened before the watcher was made.
    let after = client.get(&p, GetOptions::default()).await?.index;
    let watched = format!("{p}/watched");
    client.set(&watched, "1", set_opts).await?;
    client.delete(&watched, delete_opts).await?;
    let opts = WatchOptions::default().after_index(after).recursive(true);
    let mut watcher = client.watcher(&p, opts)?;
    for want in [Action::Set, Action::Delete] {
        let event = watcher.next().await.expect("a watcher never ends")?;
        println!("Watch: {:?} {:?}", event.action, event.node.map(|n| n.key));
        assert_eq!(event.action, want);
    }

    // Clean up the whole prefix.
    let recursive = DeleteOptions::default().recursive(true);
    client.delete(&p, recursive).await?;
    let gone = client.get(&p, GetOptions::default()).await;
    assert!(gone.is_err_and(|e| e.is_key_not_found()));
    Ok(())
}

/// A listener on a free local port, and its URL.
fn listen() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a local port");
    let url = format!("http://{}", listener.local_addr().expect("a bound address"));
    (listener, url)
}

/// An HTTP server that is not etcd: answers one request with `200 OK` and plain text.
fn not_etcd() -> String {
    let (listener, url) = listen();
    std::thread::spawn(move || -> std::io::Result<u64> {
        let (mut conn, _) = listener.accept()?;
        let _ = conn.read(&mut [0; 4096])?;
        conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello")?;
        conn.shutdown(Shutdown::Write)?;
        std::io::copy(&mut conn, &mut std::io::sink()) // until the client hangs up
    });
    url
}

fn main() -> Result<(), Error> {
    let endpoints = std::env::var("ETCD_ENDPOINTS").unwrap_or("http://127.0.0.1:2379".into());
    let endpoints: Vec<String> = endpoints.split(',').map(|e| e.trim().into()).collect();
    let runtime = Builder::new_current_thread().enable_all().build();
    runtime.expect("a tokio runtime").block_on(run(&endpoints))
}
