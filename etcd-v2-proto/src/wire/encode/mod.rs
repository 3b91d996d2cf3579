//! Wire encoding shared by every request: key paths, percent-encoding, forms and Basic auth.
//!
//! Everything here is byte-exact with what the Go client (`go.etcd.io/etcd/client`) puts on the
//! wire: Go's `path.Clean`, etcd's `CanonicalURLPath`, the path escaping of `url.URL.String`, and
//! `url.Values.Encode` for query strings and form bodies (see `docs/protocol.md#keys-api`).

mod escape;
mod form;
mod paths;

pub use escape::unescape_path;
pub(crate) use escape::*;
pub(crate) use form::*;
pub use paths::clean_path;
pub(crate) use paths::*;

#[cfg(test)]
mod fast_paths;
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
