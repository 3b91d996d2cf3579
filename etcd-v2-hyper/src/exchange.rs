//! One exchange: the core's [`Transmit`] sent through a [`Transport`], within its deadlines

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Poll;

use bytes::Bytes;
use etcd_v2_proto::body::{Body, BodyBuffer};
use etcd_v2_proto::{AttemptId, Transmit, TransportFailure};
use http::Response;
use http_body_util::BodyExt;
use hyper::body::Body as _;

use crate::runtime::Runtime;
use crate::transport::{ResponseBody, Transport, error_chain};

/// A stream exchange's body, left open between reads (see `Step::Read`).
pub(crate) type OpenBody = Option<(AttemptId, ResponseBody)>;

/// Sends `t.request` and reads the answer: the head by `t.header_deadline`, the whole body by
/// `t.deadline` and at most `t.max_body` bytes of it; a stream's 2xx body is left in `open`.
pub(crate) async fn exchange<R: Runtime>(
    transport: &dyn Transport,
    t: Transmit,
    open: &mut OpenBody,
) -> Result<Response<Body>, TransportFailure> {
    if let Some(line) = &t.curl {
        eprintln!("{line}"); // with `tracing`, an event of target `etcd_v2::curl`
    }
    let mut alarm = pin!(t.header_deadline.map(R::sleep_until));
    let mut sending = transport.send(t.request);
    let Some(head) = within(alarm.as_mut(), &mut sending.response).await else {
        return Err(if sending.may_have_sent() {
            TransportFailure::Timeout
        } else {
            TransportFailure::Connect("no connection was up by the header deadline".into())
        });
    };
    let (parts, mut body) = head?.into_parts();
    if t.stream && parts.status.is_success() {
        *open = Some((t.attempt, body));
        return Ok(Response::from_parts(parts, Body::default()));
    }
    if t.deadline != t.header_deadline {
        alarm.set(t.deadline.map(R::sleep_until));
    }
    let mut buffer = BodyBuffer::new(t.max_body, body.size_hint().exact());
    while let Some(frame) = within(alarm.as_mut(), body.frame())
        .await
        .ok_or(TransportFailure::Timeout)?
    {
        let frame = frame.map_err(|e| TransportFailure::Io(error_chain(&*e)))?;
        if let Ok(data) = frame.into_data() {
            buffer.push(data)?;
        }
    }
    Ok(Response::from_parts(parts, buffer.finish()))
}

/// `work`'s output, or `None` if `alarm` (when set) goes off first.
pub(crate) async fn within<W: Future, A: Future<Output = ()>>(
    mut alarm: Pin<&mut Option<A>>,
    work: W,
) -> Option<W::Output> {
    let mut work = pin!(work);
    poll_fn(|cx| {
        if let Poll::Ready(out) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        let rang = alarm
            .as_mut()
            .as_pin_mut()
            .is_some_and(|a| a.poll(cx).is_ready());
        if rang {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    })
    .await
}

/// The next data chunk of the open body of stream exchange `attempt` by `deadline` (see
/// `Step::Read`), `None` at its end; the body is dropped unless data came.
pub(crate) async fn read_chunk<R: Runtime>(
    open: &mut OpenBody,
    attempt: AttemptId,
    deadline: Option<std::time::Instant>,
) -> Result<Option<Bytes>, TransportFailure> {
    let mut alarm = pin!(deadline.map(R::sleep_until));
    let chunk = loop {
        let Some((_, body)) = open.as_mut().filter(|(a, _)| *a == attempt) else {
            break Ok(None);
        };
        match within(alarm.as_mut(), body.frame()).await {
            None => break Err(TransportFailure::Timeout),
            Some(None) => break Ok(None),
            Some(Some(Err(e))) => break Err(TransportFailure::Io(error_chain(&*e))),
            Some(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) if !data.is_empty() => break Ok(Some(data)),
                _ => {}
            },
        }
    };
    if !matches!(chunk, Ok(Some(_))) {
        *open = None;
    }
    chunk
}
