//! The examples that need no etcd, run as tests so they cannot rot: each asserts its own
//! outcome in `main`.

/// `examples/blocking_scripted_transport.rs`, compiled as is.
#[path = "../examples/blocking_scripted_transport.rs"]
pub mod scripted;

#[test]
fn blocking_scripted_transport_example() {
    scripted::main().expect("examples/blocking_scripted_transport.rs");
}
