//! Credentials: the Basic header a call carries next to its own headers.

use etcd_v2_proto::call::keys;
use etcd_v2_proto::{Credentials, GetOptions, SetOptions};
use http::header;

use crate::{DEFAULT, FORM, endpoint, framing};

/// Credentials add exactly the Basic header, next to the form Content-Type.
#[test]
fn credentials_add_basic_auth() {
    let creds = Credentials::new("u1", "p:w");
    let call = keys::set(DEFAULT, "k", "v", &SetOptions::default()).unwrap();
    let req = call
        .to_request(&endpoint("http://h:1"), Some(&creds))
        .unwrap();
    assert_eq!(framing::api_headers(&req).len(), 2);
    assert_eq!(req.headers()[header::AUTHORIZATION], "Basic dTE6cDp3");
    assert_eq!(req.headers()[header::CONTENT_TYPE], FORM);
    let get = keys::get(DEFAULT, "k", GetOptions::default()).unwrap();
    let req = get
        .to_request(&endpoint("http://h:1"), Some(&creds))
        .unwrap();
    assert_eq!(framing::api_headers(&req).len(), 1);
    assert_eq!(req.headers()[header::AUTHORIZATION], "Basic dTE6cDp3");
}
