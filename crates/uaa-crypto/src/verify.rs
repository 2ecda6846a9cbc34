//! Verification-only keys of an external identity provider, from what UAA accepts as an OIDC
//! provider's `config.tokenKey` (`JsonWebKeyHelper.parseConfiguration`): a JWK Set or a single
//! JWK as JSON (RSA `n`/`e`, EC P-256 `x`/`y`, `oct` `k`, or UAA's own `value` PEM), a PEM
//! public key (`PUBLIC KEY` SubjectPublicKeyInfo, RSA or P-256, or PKCS#1 `RSA PUBLIC KEY`),
//! or any other string as an HMAC secret.
//!
//! As in [`crate::jws`], the token's `alg` must suit the key (an RSA key never verifies an
//! HMAC tag, `none` is refused); a `kid` in the token picks the keys with that `kid` when the
//! set has any, otherwise every key is tried (UAA's `ChainedSignatureVerifier`).

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Map, Value};

use crate::CryptoError;
use crate::jws::{JwsError, decode_object, split};
use crate::keys::{KeyKind, SigningAlg};
use crate::pem;

enum Material {
    /// PKCS#1 `RSAPublicKey` or SPKI DER.
    RsaDer(Vec<u8>),
    RsaComponents {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// SPKI DER or an uncompressed SEC1 point, P-256.
    Ec(Vec<u8>),
    Hmac(Vec<u8>),
}

impl Material {
    fn kind(&self) -> KeyKind {
        match self {
            Self::RsaDer(_) | Self::RsaComponents { .. } => KeyKind::Rsa,
            Self::Ec(_) => KeyKind::Ec,
            Self::Hmac(_) => KeyKind::Hmac,
        }
    }

    fn verify(&self, alg: SigningAlg, message: &[u8], sig: &[u8]) -> bool {
        match self {
            Self::RsaDer(der) => UnparsedPublicKey::new(alg.rsa_verification(), der)
                .verify(message, sig)
                .is_ok(),
            Self::RsaComponents { n, e } => RsaPublicKeyComponents { n, e }
                .verify(alg.rsa_verification(), message, sig)
                .is_ok(),
            Self::Ec(bytes) => UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, bytes)
                .verify(message, sig)
                .is_ok(),
            Self::Hmac(secret) => {
                hmac::verify(&hmac::Key::new(alg.hmac(), secret), message, sig).is_ok()
            }
        }
    }
}

struct VerificationKey {
    kid: Option<String>,
    /// The JWK's `alg`, when it names one: the token's must then be equal.
    alg: Option<SigningAlg>,
    material: Material,
}

/// The public keys (or shared secrets) of one identity provider. `Debug` shows key ids and
/// types only, never an HMAC secret.
pub struct VerificationKeys {
    keys: Vec<VerificationKey>,
}

impl fmt::Debug for VerificationKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| format!("{:?}:{:?}", k.kid, k.material.kind()))
            .collect();
        f.debug_struct("VerificationKeys")
            .field("keys", &keys)
            .finish()
    }
}

impl VerificationKeys {
    /// Parses a `tokenKey` value (see the module documentation).
    pub fn from_config(token_key: &str) -> Result<Self, CryptoError> {
        let text = token_key.trim();
        if text.is_empty() {
            return Err(invalid("the token key must not be empty"));
        }
        let keys = if text.starts_with('{') {
            let json: Value = serde_json::from_str(text)
                .map_err(|e| invalid(&format!("the token key is not valid JSON: {e}")))?;
            match json.get("keys") {
                Some(Value::Array(items)) => {
                    items.iter().map(from_jwk).collect::<Result<_, _>>()?
                }
                Some(_) => return Err(invalid("\"keys\" must be an array of JWKs")),
                None => vec![from_jwk(&json)?],
            }
        } else if text.starts_with("-----BEGIN") {
            vec![from_pem(text, None)?]
        } else {
            vec![VerificationKey {
                kid: None,
                alg: None,
                material: Material::Hmac(text.as_bytes().to_vec()),
            }]
        };
        if keys.is_empty() {
            return Err(invalid("the JWK Set has no keys"));
        }
        Ok(Self { keys })
    }

    /// How many keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True for an empty set (never built by [`VerificationKeys::from_config`]).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Checks a compact JWS against the keys and returns its header and claims. Does not look
    /// at `exp`, `iss` or `aud`.
    pub fn verify(&self, token: &str) -> Result<(Map<String, Value>, Value), JwsError> {
        let (header_b64, payload_b64, sig_b64) = split(token)?;
        let header = decode_object(header_b64).ok_or(JwsError::MalformedHeader)?;
        let alg_name = header
            .get("alg")
            .and_then(Value::as_str)
            .ok_or(JwsError::MissingAlg)?;
        if alg_name.eq_ignore_ascii_case("none") {
            return Err(JwsError::AlgNone);
        }
        if header.contains_key("crit") {
            return Err(JwsError::UnsupportedCritical);
        }
        let Ok(alg) = SigningAlg::from_str(alg_name) else {
            return Err(JwsError::AlgMismatch {
                token: alg_name.to_owned(),
                key: "none of the provider's keys",
            });
        };
        let kid = header.get("kid").and_then(Value::as_str);
        let named: Vec<&VerificationKey> = match kid {
            Some(kid) => self
                .keys
                .iter()
                .filter(|k| k.kid.as_deref() == Some(kid))
                .collect(),
            None => Vec::new(),
        };
        let candidates: Vec<&VerificationKey> = if named.is_empty() {
            self.keys.iter().collect()
        } else {
            named
        };
        let usable: Vec<&VerificationKey> = candidates
            .into_iter()
            .filter(|k| k.material.kind() == alg.kind() && k.alg.is_none_or(|a| a == alg))
            .collect();
        if usable.is_empty() {
            return Err(JwsError::AlgMismatch {
                token: alg_name.to_owned(),
                key: "none of the provider's keys",
            });
        }
        let sig = URL_SAFE_NO_PAD
            .decode(sig_b64)
            .map_err(|_| JwsError::MalformedSignature)?;
        let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
        if !usable
            .iter()
            .any(|k| k.material.verify(alg, signing_input.as_bytes(), &sig))
        {
            return Err(JwsError::SignatureMismatch);
        }
        let claims = decode_object(payload_b64).ok_or(JwsError::MalformedClaims)?;
        Ok((header, Value::Object(claims)))
    }
}

/// One JWK (RFC 7517 §4, RFC 7518 §6).
fn from_jwk(jwk: &Value) -> Result<VerificationKey, CryptoError> {
    let field = |name: &str| jwk.get(name).and_then(Value::as_str);
    let kid = field("kid").map(str::to_owned);
    let alg = field("alg")
        .filter(|a| !a.is_empty())
        .map(SigningAlg::from_str)
        .transpose()?;
    let b64 = |name: &str| -> Result<Vec<u8>, CryptoError> {
        let v = field(name).ok_or_else(|| invalid(&format!("a JWK has no \"{name}\"")))?;
        decode_b64url(v).ok_or_else(|| invalid(&format!("the JWK's \"{name}\" is not base64url")))
    };
    let material = match field("kty") {
        Some("RSA") => {
            let strip = |mut v: Vec<u8>| {
                let zeros = v.iter().take_while(|b| **b == 0).count();
                v.drain(..zeros);
                v
            };
            Material::RsaComponents {
                n: strip(b64("n")?),
                e: strip(b64("e")?),
            }
        }
        Some("EC") => {
            if field("crv").is_some_and(|c| c != "P-256") {
                return Err(invalid("only EC keys on curve P-256 are supported"));
            }
            let (x, y) = (b64("x")?, b64("y")?);
            if x.len() != 32 || y.len() != 32 {
                return Err(invalid("a P-256 JWK needs 32-byte \"x\" and \"y\""));
            }
            let mut point = vec![4u8];
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            Material::Ec(point)
        }
        Some("oct") => Material::Hmac(b64("k")?),
        // UAA's own JWK shape: `kty: MAC` with the secret in `value`.
        Some("MAC") => Material::Hmac(
            field("value")
                .ok_or_else(|| invalid("a MAC JWK has no \"value\""))?
                .as_bytes()
                .to_vec(),
        ),
        Some(other) => return Err(invalid(&format!("unsupported JWK kty {other:?}"))),
        None => match field("value") {
            Some(pem) if pem.trim_start().starts_with("-----BEGIN") => {
                return from_pem(pem, kid).map(|k| VerificationKey { alg, ..k });
            }
            _ => return Err(invalid("a JWK has no \"kty\"")),
        },
    };
    let key = VerificationKey { kid, alg, material };
    if let Some(a) = key.alg
        && a.kind() != key.material.kind()
    {
        return Err(invalid(&format!(
            "the JWK's alg {a} does not suit its key type"
        )));
    }
    check(&key)?;
    Ok(key)
}

/// A PEM public key: SPKI (`PUBLIC KEY`, RSA or P-256) or PKCS#1 (`RSA PUBLIC KEY`).
fn from_pem(text: &str, kid: Option<String>) -> Result<VerificationKey, CryptoError> {
    let blocks = pem::decode_all(text).map_err(|e| invalid(&e.to_string()))?;
    let Some(block) = blocks.iter().find(|b| b.label.ends_with("PUBLIC KEY")) else {
        let found = blocks.first().map_or("", |b| b.label.as_str());
        return Err(invalid(&format!(
            "a token key must be a public key, found {found}"
        )));
    };
    let is_rsa =
        signature::ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &block.der).is_ok();
    let material = if block.label == "RSA PUBLIC KEY" || is_rsa {
        Material::RsaDer(block.der.clone())
    } else {
        Material::Ec(block.der.clone())
    };
    let key = VerificationKey {
        kid,
        alg: None,
        material,
    };
    check(&key)?;
    Ok(key)
}

/// Rejects key material the backend cannot use, at configuration time rather than per token.
fn check(key: &VerificationKey) -> Result<(), CryptoError> {
    let ok = match &key.material {
        Material::RsaDer(der) => {
            signature::ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der.as_slice())
                .is_ok()
        }
        Material::RsaComponents { n, e } => !n.is_empty() && !e.is_empty(),
        Material::Ec(bytes) => {
            signature::ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, bytes.as_slice())
                .is_ok()
        }
        Material::Hmac(secret) => !secret.is_empty(),
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "the public key is neither RSA (2048-8192 bits) nor EC P-256",
        ))
    }
}

/// base64url with or without padding (RFC 7515 §2 says without; some providers pad).
fn decode_b64url(v: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(v)
        .or_else(|_| URL_SAFE.decode(v))
        .ok()
}

fn invalid(reason: &str) -> CryptoError {
    CryptoError::InvalidKey {
        kid: "tokenKey".to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::keys::SigningKey;

    fn token(key: &SigningKey, kid: bool) -> String {
        let t = crate::sign(key, Map::new(), &json!({"sub": "x"})).unwrap();
        if kid {
            return t;
        }
        // Re-sign without a kid in the header.
        let header = json!({"alg": key.alg().as_str(), "typ": "JWT"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap()),
            t.split('.').nth(1).unwrap()
        );
        let sig = key.sign_bytes(input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn jwks(keys: &[&SigningKey]) -> String {
        json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}).to_string()
    }

    #[test]
    fn an_rsa_public_key_pem_verifies_rs256_tokens_with_or_without_kid() {
        let key = SigningKey::generate_rsa("k1").unwrap();
        let keys = VerificationKeys::from_config(&key.jwk().value).unwrap();
        assert_eq!(keys.verify(&token(&key, true)).unwrap().1["sub"], "x");
        assert!(keys.verify(&token(&key, false)).is_ok());
    }

    #[test]
    fn an_ec_public_key_pem_and_an_ec_jwk_verify_es256_tokens() {
        let key = SigningKey::generate_ec("e1").unwrap();
        let pem = VerificationKeys::from_config(&key.jwk().value).unwrap();
        assert!(pem.verify(&token(&key, true)).is_ok());
        let jwk = VerificationKeys::from_config(&jwks(&[&key])).unwrap();
        assert!(jwk.verify(&token(&key, true)).is_ok());
    }

    #[test]
    fn a_jwk_set_picks_the_key_by_kid_and_tries_all_without_one() {
        let a = SigningKey::generate_rsa("a").unwrap();
        let b = SigningKey::generate_rsa("b").unwrap();
        let keys = VerificationKeys::from_config(&jwks(&[&a, &b])).unwrap();
        assert_eq!(keys.len(), 2);
        assert!(keys.verify(&token(&b, true)).is_ok());
        assert!(keys.verify(&token(&b, false)).is_ok());
        let single =
            VerificationKeys::from_config(&serde_json::to_string(&a.jwk()).unwrap()).unwrap();
        assert!(single.verify(&token(&a, true)).is_ok());
        assert_eq!(
            single.verify(&token(&b, false)).unwrap_err(),
            JwsError::SignatureMismatch
        );
    }

    #[test]
    fn a_token_signed_by_another_key_is_a_signature_mismatch() {
        let key = SigningKey::generate_rsa("k").unwrap();
        let other = SigningKey::generate_rsa("k").unwrap();
        let keys = VerificationKeys::from_config(&key.jwk().value).unwrap();
        assert_eq!(
            keys.verify(&token(&other, true)).unwrap_err(),
            JwsError::SignatureMismatch
        );
    }

    #[test]
    fn an_hmac_secret_verifies_hs256_but_never_an_rsa_token() {
        let mac = SigningKey::from_config("m", "shared-secret", None).unwrap();
        let keys = VerificationKeys::from_config("shared-secret").unwrap();
        assert!(keys.verify(&token(&mac, true)).is_ok());
        let rsa = SigningKey::generate_rsa("r").unwrap();
        assert!(matches!(
            keys.verify(&token(&rsa, true)),
            Err(JwsError::AlgMismatch { .. })
        ));
        // An RSA public key is never used as an HMAC secret (RFC 8725 §2.1).
        let rsa_keys = VerificationKeys::from_config(&rsa.jwk().value).unwrap();
        assert!(matches!(
            rsa_keys.verify(&token(&mac, true)),
            Err(JwsError::AlgMismatch { .. })
        ));
    }

    #[test]
    fn unsigned_and_malformed_tokens_are_refused() {
        let keys = VerificationKeys::from_config("secret").unwrap();
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(br#"{"sub":"x"}"#)
        );
        assert_eq!(keys.verify(&none).unwrap_err(), JwsError::AlgNone);
        assert_eq!(keys.verify("abc").unwrap_err(), JwsError::NotAJwt);
    }

    #[test]
    fn bad_token_keys_are_configuration_errors() {
        for bad in [
            "",
            "{",
            r#"{"keys":{}}"#,
            r#"{"keys":[]}"#,
            r#"{"kty":"RSA","n":"AQAB"}"#,
            r#"{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}"#,
            r#"{"kty":"XYZ"}"#,
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        ] {
            assert!(VerificationKeys::from_config(bad).is_err(), "{bad:?}");
        }
        let private = SigningKey::generate_rsa("p")
            .unwrap()
            .to_pkcs8_pem()
            .unwrap();
        let err = VerificationKeys::from_config(&private)
            .unwrap_err()
            .to_string();
        assert!(err.contains("must be a public key"), "{err}");
    }
}
