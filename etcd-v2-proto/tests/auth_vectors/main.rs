//! Auth API vectors (`docs/protocol.md#auth`): the Go client's requests (`client/auth_user.go`,
//! `auth_role.go`), etcd 3.4's answers, and the not-found predicates (#107)
//!
//! One module per side: `requests` (what the calls send), `answers` (how etcd 3.4's answers
//! decode) and `properties` (not-found predicates, idempotency, credentials and base path).

#[path = "../framing/mod.rs"]
mod framing;
#[path = "../support/mod.rs"]
mod support;

mod answers;
mod properties;
mod requests;
