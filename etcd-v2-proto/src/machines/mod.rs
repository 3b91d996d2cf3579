//! The state machines: the cluster a client knows, one call ([`op::Op`]), a watch, a sync, and
//! the rules they share (endpoints, redirects, the task contract)

pub(crate) mod cluster;
pub(crate) mod config;
pub(crate) mod op;
pub(crate) mod redirect;
pub(crate) mod rng;
pub(crate) mod sync;
pub(crate) mod task;
pub(crate) mod watch;
