//! Conformance harness for the etcd v2 clients: fixtures that run real etcd
//! processes (see [`etcd_process`]) and the tests that drive every client
//! against them.

pub mod etcd_process;
