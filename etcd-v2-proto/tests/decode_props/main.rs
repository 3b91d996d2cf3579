//! Property tests of every decoder: any status, headers and body in, no panic out, and only
//! the error kinds a decoder may produce; plus a serde round trip of arbitrary node trees.
//!
//! `decoders` lists every decoder, `inputs` generates the answers thrown at them,
//! `no_panics` holds the properties over those, and `round_trip` the node tree round trips.

mod decoders;
mod inputs;
mod no_panics;
mod round_trip;
