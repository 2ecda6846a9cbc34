//! Error bodies. OAuth endpoints answer RFC 6749 §5.2 `{"error","error_description"}` (plus
//! `scope` for `invalid_scope` and `insufficient_scope`); SCIM and admin controllers answer
//! UAA's `ExceptionReport` `{"error","message","error_description"}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    pub error: String,
    pub error_description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionReport {
    pub error: String,
    pub message: String,
    pub error_description: String,
}
