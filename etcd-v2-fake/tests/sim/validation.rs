//! Request validation: the errors the fake gives are the real server's.

use etcd_v2_fake::Sim;
use etcd_v2_proto::{PrevExist, SetOptions};

use crate::{header, raw, set_with, text};

#[test]
fn request_validation_errors_are_the_real_servers() {
    let mut sim = Sim::new(1);
    let cases = [
        (
            "PUT",
            "/v2/keys/k?prevValue=",
            "value=x",
            201,
            r#""\"prevValue\" cannot be empty""#,
        ),
        (
            "PUT",
            "/v2/keys/k",
            "value=x&ttl=abc",
            202,
            r#""invalid value for \"ttl\"""#,
        ),
        (
            "GET",
            "/v2/keys/k?wait=true&waitIndex=x",
            "",
            203,
            r#""invalid value for \"waitIndex\"""#,
        ),
        (
            "PUT",
            "/v2/keys/k?wait=true",
            "value=x",
            209,
            r#""\"wait\" can only be used with GET requests""#,
        ),
        (
            "GET",
            "/v2/keys/k?recursive=yes",
            "",
            209,
            r#""invalid value for \"recursive\"""#,
        ),
        (
            "PUT",
            "/v2/keys/k",
            "value=%zz",
            210,
            r#""invalid URL escape \"%zz\"""#,
        ),
        (
            "PUT",
            "/v2/keys/k",
            "refresh=true&ttl=5&value=v",
            211,
            r#""A value was provided on a refresh""#,
        ),
        (
            "PUT",
            "/v2/keys/k",
            "refresh=true",
            212,
            r#""No TTL value set""#,
        ),
    ];
    for (method, url, body, code, cause) in cases {
        let r = raw(&mut sim, method, url, body);
        assert_eq!(r.status(), 400, "{url} {body}");
        assert_eq!(header(&r, "X-Etcd-Index"), "0");
        let text = text(&r);
        assert!(
            text.starts_with(&format!("{{\"errorCode\":{code},")),
            "{text}"
        );
        assert!(
            text.ends_with(&format!("\"cause\":{cause},\"index\":0}}\n")),
            "{text}"
        );
    }
    let r = raw(&mut sim, "GET", "/v2/keys/nope", "");
    assert_eq!(
        (r.status().as_u16(), header(&r, "X-Etcd-Index")),
        (404, "3")
    );
    let r = raw(&mut sim, "PATCH", "/v2/keys/k", "");
    assert_eq!(
        (r.status().as_u16(), header(&r, "Allow")),
        (405, "HEAD,GET,PUT,POST,DELETE")
    );
    let r = raw(
        &mut sim,
        "PUT",
        "/v2/keys/n?noValueOnSuccess=true",
        "value=v",
    );
    assert_eq!(
        (r.status().as_u16(), text(&r)),
        (201, "{\"action\":\"set\"}\n")
    );
    let r = raw(&mut sim, "HEAD", "/v2/keys/n", "");
    assert_eq!(
        (r.status().as_u16(), text(&r), header(&r, "X-Etcd-Index")),
        (200, "", "4")
    );
    let r = raw(&mut sim, "GET", "/version", "");
    assert_eq!(text(&r), r#"{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}"#);
    assert_eq!(raw(&mut sim, "GET", "/v2/stats/self", "").status(), 404);
    // The same parameters through the core: prev_exist=false is a create, 412 on repeat.
    sim.run(set_with(
        "/k",
        "v",
        SetOptions::default().prev_exist(PrevExist::NoExist),
    ))
    .unwrap();
    let r = raw(&mut sim, "PUT", "/v2/keys/k?prevExist=false", "value=v");
    assert_eq!(r.status(), 412);
}
