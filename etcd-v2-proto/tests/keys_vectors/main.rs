//! Request vectors of the keys API: paths, escaping, query and form encoding and the operations
//! of `docs/protocol.md#keys-api`, the Go client's request tests (`client/keys_test.go`), what
//! etcd 3.4 was seen to do, and where this client deliberately differs from Go (README,
//! "Differences from the Go client").
//!
//! The numbers in test names and case labels (`_44`, `"#45 prevValue"`) are the ones these
//! vectors got when they were collected: #37–75 from Go's `keys_test.go` (each group's comment
//! names the Go test), #97 from etcd's own tests using the client, #100 and above from probing a
//! real etcd 3.4. They are kept so that history stays searchable.
//!
//! Every request is checked completely: method, exact URI (query order included), the exact
//! header set (GET has none; PUT, POST and DELETE have exactly the form Content-Type) and the
//! body bytes.
//!
//! One module per kind of vector: `urls` (URL construction and path escaping), `reads`
//! (get, wait, watch), `writes` (set, create, update, create-in-order, delete), `curl` (the
//! cURL lines Go printed), `credentials` (the Basic header) and `go_differences` (where
//! this client deliberately differs from Go). This file holds what they share: building a
//! request and checking it completely.

#[path = "../framing/mod.rs"]
mod framing;

mod credentials;
mod curl;
mod go_differences;
mod reads;
mod urls;
mod writes;

use bytes::Bytes;
use etcd_v2_proto::call::keys;
use etcd_v2_proto::{Call, Endpoint, Error, UsageError};
use http::{Method, Request, header};

const FORM: &str = "application/x-www-form-urlencoded";
const DEFAULT: &str = keys::DEFAULT_PREFIX;

fn endpoint(url: &str) -> Endpoint {
    Endpoint::parse(url).unwrap_or_else(|e| panic!("endpoint {url:?}: {e}"))
}

fn request<T>(call: &Call<T>, ep: &str) -> Request<Bytes> {
    call.to_request(&endpoint(ep), None)
        .unwrap_or_else(|e| panic!("request at {ep}: {e}"))
}

/// What one request must look like on the wire.
struct Want<'a> {
    method: Method,
    uri: &'a str,
    /// `None`: no header at all; `Some(ct)`: exactly one header, `Content-Type: ct`.
    content_type: Option<&'a str>,
    body: &'a str,
}

fn check(name: &str, req: &Request<Bytes>, want: &Want<'_>) {
    assert_eq!(req.method(), want.method, "{name}: method");
    assert_eq!(req.uri().to_string(), want.uri, "{name}: uri");
    match want.content_type {
        None => assert!(
            framing::api_headers(req).is_empty(),
            "{name}: headers {:?}",
            req.headers()
        ),
        Some(ct) => {
            assert_eq!(
                framing::api_headers(req).len(),
                1,
                "{name}: headers {:?}",
                req.headers()
            );
            assert_eq!(
                req.headers()[header::CONTENT_TYPE],
                ct,
                "{name}: content type"
            );
        }
    }
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        want.body,
        "{name}: body"
    );
}

fn get_want(uri: &str) -> Want<'_> {
    Want {
        method: Method::GET,
        uri,
        content_type: None,
        body: "",
    }
}

fn form_want<'a>(method: Method, uri: &'a str, body: &'a str) -> Want<'a> {
    Want {
        method,
        uri,
        content_type: Some(FORM),
        body,
    }
}

fn usage(result: Result<impl core::fmt::Debug, Error>) -> UsageError {
    match result {
        Err(Error::Usage(u)) => u,
        other => panic!("expected a usage error, got {other:?}"),
    }
}
