//! Status handling (`docs/protocol.md#status-handling`), error bodies seen from etcd 3.4, the
//! error texts and the error code constants.

use etcd_v2_proto::{Error, ErrorCode, EtcdError, ProtocolError};

use crate::{decode, is_invalid_json};

#[test]
fn status_handling() {
    // 200/201 with an empty body.
    for status in [200, 201] {
        assert_eq!(
            decode(status, &[("X-Etcd-Index", "3")], "").unwrap_err(),
            Error::Protocol(ProtocolError::EmptyBody)
        );
    }
    assert_eq!(
        ProtocolError::EmptyBody.to_string(),
        "client: response body is empty"
    );
    // Any other status with an empty body is invalid JSON, not an empty body.
    for status in [202, 204, 400, 401, 403, 404, 412, 418, 500, 503] {
        let e = decode(status, &[], "").unwrap_err();
        assert!(is_invalid_json(&e, status), "{status}: {e:?}");
    }
    // Other 2xx with a valid success body are still decoded as error bodies.
    let e = decode(202, &[], r#"{"action":"set","node":{"key":"/k"}}"#).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode(0)), "{e:?}");
    // `{}` on 404 is an etcd error with code 0.
    let e = decode(404, &[], "{}").unwrap_err();
    assert_eq!(
        e,
        Error::Etcd(EtcdError {
            code: ErrorCode(0),
            message: String::new(),
            cause: String::new(),
            index: 0
        })
    );
    assert_eq!(e.to_string(), "0:  () [0]");
    // The text page of a server without v2 (etcd 3.4's default) and an HTML page.
    for page in [
        "404 page not found\n",
        "<html><body><h1>404 Not Found</h1></body></html>",
    ] {
        let e = decode(404, &[("Content-Type", "text/plain; charset=utf-8")], page).unwrap_err();
        assert!(is_invalid_json(&e, 404), "{page:?}: {e:?}");
        assert_eq!(e.etcd(), None);
    }
    // Error responses' headers are not interpreted: a bad index does not hide the etcd error.
    let e = decode(
        404,
        &[("X-Etcd-Index", "poo")],
        r#"{"errorCode":100,"message":"Key not found","cause":"/x","index":1}"#,
    )
    .unwrap_err();
    assert!(e.is_key_not_found(), "{e:?}");
}

#[test]
fn event_index_cleared_is_a_400() {
    let e = decode(
        400,
        &[("X-Etcd-Index", "1107")],
        r#"{"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [108/5]","index":1107}"#,
    )
    .unwrap_err();
    assert!(e.is_event_index_cleared());
    assert!(!e.is_key_not_found());
    assert_eq!(e.etcd().unwrap().index, 1107);
    assert_eq!(e.code().unwrap().name(), Some("EventIndexCleared"));
}

#[test]
fn observed_error_bodies() {
    let cases = [
        (
            412,
            r#"{"errorCode":101,"message":"Compare failed","cause":"[wrong != upd]","index":8}"#,
            101,
        ),
        (
            412,
            r#"{"errorCode":105,"message":"Key already exists","cause":"/foo","index":9}"#,
            105,
        ),
        (
            403,
            r#"{"errorCode":102,"message":"Not a file","cause":"/dir","index":9}"#,
            102,
        ),
        (
            400,
            r#"{"errorCode":209,"message":"Invalid field","cause":"\"wait\" can only be used with GET requests","index":0}"#,
            209,
        ),
        (
            400,
            r#"{"errorCode":211,"message":"Value provided on refresh","cause":"A value was provided on a refresh","index":0}"#,
            211,
        ),
        (
            400,
            r#"{"errorCode":212,"message":"A TTL must be provided on refresh","cause":"No TTL value set","index":0}"#,
            212,
        ),
        (
            401,
            r#"{"errorCode":110,"message":"The request requires user authentication","cause":"Insufficient credentials","index":0}"#,
            110,
        ),
        (
            400,
            r#"{"errorCode":999,"message":"New","cause":"","index":1}"#,
            999,
        ),
    ];
    for (status, body, code) in cases {
        let e = decode(status, &[], body).unwrap_err();
        assert_eq!(e.code(), Some(ErrorCode(code)), "{body}");
    }
    let e = decode(412, &[], cases[0].1).unwrap_err();
    assert!(e.is_test_failed());
    let e = decode(412, &[], cases[1].1).unwrap_err();
    assert!(e.is_node_exist());
    assert_eq!(e.to_string(), "105: Key already exists (/foo) [9]");
}

#[test]
fn error_display() {
    let e = EtcdError {
        code: ErrorCode::KEY_NOT_FOUND,
        message: "Key not found".into(),
        cause: "/nope".into(),
        index: 51,
    };
    assert_eq!(e.to_string(), "100: Key not found (/nope) [51]");
    assert_eq!(
        Error::Etcd(e).to_string(),
        "100: Key not found (/nope) [51]"
    );
    let decoded = decode(
        404,
        &[],
        r#"{"errorCode":100,"message":"Key not found","cause":"/nope","index":51}"#,
    )
    .unwrap_err();
    assert_eq!(decoded.to_string(), "100: Key not found (/nope) [51]");
}

#[test]
fn error_code_constants() {
    let cases = [
        (ErrorCode::KEY_NOT_FOUND, 100, "KeyNotFound"),
        (ErrorCode::TEST_FAILED, 101, "TestFailed"),
        (ErrorCode::NOT_FILE, 102, "NotFile"),
        (ErrorCode::NO_MORE_PEER, 103, "NoMorePeer"),
        (ErrorCode::NOT_DIR, 104, "NotDir"),
        (ErrorCode::NODE_EXIST, 105, "NodeExist"),
        (ErrorCode::KEY_IS_PRESERVED, 106, "KeyIsPreserved"),
        (ErrorCode::ROOT_R_ONLY, 107, "RootROnly"),
        (ErrorCode::DIR_NOT_EMPTY, 108, "DirNotEmpty"),
        (ErrorCode::EXIST_PEER_ADDR, 109, "ExistingPeerAddr"),
        (ErrorCode::UNAUTHORIZED, 110, "Unauthorized"),
        (ErrorCode::VALUE_REQUIRED, 200, "ValueRequired"),
        (ErrorCode::PREV_VALUE_REQUIRED, 201, "PrevValueRequired"),
        (ErrorCode::TTL_NAN, 202, "TTLNaN"),
        (ErrorCode::INDEX_NAN, 203, "IndexNaN"),
        (ErrorCode::VALUE_OR_TTL_REQUIRED, 204, "ValueOrTTLRequired"),
        (ErrorCode::TIMEOUT_NAN, 205, "TimeoutNaN"),
        (ErrorCode::NAME_REQUIRED, 206, "NameRequired"),
        (
            ErrorCode::INDEX_OR_VALUE_REQUIRED,
            207,
            "IndexOrValueRequired",
        ),
        (ErrorCode::INDEX_VALUE_MUTEX, 208, "IndexValueMutex"),
        (ErrorCode::INVALID_FIELD, 209, "InvalidField"),
        (ErrorCode::INVALID_FORM, 210, "InvalidForm"),
        (ErrorCode::REFRESH_VALUE, 211, "RefreshValue"),
        (ErrorCode::REFRESH_TTL_REQUIRED, 212, "RefreshTTLRequired"),
        (ErrorCode::RAFT_INTERNAL, 300, "RaftInternal"),
        (ErrorCode::LEADER_ELECT, 301, "LeaderElect"),
        (ErrorCode::WATCHER_CLEARED, 400, "WatcherCleared"),
        (ErrorCode::EVENT_INDEX_CLEARED, 401, "EventIndexCleared"),
        (ErrorCode::STANDBY_INTERNAL, 402, "StandbyInternal"),
        (ErrorCode::INVALID_ACTIVE_SIZE, 403, "InvalidActiveSize"),
        (ErrorCode::INVALID_REMOVE_DELAY, 404, "InvalidRemoveDelay"),
        (ErrorCode::CLIENT_INTERNAL, 500, "ClientInternal"),
    ];
    for (code, number, name) in cases {
        assert_eq!(code.as_u16(), number, "{name}");
        assert_eq!(code, ErrorCode(number), "{name}");
        assert_eq!(code.name(), Some(name), "{number}");
        assert_eq!(code.to_string(), format!("{number} ({name})"));
    }
    // Every code in 100..=110, 200..=212, 300..=301, 400..=404 and 500 is named; nothing else.
    let named: Vec<u16> = (0..=u16::MAX)
        .filter(|&n| ErrorCode(n).name().is_some())
        .collect();
    let expected: Vec<u16> = (100..=110)
        .chain(200..=212)
        .chain(300..=301)
        .chain(400..=404)
        .chain([500])
        .collect();
    assert_eq!(named, expected);
    assert_eq!(ErrorCode(999).to_string(), "999");
    assert_eq!(ErrorCode::default(), ErrorCode(0));
}
