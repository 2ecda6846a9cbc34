//! `grant_type=client_credentials` (RFC 6749 §4.4): a token of the client itself, whose scopes
//! are its authorities (or those of them it asks for).

use uaa_types::TokenResponse;

use super::super::Deps;
use super::super::mint::{Grant, mint};
use super::request::TokenRequest;
use crate::error::Result;
use crate::ids::ZoneId;

pub const GRANT_TYPE: &str = "client_credentials";

/// The requested authorities (checked to be exact by the request checks), else all of them.
pub async fn grant(deps: &Deps, zone: &ZoneId, req: &TokenRequest<'_>) -> Result<TokenResponse> {
    let client = &req.client;
    let scopes = req
        .requested
        .clone()
        .unwrap_or_else(|| client.authorities.clone());
    let grant = Grant {
        name: GRANT_TYPE,
        opaque: req.opaque,
        auth_time: None,
        auth_method: req.auth_method,
    };
    mint(deps, zone, client, None, &grant, scopes).await
}
