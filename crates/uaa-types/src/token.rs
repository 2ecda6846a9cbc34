//! The token endpoint's success body (UAA `CompositeToken`, §2.5 of the reference).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// `null` only for the `user_token` grant, whose answer is a refresh token for another
    /// client (UAA `UserTokenGranter`).
    pub access_token: Option<String>,
    /// Lowercase `bearer`, as UAA writes it; uaac copies it verbatim into `authorization`.
    pub token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub scope: String,
    pub jti: String,
}

/// One stored token as `/oauth/token/list/…` shows it (UAA `RevocableToken`), without its
/// value: `value` is always `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevocableTokenInfo {
    pub zone_id: String,
    pub token_id: String,
    pub client_id: String,
    pub user_id: Option<String>,
    /// `opaque` or `jwt`.
    pub format: String,
    /// Epoch milliseconds.
    pub expires_at: i64,
    /// Epoch milliseconds.
    pub issued_at: i64,
    /// Java's `Set.toString()` form, `[a, b]`, as UAA stores it.
    pub scope: String,
    /// `ACCESS_TOKEN` or `REFRESH_TOKEN`.
    pub response_type: String,
    pub value: Option<String>,
}
