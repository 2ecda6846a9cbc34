//! `grant_type=password` (RFC 6749 §4.3, UAA's `ResourceOwnerPasswordTokenGranter`): the
//! user's username and password, checked by the internal identity provider (or the one
//! `login_hint` names), for a token of that user.

use serde_json::Value;
use uaa_types::TokenResponse;

use super::super::Deps;
use super::super::user_auth::{authenticate_user, refuse_pending_password_change};
use super::request::TokenRequest;
use super::user::issue_for_user;
use crate::error::{Error, Result};
use crate::ids::{ORIGIN_UAA, ZoneId};
use crate::secret::Secret;

pub const GRANT_TYPE: &str = "password";

/// Authenticates the user, then issues as every user grant does.
pub async fn grant(deps: &Deps, zone: &ZoneId, req: &TokenRequest<'_>) -> Result<TokenResponse> {
    let params = req.params;
    let username = params.get("username").map(String::as_str).unwrap_or("");
    let password = Secret::new(params.get("password").cloned().unwrap_or_default());
    let origin = login_hint_origin(params.get("login_hint"))?;
    let user = authenticate_user(deps, zone, username, &password, &origin).await?;
    refuse_pending_password_change(&user)?;
    issue_for_user(deps, zone, req, &user, GRANT_TYPE).await
}

/// `login_hint` is URL-encoded JSON `{"origin":"<key>"}`; the default origin is `uaa`.
fn login_hint_origin(hint: Option<&String>) -> Result<String> {
    let Some(hint) = hint.filter(|h| !h.is_empty()) else {
        return Ok(ORIGIN_UAA.into());
    };
    let v: Value = serde_json::from_str(hint)
        .map_err(|_| Error::InvalidRequest("Invalid login_hint".into()))?;
    Ok(v.get("origin")
        .and_then(Value::as_str)
        .unwrap_or(ORIGIN_UAA)
        .to_owned())
}
