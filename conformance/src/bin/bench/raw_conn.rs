//! The plain baseline for the adapters built on hyper's bare HTTP/1 connections: hand-built
//! requests on connections kept in a plain idle list, over whichever runtime's TCP `D` dials.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{Request, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;

use crate::raw;
use crate::raw_kv::Exchange;

/// A connection's sending half.
pub(crate) type Sender = SendRequest<Full<Bytes>>;

/// Opens a hyper HTTP/1 connection (TCP_NODELAY, as ours) and spawns its driver.
pub(crate) trait Dial: Clone + Send + Sync + 'static {
    fn dial(&self, addr: SocketAddr) -> impl Future<Output = Result<Sender, String>> + Send;
}

/// hyper HTTP/1 connections, kept in a plain idle list.
#[derive(Clone)]
pub(crate) struct RawConn<D> {
    dial: D,
    addr: SocketAddr,
    host: Arc<str>,
    idle: Arc<Mutex<Vec<Sender>>>,
    body: Bytes,
}

impl<D: Dial> RawConn<D> {
    pub(crate) fn new(dial: D, endpoints: &[String]) -> Result<Self, String> {
        let host = endpoints[0]
            .trim_start_matches("http://")
            .trim_end_matches('/');
        Ok(Self {
            dial,
            addr: host.parse().map_err(|e| format!("{host}: {e}"))?,
            host: host.into(),
            idle: Arc::default(),
            body: Bytes::from(raw::set_body()),
        })
    }

    fn take_idle(&self) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some(sender) = idle.pop() {
            if !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    fn put_idle(&self, sender: Sender) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.push(sender);
    }
}

impl<D: Dial> Exchange for RawConn<D> {
    async fn exchange(&self, path_and_query: &str, put: bool) -> Result<(u16, Bytes), String> {
        let request = if put {
            Request::put(path_and_query)
                .header(header::CONTENT_TYPE, raw::FORM)
                .body(Full::new(self.body.clone()))
        } else {
            Request::get(path_and_query).body(Full::new(Bytes::new()))
        };
        let mut request = request.map_err(|e| e.to_string())?;
        let host = header::HeaderValue::from_str(&self.host).map_err(|e| e.to_string())?;
        request.headers_mut().insert(header::HOST, host);
        let mut sender = match self.take_idle() {
            Some(sender) => sender,
            None => self.dial.dial(self.addr).await?,
        };
        sender.ready().await.map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await;
        let body = body.map_err(|e| e.to_string())?.to_bytes();
        self.put_idle(sender);
        Ok((status, body))
    }
}
