//! Compact JWS (RFC 7515 §7.1) written by hand over aws-lc-rs, so the header is byte-for-byte
//! UAA's (`alg`, `jku`, `kid`, `typ` in that order) and verification is strict: the key is
//! chosen by `kid`, and the token's `alg` must equal that key's algorithm, which closes the
//! `alg:none` and RSA-public-key-as-HMAC-secret confusions (RFC 8725 §2.1, §3.1).
//! Expiry, issuer and audience are the server's business, not this module's.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use uaa_types::JwkSet;

use crate::CryptoError;
use crate::keys::SigningKey;

/// Why a presented token was rejected. The server turns every variant into 401
/// `invalid_token`; the messages are for logs and `error_description`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("token is not a JWT")]
    NotAJwt,
    #[error("token header is not a base64url-encoded JSON object")]
    MalformedHeader,
    #[error("token header has no alg")]
    MissingAlg,
    #[error("unsigned tokens (alg none) are not accepted")]
    AlgNone,
    #[error("unknown key id {0:?}")]
    UnknownKid(String),
    #[error("token alg {token:?} does not match the key's alg {key}")]
    AlgMismatch { token: String, key: &'static str },
    #[error("token header marks extensions as critical, which are not supported")]
    UnsupportedCritical,
    #[error("token signature is not valid base64url")]
    MalformedSignature,
    #[error("signature does not match")]
    SignatureMismatch,
    #[error("token claims are not a base64url-encoded JSON object")]
    MalformedClaims,
}

/// Signs `claims` as a compact JWS with `key`. The header is UAA's: `alg`, then `jku` when
/// `header_extra` carries one, then `kid` and `typ:"JWT"`; any other `header_extra` entries
/// follow (`alg`/`kid`/`typ` in it are ignored: the key decides them).
pub fn sign(
    key: &SigningKey,
    header_extra: Map<String, Value>,
    claims: &Value,
) -> Result<String, CryptoError> {
    let header = header(key, header_extra);
    let mut input = b64_json(&Value::Object(header))?;
    input.push('.');
    input.push_str(&b64_json(claims)?);
    let sig = key.sign_bytes(input.as_bytes())?;
    input.push('.');
    input.push_str(&URL_SAFE_NO_PAD.encode(sig));
    Ok(input)
}

/// The protected header in UAA's order (needs serde_json's `preserve_order`, which the
/// workspace enables).
fn header(key: &SigningKey, mut extra: Map<String, Value>) -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("alg".into(), key.alg().as_str().into());
    if let Some(jku) = extra.remove("jku") {
        header.insert("jku".into(), jku);
    }
    header.insert("kid".into(), key.kid().into());
    header.insert("typ".into(), "JWT".into());
    for (name, value) in extra {
        if !matches!(name.as_str(), "alg" | "kid" | "typ") {
            header.insert(name, value);
        }
    }
    header
}

fn b64_json(value: &Value) -> Result<String, CryptoError> {
    Ok(URL_SAFE_NO_PAD.encode(serde_json::to_vec(value)?))
}

/// The keys of one identity zone: the active key signs, every key verifies (so tokens signed
/// before a rotation stay valid until they expire, as in UAA's `KeyInfoService`).
#[derive(Debug, Clone)]
pub struct KeyRing {
    /// A (cheap, `Arc`-sharing) clone of the active member of `keys`.
    active: SigningKey,
    keys: Vec<SigningKey>,
}

impl KeyRing {
    /// A ring of `keys` signing with `active_kid`. Kids must be unique and the active one
    /// present (UAA refuses to start on an `activeKeyId` that names no key).
    pub fn new(keys: Vec<SigningKey>, active_kid: &str) -> Result<Self, CryptoError> {
        for (i, key) in keys.iter().enumerate() {
            if keys[..i].iter().any(|k| k.kid() == key.kid()) {
                return Err(CryptoError::InvalidKeyRing(format!(
                    "duplicate key id {:?}",
                    key.kid()
                )));
            }
        }
        let Some(active) = keys.iter().find(|k| k.kid() == active_kid).cloned() else {
            return Err(CryptoError::InvalidKeyRing(format!(
                "the active key id {active_kid:?} is not among the configured keys"
            )));
        };
        Ok(Self { active, keys })
    }

    /// The key new tokens are signed with.
    pub fn active(&self) -> &SigningKey {
        &self.active
    }

    /// The key with this `kid`, if any.
    pub fn get(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.kid() == kid)
    }

    /// All keys, in configuration order.
    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }

    /// `/token_keys`: every asymmetric key, plus HMAC keys only when `include_symmetric`
    /// (UAA shows MAC secrets only to an authenticated client).
    pub fn jwks(&self, include_symmetric: bool) -> JwkSet {
        let keys = self
            .keys
            .iter()
            .filter(|k| include_symmetric || !k.is_symmetric());
        JwkSet {
            keys: keys.map(SigningKey::jwk).collect(),
        }
    }

    /// Signs with the active key; see [`sign`].
    pub fn sign(
        &self,
        header_extra: Map<String, Value>,
        claims: &Value,
    ) -> Result<String, CryptoError> {
        sign(self.active(), header_extra, claims)
    }

    /// Checks a compact JWS and returns its header and claims. The key is the one named by
    /// `kid` (the active key when there is no `kid`); `alg` must equal that key's algorithm.
    /// Does not look at `exp`, `iss` or `aud`.
    pub fn verify(&self, token: &str) -> Result<(Map<String, Value>, Value), JwsError> {
        let (header_b64, payload_b64, sig_b64) = split(token)?;
        let header = decode_object(header_b64).ok_or(JwsError::MalformedHeader)?;
        let key = self.key_for(&header)?;
        check_alg(&header, key)?;
        // RFC 7515 §4.1.11: unknown critical extensions must be rejected; we know none.
        if header.contains_key("crit") {
            return Err(JwsError::UnsupportedCritical);
        }
        let sig = URL_SAFE_NO_PAD
            .decode(sig_b64)
            .map_err(|_| JwsError::MalformedSignature)?;
        let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
        if !key.verify_bytes(signing_input.as_bytes(), &sig) {
            return Err(JwsError::SignatureMismatch);
        }
        let claims = decode_object(payload_b64).ok_or(JwsError::MalformedClaims)?;
        Ok((header, Value::Object(claims)))
    }

    /// The key named by the header's `kid`, or the active key when it has none.
    fn key_for(&self, header: &Map<String, Value>) -> Result<&SigningKey, JwsError> {
        match header.get("kid") {
            None => Ok(self.active()),
            Some(Value::String(kid)) => self
                .get(kid)
                .ok_or_else(|| JwsError::UnknownKid(kid.clone())),
            Some(other) => Err(JwsError::UnknownKid(other.to_string())),
        }
    }
}

/// Splits `header.payload.signature`; anything else (JWE's five parts, opaque tokens) is not
/// a JWS.
pub(crate) fn split(token: &str) -> Result<(&str, &str, &str), JwsError> {
    let mut parts = token.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) if !h.is_empty() && !p.is_empty() => Ok((h, p, s)),
        _ => Err(JwsError::NotAJwt),
    }
}

/// RFC 8725 §3.1: the algorithm comes from the key, never from the token; a token whose
/// `alg` differs (including `none`) is rejected before any cryptography runs.
fn check_alg(header: &Map<String, Value>, key: &SigningKey) -> Result<(), JwsError> {
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(JwsError::MissingAlg)?;
    if alg.eq_ignore_ascii_case("none") {
        return Err(JwsError::AlgNone);
    }
    if alg != key.alg().as_str() {
        return Err(JwsError::AlgMismatch {
            token: alg.to_owned(),
            key: key.alg().as_str(),
        });
    }
    Ok(())
}

/// base64url (no padding, RFC 7515 §2) → JSON object.
pub(crate) fn decode_object(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
