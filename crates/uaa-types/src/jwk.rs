//! `/token_key` and `/token_keys` bodies. UAA adds `value` (the PEM public key, or the
//! symmetric secret for `MAC` keys) and `use`, which generic JWK types lack.

use serde::{Deserialize, Serialize};

/// One key as UAA renders it: `{"kty","e","use","kid","alg","value","n"}` for RSA,
/// `{"kty":"EC","crv","x","y",...}` for EC, `{"kty":"MAC","value",...}` for HMAC keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    #[serde(rename = "use")]
    pub use_: String,
    pub kid: String,
    pub alg: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
}

/// `GET /token_keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}
