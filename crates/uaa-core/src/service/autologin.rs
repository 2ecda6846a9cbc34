//! `/autologin` (uaa-accounts §7, UAA's `LoginInfoEndpoint.generateAutologinCode` and
//! `AutologinAuthenticationManager`): a trusted client that holds a user's password trades it
//! for a one-time code, and the browser it hands the code to is signed in without seeing the
//! login page, either at `GET /autologin` or on its way through `/oauth/authorize` (cf-uaa-lib's
//! `autologin_uri`).
//!
//! The code is an `AUTOLOGIN` expiring code: five minutes, bound to the client that asked for
//! it, spent by the first attempt to redeem it (even a failed one, as UAA's `retrieveCode`
//! deletes before it checks). Only its SHA-256 is stored.

use serde::{Deserialize, Serialize};

use super::Deps;
use super::client_auth::{ClientCredentials, authenticate_client};
use super::login::{SignInError, authenticate};
use crate::error::{Error, Result};
use crate::ids::{UserId, ZoneId};
use crate::pkce::sha256_hex;
use crate::ports::ExpiringCode;
use crate::scim::users::LOCKED_MESSAGE;
use crate::secret::Secret;
use crate::user::User;

/// The intent of autologin codes (`ExpiringCodeType.AUTOLOGIN`).
pub const AUTOLOGIN_INTENT: &str = "AUTOLOGIN";
/// How long a code can be redeemed.
pub const AUTOLOGIN_VALIDITY_MS: i64 = 5 * 60 * 1000;
/// Where the code is meant to be taken (`AutologinResponse.getPath`).
pub const AUTOLOGIN_PATH: &str = "/oauth/authorize";

/// What the code stands for, UAA's JSON keys.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct AutologinData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    /// UAA also accepts a code whose data says `"action":"AUTOLOGIN"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action: Option<String>,
}

/// `POST /autologin`: the client's Basic credentials, then the user's. Every refusal is a 401
/// (`UaaExceptionTranslator` turns the controller's `BadCredentialsException`s into
/// `invalid_client` with their message). Returns the code.
pub async fn generate(
    deps: &Deps,
    zone: &ZoneId,
    client: Option<&ClientCredentials>,
    username: Option<&str>,
    password: Option<&str>,
) -> Result<String> {
    let Some(creds) = client else {
        return Err(Error::Unauthorized(
            "An Authentication object was not found in the SecurityContext".into(),
        ));
    };
    let client = authenticate_client(deps, zone, Some(creds)).await?;
    let Some(username) = username else {
        return Err(Error::InvalidClient("No username in request".into()));
    };
    let Some(password) = password.filter(|p| !p.trim().is_empty()) else {
        return Err(Error::InvalidClient("No password in request".into()));
    };
    let who = authenticate(deps, zone, username, &Secret::new(password))
        .await
        .map_err(|e| match e {
            SignInError::BadCredentials => Error::BadClientCredentials,
            SignInError::Locked => Error::Unauthorized(LOCKED_MESSAGE.into()),
            SignInError::Other(e) => e,
        })?;
    let data = AutologinData {
        client_id: Some(client.client_id.to_string()),
        username: Some(who.user.username.clone()),
        user_id: Some(who.user.id.to_string()),
        origin: Some(who.user.origin.clone()),
        action: None,
    };
    let code = deps.random.alphanumeric(32);
    let stored = ExpiringCode {
        code_hash: sha256_hex(&code),
        expires_ms: deps.clock.now_millis() + AUTOLOGIN_VALIDITY_MS,
        data: serde_json::to_string(&data).map_err(|e| Error::Internal(e.to_string()))?,
        intent: Some(AUTOLOGIN_INTENT.into()),
        zone_id: zone.clone(),
    };
    deps.expiring_codes.put_expiring_code(&stored).await?;
    Ok(code)
}

fn cannot_redeem(what: &str) -> Error {
    Error::Unauthorized(format!("Cannot redeem provided code for user, {what}"))
}

/// Takes an autologin code for the client `client_id` names (the request's parameter), with
/// `AutologinAuthenticationManager`'s checks in its order. UAA lets its `InvalidCodeException`s
/// ("Expired code", "Not an autologin code") escape as a 500 page; here they carry the 422 and
/// the codes that exception declares.
pub async fn redeem(
    deps: &Deps,
    zone: &ZoneId,
    code: &str,
    client_id: Option<&str>,
) -> Result<User> {
    let now = deps.clock.now_millis();
    let stored = deps
        .expiring_codes
        .take_expiring_code(zone, &sha256_hex(code))
        .await?
        .filter(|c| c.expires_ms > now)
        .ok_or_else(|| Error::Uaa {
            status: 422,
            error: "expired_code".into(),
            description: "Expired code".into(),
        })?;
    let data: Option<AutologinData> = serde_json::from_str(&stored.data).ok();
    let intended = stored.intent.as_deref() == Some(AUTOLOGIN_INTENT)
        || data
            .as_ref()
            .and_then(|d| d.action.as_deref())
            .is_some_and(|a| a == AUTOLOGIN_INTENT);
    if !intended {
        return Err(Error::Uaa {
            status: 422,
            error: "invalid_code".into(),
            description: "Not an autologin code".into(),
        });
    }
    let data = data.ok_or_else(|| Error::Unauthorized("JsonConversion error".into()))?;
    let Some(code_client) = data.client_id else {
        return Err(cannot_redeem("client id missing"));
    };
    if deps.clients.get_client(zone, &code_client).await?.is_none() {
        return Err(cannot_redeem("client is missing"));
    }
    let user = match &data.user_id {
        Some(id) => deps.users.get_user(zone, &UserId::new(id.clone())).await?,
        None => None,
    };
    let Some(user) = user else {
        return Err(cannot_redeem("user is missing"));
    };
    if client_id != Some(code_client.as_str()) {
        return Err(cannot_redeem("client mismatch"));
    }
    Ok(user)
}
