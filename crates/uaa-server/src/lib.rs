//! The `uaa` server: UAA's HTTP API over axum. Handlers are adapters: they extract inputs,
//! call one use case in `uaa_core::service`, and render the result; `error` is the only place
//! that knows how a domain error looks on the wire.

pub mod adapters;
pub mod bootstrap;
pub mod config;
pub mod error;
pub mod extract;
pub mod pages;
pub mod routes;
pub mod session;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use startup::Application;
