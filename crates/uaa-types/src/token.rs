//! The token endpoint's success body (UAA `CompositeToken`, §2.5 of the reference).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
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
