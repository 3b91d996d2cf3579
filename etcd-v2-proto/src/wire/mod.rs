//! Bytes to and from the model: request paths and forms, answer bodies and their JSON, curl
//! debug lines

pub mod body;
pub(crate) mod curl;
pub(crate) mod decode;
pub(crate) mod encode;
pub(crate) mod endpoint;
pub(crate) mod json_cursor;
pub(crate) mod keys_json;
pub(crate) mod lines;
