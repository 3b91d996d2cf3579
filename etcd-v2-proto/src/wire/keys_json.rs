//! Decoding a keys answer's body into a [`KeysResponse`], chunk by chunk
//!
//! The same answers as the serde decoders in [`crate::model`] (checked against them by
//! property tests): unknown members are skipped (their syntax still checked), `null` and
//! missing members are zero values, a member given twice is an error, and anything but an
//! object where a node belongs is refused. Two differences, both deliberate:
//!
//! - Nesting is tracked on the heap, not the stack. serde_json stops at 128 JSON levels,
//!   which a recursive listing of a directory 64 levels deep exceeds; this decoder takes
//!   nodes nested up to [`MAX_NODE_DEPTH`] levels (unknown members up to Go's limit of
//!   10,000 JSON levels, as they are skipped without being kept).
//! - Each chunk of the body is dropped once read, so the nodes of a large listing take the
//!   body's place in memory instead of being added to it.
//!
//! Two limits guard against hostile answers, each refused with its own
//! [`ProtocolError`](crate::ProtocolError) variant:
//!
//! - **Depth**: nodes nested deeper than [`MAX_NODE_DEPTH`] (256) levels
//!   ([`ProtocolError::NestedTooDeep`](crate::ProtocolError::NestedTooDeep)). `Debug`,
//!   `Clone`, `==`, `Serialize` and `Drop` of a [`Node`] recurse once per level; at 256 levels
//!   all of them fit a 2 MiB thread stack in a debug build more than 5 times over.
//! - **Size**: decoded nodes costing more than 4 × the body's length (at least 64 KiB, at most
//!   [`MAX_DECODED_BYTES`]): [`ProtocolError::DecodedTooLarge`](crate::ProtocolError::DecodedTooLarge).
//!   A node costs 128 bytes plus its key and value; real listings cost 1.5 to 2 × their body,
//!   an empty `{},` of 3 bytes would cost 128. With `max_body_bytes` (64 MiB) that is 256 MiB.
//!
//! Not kept for speed: against `serde_json` with serde's derive into the same fields
//! (`benches/core.rs`, `versus_serde`) it takes 0.88–1.11 × the time. It is kept because
//! serde_json needs the whole body in one slice beside the nodes it builds (a plain client that
//! collects a 10,000-key listing and decodes it so spends 1.5–1.7 × our CPU: W4
//! `--plain-decode`), stops at 128 levels on the stack, and bounds no decoded size.

use alloc::string::String;
use alloc::vec::Vec;

use crate::model::timestamp::Timestamp;
use crate::model::{Action, KeysResponse, Node};
use crate::wire::body::Body;
use crate::wire::json_cursor::{Cursor, JsonError, Limit, Number};

/// Deepest nesting of nodes a keys answer may have: the answer's `node` is level 1, its
/// children level 2, and so on. Deeper is
/// [`ProtocolError::NestedTooDeep`](crate::ProtocolError::NestedTooDeep).
///
/// Recursive code on a [`Node`] (`Debug`, `Clone`, `==`, `Serialize`, `Drop`) uses stack per
/// level. Measured in a debug build on x86-64: `serde_json::to_string` about 1.4 KiB a level
/// (360 KiB at 256 levels), `clone` and `==` 1 KiB, `{:#?}` 0.9 KiB, `{:?}` 0.6 KiB, drop
/// 0.1 KiB; so at this depth each of them fits a 2 MiB thread stack more than 5 times over
/// (4,000 levels, which the decoder used to accept, overflowed it). etcd directory trees are
/// not nearly this deep in practice.
pub const MAX_NODE_DEPTH: usize = 256;

/// Most bytes the nodes of one keys answer may cost once decoded (1 GiB), whatever the body's
/// length; below it they may cost 4 × the body's length, and at least 64 KiB. More is
/// [`ProtocolError::DecodedTooLarge`](crate::ProtocolError::DecodedTooLarge).
///
/// A node costs `size_of::<Node>()` (128 bytes) plus the bytes of its key and value. The body
/// is bounded by [`Config::max_body_bytes`](crate::Config::max_body_bytes) (64 MiB by
/// default), so its 4× (256 MiB by default) is the configurable bound; this constant only
/// caps it for bodies over 256 MiB. (The decoder sees no `Config`: the 4× rule and this
/// constant stand in for a setting of its own.)
pub const MAX_DECODED_BYTES: usize = 1 << 30;

/// Least budget: small bodies are never refused for their size.
const MIN_DECODED_BUDGET: usize = 64 * 1024;

/// What the nodes decoded from a body of `body_len` bytes may cost: 4 × the body, at least
/// 64 KiB, at most [`MAX_DECODED_BYTES`].
fn decoded_budget(body_len: usize) -> usize {
    body_len
        .saturating_mul(4)
        .clamp(MIN_DECODED_BUDGET, MAX_DECODED_BYTES)
}

/// Decodes a keys answer's body (a JSON object; the headers are not read here).
pub(crate) fn decode(body: Body) -> Result<KeysResponse, JsonError> {
    let budget = Budget {
        spent: 0,
        limit: decoded_budget(body.len()),
    };
    let mut cursor = Cursor::new(body);
    cursor.expect(b'{', "expected a JSON object")?;
    let mut decoder = Decoder {
        cursor,
        stack: Frames::default(),
        response: KeysResponse::default(),
        seen: 0,
        scratch: Vec::new(),
        budget,
    };
    decoder.run()?;
    Ok(decoder.response)
}

/// What the nodes decoded so far cost, against what they may cost.
#[derive(Debug)]
struct Budget {
    spent: usize,
    limit: usize,
}

impl Budget {
    /// Counts `bytes` more; an error once over the limit.
    #[inline]
    fn charge(&mut self, c: &Cursor, bytes: usize) -> Result<(), JsonError> {
        self.spent = self.spent.saturating_add(bytes);
        if self.spent > self.limit {
            return Err(c.over(Limit::Size(self.limit), "decoded nodes too large"));
        }
        Ok(())
    }
}

/// A member the decoder knows (of a response or of a node); `Other` is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Action,
    Node,
    PrevNode,
    Key,
    Dir,
    Value,
    Nodes,
    CreatedIndex,
    ModifiedIndex,
    Expiration,
    Ttl,
    Other,
}

fn response_field(name: &[u8]) -> Field {
    match name {
        b"action" => Field::Action,
        b"node" => Field::Node,
        b"prevNode" => Field::PrevNode,
        _ => Field::Other,
    }
}

fn node_field(name: &[u8]) -> Field {
    match name {
        b"key" => Field::Key,
        b"dir" => Field::Dir,
        b"value" => Field::Value,
        b"nodes" => Field::Nodes,
        b"createdIndex" => Field::CreatedIndex,
        b"modifiedIndex" => Field::ModifiedIndex,
        b"expiration" => Field::Expiration,
        b"ttl" => Field::Ttl,
        _ => Field::Other,
    }
}

/// Where a node goes once its object closes.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Node,
    PrevNode,
    Child,
}

/// An open object or array below the response object.
#[derive(Debug)]
enum Frame {
    /// A node's object.
    Node { node: Node, seen: u16, slot: Slot },
    /// A node's `nodes` array.
    Children(Vec<Node>),
}

/// The open frames, innermost last. The outermost is kept in place: most answers hold one
/// node and no deeper nesting, so decoding them allocates nothing for the stack.
#[derive(Debug, Default)]
struct Frames {
    outermost: Option<Frame>,
    inner: Vec<Frame>,
}

impl Frames {
    fn len(&self) -> usize {
        usize::from(self.outermost.is_some()) + self.inner.len()
    }

    fn push(&mut self, frame: Frame) {
        match &self.outermost {
            None => self.outermost = Some(frame),
            Some(_) => self.inner.push(frame),
        }
    }

    fn pop(&mut self) -> Option<Frame> {
        self.inner.pop().or_else(|| self.outermost.take())
    }

    fn last_mut(&mut self) -> Option<&mut Frame> {
        match self.inner.last_mut() {
            Some(frame) => Some(frame),
            None => self.outermost.as_mut(),
        }
    }
}

/// What the decoder reads next.
#[derive(Debug, Clone, Copy)]
enum Next {
    /// A member or `}`, just after `{`.
    FirstMember,
    /// A member, after `,`.
    Member,
    /// `,` or `}`.
    AfterMember,
    /// `,` or `]` in a `nodes` array.
    AfterChild,
    /// The end of the body.
    End,
}

#[derive(Debug)]
struct Decoder {
    cursor: Cursor,
    stack: Frames,
    response: KeysResponse,
    /// The response's members read so far (bits by `Field`).
    seen: u16,
    scratch: Vec<u8>,
    budget: Budget,
}

impl Decoder {
    fn run(&mut self) -> Result<(), JsonError> {
        let mut next = Next::FirstMember;
        loop {
            next = match next {
                Next::FirstMember => {
                    if self.cursor.skip_ws_expecting()? == b'}' {
                        self.cursor.bump();
                        self.close_object()?
                    } else {
                        self.member()?
                    }
                }
                Next::Member => self.member()?,
                Next::AfterMember => match self.cursor.skip_ws_expecting()? {
                    b',' => {
                        self.cursor.bump();
                        Next::Member
                    }
                    b'}' => {
                        self.cursor.bump();
                        self.close_object()?
                    }
                    _ => return Err(self.cursor.error("expected `,` or `}`")),
                },
                Next::AfterChild => match self.cursor.skip_ws_expecting()? {
                    b',' => {
                        self.cursor.bump();
                        self.cursor.expect(b'{', "expected a node object")?;
                        self.open(Slot::Child)?
                    }
                    b']' => {
                        self.cursor.bump();
                        self.close_children()?
                    }
                    _ => return Err(self.cursor.error("expected `,` or `]`")),
                },
                Next::End => {
                    return match self.cursor.skip_ws() {
                        None => Ok(()),
                        Some(_) => Err(self.cursor.error("trailing characters")),
                    };
                }
            }
        }
    }

    /// One member: its name, `:`, and its value.
    fn member(&mut self) -> Result<Next, JsonError> {
        self.cursor.expect(b'"', "expected a member name")?;
        let depth = self.stack.len() + 1;
        let c = &mut self.cursor;
        let then = match self.stack.last_mut() {
            Some(Frame::Node { node, seen, .. }) => {
                let field = c.key(&mut self.scratch, node_field)?;
                mark(c, seen, field)?;
                let first = c.colon_then_value()?;
                node_value(c, node, field, first, depth, &mut self.budget)?
            }
            _ => {
                let field = c.key(&mut self.scratch, response_field)?;
                mark(c, &mut self.seen, field)?;
                let first = c.colon_then_value()?;
                if null_member(c, field, first)? {
                    return Ok(Next::AfterMember);
                }
                match field {
                    Field::Action => {
                        c.bump_expecting(first, b'"', "expected a string")?;
                        self.response.action = c.key(&mut self.scratch, action)?;
                        Then::Next
                    }
                    Field::Node | Field::PrevNode => {
                        c.bump_expecting(first, b'{', "expected a node object")?;
                        let slot = if field == Field::Node {
                            Slot::Node
                        } else {
                            Slot::PrevNode
                        };
                        Then::Open(slot)
                    }
                    _ => {
                        c.skip_value(depth)?;
                        Then::Next
                    }
                }
            }
        };
        match then {
            Then::Next => Ok(Next::AfterMember),
            Then::Open(slot) => self.open(slot),
            Then::Children => {
                self.stack.push(Frame::Children(Vec::new()));
                self.open(Slot::Child)
            }
        }
    }

    /// A node's object was opened (its `{` read).
    fn open(&mut self, slot: Slot) -> Result<Next, JsonError> {
        // The stack holds a node and its `nodes` array per level above this node's.
        if self.stack.len() / 2 >= MAX_NODE_DEPTH {
            let limit = Limit::Depth(MAX_NODE_DEPTH);
            return Err(self.cursor.over(limit, "nodes nested too deeply"));
        }
        self.budget
            .charge(&self.cursor, core::mem::size_of::<Node>())?;
        self.stack.push(Frame::Node {
            node: Node::default(),
            seen: 0,
            slot,
        });
        Ok(Next::FirstMember)
    }

    /// An object closed (its `}` read): the response (the end), or a node, which goes to
    /// its place.
    fn close_object(&mut self) -> Result<Next, JsonError> {
        let (node, slot) = match self.stack.pop() {
            None => return Ok(Next::End),
            Some(Frame::Node { node, slot, .. }) => (node, slot),
            Some(Frame::Children(_)) => return Err(self.cursor.error("`}` closing an array")),
        };
        match slot {
            Slot::Node => self.response.node = Some(node),
            Slot::PrevNode => self.response.prev_node = Some(node),
            Slot::Child => {
                let Some(Frame::Children(children)) = self.stack.last_mut() else {
                    return Err(self.cursor.error("a child node outside an array"));
                };
                children.push(node);
                return Ok(Next::AfterChild);
            }
        }
        Ok(Next::AfterMember)
    }

    /// A `nodes` array closed (its `]` read): the children go to their parent.
    fn close_children(&mut self) -> Result<Next, JsonError> {
        let Some(Frame::Children(children)) = self.stack.pop() else {
            return Err(self.cursor.error("`]` closing an object"));
        };
        let Some(Frame::Node { node, .. }) = self.stack.last_mut() else {
            return Err(self.cursor.error("an array of nodes outside a node"));
        };
        node.nodes = children;
        Ok(Next::AfterMember)
    }
}

/// What a member's value asks of the decoder once read.
enum Then {
    /// Nothing: the next member or the end of the object.
    Next,
    /// A node's object opened.
    Open(Slot),
    /// A `nodes` array opened, with its first child's object.
    Children,
}

/// Notes that `field` was read; a second time is an error (as with serde's derive).
#[inline]
fn mark(c: &Cursor, seen: &mut u16, field: Field) -> Result<(), JsonError> {
    if field != Field::Other {
        let bit = 1 << field as u16;
        if *seen & bit != 0 {
            return Err(c.error("duplicate member"));
        }
        *seen |= bit;
    }
    Ok(())
}

/// Reads a known member's `null` (its zero value: nothing to store); whether it was one.
#[inline]
fn null_member(c: &mut Cursor, field: Field, first: u8) -> Result<bool, JsonError> {
    if first == b'n' && field != Field::Other {
        c.literal(b"null")?;
        return Ok(true);
    }
    Ok(false)
}

/// A node member's value, `first` its first byte (peeked).
#[inline]
fn node_value(
    c: &mut Cursor,
    node: &mut Node,
    field: Field,
    first: u8,
    depth: usize,
    budget: &mut Budget,
) -> Result<Then, JsonError> {
    if null_member(c, field, first)? {
        return Ok(Then::Next);
    }
    match field {
        Field::Key => {
            c.bump_expecting(first, b'"', "expected a string")?;
            node.key = c.string()?;
            budget.charge(c, node.key.len())?;
        }
        Field::Value => {
            c.bump_expecting(first, b'"', "expected a string")?;
            let value = c.string()?;
            budget.charge(c, value.len())?;
            node.value = Some(value);
        }
        Field::Dir => {
            node.dir = match first {
                b't' => c.literal(b"true").map(|()| true)?,
                b'f' => c.literal(b"false").map(|()| false)?,
                _ => return Err(c.error("expected a boolean")),
            };
        }
        Field::CreatedIndex => node.created_index = unsigned(c, first)?,
        Field::ModifiedIndex => node.modified_index = unsigned(c, first)?,
        Field::Ttl => node.ttl = Some(signed(c, first)?),
        Field::Expiration => {
            c.bump_expecting(first, b'"', "expected a timestamp string")?;
            let text: String = c.string()?;
            let at = Timestamp::parse_rfc3339(&text)
                .map_err(|_| c.error("invalid RFC 3339 timestamp"))?;
            node.expiration = Some(at);
        }
        Field::Nodes => {
            c.bump_expecting(first, b'[', "expected an array of nodes")?;
            if c.skip_ws_expecting()? == b']' {
                c.bump();
                return Ok(Then::Next);
            }
            c.expect(b'{', "expected a node object")?;
            return Ok(Then::Children);
        }
        _ => c.skip_value(depth)?,
    }
    Ok(Then::Next)
}

/// The action named by a string's text (known actions need no allocation).
fn action(name: &[u8]) -> Action {
    // `Cursor::key` checked the UTF-8.
    core::str::from_utf8(name).map_or_else(|_| Action::default(), Action::from_wire)
}

/// An index: a non-negative integer.
fn unsigned(c: &mut Cursor, first: u8) -> Result<u64, JsonError> {
    match number(c, first)? {
        Number::Unsigned(n) => Ok(n),
        _ => Err(c.error("expected a non-negative integer")),
    }
}

/// A TTL: an integer that fits an `i64`.
fn signed(c: &mut Cursor, first: u8) -> Result<i64, JsonError> {
    match number(c, first)? {
        Number::Unsigned(n) => i64::try_from(n).map_err(|_| c.error("integer out of range")),
        Number::Negative(n) => Ok(n),
        Number::Other => Err(c.error("expected an integer")),
    }
}

fn number(c: &mut Cursor, first: u8) -> Result<Number, JsonError> {
    if first == b'-' || first.is_ascii_digit() {
        c.number()
    } else {
        Err(c.error("expected a number"))
    }
}

#[cfg(test)]
mod tests;
