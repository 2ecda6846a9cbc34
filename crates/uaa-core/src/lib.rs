//! UAA's domain: the rules of clients, scopes, secrets, tokens and policies, written once and
//! free of HTTP, SQL and crypto backends so they can be tested in milliseconds and reused by every
//! adapter (HTTP handlers, the store, the CLI's tests).

pub mod audit;
pub mod authz;
pub mod client;
pub mod clock;
pub mod error;
pub mod filter;
pub mod idp;
pub mod ids;
pub mod pkce;
pub mod policy;
pub mod ports;
pub mod redirect;
pub mod revsig;
pub mod scim;
pub mod scope;
pub mod secret;
pub mod service;
pub mod text;
pub mod token;
pub mod user;
