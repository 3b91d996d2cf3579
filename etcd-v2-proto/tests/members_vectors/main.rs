//! Members API vectors (`docs/protocol.md#members`): Go's `client/members_test.go` (numbered
//! #76–91 when collected; the case labels keep those numbers) and what etcd 3.4 answers to
//! removing an unknown or removed member (#106).
//!
//! `requests` holds what the calls send (and refuse to send), `answers` how etcd's answers
//! decode.

#[path = "../framing/mod.rs"]
mod framing;
#[path = "../support/mod.rs"]
mod support;

mod answers;
mod requests;
