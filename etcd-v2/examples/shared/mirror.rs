//! The local copy of a directory that the `watch_resync_*` examples keep in step.

use std::collections::BTreeMap;

use etcd_v2::{Action, KeysResponse};

/// Applies one watch item to the local copy of the directory.
pub(crate) fn apply(copy: &mut BTreeMap<String, String>, item: KeysResponse) {
    let Some(node) = item.node else {
        copy.clear(); // a resync of a directory that is gone
        return;
    };
    match item.action {
        Action::Resync => {
            copy.clear();
            for child in node.nodes {
                copy.insert(child.key, child.value.unwrap_or_default());
            }
        }
        Action::Delete | Action::Expire | Action::CompareAndDelete => {
            copy.remove(&node.key);
        }
        _ => {
            copy.insert(node.key, node.value.unwrap_or_default());
        }
    }
}
