//! What `/v2/stats/{self,leader,store}` answer

use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `/v2/stats/self`: this member's raft state and traffic.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfStats {
    /// Member name.
    #[serde(default)]
    pub name: String,
    /// Member id (hex).
    #[serde(default)]
    pub id: String,
    /// `StateLeader` or `StateFollower`.
    #[serde(default)]
    pub state: String,
    /// When the member started (RFC 3339).
    #[serde(default)]
    pub start_time: String,
    /// The leader as this member sees it.
    #[serde(default)]
    pub leader_info: LeaderInfo,
    /// Append requests received.
    #[serde(default)]
    pub recv_append_request_cnt: u64,
    /// Append requests sent.
    #[serde(default)]
    pub send_append_request_cnt: u64,
    /// Receive rate in requests per second, when non-zero.
    #[serde(default)]
    pub recv_pkg_rate: Option<f64>,
    /// Receive bandwidth in bytes per second, when non-zero.
    #[serde(default)]
    pub recv_bandwidth_rate: Option<f64>,
    /// Send rate in requests per second, when non-zero.
    #[serde(default)]
    pub send_pkg_rate: Option<f64>,
    /// Send bandwidth in bytes per second, when non-zero.
    #[serde(default)]
    pub send_bandwidth_rate: Option<f64>,
}

/// The leader part of [`SelfStats`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderInfo {
    /// Leader id (hex).
    #[serde(default)]
    pub leader: String,
    /// How long it has led, as Go prints durations.
    #[serde(default)]
    pub uptime: String,
    /// When it became leader.
    #[serde(default)]
    pub start_time: String,
}

/// `/v2/stats/leader`: the leader's view of its followers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LeaderStats {
    /// Leader id (hex).
    #[serde(default)]
    pub leader: String,
    /// Per follower id, in id order.
    #[serde(default)]
    pub followers: alloc::collections::BTreeMap<String, FollowerStats>,
}

/// One follower in [`LeaderStats`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FollowerStats {
    /// Round-trip latency in milliseconds.
    #[serde(default)]
    pub latency: LatencyStats,
    /// Append successes and failures.
    #[serde(default)]
    pub counts: CountStats,
}

/// Latency figures in milliseconds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencyStats {
    /// Latest.
    #[serde(default)]
    pub current: f64,
    /// Mean.
    #[serde(default)]
    pub average: f64,
    /// Standard deviation.
    #[serde(default)]
    pub standard_deviation: f64,
    /// Smallest.
    #[serde(default)]
    pub minimum: f64,
    /// Largest.
    #[serde(default)]
    pub maximum: f64,
}

/// Success and failure counts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CountStats {
    /// Failed appends.
    #[serde(default)]
    pub fail: u64,
    /// Successful appends.
    #[serde(default)]
    pub success: u64,
}

/// `/v2/stats/store`: operation counters of the v2 store.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // the field names are the counters etcd reports
pub struct StoreStats {
    #[serde(default)]
    pub gets_success: u64,
    #[serde(default)]
    pub gets_fail: u64,
    #[serde(default)]
    pub sets_success: u64,
    #[serde(default)]
    pub sets_fail: u64,
    #[serde(default)]
    pub delete_success: u64,
    #[serde(default)]
    pub delete_fail: u64,
    #[serde(default)]
    pub update_success: u64,
    #[serde(default)]
    pub update_fail: u64,
    #[serde(default)]
    pub create_success: u64,
    #[serde(default)]
    pub create_fail: u64,
    #[serde(default)]
    pub compare_and_swap_success: u64,
    #[serde(default)]
    pub compare_and_swap_fail: u64,
    #[serde(default)]
    pub compare_and_delete_success: u64,
    #[serde(default)]
    pub compare_and_delete_fail: u64,
    #[serde(default)]
    pub expire_count: u64,
    #[serde(default)]
    pub watchers: u64,
}
