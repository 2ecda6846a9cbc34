//! `grant_type=refresh_token` (RFC 6749 §6, `UaaTokenServices.refreshAccessToken`): a new
//! access token for the user and scopes of a refresh token, narrowed on request, with
//! `rev_sig`, approvals and the user's groups checked again. A public client (`client_id`
//! without a secret, §2.2) always rotates, as RFC 9700 §4.14.2 asks and UAA does.

use serde_json::{Value, json};
use uaa_types::TokenResponse;

use super::super::Deps;
use super::super::mint::{
    Grant, IdTokenExtras, OFFLINE_TOKEN, REFRESH_TOKEN, Reissue, mint_full, store_refresh,
};
use super::super::token::looks_like_jwt;
use super::super::user_auth::{check_user_scopes, held_authorities};
use super::request::TokenRequest;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{UserId, ZoneId};
use crate::ports::{ApprovalStatus, StoredToken};
use crate::scope::ScopeSet;
use crate::token::{RefreshFormat, TokenFacts, check_rev_sig};
use crate::user::User;

pub const GRANT_TYPE: &str = "refresh_token";

const GONE: &str = "The token expired, was revoked, or the token ID is incorrect.";

fn invalid(m: impl Into<String>) -> Error {
    Error::InvalidToken(m.into())
}

/// A refresh token that passed `TokenValidationService.validateToken(token, false)` and
/// `checkJti`: signature, stored if revocable, issuer, client and user exist, `rev_sig`, and a
/// `jti` ending in `-r` (an access or ID token is not a refresh token).
struct ValidRefresh {
    claims: Value,
    jwt: String,
    facts: TokenFacts,
    user: User,
}

async fn validate_refresh(deps: &Deps, zone: &ZoneId, value: &str) -> Result<ValidRefresh> {
    let jwt = if looks_like_jwt(value) {
        value.to_owned()
    } else {
        deps.tokens
            .get_token(zone, value)
            .await?
            .ok_or_else(|| invalid(GONE))?
            .value
    };
    let claims = deps.signer.verify(zone, &jwt)?;
    let facts = TokenFacts::from_claims(&claims)?;
    if facts.revocable && deps.tokens.get_token(zone, &facts.jti).await?.is_none() {
        return Err(invalid(GONE));
    }
    let expected = deps.settings.token.token_endpoint();
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if iss != expected {
        return Err(invalid(format!(
            "Invalid issuer ({iss}) for token did not match expected: {expected}"
        )));
    }
    let client = deps
        .clients
        .get_client(zone, &facts.client_id)
        .await?
        .ok_or_else(|| invalid(format!("Invalid client ID {}", facts.client_id)))?;
    let Some(user_id) = facts.user_id.clone() else {
        return Err(invalid("Invalid refresh token."));
    };
    let user = deps
        .users
        .get_user(zone, &UserId::new(user_id.clone()))
        .await?
        .ok_or_else(|| invalid(format!("Token bears a non-existent user ID: {user_id}")))?;
    check_rev_sig(&facts, &client, Some(&user))?;
    if !facts.jti.ends_with("-r") {
        return Err(invalid("Invalid refresh token."));
    }
    Ok(ValidRefresh {
        claims,
        jwt,
        facts,
        user,
    })
}

/// The `granted_scopes` of a refresh token (`scope` in tokens of old UAA versions).
fn granted_scopes(claims: &Value) -> ScopeSet {
    let list = claims
        .get("granted_scopes")
        .or_else(|| claims.get("scope"))
        .and_then(Value::as_array);
    list.map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// `grant_type=refresh_token`, in `UaaTokenServices.refreshAccessToken`'s order. The new
/// access token carries the refresh token's grant type, `auth_time` and `aud`, and the scopes
/// requested (at most the refresh token's) that the user still holds.
pub async fn grant(deps: &Deps, zone: &ZoneId, req: &TokenRequest<'_>) -> Result<TokenResponse> {
    let (client, params) = (&req.client, req.params);
    // §2.2: `client_auth_method: none` for an empty secret and for a public client.
    let auth_method = req.auth_method;
    let public = req.is_public();
    let Some(value) = params.get("refresh_token").filter(|v| !v.is_empty()) else {
        return Err(invalid("Invalid refresh token (empty token)"));
    };
    let ValidRefresh {
        claims,
        jwt,
        facts,
        user,
    } = validate_refresh(deps, zone, value).await?;
    let policy = &deps.settings.token;
    let token_scopes = granted_scopes(&claims);
    if policy.refresh.restrict_grant && !token_scopes.contains(OFFLINE_TOKEN) {
        // `RefreshTokenCreator.ensureRefreshTokenCreationNotRestricted`.
        return Err(Error::Uaa {
            status: 403,
            error: "insufficient_scope".into(),
            description: format!("Expected scope {OFFLINE_TOKEN} is missing"),
        });
    }
    if facts.client_id != client.client_id.as_str() {
        return Err(Error::InvalidGrant(format!(
            "Wrong client for this refresh token: {}",
            facts.client_id
        )));
    }
    let now_ms = deps.clock.now_millis();
    if facts.exp * 1000 < now_ms {
        return Err(invalid(format!(
            "Invalid refresh token expired at {} (epoch seconds)",
            facts.exp
        )));
    }
    let requested = params
        .get("scope")
        .map(|s| ScopeSet::parse(s))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| token_scopes.clone());
    if token_scopes.is_empty() || !requested.iter().all(|s| token_scopes.contains(s)) {
        return Err(Error::invalid_scope(
            format!(
                "Unable to narrow the scope of the client authentication to {}.",
                requested.to_java_string()
            ),
            Some(token_scopes.to_space_string()),
        ));
    }
    ensure_required_approvals(deps, zone, client, &user, &facts.grant_type, &requested).await?;
    // A public client may refresh only a token that was issued without client authentication
    // too, and always rotates (UAA `addAuthenticationMethod`, RFC 9700 §4.14.2).
    let issued_publicly = claims.get("client_auth_method").and_then(Value::as_str) == Some("none");
    if public && !issued_publicly {
        return Err(invalid(
            "Refresh without client authentication not allowed.",
        ));
    }
    // Beyond UAA: the user's groups are read again, so a group removed since the refresh
    // token was issued is not granted again.
    let held = held_authorities(deps, zone, client, &user).await?;
    let scopes = check_user_scopes(&requested, client, &held)?;

    let opaque = req.opaque;
    let out_opaque = opaque || policy.refresh.format == RefreshFormat::Opaque;
    let rotate = policy.refresh.rotate || public;
    let (jti, jwt) = if rotate {
        let jti = format!("{}-r", deps.random.hex32());
        let mut next = claims.clone();
        next["jti"] = json!(jti);
        (jti, deps.signer.sign(zone, &next)?)
    } else {
        (facts.jti.clone(), jwt)
    };
    if out_opaque || policy.jwt_revocable {
        let row = StoredToken {
            token_id: jti.clone(),
            client_id: facts.client_id.clone(),
            user_id: Some(user.id.to_string()),
            format: if out_opaque { "opaque" } else { "jwt" }.into(),
            response_type: REFRESH_TOKEN.into(),
            issued_at_ms: now_ms,
            expires_at_ms: facts.exp * 1000,
            scope: token_scopes.to_space_string(),
            value: jwt.clone(),
            zone_id: zone.clone(),
        };
        store_refresh(deps, zone, row).await?;
    }
    let access_revocable = opaque || facts.revocable;
    let reissue = Reissue {
        refresh_token: if out_opaque { jti.clone() } else { jwt },
        revocable: access_revocable,
        aud: claims.get("aud").cloned().unwrap_or(Value::Null),
    };
    let grant = Grant {
        name: &facts.grant_type,
        opaque,
        auth_time: claims.get("auth_time").and_then(Value::as_i64),
        auth_method,
    };
    let extras = IdTokenExtras::default();
    let resp = mint_full(
        deps,
        zone,
        client,
        Some(&user),
        &grant,
        scopes,
        &extras,
        Some(&reissue),
    )
    .await?;
    if rotate && access_revocable && jti != facts.jti {
        deps.tokens.delete_token(zone, &facts.jti).await?;
    }
    Ok(resp)
}

/// `ApprovalService.ensureRequiredApprovals`: every requested scope must be auto-approved by
/// the client or approved by the user, unexpired (all are, for a token from the password
/// grant). Checked again at each refresh, so revoking an approval ends its refresh tokens.
async fn ensure_required_approvals(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: &User,
    grant_type: &str,
    requested: &ScopeSet,
) -> Result<()> {
    if grant_type == "password" {
        return Ok(());
    }
    let auto = |s: &str| {
        client
            .autoapprove
            .iter()
            .any(|a| a == "true" || crate::scope::wildcard_matches(a, s))
    };
    let mut missing: Vec<&str> = requested.iter().filter(|s| !auto(s)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let now = deps.clock.now_millis();
    let approvals = deps
        .approvals
        .approvals(zone, user.id.as_str(), Some(client.client_id.as_str()))
        .await?;
    for a in approvals
        .iter()
        .filter(|a| a.status == ApprovalStatus::Approved && requested.contains(&a.scope))
    {
        if a.expires_ms <= now {
            return Err(invalid("Invalid token (approvals expired)"));
        }
        missing.retain(|s| *s != a.scope);
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(invalid(format!(
            "Invalid token (some requested scopes are not approved): [{}]",
            missing.join(", ")
        )))
    }
}
