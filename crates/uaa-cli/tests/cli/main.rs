//! The `uaac` binary against a real server: the secret-change procedure of the issue, command
//! by command, under both secret-change policies, with prompts answered on standard input.

// Test code fails by panicking with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod commands;
mod procedure;
mod scim;
mod support;
