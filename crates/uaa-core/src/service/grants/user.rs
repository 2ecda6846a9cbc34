//! What every grant that authenticated a user does next (password, jwt-bearer).

use uaa_types::TokenResponse;

use super::super::Deps;
use super::super::mint::{Grant, IdTokenExtras, mint_with};
use super::super::user_auth::{check_user_scopes, held_authorities};
use super::request::TokenRequest;
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::user::User;

/// What every grant that authenticated a user does next (password, jwt-bearer): the client
/// must accept the user's identity provider, the user must hold the client's required groups,
/// the scopes are those the user holds, the logon is recorded, and the tokens are minted.
pub(crate) async fn issue_for_user(
    deps: &Deps,
    zone: &ZoneId,
    req: &TokenRequest<'_>,
    user: &User,
    grant_type: &str,
) -> Result<TokenResponse> {
    let client = &req.client;
    if let Some(allowed) = &client.allowed_providers
        && !allowed.contains(&user.origin)
    {
        return Err(Error::Unauthorized(
            "Client is not authorized for specified user's identity provider.".into(),
        ));
    }
    let user_scopes = held_authorities(deps, zone, client, user).await?;
    let requested = req
        .requested
        .clone()
        .unwrap_or_else(|| client.scope.clone());
    let scopes = check_user_scopes(&requested, client, &user_scopes)?;
    let now = deps.clock.now_secs();
    deps.users
        .record_logon(zone, &user.id, deps.clock.now_millis())
        .await?;
    let grant = Grant {
        name: grant_type,
        opaque: req.opaque,
        auth_time: Some(now),
        auth_method: req.auth_method,
    };
    let extras = IdTokenExtras {
        nonce: req.params.get("nonce").map(String::as_str),
    };
    mint_with(deps, zone, client, Some(user), &grant, scopes, &extras).await
}
