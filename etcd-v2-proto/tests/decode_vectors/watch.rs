//! Watch polls (`docs/protocol.md#watches`): the wait decoder.

use etcd_v2_proto::WatchPoll;
use etcd_v2_proto::call::keys;
use etcd_v2_proto::{Error, ProtocolError};

use crate::{is_invalid_json, response};

#[test]
fn wait_decoder() {
    let call = keys::wait("/v2/keys", "/rk", false, 45).unwrap();
    // An event.
    let event = r#"{"action":"set","node":{"key":"/rk","value":"v","ttl":10,"modifiedIndex":45,"createdIndex":45}}"#;
    match call
        .decode(response(200, &[("X-Etcd-Index", "51")], event))
        .unwrap()
    {
        WatchPoll::Event(e) => {
            assert_eq!(e.index, 51);
            assert_eq!(e.node.unwrap().modified_index, 45);
        }
        other => panic!("{other:?}"),
    }
    // An empty long poll is not an error here (the Watch re-polls).
    match call
        .decode(response(200, &[("X-Etcd-Index", "51")], ""))
        .unwrap()
    {
        WatchPoll::Empty { index } => assert_eq!(index, Some(51)),
        other => panic!("{other:?}"),
    }
    match call.decode(response(200, &[], "")).unwrap() {
        WatchPoll::Empty { index } => assert_eq!(index, None),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        call.decode(response(200, &[("X-Etcd-Index", "x")], "")),
        Err(Error::Protocol(ProtocolError::BadHeader { .. }))
    ));
    // A success without a node would crash Go; here it is a typed protocol error.
    assert_eq!(
        call.decode(response(200, &[], r#"{"action":"set"}"#))
            .unwrap_err(),
        Error::Protocol(ProtocolError::MissingNode)
    );
    // 401 from the history.
    let cleared = r#"{"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [108/5]","index":1107}"#;
    let e = call
        .decode(response(400, &[("X-Etcd-Index", "1107")], cleared))
        .unwrap_err();
    assert!(e.is_event_index_cleared(), "{e:?}");
    // Anything else follows the keys rules.
    assert!(is_invalid_json(
        &call.decode(response(418, &[], "")).unwrap_err(),
        418
    ));
    assert!(is_invalid_json(
        &call.decode(response(200, &[], "garbage")).unwrap_err(),
        200
    ));
}
