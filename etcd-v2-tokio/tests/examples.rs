//! The examples that need no etcd, run as tests so they cannot rot: each asserts its own
//! outcome in `main`.

/// `examples/tokio_scripted_transport.rs`, compiled as is.
#[path = "../examples/tokio_scripted_transport.rs"]
pub mod scripted;

#[test]
fn tokio_scripted_transport_example() {
    // `#[tokio::main]` makes `main` a plain function that builds its own runtime.
    scripted::main().expect("examples/tokio_scripted_transport.rs");
}
