//! SRV discovery: record names and URLs ([`srv`]), DNS messages and the lookup state machine
//! ([`dns`]); the runtime crates move the datagrams.

pub mod dns;
pub mod srv;
