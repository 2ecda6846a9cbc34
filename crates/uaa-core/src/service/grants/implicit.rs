//! The implicit grant (RFC 6749 §4.2) and the token half of the hybrid responses (OIDC Core
//! §3.3): the tokens `/oauth/authorize` puts in the fragment for `response_type=token` and
//! `id_token`. The token endpoint refuses this grant ("Implicit grant type not supported from
//! token endpoint"); its request is the approved authorization request.

use uaa_types::TokenResponse;

use super::super::Deps;
use super::super::mint::{Grant, IdTokenExtras, mint_with};
use super::super::user_auth::SignedIn;
use crate::client::Client;
use crate::error::Result;
use crate::ids::ZoneId;
use crate::scope::ScopeSet;

pub const GRANT_TYPE: &str = "implicit";

/// An approved authorization request that asks for tokens in the fragment.
pub struct ImplicitRequest<'a> {
    pub client: &'a Client,
    pub user: &'a SignedIn,
    /// `implicit`, or `authorization_code` for a hybrid `code id_token` response.
    pub grant_type: &'a str,
    pub scopes: ScopeSet,
    pub nonce: Option<&'a str>,
}

/// The tokens of an approved request: an access token for the user and the approved scopes
/// (never a refresh token: it could not be delivered), and an ID token when OpenID applies.
pub async fn grant(deps: &Deps, zone: &ZoneId, req: &ImplicitRequest<'_>) -> Result<TokenResponse> {
    let grant = Grant {
        name: req.grant_type,
        opaque: false,
        auth_time: Some(req.user.auth_time),
        auth_method: None,
    };
    let extras = IdTokenExtras { nonce: req.nonce };
    mint_with(
        deps,
        zone,
        req.client,
        Some(&req.user.user),
        &grant,
        req.scopes.clone(),
        &extras,
    )
    .await
}
