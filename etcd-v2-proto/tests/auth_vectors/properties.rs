//! Properties of the auth calls: the not-found predicates (#107), idempotency, and credentials
//! and base path on the request.

use etcd_v2_proto::call::auth;
use etcd_v2_proto::{Credentials, Endpoint, Error, Idempotency, PermissionType, Role, User};
use http::header;

use crate::support::{api_error as api, json_response as response};

/// #107, with this client's deliberate fix: every "missing" message etcd sends (with or
/// without the final dot, `does not exist` or `doesn't exist`) is recognised.
#[test]
fn not_found_predicates_107() {
    let missing_user = [
        (auth::get_user("nobody").unwrap().decode(response(
            404,
            r#"{"message":"auth: User nobody does not exist."}"#,
        ))),
        // Go's regex misses this one (no trailing character); we do not.
        (auth::remove_user("nobody")
            .unwrap()
            .decode(response(
                404,
                r#"{"message":"auth: User nobody does not exist"}"#,
            ))
            .map(|()| User::default())),
    ];
    for result in missing_user {
        let err = result.unwrap_err();
        assert!(err.is_user_not_found(), "{err:?}");
        assert!(!err.is_role_not_found(), "{err:?}");
    }
    let missing_role = [
        auth::get_role("nope").unwrap().decode(response(
            404,
            r#"{"message":"auth: Role nope does not exist."}"#,
        )),
        auth::grant_role_kv("nope", &["/a"], PermissionType::Read)
            .unwrap()
            .decode(response(
                404,
                r#"{"message":"auth: Role nope does not exist."}"#,
            )),
        // Go's regex misses this one ("doesn't"); we do not.
        auth::remove_role("nope")
            .unwrap()
            .decode(response(
                404,
                r#"{"message":"auth: Role nope doesn't exist."}"#,
            ))
            .map(|()| Role::default()),
    ];
    for result in missing_role {
        let err = result.unwrap_err();
        assert!(err.is_role_not_found(), "{err:?}");
        assert!(!err.is_user_not_found(), "{err:?}");
    }
    let others = [
        api(409, "auth: Role rw already exists."),
        api(401, "Insufficient credentials"),
        api(409, "auth: Granting duplicate role rw for user alice"),
        Error::UnexpectedStatus(404),
    ];
    for err in others {
        assert!(!err.is_user_not_found(), "{err:?}");
        assert!(!err.is_role_not_found(), "{err:?}");
    }
}

#[test]
fn idempotency() {
    let reads = [
        auth::enabled().unwrap().idempotency(),
        auth::list_users().unwrap().idempotency(),
        auth::get_user("u").unwrap().idempotency(),
        auth::list_roles().unwrap().idempotency(),
        auth::get_role("r").unwrap().idempotency(),
    ];
    assert!(reads.iter().all(|i| *i == Idempotency::Read), "{reads:?}");
    let writes = [
        auth::enable().unwrap().idempotency(),
        auth::disable().unwrap().idempotency(),
        auth::add_user("u", "p").unwrap().idempotency(),
        auth::remove_user("u").unwrap().idempotency(),
        auth::grant_user("u", &["r"]).unwrap().idempotency(),
        auth::revoke_user("u", &["r"]).unwrap().idempotency(),
        auth::change_password("u", "p").unwrap().idempotency(),
        auth::add_role("r").unwrap().idempotency(),
        auth::remove_role("r").unwrap().idempotency(),
        auth::grant_role_kv("r", &["/a"], PermissionType::Read)
            .unwrap()
            .idempotency(),
        auth::revoke_role_kv("r", &["/a"], PermissionType::Read)
            .unwrap()
            .idempotency(),
    ];
    assert!(
        writes.iter().all(|i| *i == Idempotency::Idempotent),
        "{writes:?}"
    );
}

#[test]
fn credentials_and_base_path() {
    let creds = Credentials::new("u1", "p:w");
    let ep = Endpoint::parse("http://foo.example.com:4002/pants").unwrap();
    let req = auth::get_user("root")
        .unwrap()
        .to_request(&ep, Some(&creds))
        .unwrap();
    assert_eq!(
        req.uri().to_string(),
        "http://foo.example.com:4002/pants/v2/auth/users/root"
    );
    assert_eq!(req.headers()[header::AUTHORIZATION], "Basic dTE6cDp3");
    let req = auth::add_role("r")
        .unwrap()
        .to_request(&ep, Some(&creds))
        .unwrap();
    assert_eq!(req.headers()[header::AUTHORIZATION], "Basic dTE6cDp3");
    assert_eq!(req.headers()[header::CONTENT_TYPE], "application/json");
}
