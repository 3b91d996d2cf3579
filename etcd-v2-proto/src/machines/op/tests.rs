//! Unit tests of the parent module.

use core::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::call::{Idempotency, PathJoin, RequestSpec};
use crate::machines::config::Config;

static DECODED: AtomicUsize = AtomicUsize::new(0);

fn counting_decoder(_: Response<Body>) -> Result<u32, Error> {
    DECODED.fetch_add(1, Ordering::SeqCst);
    Ok(7)
}

fn answer() -> Response<Body> {
    Response::new(Body::from("{}"))
}

#[test]
#[allow(clippy::disallowed_methods)] // a test's epoch; the op only compares instants
fn decoding_waits_for_decode_answer_or_the_next_poll() {
    let mut cluster = Cluster::new(Config::new(["http://127.0.0.1:2379"])).unwrap();
    let spec = RequestSpec::new(http::Method::GET, "/x".into(), PathJoin::Clean);
    let now = Instant::now();
    for explicit in [true, false] {
        let mut op = Op::new(Call::new(spec.clone(), Idempotency::Read, counting_decoder));
        let Step::Send(t) = op.poll(now, &mut cluster) else {
            panic!("expected a request")
        };
        let before = DECODED.load(Ordering::SeqCst);
        op.handle_response(now, &mut cluster, t.attempt, answer());
        // The cluster (an adapter's lock) is not needed for the decoding itself.
        assert_eq!(DECODED.load(Ordering::SeqCst), before);
        if explicit {
            op.decode_answer();
            assert_eq!(DECODED.load(Ordering::SeqCst), before + 1);
            op.decode_answer();
        }
        assert!(matches!(op.poll(now, &mut cluster), Step::Done(Ok(7))));
        assert_eq!(DECODED.load(Ordering::SeqCst), before + 1);
        // A late duplicate of the same answer is ignored.
        op.handle_response(now, &mut cluster, t.attempt, answer());
        op.decode_answer();
        assert_eq!(DECODED.load(Ordering::SeqCst), before + 1);
    }
}
