//! How etcd 3.4's auth answers decode, call by call.

use etcd_v2_proto::call::auth;
use etcd_v2_proto::{Error, PermissionType, Role, User};

use crate::support::{api_error as api, assert_invalid_json, json_response as response};

const ROOT_ROLE: &str = r#"{"role":"root","permissions":{"kv":{"read":["/*"],"write":["/*"]}}}"#;

#[test]
fn enable_disable_answers() {
    for call in [auth::enable().unwrap(), auth::disable().unwrap()] {
        let cases = [
            (200, "", Ok(())),
            (201, "", Ok(())),
            (
                409,
                r#"{"message":"auth: No root user available, please create one"}"#,
                Err(api(409, "auth: No root user available, please create one")),
            ),
            (
                401,
                r#"{"message":"Insufficient credentials"}"#,
                Err(api(401, "Insufficient credentials")),
            ),
            (
                409,
                r#"{"message":"auth: already disabled"}"#,
                Err(api(409, "auth: already disabled")),
            ),
            (409, r#"{}"#, Err(api(409, ""))),
        ];
        for (status, body, want) in cases {
            assert_eq!(call.decode(response(status, body)), want, "{status} {body}");
        }
        assert_invalid_json(call.decode(response(404, "404 page not found")));
    }
}

#[test]
fn enabled_answers() {
    let call = auth::enabled().unwrap();
    assert_eq!(
        call.decode(response(200, r#"{"enabled":false}"#)),
        Ok(false)
    );
    assert_eq!(call.decode(response(200, r#"{"enabled":true}"#)), Ok(true));
    assert_invalid_json(call.decode(response(200, "{}")));
    assert_invalid_json(call.decode(response(200, "")));
    assert_eq!(
        call.decode(response(401, r#"{"message":"Insufficient credentials"}"#)),
        Err(api(401, "Insufficient credentials"))
    );
}

#[test]
fn list_users_answers() {
    let call = auth::list_users().unwrap();
    let full = format!(
        r#"{{"users":[{{"user":"root","roles":[{ROOT_ROLE}]}},{{"user":"alice","roles":["rw"]}},{{"user":"bob","roles":null}},{{"user":"carol"}}]}}"#
    );
    let cases = [
        (r#"{"users":null}"#, vec![]),
        ("{}", vec![]),
        (r#"{"users":[]}"#, vec![]),
        (full.as_str(), vec!["root", "alice", "bob", "carol"]),
    ];
    for (body, want) in cases {
        let want: Vec<String> = want.into_iter().map(String::from).collect();
        assert_eq!(call.decode(response(200, body)), Ok(want), "{body}");
    }
    assert_invalid_json(call.decode(response(200, r#"{"users":[{"user":"#)));
    assert_eq!(
        call.decode(response(401, r#"{"message":"Insufficient credentials"}"#)),
        Err(api(401, "Insufficient credentials"))
    );
}

#[test]
fn user_answers() {
    let root = format!(r#"{{"user":"root","roles":[{ROOT_ROLE}]}}"#);
    let cases = [
        (root.as_str(), user("root", &["root"])),
        (
            r#"{"user":"root","roles":["root"]}"#,
            user("root", &["root"]),
        ),
        (r#"{"user":"carol","roles":null}"#, user("carol", &[])),
        (r#"{"user":"carol","roles":[]}"#, user("carol", &[])),
        (r#"{"user":"carol"}"#, user("carol", &[])),
        (
            r#"{"user":"alice","roles":[{"role":"rw","permissions":{"kv":{"read":["/app/*"],"write":null}}},"guest"]}"#,
            user("alice", &["rw", "guest"]),
        ),
    ];
    let calls = [
        auth::get_user("u").unwrap(),
        auth::grant_user("u", &["r"]).unwrap(),
        auth::revoke_user("u", &["r"]).unwrap(),
        auth::change_password("u", "pw").unwrap(),
    ];
    for call in &calls {
        for (body, want) in &cases {
            assert_eq!(
                call.decode(response(200, body)).as_ref(),
                Ok(want),
                "{body}"
            );
        }
        assert_invalid_json(call.decode(response(200, r#"{"user":"#)));
        assert_invalid_json(call.decode(response(200, r#"{"user":"u","roles":[1]}"#)));
        assert_invalid_json(call.decode(response(403, "forbidden")));
        assert_eq!(
            call.decode(response(401, r#"{"message":"Insufficient credentials"}"#)),
            Err(api(401, "Insufficient credentials"))
        );
    }
    let [get, grant, revoke, change] = calls;
    assert_eq!(
        get.decode(response(
            404,
            r#"{"message":"auth: User nobody does not exist."}"#
        )),
        Err(api(404, "auth: User nobody does not exist."))
    );
    // Only 200 is success for these, like Go.
    assert_eq!(
        get.decode(response(201, r#"{"user":"u"}"#)),
        Err(api(201, ""))
    );
    assert_eq!(
        grant.decode(response(
            409,
            r#"{"message":"auth: Granting duplicate role rw for user alice"}"#
        )),
        Err(api(409, "auth: Granting duplicate role rw for user alice"))
    );
    assert_eq!(
        revoke.decode(response(
            409,
            r#"{"message":"auth: Revoking ungranted role guest for user alice"}"#
        )),
        Err(api(
            409,
            "auth: Revoking ungranted role guest for user alice"
        ))
    );
    // ChangePassword on a missing user: the server created it (201); Go reports an empty
    // message, we say what happened.
    assert_eq!(
        change.decode(response(201, r#"{"user":"u","roles":null}"#)),
        Err(api(201, "user did not exist and was created"))
    );
}

#[test]
fn add_and_remove_user_answers() {
    let add = auth::add_user("carol", "c").unwrap();
    assert_eq!(
        add.decode(response(201, r#"{"user":"carol","roles":null}"#)),
        Ok(())
    );
    assert_eq!(
        add.decode(response(200, r#"{"user":"carol","roles":[]}"#)),
        Ok(())
    );
    assert_eq!(
        add.decode(response(
            400,
            r#"{"message":"User JSON name does not match the name in the URL"}"#
        )),
        Err(api(
            400,
            "User JSON name does not match the name in the URL"
        ))
    );
    let remove = auth::remove_user("alice").unwrap();
    assert_eq!(remove.decode(response(200, "")), Ok(()));
    assert_eq!(
        remove.decode(response(
            403,
            r#"{"message":"auth: Cannot delete root user while auth is enabled."}"#
        )),
        Err(api(
            403,
            "auth: Cannot delete root user while auth is enabled."
        ))
    );
    assert_eq!(
        remove.decode(response(
            404,
            r#"{"message":"auth: User nobody does not exist"}"#
        )),
        Err(api(404, "auth: User nobody does not exist"))
    );
}

#[test]
fn list_roles_answers() {
    let call = auth::list_roles().unwrap();
    let two = format!(
        r#"{{"roles":[{ROOT_ROLE},{{"role":"guest","permissions":{{"kv":{{"read":["/*"],"write":["/*"]}}}}}}]}}"#
    );
    assert_eq!(
        call.decode(response(200, &two)),
        Ok(vec!["root".to_string(), "guest".to_string()])
    );
    assert_eq!(call.decode(response(200, r#"{"roles":null}"#)), Ok(vec![]));
    assert_eq!(call.decode(response(200, "{}")), Ok(vec![]));
    assert_invalid_json(call.decode(response(200, r#"{"roles":"#)));
    // Unlike the other auth calls, a refusal is only a status (Go does not read the body).
    assert_eq!(
        call.decode(response(401, r#"{"message":"Insufficient credentials"}"#)),
        Err(Error::UnexpectedStatus(401))
    );
    assert_eq!(
        call.decode(response(404, "")),
        Err(Error::UnexpectedStatus(404))
    );
}

#[test]
fn role_answers() {
    let r1 = Role {
        role: "r1".into(),
        permissions: etcd_v2_proto::Permissions {
            kv: etcd_v2_proto::KvPermissions {
                read: vec!["/a".into()],
                write: vec![],
            },
        },
    };
    let body = r#"{"role":"r1","permissions":{"kv":{"read":["/a"],"write":null}}}"#;
    let calls = [
        auth::get_role("r1").unwrap(),
        auth::grant_role_kv("r1", &["/a"], PermissionType::Read).unwrap(),
        auth::revoke_role_kv("r1", &["/b"], PermissionType::Write).unwrap(),
    ];
    for call in &calls {
        assert_eq!(call.decode(response(200, body)).as_ref(), Ok(&r1));
        assert_invalid_json(call.decode(response(200, r#"{"role":"#)));
        assert_eq!(
            call.decode(response(
                404,
                r#"{"message":"auth: Role nope does not exist."}"#
            )),
            Err(api(404, "auth: Role nope does not exist."))
        );
        assert_eq!(call.decode(response(201, body)), Err(api(201, "")));
    }
    assert_eq!(
        calls[1].decode(response(
            409,
            r#"{"message":"auth: Granting duplicate read permission /app/*"}"#
        )),
        Err(api(409, "auth: Granting duplicate read permission /app/*"))
    );
    assert_eq!(
        calls[0].decode(response(200, r#"{"role":"empty"}"#)),
        Ok(Role {
            role: "empty".into(),
            ..Role::default()
        })
    );
}

#[test]
fn add_and_remove_role_answers() {
    let add = auth::add_role("r1").unwrap();
    assert_eq!(
        add.decode(response(
            201,
            r#"{"role":"r1","permissions":{"kv":{"read":null,"write":null}}}"#
        )),
        Ok(())
    );
    assert_eq!(add.decode(response(200, "")), Ok(()));
    assert_eq!(
        add.decode(response(
            409,
            r#"{"message":"auth: Role rw already exists."}"#
        )),
        Err(api(409, "auth: Role rw already exists."))
    );
    assert_eq!(
        add.decode(response(
            403,
            r#"{"message":"auth: Cannot modify role root: is root role."}"#
        )),
        Err(api(403, "auth: Cannot modify role root: is root role."))
    );
    let remove = auth::remove_role("r1").unwrap();
    assert_eq!(remove.decode(response(200, "")), Ok(()));
    assert_eq!(
        remove.decode(response(
            404,
            r#"{"message":"auth: Role nope doesn't exist."}"#
        )),
        Err(api(404, "auth: Role nope doesn't exist."))
    );
}

fn user(name: &str, roles: &[&str]) -> User {
    User {
        user: name.to_string(),
        roles: roles.iter().map(ToString::to_string).collect(),
    }
}
