//! Tests of the real-etcd fixture itself.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use conformance::etcd_process::{EtcdCluster, http_get};

fn pid_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn assert_keys_json(url: &str) {
    let (status, body) = http_get(url, "/v2/keys").expect("GET /v2/keys");
    assert_eq!(status, 200, "body: {body}");
    assert!(
        body.starts_with('{') && body.contains(r#""action":"get""#),
        "body: {body}"
    );
}

#[test]
fn single_member_serves_v2_and_drop_reaps_it() {
    let cluster = EtcdCluster::single().expect("start etcd");
    assert_eq!(cluster.len(), 1);
    assert_eq!(cluster.client_urls(), vec![cluster.client_url(0)]);
    assert!(cluster.client_url(0).starts_with("http://127.0.0.1:"));
    assert!(cluster.peer_url(0).starts_with("http://127.0.0.1:"));
    cluster
        .wait_healthy(Duration::from_secs(5))
        .expect("healthy");
    assert_keys_json(&cluster.client_url(0));

    let pid = cluster.pid(0).expect("running");
    let dir = cluster.log_path(0).parent().unwrap().to_path_buf();
    assert!(pid_exists(pid) && dir.exists());
    drop(cluster);
    assert!(!pid_exists(pid), "etcd pid {pid} survived Drop");
    assert!(!dir.exists(), "{} survived Drop", dir.display());
}

#[test]
fn three_members_survive_losing_one() {
    let mut cluster = EtcdCluster::start(3).expect("start etcd cluster");
    let urls = cluster.client_urls();
    assert_eq!(urls.len(), 3);
    for url in &urls {
        assert_keys_json(url);
    }
    let pids: Vec<u32> = (0..3).map(|i| cluster.pid(i).unwrap()).collect();

    cluster.kill(1);
    assert!(!pid_exists(pids[1]), "killed member still exists");
    assert_eq!(cluster.pid(1), None);
    cluster
        .wait_healthy(Duration::from_secs(10))
        .expect("two of three keep quorum");
    assert_keys_json(&urls[0]);
    assert_keys_json(&urls[2]);
    assert!(
        http_get(&urls[1], "/v2/keys").is_err(),
        "killed member still answers"
    );

    cluster.restart(1).expect("restart");
    cluster
        .wait_healthy(Duration::from_secs(20))
        .expect("healthy after restart");
    assert_keys_json(&urls[1]);

    let pids: Vec<u32> = (0..3).map(|i| cluster.pid(i).unwrap()).collect();
    drop(cluster);
    for pid in pids {
        assert!(!pid_exists(pid), "etcd pid {pid} survived Drop");
    }
}

#[test]
fn stop_and_cont_freeze_and_resume_a_member() {
    let mut cluster = EtcdCluster::single().expect("start etcd");
    cluster.stop(0).expect("SIGSTOP");
    assert!(
        http_get(&cluster.client_url(0), "/health").is_err(),
        "stopped member answered"
    );
    cluster.cont(0).expect("SIGCONT");
    cluster
        .wait_healthy(Duration::from_secs(10))
        .expect("healthy after SIGCONT");
    // A stopped member must still be reaped by Drop.
    cluster.stop(0).expect("SIGSTOP");
    let pid = cluster.pid(0).unwrap();
    drop(cluster);
    assert!(!pid_exists(pid), "stopped etcd pid {pid} survived Drop");
}

#[test]
fn drop_during_panic_reaps_members() {
    let (tx, rx) = std::sync::mpsc::channel();
    let result = std::thread::spawn(move || {
        let cluster = EtcdCluster::single().expect("start etcd");
        tx.send(cluster.pid(0).unwrap()).unwrap();
        panic!("deliberate panic with a live cluster");
    })
    .join();
    assert!(result.is_err());
    let pid = rx.recv().unwrap();
    assert!(!pid_exists(pid), "etcd pid {pid} survived unwinding");
}

#[test]
fn unix_socket_client_url_serves_v2_and_survives_restart() {
    let mut cluster = EtcdCluster::start_with_unix_socket().expect("start etcd");
    let sock = cluster.unix_socket_path().expect("socket path");
    assert!(sock.is_absolute());
    assert!(EtcdCluster::single().unwrap().unix_socket_path().is_none());

    let url = format!("unix://{}", sock.display());
    assert_keys_json(&url);
    let mut s = UnixStream::connect(&sock).expect("connect unix socket");
    s.write_all(b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    assert!(raw.contains(r#""health":"true""#), "{raw}");
    assert_keys_json(&cluster.client_url(0));

    // etcd leaves the socket file behind when SIGKILLed; restart must cope.
    cluster.kill(0);
    assert!(sock.exists());
    cluster.restart(0).expect("restart");
    cluster
        .wait_healthy(Duration::from_secs(20))
        .expect("healthy after restart");
    assert_keys_json(&url);
}
