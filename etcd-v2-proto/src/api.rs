//! The whole etcd v2 API as one trait, written once for every adapter
//!
//! An adapter implements two methods, [`Api::execute`] (drive one [`Call`]) and
//! [`Api::keys_prefix`]; every API method below is provided on top of them. In the blocking
//! adapter `Output<T>` is `Result<T, Error>`; in the async ones it is a future of it.
//!
//! The methods are listed once, in `__api_list!`: the trait's provided methods and each
//! client's inherent methods ([`api_methods!`](crate::api_methods), so that no trait import
//! is needed to call them) are both made from that list.
//!
//! ```text
//! use etcd_v2_blocking::{Client, Config, SetOptions};
//! let client = Client::new(Config::new(["http://127.0.0.1:2379"]))?;
//! client.set("/foo", "bar", SetOptions::default())?;
//! ```

use crate::call::Call;
use crate::error::Error;

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

    crate::__api_list! { __api_trait_methods! {} }
}

/// Gives a client type every API method as an inherent method (callable without importing
/// [`Api`], which the type must implement), each returning `$alias<'_, T>`; and the methods
/// on its endpoint list (`endpoints`, `pinned_endpoint`, `set_endpoints`, `set_curl_debug`),
/// which lock the type's [`Cluster`](crate::Cluster) through its method
/// `fn cluster(&self) -> impl DerefMut<Target = Cluster>`.
///
/// ```ignore
/// pub type Pending<'a, T> = BoxFuture<'a, Result<T, Error>>;
/// etcd_v2_proto::api_methods!(impl[R: Runtime] Client<R>, Pending);
/// ```
#[macro_export]
macro_rules! api_methods {
    (impl[$($gen:tt)*] $self_ty:ty, $alias:ident) => {
        $crate::__api_list! { __api_inherent_methods! { [$($gen)*] $self_ty, $alias } }
    };
}

/// Calls `$cb!` with the list of every API method: name, parameters, answer and the call.
#[doc(hidden)]
#[macro_export]
macro_rules! __api_list {
    ($cb:ident! { $($args:tt)* }) => {
        $crate::$cb! {
            { $($args)* }
            /// Reads a key or directory (Go: `KeysAPI.Get`).
            fn get(key: &str, opts: $crate::GetOptions) -> $crate::KeysResponse
                = |prefix| $crate::call::keys::get(prefix, key, opts);
            /// Writes a key, with conditions, TTL, dir or refresh (Go: `KeysAPI.Set`).
            fn set(key: &str, value: &str, opts: $crate::SetOptions) -> $crate::KeysResponse
                = |prefix| $crate::call::keys::set(prefix, key, value, &opts);
            /// Creates a key that must not exist (Go: `KeysAPI.Create`); never sent twice.
            fn create(key: &str, value: &str) -> $crate::KeysResponse
                = |prefix| $crate::call::keys::create(prefix, key, value);
            /// Updates a key that must exist (Go: `KeysAPI.Update`).
            fn update(key: &str, value: &str) -> $crate::KeysResponse
                = |prefix| $crate::call::keys::update(prefix, key, value);
            /// Creates a key named by its index inside `dir` (Go: `KeysAPI.CreateInOrder`).
            fn create_in_order(dir: &str, value: &str, opts: $crate::CreateInOrderOptions)
                -> $crate::KeysResponse
                = |prefix| $crate::call::keys::create_in_order(prefix, dir, value, opts);
            /// Deletes a key or directory, with conditions (Go: `KeysAPI.Delete`); never sent
            /// twice.
            fn delete(key: &str, opts: $crate::DeleteOptions) -> $crate::KeysResponse
                = |prefix| $crate::call::keys::delete(prefix, key, &opts);
            /// Lists the members (Go: `MembersAPI.List`).
            fn list_members() -> ::std::vec::Vec<$crate::Member>
                = |_| $crate::call::members::list();
            /// Adds a member by peer URL (Go: `MembersAPI.Add`).
            fn add_member(peer_url: &str) -> $crate::Member
                = |_| $crate::call::members::add(peer_url);
            /// Removes a member by id (Go: `MembersAPI.Remove`).
            fn remove_member(id: &str) -> () = |_| $crate::call::members::remove(id);
            /// Changes a member's peer URLs (Go: `MembersAPI.Update`).
            fn update_member(id: &str, peer_urls: &[impl AsRef<str>]) -> ()
                = |_| $crate::call::members::update(id, peer_urls);
            /// The current leader (Go: `MembersAPI.Leader`).
            fn leader() -> $crate::Member = |_| $crate::call::members::leader();
            /// Turns auth on (Go: `AuthAPI.Enable`).
            fn enable_auth() -> () = |_| $crate::call::auth::enable();
            /// Turns auth off (Go: `AuthAPI.Disable`).
            fn disable_auth() -> () = |_| $crate::call::auth::disable();
            /// Whether auth is on (`GET /v2/auth/enable`; not in the Go client).
            fn auth_enabled() -> bool = |_| $crate::call::auth::enabled();
            /// User names (Go: `AuthUserAPI.ListUsers`).
            fn list_users() -> ::std::vec::Vec<::std::string::String>
                = |_| $crate::call::auth::list_users();
            /// Creates a user, or sets an existing user's password (Go: `AddUser`).
            fn add_user(user: &str, password: &str) -> ()
                = |_| $crate::call::auth::add_user(user, password);
            /// Removes a user (Go: `RemoveUser`).
            fn remove_user(user: &str) -> () = |_| $crate::call::auth::remove_user(user);
            /// A user and its roles (Go: `GetUser`).
            fn get_user(user: &str) -> $crate::User = |_| $crate::call::auth::get_user(user);
            /// Grants roles to a user (Go: `GrantUser`).
            fn grant_user(user: &str, roles: &[impl AsRef<str>]) -> $crate::User
                = |_| $crate::call::auth::grant_user(user, roles);
            /// Revokes roles from a user (Go: `RevokeUser`).
            fn revoke_user(user: &str, roles: &[impl AsRef<str>]) -> $crate::User
                = |_| $crate::call::auth::revoke_user(user, roles);
            /// Changes an existing user's password (Go: `ChangePassword`).
            fn change_password(user: &str, password: &str) -> $crate::User
                = |_| $crate::call::auth::change_password(user, password);
            /// Role names (Go: `AuthRoleAPI.ListRoles`).
            fn list_roles() -> ::std::vec::Vec<::std::string::String>
                = |_| $crate::call::auth::list_roles();
            /// Creates a role (Go: `AddRole`).
            fn add_role(role: &str) -> () = |_| $crate::call::auth::add_role(role);
            /// Removes a role (Go: `RemoveRole`).
            fn remove_role(role: &str) -> () = |_| $crate::call::auth::remove_role(role);
            /// A role and its permissions (Go: `GetRole`).
            fn get_role(role: &str) -> $crate::Role = |_| $crate::call::auth::get_role(role);
            /// Grants key prefixes to a role (Go: `GrantRoleKV`).
            fn grant_role_kv(
                role: &str, prefixes: &[impl AsRef<str>], perm: $crate::PermissionType
            ) -> $crate::Role
                = |_| $crate::call::auth::grant_role_kv(role, prefixes, perm);
            /// Revokes key prefixes from a role (Go: `RevokeRoleKV`).
            fn revoke_role_kv(
                role: &str, prefixes: &[impl AsRef<str>], perm: $crate::PermissionType
            ) -> $crate::Role
                = |_| $crate::call::auth::revoke_role_kv(role, prefixes, perm);
            /// Server and cluster version (Go: `Client.GetVersion`).
            fn version() -> $crate::Version = |_| $crate::call::misc::version();
            /// The answering member's `/health`.
            fn health() -> $crate::Health = |_| $crate::call::misc::health();
            /// The answering member's raft statistics (`/v2/stats/self`).
            fn stats_self() -> $crate::SelfStats = |_| $crate::call::misc::stats_self();
            /// Follower statistics, from the leader only (`/v2/stats/leader`).
            fn stats_leader() -> $crate::LeaderStats = |_| $crate::call::misc::stats_leader();
            /// Store operation counters (`/v2/stats/store`).
            fn stats_store() -> $crate::StoreStats = |_| $crate::call::misc::stats_store();
            /// Client URLs of all members (`/v2/machines`).
            fn machines() -> ::std::vec::Vec<::std::string::String>
                = |_| $crate::call::misc::machines();
        }
    };
}

/// The list as the trait's provided methods.
#[doc(hidden)]
#[macro_export]
macro_rules! __api_trait_methods {
    (
        {}
        $( $(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty = $body:expr; )*
    ) => {
        $(
            $(#[$doc])*
            fn $name(&self $(, $arg: $ty)*) -> Self::Output<'_, $out> {
                let call = ($body)(self.keys_prefix());
                self.execute(call)
            }
        )*
    };
}

/// The list as a client's inherent methods, each calling the trait's.
#[doc(hidden)]
#[macro_export]
macro_rules! __api_inherent_methods {
    (
        { [$($gen:tt)*] $self_ty:ty, $alias:ident }
        $( $(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty = $body:expr; )*
    ) => {
        impl<$($gen)*> $self_ty {
            $(
                $(#[$doc])*
                pub fn $name(&self $(, $arg: $ty)*) -> $alias<'_, $out> {
                    <Self as $crate::Api>::$name(self $(, $arg)*)
                }
            )*
        }

        impl<$($gen)*> $self_ty {
            /// The endpoints in the order the next call tries them, the pinned one first (Go:
            /// `Endpoints`).
            pub fn endpoints(&self) -> ::std::vec::Vec<::std::string::String> {
                self.cluster().endpoints()
            }

            /// The endpoint the next call tries first: the one that answered last (Go pins it
            /// too).
            pub fn pinned_endpoint(&self) -> ::core::option::Option<::std::string::String> {
                self.cluster().pinned().map(|e| e.as_str().to_owned())
            }

            /// Replaces the endpoints (Go: `SetEndpoints`); on error the old list is kept.
            ///
            /// # Errors
            /// [`Error::NoEndpoints`]($crate::Error::NoEndpoints) for an empty list,
            /// [`Error::Usage`]($crate::Error::Usage) for an invalid endpoint URL.
            pub fn set_endpoints(
                &self,
                endpoints: &[impl AsRef<str>],
            ) -> ::core::result::Result<(), $crate::Error> {
                self.cluster().set_endpoints(endpoints)
            }

            /// Prints each request as a curl command to stderr from now on, or stops (Go:
            /// `EnablecURLDebug` / `DisablecURLDebug`; `Config::curl_debug` sets the start).
            /// Passwords never show.
            pub fn set_curl_debug(&self, on: bool) {
                self.cluster().set_curl_debug(on);
            }
        }
    };
}
