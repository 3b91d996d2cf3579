//! Vectors for `/version`, `/health`, `/v2/stats/*` and `/v2/machines`
//! (`docs/protocol.md#version-health-stats-machines`), Go's TestHTTPClusterClientGetVersion (#31)
//! and the request line Go sends for `GetVersion` (#105)

use etcd_v2_proto::body::Body;
use etcd_v2_proto::call::misc;
use etcd_v2_proto::{
    ApiError, CountStats, Credentials, Endpoint, Error, FollowerStats, Health, Idempotency,
    LatencyStats, LeaderInfo, LeaderStats, ProtocolError, SelfStats, StoreStats, Version,
};
use http::{Method, Response, header};

mod framing;
mod support;
use support::{assert_invalid_json, call_request as request, json_response as response};

#[test]
fn requests() {
    let cases = [
        (
            request(&misc::version().unwrap()),
            "http://example.com/version?quorum=false&recursive=false&sorted=false",
        ),
        (
            request(&misc::health().unwrap()),
            "http://example.com/health",
        ),
        (
            request(&misc::stats_self().unwrap()),
            "http://example.com/v2/stats/self",
        ),
        (
            request(&misc::stats_leader().unwrap()),
            "http://example.com/v2/stats/leader",
        ),
        (
            request(&misc::stats_store().unwrap()),
            "http://example.com/v2/stats/store",
        ),
        (
            request(&misc::machines().unwrap()),
            "http://example.com/v2/machines",
        ),
    ];
    for (req, uri) in cases {
        assert_eq!(req.method(), Method::GET, "{uri}");
        assert_eq!(req.uri().to_string(), uri);
        assert!(
            framing::api_headers(&req).is_empty(),
            "{uri}: {:?}",
            framing::api_headers(&req)
        );
        assert!(req.body().is_empty(), "{uri}");
    }
}

#[test]
fn version_request_line_105() {
    let req = request(&misc::version().unwrap());
    let line = format!(
        "{} {}",
        req.method(),
        req.uri().path_and_query().unwrap().as_str()
    );
    assert_eq!(
        line,
        "GET /version?quorum=false&recursive=false&sorted=false"
    );
}

#[test]
fn base_path_and_credentials() {
    let ep = Endpoint::parse("http://foo.example.com:4002/pants").unwrap();
    let creds = Credentials::new("u1", "p:w");
    let req = misc::version()
        .unwrap()
        .to_request(&ep, Some(&creds))
        .unwrap();
    assert_eq!(
        req.uri().to_string(),
        "http://foo.example.com:4002/pants/version?quorum=false&recursive=false&sorted=false"
    );
    assert_eq!(req.headers()[header::AUTHORIZATION], "Basic dTE6cDp3");
    let req = misc::machines().unwrap().to_request(&ep, None).unwrap();
    assert_eq!(
        req.uri().to_string(),
        "http://foo.example.com:4002/pants/v2/machines"
    );
}

#[test]
fn version_answers_31() {
    let call = misc::version().unwrap();
    let cases = [
        (
            r#"{"etcdserver":"2.3.2","etcdcluster":"2.3.0"}"#,
            version("2.3.2", "2.3.0"),
        ),
        (
            r#"{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}"#,
            version("3.4.23", "3.4.0"),
        ),
        (
            r#"{"etcdserver":"3.4.23","etcdcluster":"not_decided"}"#,
            version("3.4.23", "not_decided"),
        ),
    ];
    for (body, want) in cases {
        assert_eq!(call.decode(response(200, body)), Ok(want), "{body}");
    }
    assert_eq!(
        call.decode(response(200, "")),
        Err(Error::Protocol(ProtocolError::EmptyBody))
    );
    assert_invalid_json(call.decode(response(200, r#"{"etcdserver":"#)));
    // Other statuses carry a keys error (Go decodes them as `client.Error`).
    let err = call
        .decode(response(
            404,
            r#"{"errorCode":100,"message":"Key not found","cause":"/version","index":18}"#,
        ))
        .unwrap_err();
    assert!(err.is_key_not_found(), "{err:?}");
    assert_eq!(err.etcd().map(|e| e.index), Some(18));
    // ... or nothing that decodes: ErrInvalidJSON, also for an empty body.
    assert_invalid_json(call.decode(response(405, "Method Not Allowed")));
    assert_invalid_json(call.decode(response(404, "")));
}

#[test]
fn health_answers() {
    let call = misc::health().unwrap();
    let cases = [
        (200, r#"{"health":"true"}"#, true),
        (503, "{\"health\":\"false\"}\n", false),
        (200, r#"{"health":"false"}"#, false),
        (200, r#"{"health":"true","reason":""}"#, true),
    ];
    for (status, body, healthy) in cases {
        // etcd serves this JSON as text/plain.
        let resp = Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from(body))
            .unwrap();
        assert_eq!(call.decode(resp), Ok(Health { healthy }), "{status} {body}");
    }
    assert_invalid_json(call.decode(response(200, "{}")));
    assert_invalid_json(call.decode(response(200, "ok")));
    assert_eq!(
        call.decode(response(404, "404 page not found")),
        Err(Error::UnexpectedStatus(404))
    );
    assert_eq!(
        call.decode(response(405, "Method Not Allowed")),
        Err(Error::UnexpectedStatus(405))
    );
}

#[test]
fn stats_self_answers() {
    let call = misc::stats_self().unwrap();
    let body = r#"{"name":"e1","id":"886b03c4ae679a15","state":"StateLeader","startTime":"2024-01-02T03:04:05.123456789Z","leaderInfo":{"leader":"886b03c4ae679a15","uptime":"2m59.078248888s","startTime":"2024-01-02T03:04:06Z"},"recvAppendRequestCnt":0,"sendAppendRequestCnt":7,"sendPkgRate":1.5,"sendBandwidthRate":120.25}"#;
    let want = SelfStats {
        name: "e1".into(),
        id: "886b03c4ae679a15".into(),
        state: "StateLeader".into(),
        start_time: "2024-01-02T03:04:05.123456789Z".into(),
        leader_info: LeaderInfo {
            leader: "886b03c4ae679a15".into(),
            uptime: "2m59.078248888s".into(),
            start_time: "2024-01-02T03:04:06Z".into(),
        },
        recv_append_request_cnt: 0,
        send_append_request_cnt: 7,
        recv_pkg_rate: None,
        recv_bandwidth_rate: None,
        send_pkg_rate: Some(1.5),
        send_bandwidth_rate: Some(120.25),
    };
    assert_eq!(call.decode(response(200, body)), Ok(want));
    assert_invalid_json(call.decode(response(200, "{")));
    assert_eq!(
        call.decode(response(404, "404 page not found")),
        Err(Error::UnexpectedStatus(404))
    );
}

#[test]
fn stats_leader_answers() {
    let call = misc::stats_leader().unwrap();
    let body = r#"{"leader":"886b03c4ae679a15","followers":{"ff895a676de1e754":{"latency":{"current":0.001,"average":0.002,"standardDeviation":0.0005,"minimum":0.0009,"maximum":0.01},"counts":{"fail":0,"success":3}}}}"#;
    let mut followers = std::collections::BTreeMap::new();
    followers.insert(
        "ff895a676de1e754".to_string(),
        FollowerStats {
            latency: LatencyStats {
                current: 0.001,
                average: 0.002,
                standard_deviation: 0.0005,
                minimum: 0.0009,
                maximum: 0.01,
            },
            counts: CountStats {
                fail: 0,
                success: 3,
            },
        },
    );
    let want = LeaderStats {
        leader: "886b03c4ae679a15".into(),
        followers,
    };
    assert_eq!(call.decode(response(200, body)), Ok(want));
    assert_eq!(
        call.decode(response(403, r#"{"message":"not current leader"}"#)),
        Err(Error::Api(ApiError {
            status: 403,
            message: "not current leader".into()
        }))
    );
    assert_invalid_json(call.decode(response(403, "not current leader")));
    assert_eq!(
        call.decode(response(404, "")),
        Err(Error::UnexpectedStatus(404))
    );
}

#[test]
fn stats_store_answers() {
    let call = misc::stats_store().unwrap();
    let body = r#"{"getsSuccess":170,"getsFail":1208,"setsSuccess":1,"setsFail":2,"deleteSuccess":3,"deleteFail":4,"updateSuccess":5,"updateFail":6,"createSuccess":7,"createFail":8,"compareAndSwapSuccess":9,"compareAndSwapFail":10,"compareAndDeleteSuccess":11,"compareAndDeleteFail":12,"expireCount":13,"watchers":14}"#;
    let want = StoreStats {
        gets_success: 170,
        gets_fail: 1208,
        sets_success: 1,
        sets_fail: 2,
        delete_success: 3,
        delete_fail: 4,
        update_success: 5,
        update_fail: 6,
        create_success: 7,
        create_fail: 8,
        compare_and_swap_success: 9,
        compare_and_swap_fail: 10,
        compare_and_delete_success: 11,
        compare_and_delete_fail: 12,
        expire_count: 13,
        watchers: 14,
    };
    assert_eq!(call.decode(response(200, body)), Ok(want));
    assert_invalid_json(call.decode(response(200, r#"{"getsSuccess":-1}"#)));
    assert_eq!(
        call.decode(response(500, "")),
        Err(Error::UnexpectedStatus(500))
    );
}

#[test]
fn machines_answers() {
    let call = misc::machines().unwrap();
    let cases = [
        (
            "http://127.0.0.1:24790, http://127.0.0.1:24791",
            vec!["http://127.0.0.1:24790", "http://127.0.0.1:24791"],
        ),
        ("http://127.0.0.1:2379", vec!["http://127.0.0.1:2379"]),
        ("", vec![]),
    ];
    for (body, want) in cases {
        let resp = Response::builder()
            .status(200)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from(body))
            .unwrap();
        let want: Vec<String> = want.into_iter().map(String::from).collect();
        assert_eq!(call.decode(resp), Ok(want), "{body:?}");
    }
    assert_eq!(
        call.decode(response(404, "404 page not found")),
        Err(Error::UnexpectedStatus(404))
    );
}

#[test]
fn all_are_reads() {
    let all = [
        misc::version().unwrap().idempotency(),
        misc::health().unwrap().idempotency(),
        misc::stats_self().unwrap().idempotency(),
        misc::stats_leader().unwrap().idempotency(),
        misc::stats_store().unwrap().idempotency(),
        misc::machines().unwrap().idempotency(),
    ];
    assert!(all.iter().all(|i| *i == Idempotency::Read), "{all:?}");
    assert!(!misc::version().unwrap().is_wait());
}

fn version(server: &str, cluster: &str) -> Version {
    Version {
        server: server.to_string(),
        cluster: cluster.to_string(),
    }
}
