//! Token revocation and listing (reference §3, UAA `TokenRevocationEndpoint`), and RFC 7009
//! `POST /oauth/revoke` as an addition.
//!
//! UAA revokes in two ways. Changing a salt that feeds `rev_sig` (the user's `salt`, the
//! client's `token_salt`) invalidates every token, JWT or opaque, that was signed over the old
//! value. Deleting a row of `revocable_tokens` invalidates the opaque and revocable tokens it
//! stands for, and refresh tokens. Each endpoint's self rule (a user revoking their own tokens,
//! a token revoking itself) needs the path or the stored token, so it is checked here.

use serde_json::json;
use uaa_types::RevocableTokenInfo;

use super::Deps;
use super::client_auth::{ClientCredentials, authenticate_client};
use super::token::looks_like_jwt;
use crate::audit::AuditEventType;
use crate::authz::{Authenticated, Authorized, Gate, TokensList, TokensRevoke};
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::ports::{ClientWrite, StoredToken, TokenQuery};
use crate::scope::ScopeSet;
use crate::token::TokenFacts;

/// `TokenRevocationEndpoint.handleException`: an unknown user, client or token id.
fn not_found() -> Error {
    Error::Uaa {
        status: 404,
        error: "invalid_token".into(),
        description: "Resource not found".into(),
    }
}

/// UAA's `RandomValueStringGenerator(8)`.
const SALT_LEN: usize = 8;

/// `TokenRevocationEvent`: principal `clientId:…,userId:…`, the caller's client as origin.
async fn audit_revocation(
    deps: &Deps,
    zone: &ZoneId,
    caller: &str,
    user_id: Option<&str>,
    client_id: Option<&str>,
) {
    let mut data = serde_json::Map::new();
    if let Some(c) = client_id {
        data.insert("ClientID".into(), json!(c));
    }
    if let Some(u) = user_id {
        data.insert("UserID".into(), json!(u));
    }
    data.insert("ZoneID".into(), json!(zone.as_str()));
    let principal = format!(
        "clientId:{},userId:{}",
        client_id.unwrap_or("null"),
        user_id.unwrap_or("null")
    );
    deps.audit(
        zone,
        AuditEventType::TokenRevocationEvent,
        &principal,
        &format!("caller={caller}"),
        serde_json::Value::Object(data).to_string(),
    )
    .await;
}

/// `GET /oauth/token/revoke/user/{userId}`: `tokens.revoke`, or the user themself. A new
/// `salt` revokes every token of the user, for every client.
pub async fn revoke_user(
    deps: &Deps,
    auth: &Authorized<Authenticated>,
    user_id: &str,
) -> Result<()> {
    let (caller, zone) = (&auth.caller, &auth.zone);
    caller.check_unless_self(TokensRevoke::SCOPES, zone, caller.is_user_self(user_id))?;
    let salt = deps.random.alphanumeric(SALT_LEN);
    if !deps.tokens.set_user_salt(zone, user_id, &salt).await? {
        return Err(not_found());
    }
    audit_revocation(deps, zone, caller.client_id.as_str(), Some(user_id), None).await;
    Ok(())
}

/// `GET /oauth/token/revoke/user/{userId}/client/{clientId}`: `tokens.revoke`, or the user
/// themself through that client. Deletes the pair's stored tokens (opaque and revocable access
/// tokens, refresh tokens); other clients' tokens of the user keep working.
pub async fn revoke_user_client(
    deps: &Deps,
    auth: &Authorized<Authenticated>,
    user_id: &str,
    client_id: &str,
) -> Result<()> {
    let (caller, zone) = (&auth.caller, &auth.zone);
    let is_self = caller.is_user_self(user_id) && caller.is_client_self(client_id);
    caller.check_unless_self(TokensRevoke::SCOPES, zone, is_self)?;
    let q = TokenQuery {
        client_id: Some(client_id),
        user_id: Some(user_id),
        response_type: None,
    };
    deps.tokens.delete_tokens(zone, q).await?;
    audit_revocation(
        deps,
        zone,
        caller.client_id.as_str(),
        Some(user_id),
        Some(client_id),
    )
    .await;
    Ok(())
}

/// `GET /oauth/token/revoke/client/{clientId}`: `tokens.revoke`. A new `token_salt` revokes
/// every token issued to the client; its stored tokens are deleted too.
pub async fn revoke_client(
    deps: &Deps,
    auth: &Authorized<TokensRevoke>,
    client_id: &str,
) -> Result<()> {
    let zone = &auth.zone;
    let Some(mut client) = deps.clients.get_client(zone, client_id).await? else {
        return Err(not_found());
    };
    client.token_salt = Some(deps.random.alphanumeric(SALT_LEN));
    client.last_modified = deps.clock.now_millis();
    deps.clients
        .apply_client_writes(zone, vec![ClientWrite::Update(client)])
        .await?;
    let q = TokenQuery {
        client_id: Some(client_id),
        ..TokenQuery::default()
    };
    deps.tokens.delete_tokens(zone, q).await?;
    audit_revocation(
        deps,
        zone,
        auth.caller.client_id.as_str(),
        None,
        Some(client_id),
    )
    .await;
    Ok(())
}

/// `DELETE /oauth/token/revoke/{tokenId}`: `tokens.revoke`, or a caller of the token's client
/// or user (`IsSelfCheck.isTokenRevocationForSelf`). Effective for stored tokens only.
pub async fn revoke_token(
    deps: &Deps,
    auth: &Authorized<Authenticated>,
    token_id: &str,
) -> Result<()> {
    let (caller, zone) = (&auth.caller, &auth.zone);
    let stored = deps.tokens.get_token(zone, token_id).await?;
    let is_self = stored.as_ref().is_some_and(|t| {
        caller.is_client_self(&t.client_id)
            || t.user_id.as_deref().is_some_and(|u| caller.is_user_self(u))
    });
    caller.check_unless_self(TokensRevoke::SCOPES, zone, is_self)?;
    let Some(token) = stored else {
        return Err(not_found());
    };
    deps.tokens.delete_token(zone, token_id).await?;
    audit_revocation(
        deps,
        zone,
        caller.client_id.as_str(),
        token.user_id.as_deref(),
        Some(&token.client_id),
    )
    .await;
    Ok(())
}

/// A stored token as the listing shows it: everything but the value.
fn info(t: StoredToken) -> RevocableTokenInfo {
    RevocableTokenInfo {
        zone_id: t.zone_id.as_str().to_owned(),
        token_id: t.token_id,
        client_id: t.client_id,
        user_id: t.user_id,
        format: t.format.to_ascii_lowercase(),
        expires_at: t.expires_at_ms,
        issued_at: t.issued_at_ms,
        scope: ScopeSet::parse(&t.scope).to_java_string(),
        response_type: t.response_type,
        value: None,
    }
}

/// `GET /oauth/token/list/user/{userId}` (`tokens.list`): the user's unexpired stored tokens.
pub async fn list_user_tokens(
    deps: &Deps,
    auth: &Authorized<TokensList>,
    user_id: &str,
) -> Result<Vec<RevocableTokenInfo>> {
    let q = TokenQuery {
        user_id: Some(user_id),
        ..TokenQuery::default()
    };
    list(deps, auth, q).await
}

/// `GET /oauth/token/list/client/{clientId}` (`tokens.list`): the client's unexpired stored
/// tokens.
pub async fn list_client_tokens(
    deps: &Deps,
    auth: &Authorized<TokensList>,
    client_id: &str,
) -> Result<Vec<RevocableTokenInfo>> {
    let q = TokenQuery {
        client_id: Some(client_id),
        ..TokenQuery::default()
    };
    list(deps, auth, q).await
}

/// The unexpired stored tokens `q` selects, as the listing endpoints show them.
async fn list(
    deps: &Deps,
    auth: &Authorized<TokensList>,
    q: TokenQuery<'_>,
) -> Result<Vec<RevocableTokenInfo>> {
    let rows = deps
        .tokens
        .list_tokens(&auth.zone, q, deps.clock.now_millis())
        .await?;
    Ok(rows.into_iter().map(info).collect())
}

/// RFC 7009 `POST /oauth/revoke` (our addition): the client authenticates as at the token
/// endpoint and names a token it was issued. Opaque access tokens, revocable JWTs and refresh
/// tokens are deleted from the store; revoking a refresh token also deletes the stored access
/// tokens of the same client and user (RFC 7009 §2.1). An unknown, expired or malformed token
/// is not an error (§2.2). A JWT that is not revocable cannot be revoked by itself: 400
/// `unsupported_token_type` (§2.2.1).
pub async fn revoke_rfc7009(
    deps: &Deps,
    zone: &ZoneId,
    creds: Option<&ClientCredentials>,
    token: Option<&str>,
) -> Result<()> {
    let client = authenticate_client(deps, zone, creds).await?;
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(Error::InvalidRequest("Missing token parameter".into()));
    };
    let Some((token_id, claims_jwt)) = resolve(deps, zone, token).await? else {
        return Ok(());
    };
    let Ok(claims) = deps.signer.verify(zone, &claims_jwt) else {
        return Ok(());
    };
    let Ok(facts) = TokenFacts::from_claims(&claims) else {
        return Ok(());
    };
    if facts.client_id != client.client_id.as_str() {
        // §2.1: the token must have been issued to the client making the request.
        return Err(Error::Uaa {
            status: 400,
            error: "unauthorized_client".into(),
            description: "The token was not issued to this client".into(),
        });
    }
    if facts.exp <= deps.clock.now_secs() {
        return Ok(());
    }
    let Some(token_id) = token_id else {
        if facts.revocable {
            // Revoked already.
            return Ok(());
        }
        return Err(Error::Uaa {
            status: 400,
            error: "unsupported_token_type".into(),
            description: "This token is a JWT that is not revocable; only opaque, revocable \
                          (jwt.token.revocable) and refresh tokens can be revoked"
                .into(),
        });
    };
    deps.tokens.delete_token(zone, &token_id).await?;
    let user_id = claims.get("user_id").and_then(serde_json::Value::as_str);
    if token_id.ends_with("-r")
        && let Some(user_id) = user_id
    {
        let q = TokenQuery {
            client_id: Some(client.client_id.as_str()),
            user_id: Some(user_id),
            response_type: Some("ACCESS_TOKEN"),
        };
        deps.tokens.delete_tokens(zone, q).await?;
    }
    let cid = client.client_id.as_str();
    audit_revocation(deps, zone, cid, user_id, Some(cid)).await;
    Ok(())
}

/// The stored id (when the token is stored) and the JWT of a presented token; `None` when it
/// is unknown. A JWT is stored under its `jti` when it is revocable or a refresh token.
async fn resolve(
    deps: &Deps,
    zone: &ZoneId,
    token: &str,
) -> Result<Option<(Option<String>, String)>> {
    if !looks_like_jwt(token) {
        return Ok(deps
            .tokens
            .get_token(zone, token)
            .await?
            .map(|t| (Some(t.token_id), t.value)));
    }
    let Ok(claims) = deps.signer.verify(zone, token) else {
        return Ok(None);
    };
    let jti = claims
        .get("jti")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    let stored = if jti.is_empty() {
        None
    } else {
        deps.tokens.get_token(zone, jti).await?
    };
    Ok(Some((stored.map(|t| t.token_id), token.to_owned())))
}
