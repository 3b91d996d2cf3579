//! Feeds arbitrary answers to every decoder of `etcd-v2-proto`.
//!
//! Input layout: two bytes of status (big-endian; outside 100..=999 folded into it), one byte of header
//! count, then per header one byte selecting the name and a length-prefixed value, then the
//! body (the rest), up to 1 MiB (`-max_len=1048576`). Run with `cargo fuzz run decode` from `etcd-v2-proto/` (nightly), or on the
//! stable toolchain with `RUSTC_BOOTSTRAP=1 cargo fuzz run decode --sanitizer none` (no
//! AddressSanitizer: the workspace forbids `unsafe`, so a panic or a hang is what there is to
//! find).
#![no_main]

use std::fmt;

use bytes::Bytes;
use etcd_v2_proto::body::{Body, clone_response};
use etcd_v2_proto::call::{auth, keys, members, misc};
use etcd_v2_proto::{
    Call, CreateInOrderOptions, DeleteOptions, Error, GetOptions, PermissionType, SetOptions,
    decode_keys_response,
};
use http::{HeaderName, HeaderValue, Response};
use libfuzzer_sys::fuzz_target;

const HEADER_NAMES: [&str; 8] = [
    "x-etcd-index",
    "x-etcd-cluster-id",
    "x-raft-index",
    "x-raft-term",
    "content-type",
    "location",
    "content-length",
    "x-other",
];

/// A tiny cursor over the fuzz input.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }
}

/// Splits the input into a response: status, headers, body.
fn response(data: &[u8]) -> Response<Body> {
    let mut input = Input(data);
    let raw = u16::from_be_bytes([input.byte(), input.byte()]);
    let status = if (100..1000).contains(&raw) {
        raw
    } else {
        100 + raw % 900
    };
    let mut builder = Response::builder().status(status);
    let count = input.byte() % 8;
    for _ in 0..count {
        let name = HEADER_NAMES[usize::from(input.byte()) % HEADER_NAMES.len()];
        let len = usize::from(input.byte() % 32);
        let value = input.take(len);
        // A real HTTP stack never delivers a value with control bytes: skip those.
        if let Ok(value) = HeaderValue::from_bytes(value) {
            builder = builder.header(HeaderName::from_static(name), value);
        }
    }
    // The body in two chunks, cut where the next byte says.
    let at = usize::from(input.byte());
    let cut = input.0.len() * at / 256;
    let body = Body::from_chunks(vec![
        Bytes::copy_from_slice(&input.0[..cut]),
        Bytes::copy_from_slice(&input.0[cut..]),
    ]);
    match builder.body(body) {
        Ok(r) => r,
        Err(_) => Response::new(Body::default()),
    }
}


/// Decodes with `call`, checking that a decoder reports answer errors, and that whatever it
/// returned can be formatted, cloned, compared and dropped (a deep tree must not overflow the
/// stack on any of them).
fn feed<T: fmt::Debug + Clone + PartialEq>(call: Result<Call<T>, Error>, response: &Response<Body>) {
    let Ok(call) = call else { return };
    match call.decode(clone_response(response)) {
        Ok(value) => {
            let copy = value.clone();
            assert!(copy == value);
            let _ = format!("{value:?}");
        }
        Err(e) => {
            let _ = format!("{e} {e:?}");
            assert!(
            matches!(
                e,
                Error::Etcd(_) | Error::Api(_) | Error::UnexpectedStatus(_) | Error::Protocol(_)
            ),
            "a decoder produced {e:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let r = response(data);
    let status = r.status().as_u16();

    if let Ok(resp) = decode_keys_response(clone_response(&r)) {
        assert!(status == 200 || status == 201, "keys success from {status}");
        let _ = serde_json::to_string(&resp);
    }

    // Keys calls (including the watch long poll).
    feed(keys::get("/v2/keys", "k", GetOptions::default()), &r);
    feed(keys::set("/v2/keys", "k", "v", &SetOptions::default()), &r);
    feed(keys::create("/v2/keys", "k", "v"), &r);
    feed(keys::update("/v2/keys", "k", "v"), &r);
    feed(
        keys::create_in_order("/v2/keys", "q", "v", CreateInOrderOptions::default()),
        &r,
    );
    feed(keys::delete("/v2/keys", "k", &DeleteOptions::default()), &r);
    feed(keys::wait("/v2/keys", "k", true, 1), &r);

    // Members.
    let peer = "http://127.0.0.1:2380";
    feed(members::list(), &r);
    feed(members::add(peer), &r);
    feed(members::update("abcd", &[peer]), &r);
    feed(members::remove("abcd"), &r);
    feed(members::leader(), &r);

    // Auth.
    feed(auth::enable(), &r);
    feed(auth::disable(), &r);
    feed(auth::enabled(), &r);
    feed(auth::list_users(), &r);
    feed(auth::add_user("u", "p"), &r);
    feed(auth::remove_user("u"), &r);
    feed(auth::get_user("u"), &r);
    feed(auth::grant_user("u", &["r"]), &r);
    feed(auth::revoke_user("u", &["r"]), &r);
    feed(auth::change_password("u", "p"), &r);
    feed(auth::list_roles(), &r);
    feed(auth::add_role("r"), &r);
    feed(auth::remove_role("r"), &r);
    feed(auth::get_role("r"), &r);
    feed(
        auth::grant_role_kv("r", &["/a/*"], PermissionType::ReadWrite),
        &r,
    );
    feed(
        auth::revoke_role_kv("r", &["/a/*"], PermissionType::Write),
        &r,
    );

    // Version, health, stats, machines.
    feed(misc::version(), &r);
    feed(misc::health(), &r);
    feed(misc::stats_self(), &r);
    feed(misc::stats_leader(), &r);
    feed(misc::stats_store(), &r);
    feed(misc::machines(), &r);
});
