//! How the members answers decode: Go's vectors and what etcd 3.4 answers to removing an
//! unknown or removed member.

use etcd_v2_proto::call::members;
use etcd_v2_proto::{Error, Member, UsageError};

use crate::support::{api_error as api, assert_invalid_json, json_response as response};

const MEMBER_E1: &str = r#"{"id":"886b03c4ae679a15","name":"e1","peerURLs":["http://127.0.0.1:24800"],"clientURLs":["http://127.0.0.1:24790"]}"#;

#[test]
fn member_decode_83() {
    let leader = members::leader().unwrap();
    let cases = [
        (
            r#"{"id":"c","name":"dungarees"}"#,
            member("c", "dungarees", &[], &[]),
        ),
        (
            r#"{"id":"d","name":"wranglers","peerURLs":["http://127.0.0.1:4002"],"clientURLs":["http://127.0.0.1:4001"]}"#,
            member(
                "d",
                "wranglers",
                &["http://127.0.0.1:4002"],
                &["http://127.0.0.1:4001"],
            ),
        ),
        (
            r#"{"id":"ba","name":"levis","peerURLs":["http://127.0.0.1:4002","http://127.0.0.1:7002"],"clientURLs":["http://127.0.0.1:4001"]}"#,
            member(
                "ba",
                "levis",
                &["http://127.0.0.1:4002", "http://127.0.0.1:7002"],
                &["http://127.0.0.1:4001"],
            ),
        ),
        (
            r#"{"id":"b4","name":"carharrt","peerURLs":["http://127.0.0.1:4002"],"clientURLs":["http://127.0.0.1:4001","http://127.0.0.1:8001"]}"#,
            member(
                "b4",
                "carharrt",
                &["http://127.0.0.1:4002"],
                &["http://127.0.0.1:4001", "http://127.0.0.1:8001"],
            ),
        ),
        (
            r#"{"id":"10241ead6d447db9","name":"","peerURLs":["http://127.0.0.1:24801"],"clientURLs":[]}"#,
            member("10241ead6d447db9", "", &["http://127.0.0.1:24801"], &[]),
        ),
        (
            r#"{"id":"e","name":"n","peerURLs":null,"clientURLs":null}"#,
            member("e", "n", &[], &[]),
        ),
    ];
    for (body, want) in cases {
        assert_eq!(leader.decode(response(200, body)), Ok(want), "{body}");
    }
    assert_invalid_json(leader.decode(response(200, r#"{"peerU"#)));
}

#[test]
fn collection_decode_84_and_list_90() {
    let list = members::list().unwrap();
    assert_invalid_json(list.decode(response(200, "{")));
    assert_invalid_json(list.decode(response(200, r#"[{"id":"XX"#)));
    assert_invalid_json(list.decode(response(200, "")));
    for body in ["{}", r#"{"members":[]}"#, r#"{"members":null}"#] {
        assert_eq!(list.decode(response(200, body)), Ok(vec![]), "{body}");
    }
    let three = r#"{"members":[
        {"id":"c","name":"node3","peerURLs":["http://127.0.0.1:4003"]},
        {"id":"a","name":"node1"},
        {"id":"b","name":"node2","clientURLs":["http://127.0.0.1:4002"]}]}"#;
    assert_eq!(
        list.decode(response(200, three)),
        Ok(vec![
            member("c", "node3", &["http://127.0.0.1:4003"], &[]),
            member("a", "node1", &[], &[]),
            member("b", "node2", &[], &["http://127.0.0.1:4002"]),
        ])
    );
    let observed = format!(r#"{{"members":[{MEMBER_E1}]}}"#);
    assert_eq!(list.decode(response(200, &observed)), Ok(vec![e1()]));
    for status in [201, 404, 418] {
        assert_eq!(
            list.decode(response(status, &observed)),
            Err(Error::UnexpectedStatus(status))
        );
    }
}

#[test]
fn add_decode_86_87() {
    let add = members::add("http://127.0.0.1:7002").unwrap();
    assert_eq!(
        add.decode(response(
            201,
            r#"{"id":"94088180e21eb87b","peerURLs":["http://127.0.0.1:7002"]}"#
        )),
        Ok(member(
            "94088180e21eb87b",
            "",
            &["http://127.0.0.1:7002"],
            &[]
        ))
    );
    assert_eq!(
        add.decode(response(409, r#"{"message":"fail!"}"#)),
        Err(api(409, "fail!"))
    );
    assert_eq!(
        add.decode(response(409, r#"{"message":"membership: peerURL exists"}"#)),
        Err(api(409, "membership: peerURL exists"))
    );
    assert_invalid_json(add.decode(response(409, r#"{"message":"#)));
    assert_invalid_json(add.decode(response(201, r#"{"id":"#)));
    assert_eq!(
        add.decode(response(418, "")),
        Err(Error::UnexpectedStatus(418))
    );
    assert_eq!(
        add.decode(response(200, MEMBER_E1)),
        Err(Error::UnexpectedStatus(200))
    );
    for (status, body) in [
        (400, r#"{"message":"no valid URLs given"}"#),
        (
            415,
            r#"{"message":"Bad Content-Type application/x-www-form-urlencoded, accept application/json"}"#,
        ),
    ] {
        assert_eq!(
            add.decode(response(status, body)),
            Err(Error::UnexpectedStatus(status))
        );
    }
    // Unlike Go, a 500 keeps the server's reason (a refused reconfiguration says why).
    assert_eq!(
        add.decode(response(500, r#"{"message":"Internal Server Error"}"#)),
        Err(api(500, "Internal Server Error"))
    );
    assert!(matches!(
        members::add(":").unwrap_err(),
        Error::Usage(UsageError::InvalidUrl { .. })
    ));
}

#[test]
fn update_decode() {
    let update = members::update("1234", &["http://127.0.0.1:24801"]).unwrap();
    assert_eq!(update.decode(response(204, "")), Ok(()));
    let cases = [
        (
            404,
            r#"{"message":"No such member: 1234"}"#,
            Err(api(404, "No such member: 1234")),
        ),
        (
            409,
            r#"{"message":"membership: peerURL exists"}"#,
            Err(api(409, "membership: peerURL exists")),
        ),
        (
            500,
            r#"{"message":"Internal Server Error"}"#,
            Err(Error::UnexpectedStatus(500)),
        ),
        (200, "", Err(Error::UnexpectedStatus(200))),
        (400, r#"{"message":"x"}"#, Err(Error::UnexpectedStatus(400))),
    ];
    for (status, body, want) in cases {
        assert_eq!(
            update.decode(response(status, body)),
            want,
            "{status} {body}"
        );
    }
    assert_invalid_json(update.decode(response(404, "404 page not found")));
}

#[test]
fn remove_decode_88_89_106() {
    let remove = members::remove("ff895a676de1e754").unwrap();
    let cases = [
        (204, "", Ok(())),
        (
            410,
            r#"{"message":"Member permanently removed: ff895a676de1e754"}"#,
            Ok(()),
        ),
        (
            404,
            r#"{"message":"No such member: 1234"}"#,
            Err(Error::UnexpectedStatus(404)),
        ),
        (500, "", Err(Error::UnexpectedStatus(500))),
        (405, "Method Not Allowed", Err(Error::UnexpectedStatus(405))),
        (200, "", Err(Error::UnexpectedStatus(200))),
    ];
    for (status, body, want) in cases {
        assert_eq!(
            remove.decode(response(status, body)),
            want,
            "{status} {body}"
        );
    }
    assert_eq!(
        members::remove("1234")
            .unwrap()
            .decode(response(404, ""))
            .unwrap_err()
            .to_string(),
        "unexpected status code 404"
    );
}

#[test]
fn leader_decode_91() {
    let leader = members::leader().unwrap();
    assert_eq!(leader.decode(response(200, MEMBER_E1)), Ok(e1()));
    assert_eq!(
        leader.decode(response(418, "")),
        Err(Error::UnexpectedStatus(418))
    );
    assert_eq!(
        leader.decode(response(503, r#"{"message":"During election"}"#)),
        Err(Error::UnexpectedStatus(503))
    );
    assert_invalid_json(leader.decode(response(200, r#"{"id":"XX"#)));
}

fn member(id: &str, name: &str, peers: &[&str], clients: &[&str]) -> Member {
    Member {
        id: id.to_string(),
        name: name.to_string(),
        peer_urls: peers.iter().map(ToString::to_string).collect(),
        client_urls: clients.iter().map(ToString::to_string).collect(),
    }
}

fn e1() -> Member {
    member(
        "886b03c4ae679a15",
        "e1",
        &["http://127.0.0.1:24800"],
        &["http://127.0.0.1:24790"],
    )
}

#[test]
fn a_refused_add_keeps_the_servers_reason() {
    let add = members::add("http://10.0.0.9:2380").unwrap();
    let refused = response(500, r#"{"message":"etcdserver: unhealthy cluster"}"#);
    assert_eq!(
        add.decode(refused).unwrap_err(),
        api(500, "etcdserver: unhealthy cluster")
    );
    let bare = response(500, "internal error");
    assert_eq!(add.decode(bare).unwrap_err(), Error::UnexpectedStatus(500));
}
