//! The cURL debug lines Go printed against etcd 3.4, reproduced as requests.

use std::time::Duration;

use etcd_v2_proto::call::keys;
use etcd_v2_proto::{CreateInOrderOptions, DeleteOptions, PrevExist, SetOptions, UsageError};
use http::Method;

use crate::{DEFAULT, check, form_want, request, usage};

/// The cURL line Go printed for a set against etcd 3.4:
/// `curl -X PUT http://127.0.0.1:24790/v2/keys/k?noValueOnSuccess=true&prevExist=true&prevIndex=7&prevValue=p+v%26x -d "refresh=true&ttl=1&value=a+b%26c%3Dd%2Be%25%C3%BC"`.
///
/// That line combines `refresh` with a non-empty value, which this crate refuses (the
/// server answers 211 to it anyway). So the query part is reproduced with a non-refresh set of
/// the same value, and the `refresh=true&ttl=1` body part with a refresh of an empty value.
#[test]
fn observed_curl_set_example() {
    let ep = "http://127.0.0.1:24790";
    let query = "noValueOnSuccess=true&prevExist=true&prevIndex=7&prevValue=p+v%26x";
    let conditions = SetOptions::default()
        .prev_value("p v&x")
        .prev_index(7)
        .prev_exist(PrevExist::Exist)
        .no_value_on_success(true)
        .ttl(Duration::from_secs(1));

    let set = keys::set(DEFAULT, "k", "a b&c=d+e%ü", &conditions).unwrap();
    let uri = format!("{ep}/v2/keys/k?{query}");
    check(
        "curl query",
        &request(&set, ep),
        &form_want(Method::PUT, &uri, "ttl=1&value=a+b%26c%3Dd%2Be%25%C3%BC"),
    );

    let refresh = keys::set(DEFAULT, "k", "", &conditions.clone().refresh(true)).unwrap();
    check(
        "curl refresh body",
        &request(&refresh, ep),
        &form_want(Method::PUT, &uri, "refresh=true&ttl=1&value="),
    );

    // The refused original.
    assert!(matches!(
        usage(keys::set(
            DEFAULT,
            "k",
            "a b&c=d+e%ü",
            &conditions.refresh(true)
        )),
        UsageError::ConflictingOptions(_)
    ));
}

/// The cURL lines Go printed for a dir set and a delete.
#[test]
fn observed_curl_lines() {
    let ep = "http://127.0.0.1:24790";
    let mkdir = keys::set(DEFAULT, "d", "", &SetOptions::default().dir(true)).unwrap();
    check(
        "mkdir",
        &request(&mkdir, ep),
        &form_want(Method::PUT, "http://127.0.0.1:24790/v2/keys/d?dir=true", ""),
    );
    let del = keys::delete(
        DEFAULT,
        "k",
        &DeleteOptions::default()
            .dir(true)
            .prev_index(3)
            .prev_value("v")
            .recursive(true),
    )
    .unwrap();
    check(
        "delete",
        &request(&del, ep),
        &form_want(
            Method::DELETE,
            "http://127.0.0.1:24790/v2/keys/k?dir=true&prevIndex=3&prevValue=v&recursive=true",
            "",
        ),
    );
    let post = keys::create_in_order(
        DEFAULT,
        "q",
        "v",
        CreateInOrderOptions::default().ttl(Duration::from_secs(10)),
    )
    .unwrap();
    check(
        "post",
        &request(&post, ep),
        &form_want(
            Method::POST,
            "http://127.0.0.1:24790/v2/keys/q",
            "ttl=10&value=v",
        ),
    );
}
