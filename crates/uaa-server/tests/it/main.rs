//! The server's one integration-test binary: every module speaks HTTP to a real server on
//! `127.0.0.1:0` (see `uaa-testkit`). Tests are independent and run in parallel.

// Test code fails by panicking with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod authorize;
mod binary;
mod clients;
mod cluster;
mod common;
mod faults;
mod filter_fuzz;
mod groups;
mod info;
mod jwt_bearer;
mod oidc;
mod refresh;
mod revocation;
mod secrets;
mod token;
mod users;
