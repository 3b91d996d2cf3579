//! Blocking: `etcd-v2-blocking`, and a plain ureq agent (what it is built on) sending the same
//! requests by hand.

use std::sync::Arc;

use etcd_v2_proto::{Config, GetOptions, SetOptions, WatchOptions};

use crate::blocking_runs::{BlockingKv, BlockingWatch};
use crate::plan::value;
use crate::raw;

/// `etcd-v2-blocking` with its defaults.
#[derive(Clone)]
pub(crate) struct Ours {
    client: etcd_v2::blocking::Client,
    value: Arc<str>,
}

impl Ours {
    pub(crate) fn new(endpoints: &[String]) -> Result<Self, String> {
        let client = etcd_v2::blocking::Client::new(Config::new(endpoints.iter().cloned()));
        Ok(Self {
            client: client.map_err(|e| e.to_string())?,
            value: value().into(),
        })
    }
}

/// Our watcher, reporting each event's modified index.
pub(crate) struct OursWatch(etcd_v2::blocking::Watcher);

impl BlockingKv for Ours {
    type Watch = OursWatch;

    fn set(&self, key: &str) -> Result<(), String> {
        self.set_indexed(key).map(drop)
    }

    fn set_indexed(&self, key: &str) -> Result<u64, String> {
        let response = self.client.set(key, &self.value, SetOptions::default());
        let response = response.map_err(|e| e.to_string())?;
        Ok(response.node.map_or(0, |n| n.modified_index))
    }

    fn get(&self, key: &str) -> Result<(), String> {
        let response = self.client.get(key, GetOptions::default());
        response.map(drop).map_err(|e| e.to_string())
    }

    fn list(&self, dir: &str) -> Result<usize, String> {
        let response = self.client.get(dir, GetOptions::default().recursive(true));
        let response = response.map_err(|e| e.to_string())?;
        Ok(response.node.map_or(0, |n| n.nodes.len()))
    }

    fn watch(&self, key: &str, after: u64, recursive: bool) -> OursWatch {
        let opts = WatchOptions::default()
            .recursive(recursive)
            .after_index(after);
        OursWatch(self.client.watcher(key, opts).expect("a valid watch"))
    }
}

impl BlockingWatch for OursWatch {
    fn next(&mut self) -> Result<u64, String> {
        let event = self.0.next().ok_or("the watch ended")?;
        let event = event.map_err(|e| e.to_string())?;
        Ok(event.node.map_or(0, |n| n.modified_index))
    }
}

/// A plain ureq agent (no proxy, statuses as answers, as ours) and hand-built requests.
#[derive(Clone)]
pub(crate) struct Raw {
    agent: ureq::Agent,
    base: Arc<str>,
    body: Arc<str>,
}

impl Raw {
    pub(crate) fn new(endpoints: &[String]) -> Self {
        let config = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .build();
        Self {
            agent: config.new_agent(),
            base: endpoints[0].trim_end_matches('/').into(),
            body: raw::set_body().into(),
        }
    }

    fn get_body(&self, path_and_query: &str) -> Result<(u16, Vec<u8>), String> {
        let url = format!("{}{path_and_query}", self.base);
        let response = self.agent.get(&url).call().map_err(|e| e.to_string())?;
        read(response)
    }

    fn put_body(&self, key: &str) -> Result<(u16, Vec<u8>), String> {
        let url = format!("{}{}", self.base, raw::set_path(key));
        let request = self.agent.put(&url).header("Content-Type", raw::FORM);
        let response = request
            .send(self.body.as_bytes())
            .map_err(|e| e.to_string())?;
        read(response)
    }
}

fn read(mut response: http::Response<ureq::Body>) -> Result<(u16, Vec<u8>), String> {
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_vec();
    Ok((status, body.map_err(|e| e.to_string())?))
}

/// A long-poll loop on [`Raw`].
pub(crate) struct RawWatch {
    raw: Raw,
    key: String,
    recursive: bool,
    wait_index: u64,
}

impl BlockingKv for Raw {
    type Watch = RawWatch;

    fn set(&self, key: &str) -> Result<(), String> {
        let (status, body) = self.put_body(key)?;
        raw::expect_ok(status, &body)
    }

    fn set_indexed(&self, key: &str) -> Result<u64, String> {
        let (status, body) = self.put_body(key)?;
        raw::modified_index(status, &body)
    }

    fn get(&self, key: &str) -> Result<(), String> {
        let (status, body) = self.get_body(&raw::get_path(key))?;
        raw::expect_ok(status, &body)
    }

    fn list(&self, dir: &str) -> Result<usize, String> {
        let (status, body) = self.get_body(&raw::list_path(dir))?;
        raw::expect_ok(status, &body).map(|()| body.len())
    }

    fn watch(&self, key: &str, after: u64, recursive: bool) -> RawWatch {
        RawWatch {
            raw: self.clone(),
            key: key.to_owned(),
            recursive,
            wait_index: after + 1,
        }
    }
}

impl BlockingWatch for RawWatch {
    fn next(&mut self) -> Result<u64, String> {
        let path = raw::wait_path(&self.key, self.recursive, self.wait_index);
        let (status, body) = self.raw.get_body(&path)?;
        let index = raw::modified_index(status, &body)?;
        self.wait_index = index + 1;
        Ok(index)
    }
}
