//! Auth on a member of its own: root user, enabling, guest access, a user limited to a
//! prefix, user and role lookups, disabling.

use etcd_v2_proto::{Api, Config, Error, GetOptions, PermissionType, SetOptions};

use super::{Check, Ctx, expect_code, expect_err, node};

fn api_error(err: &Error, status: u16, message: &str) -> bool {
    matches!(err, Error::Api(api) if api.status == status && api.message == message)
}

/// Root user, enable, guest keeps working, `alice` limited to `<prefix>/app/*` gets 110
/// outside it, lookups and not-found predicates, password change, disable.
pub fn auth_users_roles_permissions(ctx: &Ctx<'_>) -> Result<(), String> {
    let urls = ctx.urls();
    let anon = &ctx.sut;
    let as_user = |user: &str, password: &str| {
        ctx.sut_with(Config::new(urls.clone()).credentials(user, password))
    };

    ensure!(
        !anon.auth_enabled().ctx("auth enabled?")?,
        "auth is off on a fresh member"
    );
    let err = expect_err(anon.enable_auth(), "enable without a root user")?;
    ensure!(
        api_error(&err, 409, "auth: No root user available, please create one"),
        "enable without root: {err:?}"
    );
    anon.add_user("root", "rootpw").ctx("add root")?;
    anon.enable_auth().ctx("enable auth")?;
    ensure!(anon.auth_enabled().ctx("auth enabled?")?, "auth is on");
    let err = expect_err(anon.enable_auth(), "enable again without credentials")?;
    ensure!(
        api_error(&err, 401, "Insufficient credentials"),
        "enable as guest: {err:?}"
    );

    // Guest (no credentials) still has the default read/write role.
    let open = ctx.key("open");
    anon.set(&open, "guest", SetOptions::default())
        .ctx("guest write")?;
    let got = anon.get(&open, GetOptions::default()).ctx("guest read")?;
    ensure_eq!(node(&got)?.value.as_deref(), Some("guest"), "guest read");
    let err = expect_err(anon.list_users(), "guest lists users")?;
    ensure!(
        api_error(&err, 401, "Insufficient credentials"),
        "guest lists users: {err:?}"
    );

    let root = as_user("root", "rootpw")?;
    let pattern = format!("{}/app/*", ctx.prefix);
    root.add_role("app").ctx("add role")?;
    let role = root
        .grant_role_kv("app", &[&pattern], PermissionType::ReadWrite)
        .ctx("grant role kv")?;
    ensure_eq!(role.role, "app", "granted role name");
    ensure_eq!(
        (
            role.permissions.kv.read.clone(),
            role.permissions.kv.write.clone()
        ),
        (vec![pattern.clone()], vec![pattern.clone()]),
        "granted permissions"
    );
    root.add_user("alice", "apw").ctx("add alice")?;
    let user = root.grant_user("alice", &["app"]).ctx("grant alice")?;
    ensure_eq!(user.roles, vec!["app".to_owned()], "alice's roles");

    let alice = as_user("alice", "apw")?;
    let inside = ctx.key("app/x");
    alice
        .set(&inside, "a", SetOptions::default())
        .ctx("alice writes inside her prefix")?;
    let got = alice
        .get(&inside, GetOptions::default())
        .ctx("alice reads inside her prefix")?;
    ensure_eq!(node(&got)?.value.as_deref(), Some("a"), "alice's value");
    let e = expect_code(
        alice.set(&open, "alice", SetOptions::default()),
        110,
        "alice writes outside",
    )?;
    ensure_eq!(
        e.message,
        "The request requires user authentication",
        "message of 110"
    );
    ensure_eq!(e.cause, "Insufficient credentials", "cause of 110");
    expect_code(
        alice.get(&open, GetOptions::default()),
        110,
        "alice reads outside",
    )?;
    // A recursive read needs access to the directory itself (`docs/protocol.md#auth`).
    expect_code(
        alice.get(&ctx.key("app"), GetOptions::default().recursive(true)),
        110,
        "alice reads her dir recursively",
    )?;
    let err = expect_err(alice.list_users(), "alice lists users")?;
    ensure!(
        api_error(&err, 401, "Insufficient credentials"),
        "alice lists users: {err:?}"
    );
    let wrong = as_user("alice", "wrong")?;
    expect_code(
        wrong.get(&inside, GetOptions::default()),
        110,
        "wrong password",
    )?;
    let got = anon
        .get(&inside, GetOptions::default())
        .ctx("guest reads alice's key")?;
    ensure_eq!(node(&got)?.value.as_deref(), Some("a"), "guest read");

    // Lookups.
    let user = root.get_user("alice").ctx("get user")?;
    ensure_eq!(
        (user.user.as_str(), user.roles.clone()),
        ("alice", vec!["app".to_owned()]),
        "get user"
    );
    let role = root.get_role("app").ctx("get role")?;
    ensure_eq!(
        role.permissions.kv.read,
        vec![pattern.clone()],
        "get role read"
    );
    let mut users = root.list_users().ctx("list users")?;
    users.sort();
    ensure_eq!(users, vec!["alice".to_owned(), "root".to_owned()], "users");
    let mut roles = root.list_roles().ctx("list roles")?;
    roles.sort();
    ensure_eq!(
        roles,
        vec!["app".to_owned(), "guest".to_owned(), "root".to_owned()],
        "roles (guest made by enable)"
    );
    let err = expect_err(root.get_user("nobody"), "get missing user")?;
    ensure!(err.is_user_not_found(), "is_user_not_found on get: {err:?}");
    let err = expect_err(root.remove_user("nobody"), "remove missing user")?;
    ensure!(
        err.is_user_not_found(),
        "is_user_not_found on remove (Go misses this one): {err:?}"
    );
    let err = expect_err(root.get_role("nope"), "get missing role")?;
    ensure!(err.is_role_not_found(), "is_role_not_found on get: {err:?}");
    let err = expect_err(root.remove_role("nope"), "remove missing role")?;
    ensure!(
        err.is_role_not_found(),
        "is_role_not_found on remove (Go misses this one): {err:?}"
    );

    // Password change: the old password stops working.
    root.change_password("alice", "apw2")
        .ctx("change password")?;
    expect_code(
        alice.get(&inside, GetOptions::default()),
        110,
        "old password",
    )?;
    as_user("alice", "apw2")?
        .get(&inside, GetOptions::default())
        .ctx("new password")?;

    let err = expect_err(anon.disable_auth(), "disable as guest")?;
    ensure!(
        api_error(&err, 401, "Insufficient credentials"),
        "disable as guest: {err:?}"
    );
    root.disable_auth().ctx("disable auth")?;
    ensure!(
        !anon.auth_enabled().ctx("auth enabled?")?,
        "auth is off again"
    );
    let err = expect_err(root.disable_auth(), "disable twice")?;
    ensure!(
        api_error(&err, 409, "auth: already disabled"),
        "disable twice: {err:?}"
    );
    // Without auth, credentials are ignored: alice may write anywhere.
    alice
        .set(&open, "anyone", SetOptions::default())
        .ctx("write after disable")?;
    Ok(())
}
