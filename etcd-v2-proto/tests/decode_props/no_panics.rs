//! Any status, headers and body in: no decoder panics, and only answer errors come out.

use etcd_v2_proto::WatchPoll;
use etcd_v2_proto::body::clone_response;
use etcd_v2_proto::call::keys;
use etcd_v2_proto::{Error, KeysResponse, ProtocolError, decode_keys_response};
use http::Response;
use proptest::prelude::*;

use crate::decoders::{api_decoders, is_answer_error, keys_decoders, split};
use crate::inputs::{body, build, headers, status, unknown_members};

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Keys answers never panic; success only for 200/201 with a body; anything else is
    /// an etcd error or a protocol error.
    #[test]
    fn keys_decoder_never_panics(status in status(), headers in headers(), body in body()) {
        let response = build(status, &headers, body.clone());
        let result = decode_keys_response(clone_response(&response));
        match &result {
            Ok(_) => {
                prop_assert!(status == 200 || status == 201, "success from {}", status);
                prop_assert!(!body.is_empty());
            }
            Err(Error::Etcd(_)) => prop_assert!(status != 200 && status != 201),
            Err(Error::Protocol(ProtocolError::EmptyBody)) => {
                prop_assert!((status == 200 || status == 201) && body.is_empty());
            }
            Err(Error::Protocol(_)) => {}
            Err(other) => prop_assert!(false, "unexpected error kind {:?}", other),
        }
        // Every keys call decodes exactly like the free function.
        for (name, decoder) in keys_decoders() {
            prop_assert_eq!(decoder(&response).is_ok(), result.is_ok(), "{}", name);
        }
    }

    /// The keys decoder gives what serde_json gives for the same body (the decoders in
    /// `model`, kept for users), however the body is cut into chunks: equal values, or an
    /// error from both. A body that is not UTF-8 is always an error.
    #[test]
    fn keys_decoder_agrees_with_serde(
        body in prop_oneof![body(), unknown_members()],
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..5),
    ) {
        let response = Response::builder().status(200).body(split(&body, &cuts)).unwrap();
        let ours = decode_keys_response(response);
        let Ok(text) = std::str::from_utf8(&body) else {
            prop_assert!(ours.is_err(), "{:?}", ours);
            return Ok(());
        };
        let starts_as_object = text.trim_start_matches([' ', '\t', '\n', '\r']).starts_with('{');
        let oracle = serde_json::from_str::<KeysResponse>(text).ok().filter(|_| starts_as_object);
        prop_assert_eq!(ours.ok(), oracle, "{}", text);
    }

    /// The watch poll decoder: never panics; an empty poll only for an empty 200/201; an event
    /// always carries a node.
    #[test]
    fn wait_decoder_never_panics(status in status(), headers in headers(), body in body()) {
        let call = keys::wait("/v2/keys", "k", true, 7).unwrap();
        let response = build(status, &headers, body.clone());
        match call.decode(response) {
            Ok(WatchPoll::Empty { .. }) => {
                prop_assert!((status == 200 || status == 201) && body.is_empty());
            }
            Ok(WatchPoll::Event(event)) => {
                prop_assert!(status == 200 || status == 201);
                prop_assert!(event.node.is_some());
            }
            Ok(other) => prop_assert!(false, "a long poll decoded as {:?}", other),
            Err(e) => {
                prop_assert!(is_answer_error(&e), "{:?}", e);
                prop_assert!(e != Error::Protocol(ProtocolError::EmptyBody));
            }
        }
    }

    /// Members, auth and misc decoders: never panic; success only for statuses the APIs
    /// answer with on success (200, 201, 204, 410 for a removed member, 503 for /health).
    #[test]
    fn api_decoders_never_panic(status in status(), headers in headers(), body in body()) {
        let response = build(status, &headers, body);
        for (name, decoder) in api_decoders() {
            match decoder(&response) {
                Ok(()) => prop_assert!(
                    [200, 201, 204, 410, 503].contains(&status),
                    "{} succeeded with {}", name, status
                ),
                Err(e) => prop_assert!(is_answer_error(&e), "{}: {:?}", name, e),
            }
        }
    }
}
