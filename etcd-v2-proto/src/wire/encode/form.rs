//! Query strings and form bodies, encoded like Go's `url.Values.Encode`

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::escape::push_escaped_query_value;

/// Query-string or form-body parameters, encoded like Go's `url.Values.Encode`.
///
/// Parameters are kept in insertion order and sorted by name (byte order) only when encoding; the
/// sort is stable, so repeated names keep their insertion order, as in Go.
///
/// ```text
/// use etcd_v2_proto::Form;
/// let form = Form::new().with("value", "a b").with("ttl", "10");
/// assert_eq!(form.encode(), "ttl=10&value=a+b");
/// ```
/// Values are borrowed where they can be (a set's value is not copied before it is encoded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Form<'a> {
    pairs: Vec<(&'static str, Cow<'a, str>)>,
}

impl<'a> Form<'a> {
    /// An empty form.
    pub(crate) const fn new() -> Self {
        Self { pairs: Vec::new() }
    }

    /// Appends the parameter `name=value`.
    pub(crate) fn push(&mut self, name: &'static str, value: impl Into<Cow<'a, str>>) -> &mut Self {
        self.pairs.push((name, value.into()));
        self
    }

    /// Appends the parameter `name=value` for a value known at compile time (no allocation).
    pub(crate) fn push_static(&mut self, name: &'static str, value: &'static str) -> &mut Self {
        self.pairs.push((name, Cow::Borrowed(value)));
        self
    }

    /// Appends the parameter `name=value` (builder style).
    #[must_use]
    #[cfg(test)] // the tests' entry point
    pub(crate) fn with(mut self, name: &'static str, value: impl Into<Cow<'a, str>>) -> Self {
        self.push(name, value);
        self
    }

    /// Whether no parameter has been added.
    #[cfg(test)] // the tests' entry point
    pub(crate) fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The number of parameters added.
    #[cfg(test)] // the tests' entry point
    pub(crate) fn len(&self) -> usize {
        self.pairs.len()
    }

    /// `name=value` pairs sorted by name, joined with `&`, both sides escaped with
    /// [`escape_query_value`]; the empty form encodes to `""`.
    pub(crate) fn encode(&self) -> String {
        // Exact unless something needs escaping.
        let len = self
            .pairs
            .iter()
            .map(|(name, value)| name.len() + value.len() + 2)
            .sum::<usize>();
        let mut out = String::with_capacity(len.saturating_sub(1));
        let sorted = self
            .pairs
            .windows(2)
            .all(|w| w[0].0.as_bytes() <= w[1].0.as_bytes());
        if sorted {
            // Already in order (the calls add their parameters sorted): no sort, no copy.
            for (i, (name, value)) in self.pairs.iter().enumerate() {
                push_pair(&mut out, i, name, value);
            }
        } else {
            let mut refs: Vec<&(&'static str, Cow<'a, str>)> = self.pairs.iter().collect();
            // Stable: repeated names keep their insertion order.
            refs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            for (i, (name, value)) in refs.into_iter().enumerate() {
                push_pair(&mut out, i, name, value);
            }
        }
        out
    }
}

/// Appends the `i`-th encoded pair (`&`-separated) of a form.
pub(super) fn push_pair(out: &mut String, i: usize, name: &str, value: &str) {
    if i > 0 {
        out.push('&');
    }
    push_escaped_query_value(out, name);
    out.push('=');
    push_escaped_query_value(out, value);
}
