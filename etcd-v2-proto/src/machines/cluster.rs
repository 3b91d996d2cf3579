//! The cluster: what the client knows across calls (endpoints, pin, config)
//!
//! One `Cluster` is shared by every call of a client. Calls touch it only inside synchronous
//! methods, so an adapter can keep it behind a plain mutex that is never held across a wait.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::error::Error;
use crate::machines::config::Config;
use crate::machines::rng::Rng;
use crate::wire::endpoint::Endpoint;

/// Endpoints, the pinned (preferred) one, the config and the shuffle's RNG.
#[derive(Debug, Clone)]
pub struct Cluster {
    config: Config,
    /// Shared with the snapshots of running calls: starting a call copies no endpoint.
    endpoints: Arc<[Endpoint]>,
    pinned: usize,
    /// Bumped on every change of the endpoint list, so a call never re-pins a list it did not see.
    generation: u64,
    rng: Rng,
    cluster_id: Option<String>,
    /// The highest `X-Etcd-Index` any answer carried (0: none yet).
    last_index: u64,
}

/// What a call copies from the cluster when it starts.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) endpoints: Arc<[Endpoint]>,
    pub(crate) pinned: usize,
    pub(crate) generation: u64,
}

impl Cluster {
    /// A cluster from a config; the endpoints are checked and shuffled (Go: `client.New`).
    ///
    /// # Errors
    /// [`Error::NoEndpoints`] for an empty list, [`Error::Usage`] for a URL that is not
    /// `http(s)://host[:port][/path]`.
    pub fn new(config: Config) -> Result<Self, Error> {
        // The core reads no entropy: the adapters seed it (`Config::seed`).
        let seed = config.seed.unwrap_or(0);
        let mut cluster = Self {
            endpoints: Arc::new([]),
            pinned: 0,
            generation: 0,
            rng: Rng::new(seed),
            cluster_id: config.expected_cluster_id.clone(),
            last_index: 0,
            config,
        };
        let initial = cluster.config.endpoints.clone();
        cluster.set_endpoints(&initial)?;
        Ok(cluster)
    }

    /// Replaces the endpoints, shuffled, pin reset to the first (Go: `SetEndpoints`).
    ///
    /// On error the old list is kept.
    ///
    /// # Errors
    /// As [`Cluster::new`].
    pub fn set_endpoints<S: AsRef<str>>(&mut self, endpoints: &[S]) -> Result<(), Error> {
        let mut parsed = parse_all(endpoints)?;
        self.rng.shuffle(&mut parsed);
        self.replace(parsed, 0);
        Ok(())
    }

    /// The endpoints in the order the next call tries them: the pinned one first, then the
    /// others in their (shuffled) order, cyclically (Go: `Endpoints()`).
    pub fn endpoints(&self) -> Vec<String> {
        let (tail, head) = self
            .endpoints
            .split_at(self.pinned.min(self.endpoints.len()));
        head.iter()
            .chain(tail)
            .map(|e| e.as_str().to_string())
            .collect()
    }

    /// The endpoint tried first by the next call.
    pub fn pinned(&self) -> Option<&Endpoint> {
        self.endpoints.get(self.pinned)
    }

    /// Turns curl debugging on or off for the calls that start from now on (Go:
    /// `EnablecURLDebug` / `DisablecURLDebug`, per client here).
    pub fn set_curl_debug(&mut self, on: bool) {
        self.config.curl_debug = on;
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The cluster id every answer must carry, once pinned by config.
    pub fn cluster_id(&self) -> Option<&str> {
        self.cluster_id.as_deref()
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            endpoints: Arc::clone(&self.endpoints),
            pinned: self.pinned,
            generation: self.generation,
        }
    }

    /// Makes `index` of the list seen by a call the pin, if the list has not changed since.
    /// The highest `X-Etcd-Index` an answer to this client carried, if any: every write the
    /// client sends from now on that is applied gets a higher index.
    pub fn last_index(&self) -> Option<u64> {
        (self.last_index > 0).then_some(self.last_index)
    }

    /// Notes the `X-Etcd-Index` of an answer.
    pub(crate) fn saw_index(&mut self, index: u64) {
        self.last_index = self.last_index.max(index);
    }

    pub(crate) fn pin(&mut self, generation: u64, index: usize) {
        if generation == self.generation && index < self.endpoints.len() {
            self.pinned = index;
        }
    }

    pub(crate) fn replace(&mut self, endpoints: Vec<Endpoint>, pinned: usize) {
        self.endpoints = endpoints.into();
        self.pinned = pinned;
        self.generation += 1;
    }

    pub(crate) fn shuffle(&mut self, endpoints: &mut [Endpoint]) {
        self.rng.shuffle(endpoints);
    }

    pub(crate) fn same_set(&self, other: &[Endpoint]) -> bool {
        let mut a: Vec<&str> = self.endpoints.iter().map(Endpoint::as_str).collect();
        let mut b: Vec<&str> = other.iter().map(Endpoint::as_str).collect();
        a.sort_unstable();
        b.sort_unstable();
        a == b
    }
}

/// Parses every URL; an empty list is [`Error::NoEndpoints`].
pub(crate) fn parse_all<S: AsRef<str>>(endpoints: &[S]) -> Result<Vec<Endpoint>, Error> {
    if endpoints.is_empty() {
        return Err(Error::NoEndpoints);
    }
    endpoints
        .iter()
        .map(|e| Endpoint::parse(e.as_ref()).map_err(Error::from))
        .collect()
}
