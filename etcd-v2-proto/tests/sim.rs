//! Scenarios through the real core against the in-memory fake etcd (feature `testing`).
