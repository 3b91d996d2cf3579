//! The scenario suite: one set of scenarios, run through every adapter against real etcd, and
//! those the fake models also against the in-memory fake etcd ([`etcd_v2_fake::FakeServer`]).
//!
//! A scenario is a plain function `fn(&Ctx) -> Result<(), String>` (it may also panic with a
//! clear message). [`SCENARIOS`] lists them with what etcd they need and whether they also
//! run on the fake; [`run_scenario`] gives one a context for one adapter and one backend.
//! Scenarios that share the single member (`Needs::Shared`) only touch keys below their own
//! [`Ctx::prefix`], so they can run in parallel.

use std::fmt::{Debug, Display};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use etcd_v2_fake::FakeServer;
use etcd_v2_proto::{Config, Error, ErrorCode, KeysResponse, Node};

use crate::etcd_process::EtcdCluster;
use crate::sut::{Adapter, Sut};

pub mod at_most_once;
pub mod auth;
pub mod cluster_info;
pub mod conditions;
pub mod dirs;
pub mod errors;
pub mod failover;
pub mod go_doc;
pub mod go_examples;
pub mod keys;
pub mod members;
pub mod names;
pub mod ttl;
pub mod under_faults;
pub mod unix_socket;
pub mod watch;
pub mod watch_deadlines;
pub mod watch_history;
pub mod watch_liveness;
pub mod watch_stream;

/// What etcd a scenario needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Needs {
    /// The shared single member; the scenario stays below its prefix and changes nothing global.
    Shared,
    /// A single member of its own (it enables auth, kills or restarts the member, or floods
    /// the event history).
    OwnSingle,
    /// A single member of its own that also serves clients on a unix socket
    /// ([`EtcdCluster::unix_socket_path`]).
    OwnUnixSocket,
    /// A three-member cluster of its own (member changes, kills, SIGSTOP, sync).
    OwnCluster3,
    /// A three-member cluster of its own whose members can be cut off from each other
    /// ([`EtcdCluster::isolate`]).
    OwnCluster3Isolable,
}

/// Which servers a scenario runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backends {
    /// Real etcd only: the scenario needs what the fake does not model (auth, member
    /// changes, stats, killed or stopped members, faults, replication).
    EtcdOnly,
    /// Real etcd, and the fake with as many members as [`Needs`] asks for.
    EtcdAndFake,
}

/// The server of one trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Real etcd members.
    Etcd,
    /// The in-memory fake etcd over loopback HTTP.
    Fake,
}

/// A scenario: `Err` (or a panic) with a message saying what differed.
pub type Scenario = fn(&Ctx<'_>) -> Result<(), String>;

/// What a scenario runs against.
#[derive(Clone, Copy)]
pub enum Server<'a> {
    /// Real etcd (shared or the scenario's own).
    Etcd(&'a Mutex<EtcdCluster>),
    /// The fake etcd of this trial.
    Fake(&'a FakeServer),
}

/// Everything a scenario gets.
pub struct Ctx<'a> {
    /// The client under test, configured with every member of [`Ctx::server`].
    pub sut: Sut,
    /// The server the scenario runs against.
    pub server: Server<'a>,
    /// A key directory unique to this (scenario, adapter), e.g. `/conformance/keys_set_get/tokio`.
    pub prefix: String,
}

impl Ctx<'_> {
    /// The adapter under test.
    pub fn adapter(&self) -> Adapter {
        self.sut.adapter()
    }

    /// The real etcd the scenario runs against; lock it to kill, stop or restart members,
    /// which only scenarios with their own cluster may do.
    ///
    /// # Panics
    /// On the fake: a scenario that needs real members is [`Backends::EtcdOnly`].
    pub fn etcd(&self) -> &Mutex<EtcdCluster> {
        match self.server {
            Server::Etcd(etcd) => etcd,
            Server::Fake(_) => panic!("this scenario needs real etcd: mark it Backends::EtcdOnly"),
        }
    }

    /// `<prefix>/<rel>`.
    pub fn key(&self, rel: &str) -> String {
        format!("{}/{rel}", self.prefix)
    }

    /// The real cluster, locked (a panic in another scenario cannot leave it half-updated).
    ///
    /// # Panics
    /// On the fake, as [`Ctx::etcd`].
    pub fn cluster(&self) -> MutexGuard<'_, EtcdCluster> {
        self.etcd().lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Client URLs of every member.
    pub fn urls(&self) -> Vec<String> {
        match self.server {
            Server::Etcd(_) => self.cluster().client_urls(),
            Server::Fake(fake) => fake.endpoints(),
        }
    }

    /// Client URL of member `i`.
    ///
    /// # Panics
    /// If there is no member `i`.
    pub fn url(&self, i: usize) -> String {
        match self.server {
            Server::Etcd(_) => self.cluster().client_url(i),
            Server::Fake(fake) => fake.endpoints()[i].clone(),
        }
    }

    /// Another client of the same adapter.
    ///
    /// # Errors
    /// The adapter refused the config.
    pub fn sut_with(&self, config: Config) -> Result<Sut, String> {
        Sut::new(self.adapter(), config).ctx("building a client")
    }
}

/// One registered scenario.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The scenario's name: its function's.
    pub name: &'static str,
    /// What etcd it needs (on the fake: one member, or three for `OwnCluster3*`).
    pub needs: Needs,
    /// Whether it also runs on the fake.
    pub backends: Backends,
    /// The scenario itself.
    pub run: Scenario,
}

/// Builds [`SCENARIOS`]: each entry is `Needs, Backends => module::function`, named after the
/// function.
macro_rules! registry {
    ($($needs:ident, $backends:ident => $module:ident::$name:ident,)*) => {
        &[$(Entry {
            name: stringify!($name),
            needs: Needs::$needs,
            backends: Backends::$backends,
            run: $module::$name,
        },)*]
    };
}

/// Every scenario with its name, what etcd it needs and whether it also runs on the fake, in
/// the order trials are scheduled (own three-member clusters first: they are the slowest).
pub const SCENARIOS: &[Entry] = registry![
    OwnCluster3Isolable, EtcdOnly => under_faults::faults_register_linearizable,
    OwnCluster3Isolable, EtcdOnly => under_faults::faults_cas_counter_audit,
    OwnCluster3Isolable, EtcdOnly => under_faults::faults_plain_reads_on_isolated_member_are_stale,
    OwnCluster3, EtcdOnly => at_most_once::at_most_once_set_to_stopped_member,
    OwnCluster3, EtcdOnly => at_most_once::at_most_once_cas_with_lost_answer,
    OwnCluster3, EtcdOnly => at_most_once::at_most_once_deadline_after_send,
    OwnCluster3, EtcdOnly => at_most_once::at_most_once_no_hidden_resend,
    OwnCluster3, EtcdOnly => members::members_add_update_remove,
    OwnCluster3, EtcdOnly => members::members_sync_learns_all_endpoints,
    OwnCluster3, EtcdOnly => cluster_info::cluster_info_three_members,
    OwnCluster3, EtcdOnly => failover::failover_read_after_killing_pinned,
    OwnCluster3, EtcdOnly => failover::failover_sigstopped_member_header_timeout,
    OwnCluster3, EtcdOnly => failover::failover_watch_continues_after_member_kill,
    OwnCluster3, EtcdOnly => failover::failover_watch_skips_stopped_member,
    OwnCluster3, EtcdOnly => watch_liveness::watch_moves_on_from_a_killed_member,
    OwnCluster3, EtcdOnly => watch_liveness::watch_moves_on_from_a_stopped_member,
    OwnCluster3, EtcdOnly => watch_stream::watch_stream_mode_moves_on_from_a_killed_member,
    OwnCluster3, EtcdOnly => watch_stream::watch_stream_mode_moves_on_from_a_stopped_member,
    OwnSingle, EtcdAndFake => watch_liveness::watch_quiet_key_survives_heavy_writes,
    OwnSingle, EtcdAndFake => watch_liveness::watch_long_run_delivers_every_write_once,
    OwnSingle, EtcdAndFake => watch_history::watch_event_index_cleared,
    OwnSingle, EtcdAndFake => watch_history::watch_resync_after_cleared_history,
    OwnSingle, EtcdOnly => watch_stream::watch_stream_mode_falls_behind_and_catches_up,
    OwnSingle, EtcdAndFake => watch_stream::watch_stream_mode_event_index_cleared,
    OwnSingle, EtcdAndFake => watch_stream::watch_stream_mode_resync_after_cleared_history,
    OwnSingle, EtcdOnly => auth::auth_users_roles_permissions,
    OwnSingle, EtcdOnly => failover::failover_create_on_killed_only_endpoints,
    OwnSingle, EtcdOnly => failover::failover_create_on_stale_pooled_connections,
    OwnUnixSocket, EtcdOnly => unix_socket::unix_socket_example,
    Shared, EtcdAndFake => keys::keys_set_get,
    Shared, EtcdAndFake => keys::keys_create_update,
    Shared, EtcdAndFake => keys::keys_delete,
    Shared, EtcdAndFake => keys::keys_create_in_order,
    Shared, EtcdAndFake => keys::keys_quorum_get,
    Shared, EtcdAndFake => keys::keys_no_value_on_success,
    Shared, EtcdAndFake => keys::keys_hidden,
    Shared, EtcdAndFake => keys::keys_custom_prefix_and_endpoint_path,
    Shared, EtcdAndFake => conditions::keys_cas_on_value,
    Shared, EtcdAndFake => conditions::keys_cas_on_index,
    Shared, EtcdAndFake => conditions::keys_cas_on_exist,
    Shared, EtcdAndFake => conditions::keys_cad_on_value,
    Shared, EtcdAndFake => conditions::keys_cad_on_index,
    Shared, EtcdAndFake => ttl::ttl_node_fields,
    Shared, EtcdAndFake => ttl::ttl_key_expires,
    Shared, EtcdAndFake => ttl::ttl_refresh_keeps_value_and_wakes_no_watcher,
    Shared, EtcdAndFake => dirs::dirs_mkdir_and_list,
    Shared, EtcdAndFake => dirs::dirs_delete,
    Shared, EtcdAndFake => dirs::dirs_deep_and_large_listings,
    Shared, EtcdAndFake => errors::errors_typed_codes,
    Shared, EtcdAndFake => errors::errors_usage_nothing_sent,
    Shared, EtcdAndFake => errors::errors_body_too_large,
    Shared, EtcdAndFake => watch::watch_one_shot_future_only,
    Shared, EtcdAndFake => watch::watch_after_index_returns_past_event,
    Shared, EtcdAndFake => watch::watch_recursive,
    Shared, EtcdAndFake => watch::watch_stream_without_gaps,
    Shared, EtcdAndFake => watch::watch_ancestor_delete,
    Shared, EtcdAndFake => watch_stream::watch_stream_mode_without_gaps,
    Shared, EtcdAndFake => watch_stream::watch_stream_mode_recursive,
    Shared, EtcdAndFake => watch_stream::watch_stream_mode_broken_between_events_resumes_once,
    Shared, EtcdAndFake => watch_stream::watch_stream_mode_deadlines_lose_nothing,
    Shared, EtcdAndFake => watch_deadlines::watch_with_timeout,
    Shared, EtcdAndFake => watch_deadlines::watch_from_now_after_a_deadline_loses_nothing,
    Shared, EtcdAndFake => watch_deadlines::watch_abandoned_wait_loses_nothing,
    Shared, EtcdOnly => members::members_list_and_leader,
    Shared, EtcdOnly => cluster_info::cluster_info_single_member,
    Shared, EtcdAndFake => names::names_awkward_keys_round_trip,
    Shared, EtcdAndFake => names::names_path_cleaning,
    Shared, EtcdAndFake => go_examples::go_example_set_get,
    Shared, EtcdAndFake => go_examples::go_example_my_nodes_sorted,
    Shared, EtcdAndFake => go_examples::go_example_create_delete_prev_value,
    Shared, EtcdAndFake => go_examples::go_example_timeout,
    Shared, EtcdAndFake => go_doc::go_doc_examples,
    Shared, EtcdAndFake => failover::failover_create_past_unreachable_member,
];

/// `(adapter, scenario, why)`: trials known to fail because of an adapter bug. The suite
/// marks them ignored (run them with `--include-ignored`); remove an entry once fixed.
pub const KNOWN_FAILURES: &[(Adapter, &str, &str)] = &[];

/// Why `adapter` is known to fail `scenario`, if it is.
pub fn known_failure(adapter: Adapter, scenario: &str) -> Option<&'static str> {
    KNOWN_FAILURES
        .iter()
        .find(|(a, s, _)| *a == adapter && *s == scenario)
        .map(|(_, _, why)| *why)
}

/// Runs one scenario through one adapter on real etcd: starts the etcd it needs (or takes
/// `shared`), builds the client over every member and calls it with a fresh prefix.
///
/// # Errors
/// The fixture could not start etcd, or the scenario failed.
pub fn run_scenario<'a>(
    adapter: Adapter,
    entry: &Entry,
    shared: impl FnOnce() -> Result<&'a Mutex<EtcdCluster>, String>,
) -> Result<(), String> {
    let Entry {
        name, needs, run, ..
    } = *entry;
    let own = match needs {
        Needs::Shared => None,
        Needs::OwnSingle => Some(EtcdCluster::single()),
        Needs::OwnUnixSocket => Some(EtcdCluster::start_with_unix_socket()),
        Needs::OwnCluster3 => Some(EtcdCluster::start(3)),
        Needs::OwnCluster3Isolable => Some(EtcdCluster::start_isolable(3)),
    };
    let own = match own {
        Some(Ok(cluster)) => Some(Mutex::new(cluster)),
        Some(Err(e)) => return Err(format!("starting etcd: {e}")),
        None => None,
    };
    let etcd = match &own {
        Some(own) => own,
        None => shared()?,
    };
    run_on(adapter, name, run, Server::Etcd(etcd))
}

/// Runs one scenario through one adapter on a fake etcd of its own, with one member (three
/// for `OwnCluster3*`).
///
/// # Errors
/// The scenario is [`Backends::EtcdOnly`], the fake could not start, or the scenario failed.
pub fn run_scenario_on_fake(adapter: Adapter, entry: &Entry) -> Result<(), String> {
    if entry.backends == Backends::EtcdOnly {
        return Err(format!("{} does not run on the fake", entry.name));
    }
    let members = match entry.needs {
        Needs::OwnCluster3 | Needs::OwnCluster3Isolable => 3,
        Needs::Shared | Needs::OwnSingle | Needs::OwnUnixSocket => 1,
    };
    let fake = FakeServer::start(members).map_err(|e| format!("starting the fake: {e}"))?;
    run_on(adapter, entry.name, entry.run, Server::Fake(&fake))
}

fn run_on(adapter: Adapter, name: &str, run: Scenario, server: Server<'_>) -> Result<(), String> {
    let urls = match server {
        Server::Etcd(etcd) => etcd
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .client_urls(),
        Server::Fake(fake) => fake.endpoints(),
    };
    let ctx = Ctx {
        sut: Sut::new(adapter, Config::new(urls)).ctx("building the client")?,
        server,
        prefix: format!("/conformance/{name}/{adapter}"),
    };
    run(&ctx)
}

/// Turns a client error into a scenario failure naming the step.
pub trait Check<T> {
    /// `Ok` as is; an error becomes `"<what>: <error> (<debug>)"`.
    ///
    /// # Errors
    /// The client error, described.
    fn ctx(self, what: impl Display) -> Result<T, String>;
}

impl<T> Check<T> for Result<T, Error> {
    fn ctx(self, what: impl Display) -> Result<T, String> {
        self.map_err(|e| format!("{what}: unexpected error: {e} ({e:?})"))
    }
}

/// The error of a call that had to fail.
///
/// # Errors
/// The call succeeded.
pub fn expect_err<T: Debug>(result: Result<T, Error>, what: impl Display) -> Result<Error, String> {
    match result {
        Ok(v) => Err(format!("{what}: expected an error, got Ok({v:?})")),
        Err(e) => Ok(e),
    }
}

/// The etcd error of a call that had to fail with keys error `code`.
///
/// # Errors
/// The call succeeded or failed otherwise.
pub fn expect_code<T: Debug>(
    result: Result<T, Error>,
    code: u16,
    what: impl Display,
) -> Result<etcd_v2_proto::EtcdError, String> {
    let e = expect_err(result, &what)?;
    match e.etcd() {
        Some(etcd) if etcd.code == ErrorCode(code) => Ok(etcd.clone()),
        _ => Err(format!(
            "{what}: expected etcd error {code}, got {e} ({e:?})"
        )),
    }
}

/// The node of a response that must carry one.
///
/// # Errors
/// The response has no node.
pub fn node(resp: &KeysResponse) -> Result<&Node, String> {
    resp.node
        .as_ref()
        .ok_or_else(|| format!("response without a node: {resp:?}"))
}

/// The keys of a directory node's children, in the order given.
pub fn child_keys(node: &Node) -> Vec<&str> {
    node.nodes.iter().map(|n| n.key.as_str()).collect()
}

/// Polls `probe` every 50 ms until it returns `Some`, for at most `bound`.
///
/// # Errors
/// `what` if the bound passed first.
pub fn poll_until<T>(
    bound: Duration,
    what: impl Display,
    mut probe: impl FnMut() -> Option<T>,
) -> Result<T, String> {
    let deadline = Instant::now() + bound;
    loop {
        if let Some(v) = probe() {
            return Ok(v);
        }
        if Instant::now() >= deadline {
            return Err(format!("{what}: still not the case after {bound:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A 127.0.0.1 URL with a port nothing listens on right now.
pub fn unused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    let port = listener.local_addr().expect("local addr").port();
    format!("http://127.0.0.1:{port}")
}
