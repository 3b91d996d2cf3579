//! Conformance harness for the etcd v2 clients: fixtures that run real etcd
//! processes (see [`etcd_process`]), a uniform blocking view of every adapter
//! ([`sut`]) and the scenario suite that drives each adapter against real etcd
//! ([`scenarios`], run by `tests/suite.rs`).

pub mod etcd_process;
pub mod fault_proxy;
pub mod history;
pub mod nemesis;
pub mod scenarios;
pub mod sut;
