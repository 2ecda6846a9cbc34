//! Wire types of UAA's HTTP API. Field names, casing and omission rules follow UAA exactly
//! (see `shared/reference/uaa-server.md`), because existing clients parse these bodies.
//! No I/O here: the server, the CLI and the tests all share these definitions.

pub mod approval;
pub mod client;
pub mod error;
pub mod jwk;
pub mod scim;
pub mod token;

pub use approval::*;
pub use client::*;
pub use error::*;
pub use jwk::*;
pub use scim::*;
pub use token::*;
