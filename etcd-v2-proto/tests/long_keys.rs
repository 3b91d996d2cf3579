//! A key (or prev value) too long for a URL is a usage error before anything is sent; it used
//! to be sent and fail at every endpoint (`uri too long`, a `ClusterError`).

use etcd_v2_proto::call::keys::{self, DEFAULT_PREFIX, MAX_PATH_AND_QUERY};
use etcd_v2_proto::{
    CreateInOrderOptions, DeleteOptions, Endpoint, Error, GetOptions, SetOptions, UsageError,
    Watch, WatchOptions,
};

fn too_long(e: Error) -> usize {
    match e {
        Error::Usage(UsageError::PathTooLong { len, limit }) => {
            assert_eq!(limit, MAX_PATH_AND_QUERY);
            assert!(len > limit);
            len
        }
        other => panic!("not PathTooLong: {other:?}"),
    }
}

#[test]
fn a_100_kib_key_is_a_usage_error() {
    let key = format!("/{}", "k".repeat(100 << 10));
    let p = DEFAULT_PREFIX;
    let len = too_long(keys::set(p, &key, "v", &SetOptions::default()).unwrap_err());
    println!(
        "set: {}",
        Error::Usage(UsageError::PathTooLong {
            len,
            limit: MAX_PATH_AND_QUERY
        })
    );
    too_long(keys::get(p, &key, GetOptions::default()).unwrap_err());
    too_long(keys::create(p, &key, "v").unwrap_err());
    too_long(keys::update(p, &key, "v").unwrap_err());
    too_long(keys::delete(p, &key, &DeleteOptions::default()).unwrap_err());
    too_long(keys::create_in_order(p, &key, "v", CreateInOrderOptions::default()).unwrap_err());
    too_long(keys::wait(p, &key, false, 7).unwrap_err());
    too_long(Watch::new(p, &key, WatchOptions::default()).unwrap_err());
    // A prev value goes in the query: the same limit.
    let cas = SetOptions::default().prev_value("p".repeat(100 << 10));
    too_long(keys::set(p, "/k", "v", &cas).unwrap_err());
    // Escapes count: 21 KiB of spaces are 63 KiB in a URL.
    let spaces = format!("/{}", " ".repeat(21 << 10));
    too_long(keys::get(p, &spaces, GetOptions::default()).unwrap_err());
}

#[test]
fn a_1_kib_key_is_fine() {
    let endpoint = Endpoint::parse("http://127.0.0.1:2379").unwrap();
    let key = format!("/{}", "k".repeat(1 << 10));
    let set = keys::set(DEFAULT_PREFIX, &key, "v", &SetOptions::default()).unwrap();
    let request = set.to_request(&endpoint, None).unwrap();
    assert!(request.uri().path().ends_with(&key));
    let get = keys::get(DEFAULT_PREFIX, &key, GetOptions::default()).unwrap();
    get.to_request(&endpoint, None).unwrap();
}

#[test]
fn the_limit_is_under_what_a_uri_can_hold() {
    let endpoint = Endpoint::parse("http://127.0.0.1:2379/some/base/path").unwrap();
    // `/v2/keys/<key>?quorum=false&recursive=false&sorted=false`
    let fixed = "/v2/keys/".len() + "?quorum=false&recursive=false&sorted=false".len();
    let key = "k".repeat(MAX_PATH_AND_QUERY - fixed);
    let get = keys::get(DEFAULT_PREFIX, &key, GetOptions::default()).unwrap();
    let request = get.to_request(&endpoint, None).unwrap();
    let sent = request.uri().path_and_query().unwrap().as_str().len();
    println!(
        "longest get: {sent} bytes of path and query (limit {MAX_PATH_AND_QUERY} + base path)"
    );
    let one_more = format!("{key}k");
    let len = too_long(keys::get(DEFAULT_PREFIX, &one_more, GetOptions::default()).unwrap_err());
    assert_eq!(len, MAX_PATH_AND_QUERY + 1);
}
