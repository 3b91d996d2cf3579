//! Property tests of the DNS decoder: any bytes in, no panic out; and encode/decode round trips.
#![cfg(feature = "srv")]

use etcd_v2_proto::dns::{DnsError, parse_srv_response, srv_query};
use proptest::prelude::*;

/// A response header with the given id and counts, QR set, RCODE 0.
fn header(id: u16, questions: u16, answers: u16) -> Vec<u8> {
    let mut out = id.to_be_bytes().to_vec();
    out.extend_from_slice(&[0x81, 0x80]);
    out.extend_from_slice(&questions.to_be_bytes());
    out.extend_from_slice(&answers.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_bytes_no_panic(id: u16, packet in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_srv_response(id, &packet);
    }

    /// A valid header followed by junk: the body parser sees every input, not only the header
    /// checks.
    #[test]
    fn any_body_no_panic(
        id: u16,
        questions in 0u16..4,
        answers: u16,
        body in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut packet = header(id, questions, answers);
        packet.extend_from_slice(&body);
        match parse_srv_response(id, &packet) {
            Ok(records) => prop_assert!(records.len() <= usize::from(answers)),
            Err(DnsError::Malformed(_)) => {}
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    /// Bodies made mostly of pointers and short labels: loops and chains everywhere.
    #[test]
    fn pointer_soup_no_panic(
        id: u16,
        body in proptest::collection::vec(
            prop_oneof![Just(0xc0u8), 0u8..20, Just(0), Just(33), any::<u8>()],
            0..300,
        ),
    ) {
        let mut packet = header(id, 1, 3);
        packet.extend_from_slice(&body);
        let _ = parse_srv_response(id, &packet);
    }

    /// Names made of valid labels encode, and the query's id and question type are in place.
    #[test]
    fn queries_of_valid_names(id: u16, labels in proptest::collection::vec("[a-z0-9_-]{1,20}", 1..8)) {
        let name = labels.join(".");
        let query = srv_query(id, &name).unwrap();
        prop_assert_eq!(&query[..2], &id.to_be_bytes());
        prop_assert_eq!(query.len(), 12 + name.len() + 2 + 4);
        prop_assert_eq!(&query[query.len() - 4..], &[0, 33, 0, 1]);
    }
}
