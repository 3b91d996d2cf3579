//! etcd v2 error codes (`errorCode` in keys error bodies)

use core::fmt;

/// An etcd v2 error code; unknown codes are kept as they are.
///
/// ```
/// use etcd_v2_proto::ErrorCode;
/// assert_eq!(ErrorCode::KEY_NOT_FOUND.as_u16(), 100);
/// assert_eq!(ErrorCode(100).name(), Some("KeyNotFound"));
/// assert_eq!(ErrorCode(999).name(), None);
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct ErrorCode(pub u16);

macro_rules! codes {
    ($($(#[$doc:meta])* $konst:ident = $n:literal, $name:literal;)*) => {
        impl ErrorCode {
            $($(#[$doc])* pub const $konst: Self = Self($n);)*

            /// The Go constant's name without its `ErrorCode` prefix, if the code is known.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($n => Some($name),)*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    /// 100, HTTP 404: the key does not exist.
    KEY_NOT_FOUND = 100, "KeyNotFound";
    /// 101, HTTP 412: prev value or prev index did not match.
    TEST_FAILED = 101, "TestFailed";
    /// 102, HTTP 403: a file operation on a directory.
    NOT_FILE = 102, "NotFile";
    /// 103: the cluster has the maximum number of peers (unused by 3.4).
    NO_MORE_PEER = 103, "NoMorePeer";
    /// 104: a path component is a file.
    NOT_DIR = 104, "NotDir";
    /// 105, HTTP 412: the key already exists.
    NODE_EXIST = 105, "NodeExist";
    /// 106: the key's prefix is an etcd keyword (unused by 3.4).
    KEY_IS_PRESERVED = 106, "KeyIsPreserved";
    /// 107: the root is read only.
    ROOT_R_ONLY = 107, "RootROnly";
    /// 108, HTTP 403: the directory is not empty.
    DIR_NOT_EMPTY = 108, "DirNotEmpty";
    /// 109: the peer address exists (unused by 3.4).
    EXIST_PEER_ADDR = 109, "ExistingPeerAddr";
    /// 110, HTTP 401: authentication required or permission denied.
    UNAUTHORIZED = 110, "Unauthorized";
    /// 200: value required in POST form (unused by 3.4).
    VALUE_REQUIRED = 200, "ValueRequired";
    /// 201: `prevValue` was present but empty.
    PREV_VALUE_REQUIRED = 201, "PrevValueRequired";
    /// 202: the TTL is not a number.
    TTL_NAN = 202, "TTLNaN";
    /// 203: an index is not a number.
    INDEX_NAN = 203, "IndexNaN";
    /// 204: value or TTL required (unused by 3.4).
    VALUE_OR_TTL_REQUIRED = 204, "ValueOrTTLRequired";
    /// 205: the timeout is not a number (unused by 3.4).
    TIMEOUT_NAN = 205, "TimeoutNaN";
    /// 206: name required (unused by 3.4).
    NAME_REQUIRED = 206, "NameRequired";
    /// 207: index or value required (unused by 3.4).
    INDEX_OR_VALUE_REQUIRED = 207, "IndexOrValueRequired";
    /// 208: index and value are mutually exclusive (unused by 3.4).
    INDEX_VALUE_MUTEX = 208, "IndexValueMutex";
    /// 209: a field had an invalid value.
    INVALID_FIELD = 209, "InvalidField";
    /// 210: the form could not be decoded.
    INVALID_FORM = 210, "InvalidForm";
    /// 211: a value was given with `refresh`.
    REFRESH_VALUE = 211, "RefreshValue";
    /// 212: `refresh` without a TTL.
    REFRESH_TTL_REQUIRED = 212, "RefreshTTLRequired";
    /// 300, HTTP 500: internal raft error (e.g. no quorum).
    RAFT_INTERNAL = 300, "RaftInternal";
    /// 301: leader election in progress (not produced by 3.4).
    LEADER_ELECT = 301, "LeaderElect";
    /// 400: the watcher was cleared by recovery (not produced by 3.4).
    WATCHER_CLEARED = 400, "WatcherCleared";
    /// 401 (HTTP 400): the requested watch index is older than the kept history.
    EVENT_INDEX_CLEARED = 401, "EventIndexCleared";
    /// 402: standby internal error (unused).
    STANDBY_INTERNAL = 402, "StandbyInternal";
    /// 403: invalid active size (unused).
    INVALID_ACTIVE_SIZE = 403, "InvalidActiveSize";
    /// 404: invalid remove delay (unused).
    INVALID_REMOVE_DELAY = 404, "InvalidRemoveDelay";
    /// 500: client internal error (unused).
    CLIENT_INTERNAL = 500, "ClientInternal";
}

impl ErrorCode {
    /// The numeric code.
    pub const fn as_u16(self) -> u16 {
        self.0
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}
