//! The headers every request carries whatever the call (`User-Agent`, and `Content-Length: 0`
//! on a bodyless PUT or POST), checked here once so the vectors compare only the API's own.

use bytes::Bytes;
use http::{HeaderMap, Method, Request, header};

/// `req`'s headers less the framing ones, after checking those.
pub(crate) fn api_headers(req: &Request<Bytes>) -> HeaderMap {
    let mut headers = req.headers().clone();
    assert_eq!(
        headers
            .remove(header::USER_AGENT)
            .as_ref()
            .map(|v| v.to_str().unwrap()),
        Some(etcd_v2_proto::call::USER_AGENT),
        "{} {}",
        req.method(),
        req.uri()
    );
    let bodyless_write =
        req.body().is_empty() && matches!(*req.method(), Method::PUT | Method::POST);
    let length = headers.remove(header::CONTENT_LENGTH);
    assert_eq!(
        length.as_ref().map(|v| v.to_str().unwrap()),
        bodyless_write.then_some("0"),
        "{} {}: Content-Length",
        req.method(),
        req.uri()
    );
    headers
}
