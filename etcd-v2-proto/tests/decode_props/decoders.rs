//! Every decoder of the crate, erased to one type, and the errors a decoder may produce.

use bytes::Bytes;
use etcd_v2_proto::body::{Body, clone_response};
use etcd_v2_proto::call::{auth, keys, members, misc};
use etcd_v2_proto::{Call, DeleteOptions, Error, GetOptions, PermissionType, SetOptions};
use http::Response;
use proptest::prelude::*;

pub(crate) type Decoder = Box<dyn Fn(&Response<Body>) -> Result<(), Error>>;

/// A call's decoder with its output dropped.
fn erase<T: 'static>(call: Call<T>) -> Decoder {
    Box::new(move |r| call.decode(clone_response(r)).map(drop))
}

/// `bytes` cut at the given places (any order, out of range clamped).
pub(crate) fn split(bytes: &[u8], cuts: &[prop::sample::Index]) -> Body {
    let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
    at.push(0);
    at.push(bytes.len());
    at.sort_unstable();
    Body::from_chunks(
        at.windows(2)
            .map(|w| Bytes::copy_from_slice(&bytes[w[0]..w[1]]))
            .collect(),
    )
}

/// Every non-keys decoder of the crate, by name.
pub(crate) fn api_decoders() -> Vec<(&'static str, Decoder)> {
    let peer = "http://127.0.0.1:2380";
    vec![
        ("members::list", erase(members::list().unwrap())),
        ("members::add", erase(members::add(peer).unwrap())),
        (
            "members::update",
            erase(members::update("abcd", &[peer]).unwrap()),
        ),
        ("members::remove", erase(members::remove("abcd").unwrap())),
        ("members::leader", erase(members::leader().unwrap())),
        ("auth::enable", erase(auth::enable().unwrap())),
        ("auth::disable", erase(auth::disable().unwrap())),
        ("auth::enabled", erase(auth::enabled().unwrap())),
        ("auth::list_users", erase(auth::list_users().unwrap())),
        ("auth::add_user", erase(auth::add_user("u", "p").unwrap())),
        ("auth::remove_user", erase(auth::remove_user("u").unwrap())),
        ("auth::get_user", erase(auth::get_user("u").unwrap())),
        (
            "auth::grant_user",
            erase(auth::grant_user("u", &["r"]).unwrap()),
        ),
        (
            "auth::revoke_user",
            erase(auth::revoke_user("u", &["r"]).unwrap()),
        ),
        (
            "auth::change_password",
            erase(auth::change_password("u", "p").unwrap()),
        ),
        ("auth::list_roles", erase(auth::list_roles().unwrap())),
        ("auth::add_role", erase(auth::add_role("r").unwrap())),
        ("auth::remove_role", erase(auth::remove_role("r").unwrap())),
        ("auth::get_role", erase(auth::get_role("r").unwrap())),
        (
            "auth::grant_role_kv",
            erase(auth::grant_role_kv("r", &["/a/*"], PermissionType::ReadWrite).unwrap()),
        ),
        (
            "auth::revoke_role_kv",
            erase(auth::revoke_role_kv("r", &["/a/*"], PermissionType::Read).unwrap()),
        ),
        ("misc::version", erase(misc::version().unwrap())),
        ("misc::health", erase(misc::health().unwrap())),
        ("misc::stats_self", erase(misc::stats_self().unwrap())),
        ("misc::stats_leader", erase(misc::stats_leader().unwrap())),
        ("misc::stats_store", erase(misc::stats_store().unwrap())),
        ("misc::machines", erase(misc::machines().unwrap())),
    ]
}

/// The keys calls' decoders (all share the rules of `docs/protocol.md#status-handling`).
pub(crate) fn keys_decoders() -> Vec<(&'static str, Decoder)> {
    vec![
        (
            "keys::get",
            erase(keys::get("/v2/keys", "k", GetOptions::default()).unwrap()),
        ),
        (
            "keys::set",
            erase(keys::set("/v2/keys", "k", "v", &SetOptions::default()).unwrap()),
        ),
        (
            "keys::create",
            erase(keys::create("/v2/keys", "k", "v").unwrap()),
        ),
        (
            "keys::update",
            erase(keys::update("/v2/keys", "k", "v").unwrap()),
        ),
        (
            "keys::create_in_order",
            erase(keys::create_in_order("/v2/keys", "q", "v", Default::default()).unwrap()),
        ),
        (
            "keys::delete",
            erase(keys::delete("/v2/keys", "k", &DeleteOptions::default()).unwrap()),
        ),
    ]
}

/// Only answer-derived errors may come out of a decoder: never usage, cluster, deadline, ….
pub(crate) fn is_answer_error(e: &Error) -> bool {
    matches!(
        e,
        Error::Etcd(_) | Error::Api(_) | Error::UnexpectedStatus(_) | Error::Protocol(_)
    )
}
