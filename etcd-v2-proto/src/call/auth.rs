//! Auth API calls (`/v2/auth`): enabling auth, users and roles
//!
//! The wire format is the Go client's (`client/auth_user.go`, `auth_role.go`): the same methods and
//! paths, JSON bodies with Go's field order and `null` for unset lists, `Content-Type:
//! application/json` exactly where Go sets it, and the same accepted statuses. A server refusal is
//! [`Error::Api`] with the server's message (Go: `authError`), except for [`list_roles`], which
//! like Go reports only the status.
//!
//! Names are put in the path as one segment, percent-encoded like any path; empty names, names
//! containing `/` and `.`/`..` are refused. Passwords only ever travel in request bodies, which
//! no `Debug` output shows.
//!
//! Differences from Go, on purpose: empty passwords, empty role lists and empty prefix lists are
//! refused (Go sends requests that silently change nothing or fail on the server), and
//! [`change_password`] says so when the server created the user instead.

use alloc::string::String;
use alloc::vec::Vec;

use crate::wire::body::Body;
use http::{Method, Response};
use serde::{Deserialize, Serialize};

use super::members::{json_body, path_segment};
use super::{Call, Idempotency, JSON, PathJoin, RequestSpec};
use crate::error::{ApiError, Error, UsageError};
use crate::model::{PermissionType, Role, User, null_as_empty};
use crate::wire::decode::{api_error, expect_json, expect_status, unexpected_status};

const ENABLE: &str = "/v2/auth/enable";
const USERS: &str = "/v2/auth/users";
const ROLES: &str = "/v2/auth/roles";

/// `PUT /v2/auth/enable`: turns authentication on (needs a `root` user).
///
/// # Errors
/// Never when building. The call's answer: 200 and 201 are success; any other status is
/// [`Error::Api`] with the server's message (e.g. `auth: No root user available, please create
/// one`, `auth: already enabled`), or a protocol error if the body is not `{"message":…}`.
pub fn enable() -> Result<Call<()>, Error> {
    let spec = RequestSpec::new(Method::PUT, ENABLE.into(), PathJoin::Clean);
    Ok(Call::new(spec, Idempotency::Idempotent, decode_done))
}

/// `DELETE /v2/auth/enable`: turns authentication off (as `root`).
///
/// # Errors
/// As [`enable`] (e.g. `auth: already disabled`, `Insufficient credentials`).
pub fn disable() -> Result<Call<()>, Error> {
    let spec = RequestSpec::new(Method::DELETE, ENABLE.into(), PathJoin::Clean);
    Ok(Call::new(spec, Idempotency::Idempotent, decode_done))
}

/// `GET /v2/auth/enable`: whether authentication is on (not in the Go client; needs no
/// credentials).
///
/// # Errors
/// Never when building. The call's answer: any status but 200 is [`Error::Api`]; a body that is
/// not `{"enabled":<bool>}` is a protocol error.
pub fn enabled() -> Result<Call<bool>, Error> {
    let spec = RequestSpec::new(Method::GET, ENABLE.into(), PathJoin::Clean);
    Ok(Call::new(spec, Idempotency::Read, decode_enabled))
}

/// `GET /v2/auth/users`: the names of all users, in the server's order.
///
/// # Errors
/// Never when building. The call's answer: any status but 200 is [`Error::Api`]; a body that is
/// not `{"users":[…]}` (or `{"users":null}`, an empty list) is a protocol error.
pub fn list_users() -> Result<Call<Vec<String>>, Error> {
    let mut spec = RequestSpec::new(Method::GET, USERS.into(), PathJoin::Clean);
    // Go sends this header on the body-less list requests; kept for identical traffic.
    spec.content_type = Some(JSON);
    Ok(Call::new(spec, Idempotency::Read, decode_user_names))
}

/// `PUT /v2/auth/users/<user>` with `{"user":…,"password":…,"roles":null}`: creates a user, or
/// sets the password of an existing one (the server answers 200 instead of 201 then).
///
/// # Errors
/// [`UsageError::InvalidName`] for a bad user name; [`UsageError::Empty`] for an empty password
/// (Go would send none: the server refuses the creation, or changes nothing). The call's answer:
/// 200 and 201 are success; any other status is [`Error::Api`].
pub fn add_user(user: &str, password: &str) -> Result<Call<()>, Error> {
    let spec = user_put(user, password, None, None)?;
    Ok(Call::new(spec, Idempotency::Idempotent, decode_done))
}

/// `DELETE /v2/auth/users/<user>`.
///
/// # Errors
/// [`UsageError::InvalidName`] for a bad user name. The call's answer: 200 and 201 are success;
/// any other status is [`Error::Api`] (a missing user is `auth: User <u> does not exist`, for
/// which [`Error::is_user_not_found`] is true).
pub fn remove_user(user: &str) -> Result<Call<()>, Error> {
    let spec = RequestSpec::new(Method::DELETE, item_path(USERS, user)?, PathJoin::Clean);
    Ok(Call::new(spec, Idempotency::Idempotent, decode_done))
}

/// `GET /v2/auth/users/<user>`: the user and the names of its roles.
///
/// Roles may come as names or as role objects (etcd 3.4 sends objects); only the names are kept.
///
/// # Errors
/// [`UsageError::InvalidName`] for a bad user name. The call's answer: any status but 200 is
/// [`Error::Api`] (404 `auth: User <u> does not exist.` for a missing user); an undecodable body
/// is a protocol error.
pub fn get_user(user: &str) -> Result<Call<User>, Error> {
    let spec = RequestSpec::new(Method::GET, item_path(USERS, user)?, PathJoin::Clean);
    Ok(Call::new(spec, Idempotency::Read, decode_user))
}

/// `PUT /v2/auth/users/<user>` with `{"user":…,"roles":null,"grant":[…]}`: adds roles to a user.
///
/// # Errors
/// [`UsageError::InvalidName`] for a bad user name; [`UsageError::Empty`] for an empty role list.
/// The call's answer: any status but 200 is [`Error::Api`] (e.g. 409 `auth: Granting duplicate
/// role <r> for user <u>`); 200 is the updated user.
pub fn grant_user(user: &str, roles: &[impl AsRef<str>]) -> Result<Call<User>, Error> {
    let roles = role_list(roles)?;
    let spec = user_put(user, "", Some(&roles), None)?;
    Ok(Call::new(spec, Idempotency::Idempotent, decode_user))
}

/// `PUT /v2/auth/users/<user>` with `{"user":…,"roles":null,"revoke":[…]}`: takes roles away.
///
/// # Errors
/// As [`grant_user`] (e.g. 409 `auth: Revoking ungranted role <r> for user <u>`).
pub fn revoke_user(user: &str, roles: &[impl AsRef<str>]) -> Result<Call<User>, Error> {
    let roles = role_list(roles)?;
    let spec = user_put(user, "", None, Some(&roles))?;
    Ok(Call::new(spec, Idempotency::Idempotent, decode_user))
}

/// `PUT /v2/auth/users/<user>` with `{"user":…,"password":…,"roles":null}`: changes a password.
///
/// The request is the one [`add_user`] sends, so on a user that does not exist the server
/// creates it and answers 201. Go then fails with an empty message; this call deliberately fails
/// with `Error::Api(ApiError { status: 201, message: "user did not exist and was created" })`,
/// so the caller learns that the user now exists.
///
/// # Errors
/// [`UsageError::InvalidName`] for a bad user name; [`UsageError::Empty`] for an empty password
/// (Go would send none and the server would change nothing). The call's answer: 200 is the user;
/// 201 is the error above; any other status is [`Error::Api`] with the server's message.
pub fn change_password(user: &str, password: &str) -> Result<Call<User>, Error> {
    let spec = user_put(user, password, None, None)?;
    Ok(Call::new(
        spec,
        Idempotency::Idempotent,
        decode_changed_user,
    ))
}

/// `GET /v2/auth/roles`: the names of all roles, in the server's order.
///
/// # Errors
/// Never when building. The call's answer: any status but 200 is [`Error::UnexpectedStatus`]
/// (like Go, the body is not read); a body that is not `{"roles":[…]}` is a protocol error.
pub fn list_roles() -> Result<Call<Vec<String>>, Error> {
    let mut spec = RequestSpec::new(Method::GET, ROLES.into(), PathJoin::Clean);
    // Go sends this header on the body-less list requests; kept for identical traffic.
    spec.content_type = Some(JSON);
    Ok(Call::new(spec, Idempotency::Read, decode_role_names))
}

/// `PUT /v2/auth/roles/<role>` with `{"role":…,"permissions":{"kv":{"read":null,"write":null}}}`:
/// creates a role without permissions.
///
/// # Errors
/// [`UsageError::InvalidName`] for a bad role name. The call's answer: 200 and 201 are success;
/// any other status is [`Error::Api`] (e.g. 409 `auth: Role <r> already exists.`, 403 for
/// `root`).
pub fn add_role(role: &str) -> Result<Call<()>, Error> {
    let spec = role_put(role, None, None)?;
    Ok(Call::new(spec, Idempotency::Idempotent, decode_done))
}

/// `DELETE /v2/auth/roles/<role>`.
///
/// # Errors
/// [`UsageError::InvalidName`] for a bad role name. The call's answer: 200 and 201 are success;
/// any other status is [`Error::Api`] (a missing role is `auth: Role <r> doesn't exist.`, for
/// which [`Error::is_role_not_found`] is true).
pub fn remove_role(role: &str) -> Result<Call<()>, Error> {
    let spec = RequestSpec::new(Method::DELETE, item_path(ROLES, role)?, PathJoin::Clean);
    Ok(Call::new(spec, Idempotency::Idempotent, decode_done))
}

/// `GET /v2/auth/roles/<role>`: the role and its key permissions.
///
/// # Errors
/// [`UsageError::InvalidName`] for a bad role name. The call's answer: any status but 200 is
/// [`Error::Api`] (404 `auth: Role <r> does not exist.` for a missing role); an undecodable body
/// is a protocol error.
pub fn get_role(role: &str) -> Result<Call<Role>, Error> {
    let spec = RequestSpec::new(Method::GET, item_path(ROLES, role)?, PathJoin::Clean);
    Ok(Call::new(spec, Idempotency::Read, decode_role))
}

/// `PUT /v2/auth/roles/<role>` with a `grant` of key `prefixes` for `permission`.
///
/// The body is `{"role":…,"permissions":{"kv":{"read":null,"write":null}},"grant":{"kv":{"read":R,
/// "write":W}}}`, where `R` and `W` are the prefixes or `null` depending on `permission`.
///
/// # Errors
/// [`UsageError::InvalidName`] for a bad role name; [`UsageError::Empty`] for an empty prefix
/// list. The call's answer: any status but 200 is [`Error::Api`] (e.g. 409 `auth: Granting
/// duplicate read permission <p>`); 200 is the updated role.
pub fn grant_role_kv(
    role: &str,
    prefixes: &[impl AsRef<str>],
    permission: PermissionType,
) -> Result<Call<Role>, Error> {
    let prefixes = prefix_list(prefixes)?;
    let spec = role_put(role, Some(kv_change(&prefixes, permission)), None)?;
    Ok(Call::new(spec, Idempotency::Idempotent, decode_role))
}

/// `PUT /v2/auth/roles/<role>` with a `revoke` of key `prefixes` for `permission`.
///
/// The body is that of [`grant_role_kv`] with `revoke` in place of `grant`.
///
/// # Errors
/// As [`grant_role_kv`].
pub fn revoke_role_kv(
    role: &str,
    prefixes: &[impl AsRef<str>],
    permission: PermissionType,
) -> Result<Call<Role>, Error> {
    let prefixes = prefix_list(prefixes)?;
    let spec = role_put(role, None, Some(kv_change(&prefixes, permission)))?;
    Ok(Call::new(spec, Idempotency::Idempotent, decode_role))
}

fn item_path(collection: &str, name: &str) -> Result<String, UsageError> {
    Ok(alloc::format!("{collection}/{}", path_segment(name)?))
}

fn role_list(roles: &[impl AsRef<str>]) -> Result<Vec<&str>, UsageError> {
    if roles.is_empty() {
        return Err(UsageError::Empty("roles"));
    }
    Ok(roles.iter().map(AsRef::as_ref).collect())
}

fn prefix_list(prefixes: &[impl AsRef<str>]) -> Result<Vec<&str>, UsageError> {
    if prefixes.is_empty() {
        return Err(UsageError::Empty("key prefixes"));
    }
    Ok(prefixes.iter().map(AsRef::as_ref).collect())
}

/// The request body of the user calls (Go: `User`, same field order).
#[derive(Serialize)]
struct UserBody<'a> {
    user: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    password: &'a str,
    /// Never set by the Go client's calls: always `null`.
    roles: Option<&'a [&'a str]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grant: Option<&'a [&'a str]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoke: Option<&'a [&'a str]>,
}

/// A `PUT` of a user: a password for add/change, or roles to grant or revoke.
fn user_put(
    user: &str,
    password: &str,
    grant: Option<&[&str]>,
    revoke: Option<&[&str]>,
) -> Result<RequestSpec, UsageError> {
    let path = item_path(USERS, user)?;
    if grant.is_none() && revoke.is_none() && password.is_empty() {
        return Err(UsageError::Empty("password"));
    }
    let mut spec = RequestSpec::new(Method::PUT, path, PathJoin::Clean);
    spec.body = Some(json_body(&UserBody {
        user,
        password,
        roles: None,
        grant,
        revoke,
    }));
    spec.content_type = Some(JSON);
    spec.secret_body = !password.is_empty();
    Ok(spec)
}

/// The request body of the role calls (Go: `Role`, same field order).
#[derive(Serialize)]
struct RoleBody<'a> {
    role: &'a str,
    /// Never set by the Go client's calls: always `{"kv":{"read":null,"write":null}}`.
    permissions: PermissionsBody<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grant: Option<PermissionsBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoke: Option<PermissionsBody<'a>>,
}

#[derive(Serialize, Default)]
struct PermissionsBody<'a> {
    kv: KvBody<'a>,
}

/// Go's `rwPermission`: unset lists are `null`.
#[derive(Serialize, Default)]
struct KvBody<'a> {
    read: Option<&'a [&'a str]>,
    write: Option<&'a [&'a str]>,
}

/// Go's `buildRWPermission`.
fn kv_change<'a>(prefixes: &'a [&'a str], permission: PermissionType) -> PermissionsBody<'a> {
    let (read, write) = match permission {
        PermissionType::Read => (Some(prefixes), None),
        PermissionType::Write => (None, Some(prefixes)),
        PermissionType::ReadWrite => (Some(prefixes), Some(prefixes)),
    };
    PermissionsBody {
        kv: KvBody { read, write },
    }
}

/// A `PUT` of a role: creation, or permissions to grant or revoke.
fn role_put(
    role: &str,
    grant: Option<PermissionsBody<'_>>,
    revoke: Option<PermissionsBody<'_>>,
) -> Result<RequestSpec, UsageError> {
    let mut spec = RequestSpec::new(Method::PUT, item_path(ROLES, role)?, PathJoin::Clean);
    spec.body = Some(json_body(&RoleBody {
        role,
        permissions: PermissionsBody::default(),
        grant,
        revoke,
    }));
    spec.content_type = Some(JSON);
    Ok(spec)
}

fn decode_done(response: Response<Body>) -> Result<(), Error> {
    expect_status(&response, &[200, 201], api_error)
}

#[derive(Deserialize)]
struct Enabled {
    enabled: bool,
}

fn decode_enabled(response: Response<Body>) -> Result<bool, Error> {
    expect_json::<Enabled>(&response, &[200], api_error).map(|e| e.enabled)
}

/// A user as the server sends it: roles as names or as role objects.
#[derive(Deserialize)]
struct UserWire {
    #[serde(default)]
    user: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    roles: Vec<RoleRef>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RoleRef {
    Name(String),
    Object {
        #[serde(default)]
        role: String,
    },
}

impl From<UserWire> for User {
    fn from(wire: UserWire) -> Self {
        let roles = wire
            .roles
            .into_iter()
            .map(|r| match r {
                RoleRef::Name(role) | RoleRef::Object { role } => role,
            })
            .collect();
        Self {
            user: wire.user,
            roles,
        }
    }
}

fn decode_user(response: Response<Body>) -> Result<User, Error> {
    expect_json::<UserWire>(&response, &[200], api_error).map(User::from)
}

fn decode_changed_user(response: Response<Body>) -> Result<User, Error> {
    if response.status().as_u16() == 201 {
        return Err(ApiError {
            status: 201,
            message: "user did not exist and was created".into(),
        }
        .into());
    }
    decode_user(response)
}

/// `{"users":[{"user":…,"roles":[…]}]}`; only the names are kept.
#[derive(Deserialize)]
struct UserList {
    #[serde(default, deserialize_with = "null_as_empty")]
    users: Vec<UserName>,
}

/// `{"roles":[{"role":…,"permissions":…}]}`; only the names are kept.
#[derive(Deserialize)]
struct RoleList {
    #[serde(default, deserialize_with = "null_as_empty")]
    roles: Vec<RoleName>,
}

/// An entry of the user list; its roles are not needed.
#[derive(Deserialize)]
struct UserName {
    #[serde(default)]
    user: String,
}

/// An entry of the role list; its permissions are not needed.
#[derive(Deserialize)]
struct RoleName {
    #[serde(default)]
    role: String,
}

fn decode_user_names(response: Response<Body>) -> Result<Vec<String>, Error> {
    let list: UserList = expect_json(&response, &[200], api_error)?;
    Ok(list.users.into_iter().map(|u| u.user).collect())
}

fn decode_role_names(response: Response<Body>) -> Result<Vec<String>, Error> {
    let list: RoleList = expect_json(&response, &[200], unexpected_status)?;
    Ok(list.roles.into_iter().map(|r| r.role).collect())
}

fn decode_role(response: Response<Body>) -> Result<Role, Error> {
    expect_json(&response, &[200], api_error)
}
