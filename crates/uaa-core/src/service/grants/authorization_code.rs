//! `grant_type=authorization_code` (RFC 6749 §4.1.3, `AuthorizationCodeTokenGranter` with
//! PKCE, RFC 7636 §4.6): a code issued by `/oauth/authorize` is redeemed once for the tokens
//! of the user who approved it. Codes are single-use (taken with one `DELETE … RETURNING`),
//! live five minutes (UAA's `UaaTokenStore` default) and are bound to the client, the redirect
//! URI and the PKCE challenge; the store keeps only their SHA-256.

use serde::{Deserialize, Serialize};
use uaa_types::TokenResponse;

use super::super::Deps;
use super::super::mint::{Grant, IdTokenExtras, mint_with};
use super::request::TokenRequest;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{UserId, ZoneId};
use crate::pkce;
use crate::ports::StoredCode;
use crate::scope::ScopeSet;

pub const GRANT_TYPE: &str = "authorization_code";

/// How long a code can be redeemed (UAA: five minutes).
pub const CODE_VALIDITY_MS: i64 = 5 * 60 * 1000;

/// What a code stands for (stored as JSON in `oauth_code.authentication`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeGrant {
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    pub requested_redirect: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
    pub auth_time: i64,
}

/// Stores a new code for `grant`, approved by `user_id` for `client_id`; returns the code (only
/// its SHA-256 is kept).
pub async fn issue_code(
    deps: &Deps,
    zone: &ZoneId,
    client_id: &str,
    user_id: &str,
    grant: &CodeGrant,
) -> Result<String> {
    let code = deps.random.alphanumeric(32);
    let now = deps.clock.now_millis();
    deps.codes
        .put_code(StoredCode {
            code_hash: pkce::sha256_hex(&code),
            client_id: client_id.to_owned(),
            user_id: user_id.to_owned(),
            created_ms: now,
            expires_ms: now + CODE_VALIDITY_MS,
            data: serde_json::to_string(grant).map_err(|e| Error::Internal(e.to_string()))?,
            zone_id: zone.clone(),
        })
        .await?;
    Ok(code)
}

/// The `authorization_code` grant (`AuthorizationCodeTokenGranter` with PKCE): the code is
/// consumed first, so a failed redemption cannot be retried.
pub async fn grant(deps: &Deps, zone: &ZoneId, req: &TokenRequest<'_>) -> Result<TokenResponse> {
    let (client, params) = (&req.client, req.params);
    let Some(code) = params.get("code") else {
        return Err(Error::InvalidRequest(
            "An authorization code must be supplied.".into(),
        ));
    };
    let verifier = params.get("code_verifier").map(String::as_str);
    if verifier.is_some_and(|v| !pkce::is_valid_parameter(v)) {
        return Err(Error::InvalidRequest(pkce::VERIFIER_SYNTAX.into()));
    }
    let invalid = || Error::InvalidGrant(format!("Invalid authorization code: {code}"));
    let stored = deps
        .codes
        .take_code(zone, &pkce::sha256_hex(code))
        .await?
        .filter(|c| c.expires_ms > deps.clock.now_millis())
        .ok_or_else(invalid)?;
    let grant: CodeGrant =
        serde_json::from_str(&stored.data).map_err(|e| Error::Internal(e.to_string()))?;
    check_pkce(client, &grant, verifier.filter(|v| !v.is_empty()))?;
    let redirect = params.get("redirect_uri");
    if (redirect.is_some() || grant.requested_redirect.is_some())
        && redirect != Some(&grant.redirect_uri)
    {
        return Err(Error::InvalidGrant("Redirect URI mismatch.".into()));
    }
    if stored.client_id != client.client_id.as_str() {
        return Err(Error::InvalidClient("Client ID mismatch".into()));
    }
    let user = deps
        .users
        .get_user(zone, &UserId::new(stored.user_id.clone()))
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid)?;
    let g = Grant {
        name: GRANT_TYPE,
        opaque: req.opaque,
        auth_time: Some(grant.auth_time),
        auth_method: req.auth_method,
    };
    let extras = IdTokenExtras {
        nonce: grant.nonce.as_deref(),
    };
    let scopes: ScopeSet = grant.scopes.iter().map(String::as_str).collect();
    mint_with(deps, zone, client, Some(&user), &g, scopes, &extras).await
}

/// `PkceValidationService.checkAndValidate`, with UAA's messages.
fn check_pkce(client: &Client, grant: &CodeGrant, verifier: Option<&str>) -> Result<()> {
    let pkce_error = |m: &str| Error::InvalidGrant(format!("PKCE error: {m}"));
    let (challenge, verifier) = match (grant.code_challenge.as_deref(), verifier) {
        (None, None) => return Ok(()),
        (Some(_), None) => {
            return Err(pkce_error(
                "Code verifier must be provided for this authorization code.",
            ));
        }
        (None, Some(_)) => {
            return Err(pkce_error(
                "Code verifier not required for this authorization code.",
            ));
        }
        (Some(c), Some(v)) => (c, v),
    };
    let method = grant.code_challenge_method.as_deref().unwrap_or("plain");
    if !method.eq_ignore_ascii_case("S256") && client.allow_public {
        // (sic) UAA's text.
        return Err(Error::InvalidGrant(
            "Public client must use code challange method S256".into(),
        ));
    }
    if !pkce::verify(method, challenge, verifier) {
        return Err(Error::InvalidGrant(format!(
            "Invalid code verifier: {verifier}"
        )));
    }
    Ok(())
}
