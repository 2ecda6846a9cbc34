//! `grant_type=user_token` (`UserTokenGranter`): a client holding a user's token obtains a
//! refresh token of that user for another client. The answer is a refresh token for the
//! receiving client, `access_token: null` and `jti` = the refresh token.

use uaa_types::TokenResponse;

use super::super::mint::{Grant, OFFLINE_TOKEN, mint_refresh};
use super::super::user_auth::{check_user_scopes, user_authorities};
use super::super::{Deps, Params};
use super::request::{TokenRequest, unauthorized_grant, validate_requested_scope};
use crate::audit::AuditEventType;
use crate::authz::{Authorized, UaaUser};
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::scope::ScopeSet;

pub const GRANT_TYPE: &str = "user_token";

/// `grant_type=user_token` with client authentication (no bearer token): UAA's
/// `UserTokenGranter` finds no user behind the request.
pub async fn grant(_deps: &Deps, _zone: &ZoneId, _req: &TokenRequest<'_>) -> Result<TokenResponse> {
    Err(Error::Unauthorized(
        "Authentication containing a user is required".into(),
    ))
}

/// The token endpoint's `statelessTokenApiSecurity` chain (§2.1): a user's bearer token (scope
/// `uaa.user`) and `client_id` naming the receiving client. The answer is a refresh token for
/// the receiving client, `access_token: null` and `jti` = the refresh token (`UserTokenGranter`).
pub async fn user_token_for_bearer(
    deps: &Deps,
    auth: &Authorized<UaaUser>,
    params: &Params,
) -> Result<TokenResponse> {
    let zone = &auth.zone;
    let caller = &auth.caller;
    let Some(grant) = params.get("grant_type").filter(|g| !g.is_empty()) else {
        return Err(Error::InvalidRequest("Missing grant type".into()));
    };
    if grant != "user_token" {
        return Err(Error::InvalidGrant("Invalid grant type".into()));
    }
    let receiving_id = params.get("client_id").map(String::as_str).unwrap_or("");
    let Some(receiving) = deps.clients.get_client(zone, receiving_id).await? else {
        // `ClientRegistrationException` at the token endpoint is a bad client credential.
        return Err(Error::BadClientCredentials);
    };
    let requested = params.get("scope").map(|s| ScopeSet::parse(s));
    if let Some(req) = &requested {
        validate_requested_scope(&receiving, grant, req)?;
    }
    let Some(user_id) = &caller.user_id else {
        return Err(Error::Unauthorized(
            "Authentication containing a user is required".into(),
        ));
    };
    let requesting = deps
        .clients
        .get_client(zone, caller.client_id.as_str())
        .await?
        .ok_or(Error::BadClientCredentials)?;
    if !requesting.has_grant("user_token") || !receiving.has_grant("refresh_token") {
        return Err(unauthorized_grant(grant));
    }
    let user = deps.users.get_user(zone, user_id).await?.ok_or_else(|| {
        Error::InvalidToken(format!("Token bears a non-existent user ID: {user_id}"))
    })?;
    let held = user_authorities(deps, zone, &user.id).await?;
    let requested = requested
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| receiving.scope.clone());
    let scopes = check_user_scopes(&requested, &receiving, &held)?;
    let grant = Grant {
        name: grant,
        opaque: true,
        auth_time: None,
        auth_method: None,
    };
    let Some(refresh) = mint_refresh(deps, zone, &receiving, &user, &grant, &scopes, true).await?
    else {
        return Err(Error::Uaa {
            status: 403,
            error: "insufficient_scope".into(),
            description: format!("Expected scope {OFFLINE_TOKEN} is missing"),
        });
    };
    deps.audit(
        zone,
        AuditEventType::TokenIssuedEvent,
        user.id.as_str(),
        receiving.client_id.as_str(),
        format!(
            "grant_type=user_token requesting_client_id={} scope={}",
            requesting.client_id,
            scopes.to_space_string()
        ),
    )
    .await;
    // `expires_in` is that of the access token UAA mints and then deletes (§2.5).
    let exp = deps.clock.now_secs() + deps.settings.token.access_validity(&receiving);
    Ok(TokenResponse {
        access_token: None,
        token_type: "bearer".into(),
        id_token: None,
        refresh_token: Some(refresh.clone()),
        expires_in: (exp * 1000 - deps.clock.now_millis()).max(0) / 1000,
        scope: scopes.to_space_string(),
        jti: refresh,
    })
}
