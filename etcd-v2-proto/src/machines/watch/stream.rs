//! The body of a stream-mode watch, held open by the adapter: its lines, decoded as events

use crate::wire::body::{Body, LineSplitter};
use bytes::Bytes;
use http::{HeaderMap, Response};

use crate::call::keys;
use crate::error::{Error, TransportFailure};
use crate::machines::task::AttemptId;
use crate::model::WatchPoll;

/// A stream whose body the adapter holds open.
#[derive(Debug)]
pub(super) struct OpenStream {
    pub(super) attempt: AttemptId,
    /// Its head's headers, given to each event as a poll's answer's are.
    head: HeaderMap,
    /// Its `X-Etcd-Index`: an event at or below it came from etcd's history, and ends it.
    pub(super) head_index: Option<u64>,
    lines: LineSplitter,
    /// The next line, decoded outside the adapter's lock (see `Task::decode_answer`).
    decoded: Option<Result<WatchPoll, Error>>,
    /// The body ended (`None`) or broke (`Some`); lines received before are still read.
    pub(super) ended: Option<Option<TransportFailure>>,
    /// Lines read so far.
    pub(super) events: u64,
}

impl OpenStream {
    /// The stream opened by `attempt`, whose head had `head` and `head_index`; each line holds
    /// at most `max_line` bytes.
    pub(super) fn new(
        attempt: AttemptId,
        head: HeaderMap,
        head_index: Option<u64>,
        max_line: usize,
    ) -> Self {
        Self {
            attempt,
            head,
            head_index,
            lines: LineSplitter::new(max_line),
            decoded: None,
            ended: None,
            events: 0,
        }
    }

    /// Takes in the adapter's read: more of the body, its end, or the failure that broke it.
    pub(super) fn push(&mut self, chunk: Result<Option<Bytes>, TransportFailure>) {
        match chunk {
            Ok(Some(data)) => self.lines.push(data),
            Ok(None) => self.ended = Some(None),
            Err(failure) => self.ended = Some(Some(failure)),
        }
    }

    /// Decodes the next complete line ahead, if there is one and none is decoded yet.
    pub(super) fn decode_ahead(&mut self) {
        if self.decoded.is_none() {
            self.decoded = self.lines.next_line().map(|line| self.decode(line));
        }
    }

    /// The next line as a poll's outcome, `None` until one is complete. What a clean end
    /// leaves is the last line (a server that ends each answer without a newline, or ignores
    /// `stream=true`).
    pub(super) fn next_line(&mut self) -> Option<Result<WatchPoll, Error>> {
        let line = match self.decoded.take() {
            Some(decoded) => return Some(decoded),
            None => match self.lines.next_line() {
                Some(line) => line,
                None if matches!(self.ended, Some(None)) => self.lines.finish()?,
                None => return None,
            },
        };
        Some(self.decode(line))
    }

    /// One line, decoded as a long poll's answer with the stream's head.
    fn decode(&self, line: Result<Body, impl Into<Error>>) -> Result<WatchPoll, Error> {
        let mut response = Response::new(line.map_err(Into::into)?);
        *response.headers_mut() = self.head.clone();
        keys::decode_wait(response)
    }
}
