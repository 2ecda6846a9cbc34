//! The validation of presented tokens (reference §2.8), shared by bearer-protected APIs,
//! `/check_token` and `/introspect`. Issuing tokens is `grants` (the token endpoint) and
//! `mint` (signing).

use serde_json::{Value, json};

use super::Deps;
use super::client_auth::{ClientCredentials, authenticate_client};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{UserId, ZoneId};
use crate::token::{TokenFacts, check_issuer_and_expiry, check_rev_sig};
use crate::user::User;

/// A token that passed every check of §2.8.
#[derive(Debug, Clone)]
pub struct ValidToken {
    pub claims: Value,
    pub facts: TokenFacts,
    pub client: Client,
    pub user: Option<User>,
}

/// `TokenValidationService.validateToken`: resolves opaque tokens, verifies the signature,
/// issuer and expiry, that a revocable token is still stored, that client and user exist, and
/// that `rev_sig` still matches.
pub async fn validate_token(deps: &Deps, zone: &ZoneId, token: &str) -> Result<ValidToken> {
    let invalid = |m: &str| Error::InvalidToken(m.into());
    let jwt = if looks_like_jwt(token) {
        token.to_owned()
    } else {
        deps.tokens
            .get_token(zone, token)
            .await?
            .ok_or_else(|| {
                invalid("The token expired, was revoked, or the token ID is incorrect.")
            })?
            .value
    };
    let claims = deps.signer.verify(zone, &jwt)?;
    check_issuer_and_expiry(&claims, &deps.settings.token, deps.clock.now_secs())?;
    let facts = TokenFacts::from_claims(&claims)?;
    if facts.revocable && deps.tokens.get_token(zone, &facts.jti).await?.is_none() {
        return Err(invalid(
            "The token expired, was revoked, or the token ID is incorrect.",
        ));
    }
    let client = deps
        .clients
        .get_client(zone, &facts.client_id)
        .await?
        .ok_or_else(|| Error::InvalidToken(format!("Invalid client ID {}", facts.client_id)))?;
    let user = match &facts.user_id {
        Some(id) => Some(
            deps.users
                .get_user(zone, &UserId::new(id.clone()))
                .await?
                .ok_or_else(|| {
                    Error::InvalidToken(format!("Token bears a non-existent user ID: {id}"))
                })?,
        ),
        None => None,
    };
    check_rev_sig(&facts, &client, user.as_ref())?;
    // `AccessTokenValidation.validateJtiValue`: a refresh token is not a bearer token.
    if facts.jti.ends_with("-r") {
        return Err(invalid("Invalid access token."));
    }
    Ok(ValidToken {
        claims,
        facts,
        client,
        user,
    })
}

/// UAA `UaaTokenUtils.jwtPattern`: three dot-separated base64url segments.
pub fn looks_like_jwt(t: &str) -> bool {
    let parts: Vec<&str> = t.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=' | b'\\'))
        })
}

/// `/check_token` (§3): the client must hold `uaa.resource`; returns the claims with
/// `revocable` always present. All token problems are 400 `invalid_token`.
pub async fn check_token(
    deps: &Deps,
    zone: &ZoneId,
    creds: Option<&ClientCredentials>,
    token: Option<&str>,
    scopes: Option<&str>,
) -> Result<Value> {
    let client = authenticate_client(deps, zone, creds).await?;
    if !client.authorities.contains("uaa.resource") {
        return Err(Error::AccessDenied("Access is denied".into()));
    }
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(Error::InvalidToken("Token parameter must be set".into()));
    };
    let valid = validate_token(deps, zone, token)
        .await
        .map_err(|e| match e {
            Error::InvalidToken(m) if m.contains("expired at") => {
                Error::InvalidToken("Token has expired".into())
            }
            other => other,
        })?;
    if let Some(wanted) = scopes.filter(|s| !s.is_empty()) {
        let missing: Vec<&str> = wanted
            .split(',')
            .map(str::trim)
            .filter(|s| {
                !s.is_empty()
                    && !valid
                        .facts
                        .scopes
                        .iter()
                        .any(|have| have.eq_ignore_ascii_case(s))
            })
            .collect();
        if !missing.is_empty() {
            return Err(Error::invalid_scope(
                format!("Some requested scopes are missing: {}", missing.join(",")),
                None,
            ));
        }
    }
    let mut claims = valid.claims;
    if let Some(map) = claims.as_object_mut() {
        map.entry("revocable").or_insert(Value::Bool(false));
    }
    Ok(claims)
}

/// RFC 7662 introspection: `{"active":true, …claims}` or `{"active":false}`, never an error
/// for a bad token.
pub async fn introspect(deps: &Deps, zone: &ZoneId, token: &str) -> Value {
    match validate_token(deps, zone, token).await {
        Ok(v) => {
            let mut out = serde_json::Map::new();
            out.insert("active".into(), Value::Bool(true));
            if let Value::Object(m) = v.claims {
                out.extend(m);
            }
            Value::Object(out)
        }
        Err(_) => json!({"active": false}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_shape_is_three_base64url_segments() {
        assert!(looks_like_jwt("a.b.c"));
        assert!(looks_like_jwt("eyJ.eyJ.sig-_"));
        assert!(!looks_like_jwt("0123456789abcdef"));
        assert!(!looks_like_jwt("a.b"));
        assert!(!looks_like_jwt("a.b.c d"));
    }
}
