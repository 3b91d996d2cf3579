//! The whole etcd v2 API as one trait, written once for every adapter
//!
//! An adapter implements two methods, [`Api::execute`] (drive one [`Call`]) and
//! [`Api::keys_prefix`]; every API method below is provided on top of them. In the blocking
//! adapter `Output<T>` is `Result<T, Error>`; in the async ones it is a future of it.
//!
//! ```text
//! use etcd_v2_blocking::{Api, Client, Config, SetOptions};
//! let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
//! client.set("/foo", "bar", &SetOptions::default())?;
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::call::{Call, auth, keys, members, misc};
use crate::error::Error;
use crate::model::options::{CreateInOrderOptions, DeleteOptions, GetOptions, SetOptions};
use crate::model::{
    Health, KeysResponse, LeaderStats, Member, PermissionType, Role, SelfStats, StoreStats, User,
    Version,
};

/// Every etcd v2 operation, provided on top of [`Api::execute`].
pub trait Api {
    /// What a call returns: `Result<T, Error>`, or a future of it.
    type Output<'a, T: Send + 'static>
    where
        Self: 'a;

    /// Runs one call (a usage error is returned as it is, without sending anything).
    fn execute<'a, T: Send + 'static>(
        &'a self,
        call: Result<Call<T>, Error>,
    ) -> Self::Output<'a, T>;

    /// The keys API prefix (Go: `NewKeysAPIWithPrefix`), `/v2/keys` by default.
    fn keys_prefix(&self) -> &str;

    // ----- keys -----

    /// Reads a key or directory (Go: `KeysAPI.Get`).
    fn get(&self, key: &str, opts: GetOptions) -> Self::Output<'_, KeysResponse> {
        self.execute(keys::get(self.keys_prefix(), key, opts))
    }

    /// Writes a key, with conditions, TTL, dir or refresh (Go: `KeysAPI.Set`).
    fn set(&self, key: &str, value: &str, opts: &SetOptions) -> Self::Output<'_, KeysResponse> {
        self.execute(keys::set(self.keys_prefix(), key, value, opts))
    }

    /// Creates a key that must not exist (Go: `KeysAPI.Create`); never sent twice.
    fn create(&self, key: &str, value: &str) -> Self::Output<'_, KeysResponse> {
        self.execute(keys::create(self.keys_prefix(), key, value))
    }

    /// Updates a key that must exist (Go: `KeysAPI.Update`).
    fn update(&self, key: &str, value: &str) -> Self::Output<'_, KeysResponse> {
        self.execute(keys::update(self.keys_prefix(), key, value))
    }

    /// Creates a key named by its index inside `dir` (Go: `KeysAPI.CreateInOrder`).
    fn create_in_order(
        &self,
        dir: &str,
        value: &str,
        opts: CreateInOrderOptions,
    ) -> Self::Output<'_, KeysResponse> {
        self.execute(keys::create_in_order(self.keys_prefix(), dir, value, opts))
    }

    /// Deletes a key or directory, with conditions (Go: `KeysAPI.Delete`); never sent twice.
    fn delete(&self, key: &str, opts: &DeleteOptions) -> Self::Output<'_, KeysResponse> {
        self.execute(keys::delete(self.keys_prefix(), key, opts))
    }

    // ----- members -----

    /// Lists the members (Go: `MembersAPI.List`).
    fn list_members(&self) -> Self::Output<'_, Vec<Member>> {
        self.execute(members::list())
    }

    /// Adds a member by peer URL (Go: `MembersAPI.Add`).
    fn add_member(&self, peer_url: &str) -> Self::Output<'_, Member> {
        self.execute(members::add(peer_url))
    }

    /// Removes a member by id (Go: `MembersAPI.Remove`).
    fn remove_member(&self, id: &str) -> Self::Output<'_, ()> {
        self.execute(members::remove(id))
    }

    /// Changes a member's peer URLs (Go: `MembersAPI.Update`).
    fn update_member(&self, id: &str, peer_urls: &[&str]) -> Self::Output<'_, ()> {
        self.execute(members::update(id, peer_urls))
    }

    /// The current leader (Go: `MembersAPI.Leader`).
    fn leader(&self) -> Self::Output<'_, Member> {
        self.execute(members::leader())
    }

    // ----- auth -----

    /// Turns auth on (Go: `AuthAPI.Enable`).
    fn enable_auth(&self) -> Self::Output<'_, ()> {
        self.execute(auth::enable())
    }

    /// Turns auth off (Go: `AuthAPI.Disable`).
    fn disable_auth(&self) -> Self::Output<'_, ()> {
        self.execute(auth::disable())
    }

    /// Whether auth is on (`GET /v2/auth/enable`; not in the Go client).
    fn auth_enabled(&self) -> Self::Output<'_, bool> {
        self.execute(auth::enabled())
    }

    /// User names (Go: `AuthUserAPI.ListUsers`).
    fn list_users(&self) -> Self::Output<'_, Vec<String>> {
        self.execute(auth::list_users())
    }

    /// Creates a user, or sets an existing user's password (Go: `AddUser`).
    fn add_user(&self, user: &str, password: &str) -> Self::Output<'_, ()> {
        self.execute(auth::add_user(user, password))
    }

    /// Removes a user (Go: `RemoveUser`).
    fn remove_user(&self, user: &str) -> Self::Output<'_, ()> {
        self.execute(auth::remove_user(user))
    }

    /// A user and its roles (Go: `GetUser`).
    fn get_user(&self, user: &str) -> Self::Output<'_, User> {
        self.execute(auth::get_user(user))
    }

    /// Grants roles to a user (Go: `GrantUser`).
    fn grant_user(&self, user: &str, roles: &[&str]) -> Self::Output<'_, User> {
        self.execute(auth::grant_user(user, roles))
    }

    /// Revokes roles from a user (Go: `RevokeUser`).
    fn revoke_user(&self, user: &str, roles: &[&str]) -> Self::Output<'_, User> {
        self.execute(auth::revoke_user(user, roles))
    }

    /// Changes an existing user's password (Go: `ChangePassword`).
    fn change_password(&self, user: &str, password: &str) -> Self::Output<'_, User> {
        self.execute(auth::change_password(user, password))
    }

    /// Role names (Go: `AuthRoleAPI.ListRoles`).
    fn list_roles(&self) -> Self::Output<'_, Vec<String>> {
        self.execute(auth::list_roles())
    }

    /// Creates a role (Go: `AddRole`).
    fn add_role(&self, role: &str) -> Self::Output<'_, ()> {
        self.execute(auth::add_role(role))
    }

    /// Removes a role (Go: `RemoveRole`).
    fn remove_role(&self, role: &str) -> Self::Output<'_, ()> {
        self.execute(auth::remove_role(role))
    }

    /// A role and its permissions (Go: `GetRole`).
    fn get_role(&self, role: &str) -> Self::Output<'_, Role> {
        self.execute(auth::get_role(role))
    }

    /// Grants key prefixes to a role (Go: `GrantRoleKV`).
    fn grant_role_kv(
        &self,
        role: &str,
        prefixes: &[&str],
        perm: PermissionType,
    ) -> Self::Output<'_, Role> {
        self.execute(auth::grant_role_kv(role, prefixes, perm))
    }

    /// Revokes key prefixes from a role (Go: `RevokeRoleKV`).
    fn revoke_role_kv(
        &self,
        role: &str,
        prefixes: &[&str],
        perm: PermissionType,
    ) -> Self::Output<'_, Role> {
        self.execute(auth::revoke_role_kv(role, prefixes, perm))
    }

    // ----- cluster information -----

    /// Server and cluster version (Go: `Client.GetVersion`).
    fn version(&self) -> Self::Output<'_, Version> {
        self.execute(misc::version())
    }

    /// The answering member's `/health`.
    fn health(&self) -> Self::Output<'_, Health> {
        self.execute(misc::health())
    }

    /// The answering member's raft statistics (`/v2/stats/self`).
    fn stats_self(&self) -> Self::Output<'_, SelfStats> {
        self.execute(misc::stats_self())
    }

    /// Follower statistics, from the leader only (`/v2/stats/leader`).
    fn stats_leader(&self) -> Self::Output<'_, LeaderStats> {
        self.execute(misc::stats_leader())
    }

    /// Store operation counters (`/v2/stats/store`).
    fn stats_store(&self) -> Self::Output<'_, StoreStats> {
        self.execute(misc::stats_store())
    }

    /// Client URLs of all members (`/v2/machines`).
    fn machines(&self) -> Self::Output<'_, Vec<String>> {
        self.execute(misc::machines())
    }
}
