//! A watcher can move to another thread and be shared, also holding a stream's open body.

fn send_and_sync<T: Send + Sync>() {}

#[test]
fn a_watcher_is_send_and_sync() {
    send_and_sync::<etcd_v2_blocking::Watcher>();
}
