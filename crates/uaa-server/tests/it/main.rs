//! The server's one integration-test binary: every module speaks HTTP to a real server on
//! `127.0.0.1:0` (see `uaa-testkit`). Tests are independent and run in parallel.

// Test code fails by panicking with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod authorize;
mod autologin;
mod binary;
mod browser;
mod clients;
mod cluster;
mod common;
mod content_types;
mod faults;
mod filter_fuzz;
mod groups;
mod info;
mod jwt_bearer;
mod oidc;
mod password_change;
mod refresh;
mod revocation;
mod secrets;
mod token;
mod users;
