//! What the auth calls send: the Go client's requests, JSON escaping, name checks, refused
//! empty inputs, and passwords kept out of debug output.

use bytes::Bytes;
use etcd_v2_proto::call::auth;
use etcd_v2_proto::{Credentials, Error, PermissionType, UsageError};
use http::{Method, Request, header};

use crate::framing;
use crate::support::call_request as request;

/// (name, request, method, path or URI, JSON content type, body)
type RequestCase = (
    &'static str,
    Request<Bytes>,
    Method,
    &'static str,
    bool,
    &'static str,
);

#[test]
fn requests_match_the_go_client() {
    let cases: Vec<RequestCase> = vec![
        (
            "Enable",
            request(&auth::enable().unwrap()),
            Method::PUT,
            "/v2/auth/enable",
            false,
            "",
        ),
        (
            "Disable",
            request(&auth::disable().unwrap()),
            Method::DELETE,
            "/v2/auth/enable",
            false,
            "",
        ),
        (
            "enabled",
            request(&auth::enabled().unwrap()),
            Method::GET,
            "/v2/auth/enable",
            false,
            "",
        ),
        (
            "ListUsers",
            request(&auth::list_users().unwrap()),
            Method::GET,
            "/v2/auth/users",
            true,
            "",
        ),
        (
            "AddUser",
            request(&auth::add_user("root", "rootpw").unwrap()),
            Method::PUT,
            "/v2/auth/users/root",
            true,
            r#"{"user":"root","password":"rootpw","roles":null}"#,
        ),
        (
            "RemoveUser",
            request(&auth::remove_user("alice").unwrap()),
            Method::DELETE,
            "/v2/auth/users/alice",
            false,
            "",
        ),
        (
            "GetUser",
            request(&auth::get_user("root").unwrap()),
            Method::GET,
            "/v2/auth/users/root",
            false,
            "",
        ),
        (
            "GrantUser",
            request(&auth::grant_user("alice", &["rw", "guest"]).unwrap()),
            Method::PUT,
            "/v2/auth/users/alice",
            true,
            r#"{"user":"alice","roles":null,"grant":["rw","guest"]}"#,
        ),
        (
            "RevokeUser",
            request(&auth::revoke_user("alice", &["guest"]).unwrap()),
            Method::PUT,
            "/v2/auth/users/alice",
            true,
            r#"{"user":"alice","roles":null,"revoke":["guest"]}"#,
        ),
        (
            "ChangePassword",
            request(&auth::change_password("alice", "n3w").unwrap()),
            Method::PUT,
            "/v2/auth/users/alice",
            true,
            r#"{"user":"alice","password":"n3w","roles":null}"#,
        ),
        (
            "ListRoles",
            request(&auth::list_roles().unwrap()),
            Method::GET,
            "/v2/auth/roles",
            true,
            "",
        ),
        (
            "AddRole",
            request(&auth::add_role("r1").unwrap()),
            Method::PUT,
            "/v2/auth/roles/r1",
            true,
            r#"{"role":"r1","permissions":{"kv":{"read":null,"write":null}}}"#,
        ),
        (
            "RemoveRole",
            request(&auth::remove_role("r1").unwrap()),
            Method::DELETE,
            "/v2/auth/roles/r1",
            false,
            "",
        ),
        (
            "GetRole",
            request(&auth::get_role("r1").unwrap()),
            Method::GET,
            "/v2/auth/roles/r1",
            false,
            "",
        ),
        (
            "GrantRoleKV read",
            request(&auth::grant_role_kv("rw", &["/app/*"], PermissionType::Read).unwrap()),
            Method::PUT,
            "/v2/auth/roles/rw",
            true,
            r#"{"role":"rw","permissions":{"kv":{"read":null,"write":null}},"grant":{"kv":{"read":["/app/*"],"write":null}}}"#,
        ),
        (
            "GrantRoleKV write",
            request(&auth::grant_role_kv("rw", &["/a", "/b/*"], PermissionType::Write).unwrap()),
            Method::PUT,
            "/v2/auth/roles/rw",
            true,
            r#"{"role":"rw","permissions":{"kv":{"read":null,"write":null}},"grant":{"kv":{"read":null,"write":["/a","/b/*"]}}}"#,
        ),
        (
            "GrantRoleKV readwrite",
            request(&auth::grant_role_kv("rw", &["/a"], PermissionType::ReadWrite).unwrap()),
            Method::PUT,
            "/v2/auth/roles/rw",
            true,
            r#"{"role":"rw","permissions":{"kv":{"read":null,"write":null}},"grant":{"kv":{"read":["/a"],"write":["/a"]}}}"#,
        ),
        (
            "RevokeRoleKV read",
            request(&auth::revoke_role_kv("rw", &["/app/*"], PermissionType::Read).unwrap()),
            Method::PUT,
            "/v2/auth/roles/rw",
            true,
            r#"{"role":"rw","permissions":{"kv":{"read":null,"write":null}},"revoke":{"kv":{"read":["/app/*"],"write":null}}}"#,
        ),
        (
            "RevokeRoleKV write",
            request(&auth::revoke_role_kv("rw", &["/a"], PermissionType::Write).unwrap()),
            Method::PUT,
            "/v2/auth/roles/rw",
            true,
            r#"{"role":"rw","permissions":{"kv":{"read":null,"write":null}},"revoke":{"kv":{"read":null,"write":["/a"]}}}"#,
        ),
        (
            "RevokeRoleKV readwrite",
            request(&auth::revoke_role_kv("rw", &["/a"], PermissionType::ReadWrite).unwrap()),
            Method::PUT,
            "/v2/auth/roles/rw",
            true,
            r#"{"role":"rw","permissions":{"kv":{"read":null,"write":null}},"revoke":{"kv":{"read":["/a"],"write":["/a"]}}}"#,
        ),
    ];
    for (name, req, method, path, json, body) in cases {
        assert_eq!(req.method(), method, "{name}");
        assert_eq!(
            req.uri().to_string(),
            format!("http://example.com{path}"),
            "{name}"
        );
        if json {
            assert_eq!(
                framing::api_headers(&req).len(),
                1,
                "{name}: {:?}",
                framing::api_headers(&req)
            );
            assert_eq!(
                req.headers()[header::CONTENT_TYPE],
                "application/json",
                "{name}"
            );
        } else {
            assert!(
                framing::api_headers(&req).is_empty(),
                "{name}: {:?}",
                framing::api_headers(&req)
            );
        }
        assert_eq!(std::str::from_utf8(req.body()).unwrap(), body, "{name}");
    }
}

#[test]
fn bodies_escape_like_go_json() {
    let req = request(&auth::add_user("u", "p<&>\"\\\n\u{2028}").unwrap());
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        r#"{"user":"u","password":"p\u003c\u0026\u003e\"\\\n\u2028","roles":null}"#
    );
}

#[test]
fn names_are_escaped_and_checked() {
    let cases = [
        (
            request(&auth::get_user("a b").unwrap()),
            "/v2/auth/users/a%20b",
        ),
        (
            request(&auth::get_user("q?#").unwrap()),
            "/v2/auth/users/q%3F%23",
        ),
        (
            request(&auth::remove_role("ü").unwrap()),
            "/v2/auth/roles/%C3%BC",
        ),
        (
            request(&auth::add_role("a+b").unwrap()),
            "/v2/auth/roles/a+b",
        ),
    ];
    for (req, path) in cases {
        assert_eq!(req.uri().path(), path);
    }
    // The name in the body stays unescaped.
    let req = request(&auth::add_user("a b", "pw").unwrap());
    assert_eq!(
        req.body().as_ref(),
        br#"{"user":"a b","password":"pw","roles":null}"#
    );

    for bad in ["", "a/b", "/", ".", ".."] {
        let want = Error::Usage(UsageError::InvalidName(bad.to_string()));
        let errors = [
            auth::add_user(bad, "pw").err(),
            auth::remove_user(bad).err(),
            auth::get_user(bad).err(),
            auth::grant_user(bad, &["r"]).err(),
            auth::revoke_user(bad, &["r"]).err(),
            auth::change_password(bad, "pw").err(),
            auth::add_role(bad).err(),
            auth::remove_role(bad).err(),
            auth::get_role(bad).err(),
            auth::grant_role_kv(bad, &["/a"], PermissionType::Read).err(),
            auth::revoke_role_kv(bad, &["/a"], PermissionType::Read).err(),
        ];
        for (i, err) in errors.into_iter().enumerate() {
            assert_eq!(err.as_ref(), Some(&want), "call #{i} with {bad:?}");
        }
    }
}

#[test]
fn empty_passwords_and_lists_are_refused() {
    let none: [&str; 0] = [];
    let cases = [
        (auth::add_user("u", "").err(), UsageError::Empty("password")),
        (
            auth::change_password("u", "").err(),
            UsageError::Empty("password"),
        ),
        (
            auth::grant_user("u", &none).err(),
            UsageError::Empty("roles"),
        ),
        (
            auth::revoke_user("u", &none).err(),
            UsageError::Empty("roles"),
        ),
        (
            auth::grant_role_kv("r", &none, PermissionType::ReadWrite).err(),
            UsageError::Empty("key prefixes"),
        ),
        (
            auth::revoke_role_kv("r", &none, PermissionType::Read).err(),
            UsageError::Empty("key prefixes"),
        ),
    ];
    for (i, (got, want)) in cases.into_iter().enumerate() {
        assert_eq!(got, Some(Error::Usage(want)), "case #{i}");
    }
}

#[test]
fn passwords_stay_out_of_debug_output() {
    let call = auth::add_user("root", "hunter2-secret").unwrap();
    assert!(!format!("{call:?}").contains("hunter2-secret"));
    let call = auth::change_password("root", "hunter2-secret").unwrap();
    assert!(!format!("{call:?}").contains("hunter2-secret"));
    let creds = Credentials::new("root", "hunter2-secret");
    assert!(!format!("{creds:?}").contains("hunter2-secret"));
}
