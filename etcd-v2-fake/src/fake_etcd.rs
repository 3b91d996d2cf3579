//! Fake etcd members: requests in, etcd 3.4's answers out, over one shared store
//!
//! A [`FakeCluster`] owns the [`Store`] and every [`FakeMember`]; a member is addressed by
//! index ([`FakeCluster::member`], giving a [`FakeEtcd`]) or by the request's URL
//! ([`FakeCluster::handle`]). Each member has fault switches: `down` (connection refused),
//! `stalled` (no answer), `fail_with` (a 5xx, nothing applied) and `drop_after_send` (the
//! request is applied, then the connection breaks: the "outcome unknown" case).
//!
//! Served: `/v2/keys/...` (GET with `wait`/`waitIndex`, HEAD, PUT, POST, DELETE),
//! `GET /v2/members`, `GET /v2/members/leader`, `/version`, `/health`; anything else is the
//! Go mux's `404 page not found`. Headers are the real server's: `X-Etcd-Index`,
//! `X-Etcd-Cluster-Id`, `X-Raft-Index`, `X-Raft-Term`, `Content-Type`.

use etcd_v2_proto::body::Body;
use std::collections::BTreeMap;
use std::time::Duration;
use std::time::Instant;

use bytes::Bytes;
use http::{Method, Request, Response};

use crate::history::{Event, WatcherId, Watching};
use crate::store::{Store, StoreError, TtlOptions};
use crate::wire::{
    Form, JSON, KeyRequest, TEXT, error_json, error_status, event_json, go_json, key_request,
    not_allowed, reply, server_error,
};
use etcd_v2_proto::ErrorCode;
use etcd_v2_proto::Member;
use etcd_v2_proto::TransportFailure;
use etcd_v2_proto::unescape_path;

/// The cluster id every fake member reports (`X-Etcd-Cluster-Id`).
pub const CLUSTER_ID: u64 = 0xcdf8_1819_4e3a_8c32;
/// What `/version` reports as the server version.
pub const SERVER_VERSION: &str = "3.4.23";
/// What `/version` reports as the cluster version.
pub const CLUSTER_VERSION: &str = "3.4.0";

const KEYS: &str = "/v2/keys";

/// What a fake member does with one request.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per exchange
pub enum FakeReply {
    /// An HTTP answer.
    Response(Response<Body>),
    /// A watch waiting for an event: ask [`FakeCluster::poll_watch`] after later writes.
    Pending(WatcherId),
    /// No answer at all (a stalled member): the client gives up at its deadline.
    Stalled,
    /// A transport failure instead of an answer.
    Fail(TransportFailure),
}

/// One member's identity and fault switches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeMember {
    /// Member id (listed as lower-case hex).
    pub id: u64,
    /// Member name.
    pub name: String,
    /// Peer URLs (only listed).
    pub peer_urls: Vec<String>,
    /// Client URLs: requests to these reach this member.
    pub client_urls: Vec<String>,
    /// Refuse connections ([`TransportFailure::Connect`]); nothing is applied.
    pub down: bool,
    /// Never answer ([`FakeReply::Stalled`]); nothing is applied.
    pub stalled: bool,
    /// Answer every request with this status (a 5xx); nothing is applied.
    pub fail_with: Option<u16>,
    /// Apply the request, then break the connection ([`TransportFailure::Io`]).
    pub drop_after_send: bool,
    /// Requests addressed to this member, whatever its faults.
    pub requests: u64,
}

impl FakeMember {
    /// Member `index` of a fake cluster: `http://10.0.0.<index+1>:2379`, peer port 2380.
    pub fn new(index: usize) -> Self {
        let host = format!("10.0.0.{}", index + 1);
        Self {
            id: member_id(index),
            name: format!("fake{index}"),
            peer_urls: vec![format!("http://{host}:2380")],
            client_urls: vec![format!("http://{host}:2379")],
            down: false,
            stalled: false,
            fail_with: None,
            drop_after_send: false,
            requests: 0,
        }
    }

    /// The first client URL.
    pub fn url(&self) -> &str {
        self.client_urls.first().map_or("", String::as_str)
    }

    /// Clears every fault switch.
    pub fn heal(&mut self) {
        self.down = false;
        self.stalled = false;
        self.fail_with = None;
        self.drop_after_send = false;
    }

    /// The member as `/v2/members` lists it.
    pub fn to_member(&self) -> Member {
        Member {
            id: format!("{:x}", self.id),
            name: self.name.clone(),
            peer_urls: self.peer_urls.clone(),
            client_urls: self.client_urls.clone(),
        }
    }
}

/// A stable, random-looking member id (splitmix64 of the index).
fn member_id(index: usize) -> u64 {
    let mut z = (index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The whole fake: one store, its members, the raft counters.
#[derive(Debug)]
pub struct FakeCluster {
    /// The shared v2 store; tests may read and write it directly.
    pub store: Store,
    /// The members, in creation order (listed sorted by id, like etcd).
    pub members: Vec<FakeMember>,
    /// Reported in `X-Etcd-Cluster-Id`.
    pub cluster_id: u64,
    /// The leading member (index into `members`); `None`: no leader (503 on leader and health).
    pub leader: Option<usize>,
    /// `X-Raft-Term`.
    pub term: u64,
    /// `X-Raft-Index`: bumped by every write request and quorum read.
    pub raft_index: u64,
    /// Pending watches and the (raft index, store index) when they were registered.
    pending: BTreeMap<WatcherId, (u64, u64)>,
}

impl FakeCluster {
    /// `members` fresh members over an empty store (see [`Store::new`]); member 0 leads.
    pub fn new(members: usize, epoch: Instant) -> Self {
        Self::with_store(Store::new(epoch), members)
    }

    /// `members` fresh members over this store; member 0 leads.
    pub fn with_store(store: Store, members: usize) -> Self {
        Self {
            raft_index: store.index() + 2,
            store,
            members: (0..members).map(FakeMember::new).collect(),
            cluster_id: CLUSTER_ID,
            leader: (members > 0).then_some(0),
            term: 2,
            pending: BTreeMap::new(),
        }
    }

    /// Every member's client URLs.
    pub fn client_urls(&self) -> Vec<String> {
        self.members
            .iter()
            .flat_map(|m| m.client_urls.iter().cloned())
            .collect()
    }

    /// The member serving `url` (a client URL, or a request URL on it).
    pub fn member_index(&self, url: &str) -> Option<usize> {
        let origin = url.split_once("://").map_or(url, |(scheme, rest)| {
            let end = rest.find('/').unwrap_or(rest.len());
            &url[..scheme.len() + 3 + end]
        });
        let same = |u: &String| u.trim_end_matches('/').eq_ignore_ascii_case(origin);
        self.members
            .iter()
            .position(|m| m.client_urls.iter().any(same))
    }

    /// Member `index` as a server.
    ///
    /// # Panics
    /// If there is no such member.
    pub fn member(&mut self, index: usize) -> FakeEtcd<'_> {
        assert!(index < self.members.len(), "no fake member {index}");
        FakeEtcd {
            cluster: self,
            index,
        }
    }

    /// Serves `request` at the member its URL names; an unknown host refuses the connection.
    pub fn handle(&mut self, now: Instant, request: &Request<Bytes>) -> FakeReply {
        match self.member_index(&request.uri().to_string()) {
            Some(index) => self.member(index).handle(now, request),
            None => FakeReply::Fail(refused(request)),
        }
    }

    /// The answer to a pending watch, once a write (or an expiry by `now`) matched it.
    pub fn poll_watch(&mut self, id: WatcherId, now: Instant) -> Option<Response<Body>> {
        self.store.expire(now);
        let event = self.store.take_event(id)?;
        let (raft_index, _) = self.pending.remove(&id).unwrap_or((self.raft_index, 0));
        Some(self.event_response(&event, 200, raft_index, event_json(&event, false)))
    }

    /// The head etcd sends as soon as a watch is registered, before its event: 200 and the
    /// index headers of the registration (`None` if `id` is not pending).
    pub fn watch_head(&self, id: WatcherId) -> Option<Response<Body>> {
        let &(raft_index, etcd_index) = self.pending.get(&id)?;
        let headers = [
            ("X-Etcd-Cluster-Id", format!("{:x}", self.cluster_id)),
            ("X-Etcd-Index", etcd_index.to_string()),
            ("X-Raft-Index", raft_index.to_string()),
            ("X-Raft-Term", self.term.to_string()),
        ];
        Some(reply(200, &headers, JSON, String::new()))
    }

    /// Forgets a pending watch (the client gave up).
    pub fn cancel_watch(&mut self, id: WatcherId) {
        self.pending.remove(&id);
        self.store.cancel_watch(id);
    }

    fn serve(&mut self, now: Instant, request: &Request<Bytes>) -> FakeReply {
        let path = request.uri().path();
        let get = request.method() == Method::GET;
        let answer = match path {
            "/version" if get => {
                let body = format!(
                    "{{\"etcdserver\":\"{SERVER_VERSION}\",\"etcdcluster\":\"{CLUSTER_VERSION}\"}}"
                );
                reply(200, &[], JSON, body)
            }
            "/health" if get => match self.leader {
                Some(_) => reply(200, &[], TEXT, "{\"health\":\"true\"}\n".into()),
                None => reply(503, &[], TEXT, "{\"health\":\"false\"}\n".into()),
            },
            "/version" | "/health" => not_allowed("GET"),
            "/v2/members" | "/v2/members/leader" if get => self.members_answer(path),
            // Member add/update/remove are not modelled.
            "/v2/members" | "/v2/members/leader" => not_allowed("GET"),
            p if p == KEYS || p.starts_with("/v2/keys/") => return self.keys(now, request),
            _ => reply(404, &[], TEXT, "404 page not found\n".into()),
        };
        FakeReply::Response(answer)
    }

    fn members_answer(&self, path: &str) -> Response<Body> {
        let id = [("X-Etcd-Cluster-Id", format!("{:x}", self.cluster_id))];
        if path.ends_with("/leader") {
            return match self.leader.and_then(|i| self.members.get(i)) {
                Some(m) => reply(200, &id, JSON, go_json(&m.to_member())),
                None => reply(503, &id, JSON, "{\"message\":\"During election\"}\n".into()),
            };
        }
        let mut members: Vec<&FakeMember> = self.members.iter().collect();
        members.sort_by_key(|m| m.id);
        #[derive(serde::Serialize)]
        struct List {
            members: Vec<Member>,
        }
        let list = List {
            members: members.iter().map(|m| m.to_member()).collect(),
        };
        reply(200, &id, JSON, go_json(&list))
    }

    fn keys(&mut self, now: Instant, request: &Request<Bytes>) -> FakeReply {
        let method = request.method();
        use Method as M;
        if !matches!(*method, M::HEAD | M::GET | M::PUT | M::POST | M::DELETE) {
            return FakeReply::Response(not_allowed("HEAD,GET,PUT,POST,DELETE"));
        }
        let Some(key) = unescape_path(&request.uri().path()[KEYS.len()..]) else {
            return FakeReply::Response(reply(400, &[], TEXT, "400 Bad Request".into()));
        };
        let parsed = Form::parse(request)
            .map_err(|cause| StoreError::new(ErrorCode::INVALID_FORM, cause, 0))
            .and_then(|form| key_request(method, &form));
        let outcome = parsed.and_then(|r| Ok((self.apply(now, method, &key, &r)?, r)));
        let (event, r) = match outcome {
            Ok((Ok(event), r)) => (event, r),
            Ok((Err(id), _)) => return FakeReply::Pending(id),
            Err(e) => return FakeReply::Response(self.error_response(&e)),
        };
        let status = if event.is_created() && !r.wait {
            201
        } else {
            200
        };
        let body = match *method {
            Method::HEAD => String::new(),
            _ => event_json(&event, r.no_value_on_success),
        };
        FakeReply::Response(self.event_response(&event, status, self.raft_index, body))
    }

    /// The store operation a keys request means (etcd's `applierV2store` dispatch);
    /// `Err(id)` inside is a watch left pending.
    fn apply(
        &mut self,
        now: Instant,
        method: &Method,
        key: &str,
        r: &KeyRequest,
    ) -> Result<Result<Event, WatcherId>, StoreError> {
        let s = &mut self.store;
        let ttl = TtlOptions {
            ttl: r.ttl.map(Duration::from_secs),
            refresh: r.refresh,
        };
        let conditional = r.prev_index > 0 || !r.prev_value.is_empty();
        let read = matches!(*method, Method::GET | Method::HEAD);
        if !read || r.quorum {
            self.raft_index += 1;
        }
        let prev = (r.prev_value.as_str(), r.prev_index);
        let value = (!r.dir).then_some(r.value.as_str());
        let event = match *method {
            _ if read && r.wait => match s.watch(now, key, r.recursive, r.wait_index)? {
                Watching::Ready(event) => event,
                Watching::Pending(id) => {
                    self.pending.insert(id, (self.raft_index, s.index()));
                    return Ok(Err(id));
                }
            },
            _ if read => s.get(now, key, r.recursive)?,
            Method::POST => s.create_node(now, key, value, true, ttl.ttl)?,
            Method::DELETE if conditional => s.compare_and_delete(now, key, prev)?,
            Method::DELETE => s.delete(now, key, r.dir, r.recursive)?,
            _ => match r.prev_exist {
                Some(false) => s.create_node(now, key, value, false, ttl.ttl)?,
                Some(true) if !conditional => s.update(now, key, &r.value, ttl)?,
                _ if conditional => s.compare_and_swap(now, key, prev, &r.value, ttl)?,
                _ => s.set(now, key, value, ttl)?,
            },
        };
        Ok(Ok(event))
    }

    fn event_response(&self, e: &Event, status: u16, raft: u64, body: String) -> Response<Body> {
        let headers = [
            ("X-Etcd-Cluster-Id", format!("{:x}", self.cluster_id)),
            ("X-Etcd-Index", e.etcd_index.to_string()),
            ("X-Raft-Index", raft.to_string()),
            ("X-Raft-Term", self.term.to_string()),
        ];
        reply(status, &headers, JSON, body)
    }

    fn error_response(&self, e: &StoreError) -> Response<Body> {
        let headers = [
            ("X-Etcd-Cluster-Id", format!("{:x}", self.cluster_id)),
            ("X-Etcd-Index", e.index.to_string()),
        ];
        reply(error_status(e.code), &headers, JSON, error_json(e))
    }
}

/// One member of a [`FakeCluster`], as a server.
#[derive(Debug)]
pub struct FakeEtcd<'a> {
    cluster: &'a mut FakeCluster,
    index: usize,
}

impl FakeEtcd<'_> {
    /// This member's identity and fault switches.
    pub fn state(&mut self) -> &mut FakeMember {
        &mut self.cluster.members[self.index]
    }

    /// Serves one request, faults first (see the module doc).
    pub fn handle(&mut self, now: Instant, request: &Request<Bytes>) -> FakeReply {
        let member = &mut self.cluster.members[self.index];
        member.requests += 1;
        if member.down {
            return FakeReply::Fail(refused(request));
        }
        if member.stalled {
            return FakeReply::Stalled;
        }
        if let Some(status) = member.fail_with {
            return FakeReply::Response(server_error(status, request.uri().path()));
        }
        let drop = member.drop_after_send;
        let answer = self.cluster.serve(now, request);
        if !drop {
            return answer;
        }
        if let FakeReply::Pending(id) = answer {
            self.cluster.cancel_watch(id);
        }
        FakeReply::Fail(TransportFailure::Io("EOF".into()))
    }
}

fn refused(request: &Request<Bytes>) -> TransportFailure {
    let authority = request.uri().authority().map_or("", |a| a.as_str());
    TransportFailure::Connect(format!("dial tcp {authority}: connect: connection refused"))
}
