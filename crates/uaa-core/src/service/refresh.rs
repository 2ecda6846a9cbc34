//! Refresh tokens: minting them beside an access token, redeeming them (the `refresh_token`
//! grant, `UaaTokenServices.refreshAccessToken`), and the `user_token` grant, whose answer is a
//! refresh token for another client (`UserTokenGranter`). Reference §2.4.
//!
//! A refresh token is a JWT (`jti` ending in `-r`, `granted_scopes` instead of `scope`). With
//! `jwt.token.refresh.format: opaque` (the default) the client gets only the `jti` and the JWT
//! stays in `revocable_tokens`; with `jwt` the client gets the JWT itself, stored only when
//! revocable. `rotate`, `unique` and `restrict_grant` follow UAA; a public client (`client_id`
//! without a secret, §2.2) always rotates, as RFC 9700 §4.14.2 asks and UAA does.

use serde_json::{Value, json};
use uaa_types::TokenResponse;

use super::Deps;
use super::token::{
    AuthMethod, ClientCredentials, Grant, IdTokenExtras, Params, check_user_scopes,
    held_authorities, looks_like_jwt, mint_full, user_authorities, validate_requested_scope,
};
use crate::audit::AuditEventType;
use crate::authz::{Authorized, UaaUser};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{UserId, ZoneId};
use crate::ports::{ApprovalStatus, StoredToken, TokenQuery};
use crate::scope::ScopeSet;
use crate::token::{RefreshFormat, TokenFacts, audience, check_rev_sig, rev_sig};
use crate::user::User;

pub(crate) const REFRESH_TOKEN: &str = "REFRESH_TOKEN";
/// `RefreshTokenCreator.UAA_REFRESH_TOKEN`.
const OFFLINE_TOKEN: &str = "uaa.offline_token";
const GONE: &str = "The token expired, was revoked, or the token ID is incorrect.";

/// What the refresh grant hands to the access-token minter: the refresh token to return (the
/// same one, or its rotated successor), whether the new access token is revocable (UAA: when
/// `token_format=opaque` or the refresh token is revocable), and the refresh token's `aud`.
#[derive(Debug, Clone)]
pub(crate) struct Reissue {
    pub(crate) refresh_token: String,
    pub(crate) revocable: bool,
    pub(crate) aud: Value,
}

fn invalid(m: impl Into<String>) -> Error {
    Error::InvalidToken(m.into())
}

/// `RefreshTokenCreator.createRefreshToken` and the refresh half of
/// `UaaTokenServices.persistRevocableToken`: signs a refresh token for `user` and `client`,
/// stores it when revocable (after deleting the pair's older ones under `unique`), and returns
/// what the client gets, or `None` when `restrict_grant` withholds it.
pub(crate) async fn mint_refresh(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: &User,
    grant: &Grant<'_>,
    scopes: &ScopeSet,
    access_revocable: bool,
) -> Result<Option<String>> {
    let policy = &deps.settings.token;
    let refresh = policy.refresh;
    if refresh.restrict_grant && !scopes.contains(OFFLINE_TOKEN) {
        return Ok(None);
    }
    let opaque = grant.opaque || refresh.format == RefreshFormat::Opaque;
    let revocable = access_revocable || opaque || policy.jwt_revocable;
    let now = deps.clock.now_secs();
    let expires_at = now + refresh_validity(deps, client);
    let jti = format!("{}-r", deps.random.hex32());
    let cid = client.client_id.as_str();
    let mut claims = json!({
        "jti": jti, "sub": user.id.as_str(), "iat": now, "exp": expires_at,
        "cid": cid, "client_id": cid, "iss": policy.token_endpoint(), "zid": zone.as_str(),
        "aud": audience(cid, scopes), "granted_scopes": scopes.to_vec(),
    });
    if let Value::Object(c) = &mut claims {
        // A user_token grant has no user authentication of its own, so no `amr`.
        if grant.name != "user_token" {
            c.insert("amr".into(), json!(["pwd"]));
        }
        if let Some(t) = grant.auth_time {
            c.insert("auth_time".into(), json!(t));
        }
        if let Some(m) = grant.auth_method {
            c.insert("client_auth_method".into(), json!(m));
        }
        c.insert("grant_type".into(), json!(grant.name));
        c.insert("user_name".into(), json!(user.username));
        c.insert("origin".into(), json!(user.origin));
        c.insert("user_id".into(), json!(user.id.as_str()));
        if revocable {
            c.insert("revocable".into(), json!(true));
        }
        c.insert(
            "rev_sig".into(),
            json!(rev_sig(client, client.rev_sig_secret(), Some(user))),
        );
    }
    let jwt = deps.signer.sign(zone, &claims)?;
    if opaque || policy.jwt_revocable {
        let row = StoredToken {
            token_id: jti.clone(),
            client_id: cid.to_owned(),
            user_id: Some(user.id.to_string()),
            format: if opaque { "opaque" } else { "jwt" }.into(),
            response_type: REFRESH_TOKEN.into(),
            issued_at_ms: deps.clock.now_millis(),
            expires_at_ms: expires_at * 1000,
            scope: scopes.to_space_string(),
            value: jwt.clone(),
            zone_id: zone.clone(),
        };
        store_refresh(deps, zone, row).await?;
    }
    Ok(Some(if opaque { jti } else { jwt }))
}

/// Client `refresh_token_validity` > the zone's (§2.7).
fn refresh_validity(deps: &Deps, client: &Client) -> i64 {
    client
        .refresh_token_validity
        .filter(|v| *v > 0)
        .unwrap_or(deps.settings.token.refresh_token_validity)
}

/// Stores a refresh token unless it is stored already (`createIfNotExists`); under
/// `jwt.token.refresh.unique` the pair's other refresh tokens go first.
async fn store_refresh(deps: &Deps, zone: &ZoneId, row: StoredToken) -> Result<()> {
    if deps.settings.token.refresh.unique {
        let q = TokenQuery {
            client_id: Some(&row.client_id),
            user_id: row.user_id.as_deref(),
            response_type: Some(REFRESH_TOKEN),
        };
        deps.tokens.delete_tokens(zone, q).await?;
    }
    if deps.tokens.get_token(zone, &row.token_id).await?.is_none() {
        deps.tokens.put_token(row).await?;
    }
    Ok(())
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
pub async fn refresh_grant(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    params: &Params,
    creds: Option<&ClientCredentials>,
) -> Result<TokenResponse> {
    // §2.2: `client_auth_method: none` for an empty secret and for a public client.
    let auth_method = creds
        .filter(|c| c.secret.expose().is_empty())
        .map(|_| "none");
    let public = creds.is_some_and(|c| c.method == AuthMethod::None);
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

    let opaque = params.get("token_format").is_some_and(|f| f == "opaque");
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

/// `grant_type=user_token` with client authentication (no bearer token): UAA's
/// `UserTokenGranter` finds no user behind the request.
pub async fn user_token_grant(
    _deps: &Deps,
    _zone: &ZoneId,
    _client: &Client,
    _params: &Params,
) -> Result<TokenResponse> {
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
        return Err(super::token::unauthorized_grant(grant));
    }
    let user = deps
        .users
        .get_user(zone, user_id)
        .await?
        .ok_or_else(|| invalid(format!("Token bears a non-existent user ID: {user_id}")))?;
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
