//! Token signing keys, built from exactly what UAA's `uaa.yml` accepts under
//! `jwt.token.policy.keys.<kid>.{signingKey,signingAlg}` (UAA `KeyInfoBuilder`): a PEM private
//! key is an asymmetric key (RSA PKCS#1/PKCS#8, or EC P-256 SEC1/PKCS#8), and any other string
//! is an HMAC secret. Each key also renders itself as UAA's `/token_keys` JWK, and exports
//! itself so a generated key can be persisted and reloaded after a restart.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _, ParsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uaa_types::Jwk;

use crate::CryptoError;
use crate::pem;

/// The JWS `alg` of a key (RFC 7518 §3.1). UAA signs with RS256 by default for RSA keys and
/// HS256 for MAC keys; `signingAlg` can pick the SHA-384/512 variants. ES256 means P-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningAlg {
    RS256,
    RS384,
    RS512,
    HS256,
    HS384,
    HS512,
    ES256,
}

/// The kind of key material an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    Ec,
    Hmac,
}

impl SigningAlg {
    /// The JWS `alg` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
            Self::ES256 => "ES256",
        }
    }

    pub(crate) fn kind(self) -> KeyKind {
        match self {
            Self::RS256 | Self::RS384 | Self::RS512 => KeyKind::Rsa,
            Self::HS256 | Self::HS384 | Self::HS512 => KeyKind::Hmac,
            Self::ES256 => KeyKind::Ec,
        }
    }

    /// RSASSA-PKCS1-v1_5 padding + digest for signing (RFC 7518 §3.3).
    fn rsa_signing(self) -> &'static signature::RsaSignatureEncoding {
        match self {
            Self::RS384 => &signature::RSA_PKCS1_SHA384,
            Self::RS512 => &signature::RSA_PKCS1_SHA512,
            _ => &signature::RSA_PKCS1_SHA256,
        }
    }

    /// The matching verification parameters (2048–8192-bit moduli).
    pub(crate) fn rsa_verification(self) -> &'static signature::RsaParameters {
        match self {
            Self::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Self::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            _ => &signature::RSA_PKCS1_2048_8192_SHA256,
        }
    }

    /// HMAC with SHA-2 (RFC 7518 §3.2).
    pub(crate) fn hmac(self) -> hmac::Algorithm {
        match self {
            Self::HS384 => hmac::HMAC_SHA384,
            Self::HS512 => hmac::HMAC_SHA512,
            _ => hmac::HMAC_SHA256,
        }
    }
}

impl FromStr for SigningAlg {
    type Err = CryptoError;

    /// Parses a `signingAlg` value; names are case-sensitive as in RFC 7518.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::RS256,
            Self::RS384,
            Self::RS512,
            Self::HS256,
            Self::HS384,
            Self::HS512,
            Self::ES256,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
        .ok_or_else(|| CryptoError::UnsupportedAlg(s.to_owned()))
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The private half of a key, with what verification and export need precomputed. It lives
/// behind an `Arc`, so the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
enum Material {
    Rsa {
        pair: RsaKeyPair,
        verifier: ParsedPublicKey,
        pkcs8: Vec<u8>,
    },
    Ec {
        pair: EcdsaKeyPair,
        verifier: ParsedPublicKey,
        pkcs8: Vec<u8>,
    },
    Hmac {
        key: hmac::Key,
        secret: String,
    },
}

/// One named signing key. Cheap to clone (the material is shared); `Debug` shows only the
/// kid, the algorithm and the key type, never key material or an HMAC secret.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    alg: SigningAlg,
    material: Arc<Material>,
    jwk: Jwk,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("kty", &self.jwk.kty)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh RSA-2048 key signing RS256, for a server started without configured keys.
    pub fn generate_rsa(kid: &str) -> Result<Self, CryptoError> {
        let pair =
            RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| CryptoError::KeyGeneration)?;
        Self::from_rsa(kid, pair, SigningAlg::RS256)
    }

    /// A fresh EC P-256 key signing ES256.
    pub fn generate_ec(kid: &str) -> Result<Self, CryptoError> {
        let pair = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| CryptoError::KeyGeneration)?;
        Self::from_ec(kid, pair)
    }

    /// Builds a key from a `jwt.token.policy.keys.<kid>` entry. Like UAA's `KeyInfo`, the
    /// `signingKey` is trimmed; if it starts with `-----BEGIN` it must be a PEM private key
    /// (RSA PKCS#1 or PKCS#8, EC P-256 SEC1 or PKCS#8), otherwise it is an HMAC secret.
    /// `signingAlg` defaults to RS256 / ES256 / HS256 and must suit the key type.
    pub fn from_config(
        kid: &str,
        signing_key: &str,
        signing_alg: Option<&str>,
    ) -> Result<Self, CryptoError> {
        // UAA KeyInfo.setKeyId: "KeyId should not be null or empty".
        if kid.trim().is_empty() {
            return Err(invalid(kid, "the key id must not be empty"));
        }
        let alg = signing_alg
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(SigningAlg::from_str)
            .transpose()?;
        let signing_key = signing_key.trim();
        if signing_key.is_empty() {
            // UAA KeyInfo.setSigningKey: "Signing key cannot be empty".
            return Err(invalid(kid, "the signing key must not be empty"));
        }
        // UAA KeyInfo.isAssymetricKey: `key.startsWith("-----BEGIN")`.
        if signing_key.starts_with("-----BEGIN") {
            Self::from_pem(kid, signing_key, alg)
        } else {
            Self::from_hmac_secret(kid, signing_key, alg.unwrap_or(SigningAlg::HS256))
        }
    }

    /// Reloads a key written by [`SigningKey::to_pkcs8_pem`] (any PEM private key is accepted).
    pub fn from_pkcs8_pem(
        kid: &str,
        pem: &str,
        alg: Option<SigningAlg>,
    ) -> Result<Self, CryptoError> {
        if !pem.trim_start().starts_with("-----BEGIN") {
            return Err(invalid(kid, "not a PEM private key"));
        }
        Self::from_config(kid, pem, alg.map(SigningAlg::as_str))
    }

    /// The `kid` header value and JWK id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> SigningAlg {
        self.alg
    }

    /// True for HMAC keys, whose JWK reveals the secret: UAA lists them in `/token_keys`
    /// and `/token_key` only for authenticated clients.
    pub fn is_symmetric(&self) -> bool {
        matches!(*self.material, Material::Hmac { .. })
    }

    /// The key as UAA's `/token_keys` renders it (see `uaa_types::Jwk`).
    pub fn jwk(&self) -> Jwk {
        self.jwk.clone()
    }

    /// The private key as an unencrypted PKCS#8 PEM (`BEGIN PRIVATE KEY`), for persisting a
    /// generated key; `None` for HMAC keys, which have no PKCS#8 form.
    pub fn to_pkcs8_pem(&self) -> Option<String> {
        match &*self.material {
            Material::Rsa { pkcs8, .. } | Material::Ec { pkcs8, .. } => {
                Some(format!("{}\n", pem::encode("PRIVATE KEY", pkcs8)))
            }
            Material::Hmac { .. } => None,
        }
    }

    /// The `signingKey` value that [`SigningKey::from_config`] turns back into this key (with
    /// `signingAlg` = `self.alg()`): the PKCS#8 PEM, or the HMAC secret itself.
    pub fn export_signing_key(&self) -> String {
        match &*self.material {
            Material::Hmac { secret, .. } => secret.clone(),
            Material::Rsa { pkcs8, .. } | Material::Ec { pkcs8, .. } => {
                format!("{}\n", pem::encode("PRIVATE KEY", pkcs8))
            }
        }
    }

    /// Signs the JWS signing input (RFC 7515 §5.1 step 5). ES256 signatures are the fixed
    /// 64-byte `R || S` form JWS requires (RFC 7518 §3.4), not DER.
    pub(crate) fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match &*self.material {
            Material::Rsa { pair, .. } => {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(
                    self.alg.rsa_signing(),
                    &SystemRandom::new(),
                    message,
                    &mut sig,
                )
                .map_err(|_| CryptoError::Signing)?;
                Ok(sig)
            }
            Material::Ec { pair, .. } => pair
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| CryptoError::Signing),
            Material::Hmac { key, .. } => Ok(hmac::sign(key, message).as_ref().to_vec()),
        }
    }

    /// Checks a signature made with this key. HMAC tags are compared in constant time
    /// (`hmac::verify`), so a forger learns nothing from timing.
    pub(crate) fn verify_bytes(&self, message: &[u8], sig: &[u8]) -> bool {
        match &*self.material {
            Material::Rsa { verifier, .. } | Material::Ec { verifier, .. } => {
                verifier.verify_sig(message, sig).is_ok()
            }
            Material::Hmac { key, .. } => hmac::verify(key, message, sig).is_ok(),
        }
    }

    /// A PEM `signingKey`: picks the private-key block and dispatches on its label.
    fn from_pem(kid: &str, text: &str, alg: Option<SigningAlg>) -> Result<Self, CryptoError> {
        let blocks = pem::decode_all(text).map_err(|e| invalid(kid, &e.to_string()))?;
        let Some(block) = blocks.iter().find(|b| b.label.ends_with("PRIVATE KEY")) else {
            let found = blocks.first().map_or("", |b| b.label.as_str());
            return Err(invalid(
                kid,
                &format!("a signing key must be a private key, found {found}"),
            ));
        };
        match block.label.as_str() {
            "RSA PRIVATE KEY" => Self::rsa_pkcs1(kid, &block.der, alg),
            "EC PRIVATE KEY" => Self::ec_sec1(kid, &block.der, alg),
            "PRIVATE KEY" => Self::pkcs8(kid, &block.der, alg),
            "ENCRYPTED PRIVATE KEY" => {
                Err(invalid(kid, "encrypted private keys are not supported"))
            }
            other => Err(invalid(kid, &format!("unsupported PEM block {other}"))),
        }
    }

    /// `-----BEGIN RSA PRIVATE KEY-----`: PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2).
    fn rsa_pkcs1(kid: &str, der: &[u8], alg: Option<SigningAlg>) -> Result<Self, CryptoError> {
        let alg = expect_kind(kid, alg, KeyKind::Rsa)?;
        let pair = RsaKeyPair::from_der(der)
            .map_err(|e| invalid(kid, &format!("RSA key rejected: {e}")))?;
        Self::from_rsa(kid, pair, alg)
    }

    /// `-----BEGIN EC PRIVATE KEY-----`: SEC1 `ECPrivateKey` (RFC 5915), P-256 only.
    fn ec_sec1(kid: &str, der: &[u8], alg: Option<SigningAlg>) -> Result<Self, CryptoError> {
        expect_kind(kid, alg, KeyKind::Ec)?;
        let pair =
            EcdsaKeyPair::from_private_key_der(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der)
                .map_err(|e| {
                    invalid(
                        kid,
                        &format!("EC key rejected (only P-256 is supported): {e}"),
                    )
                })?;
        Self::from_ec(kid, pair)
    }

    /// `-----BEGIN PRIVATE KEY-----`: PKCS#8 (RFC 5208) holding an RSA or a P-256 key.
    fn pkcs8(kid: &str, der: &[u8], alg: Option<SigningAlg>) -> Result<Self, CryptoError> {
        if let Ok(pair) = RsaKeyPair::from_pkcs8(der) {
            let alg = expect_kind(kid, alg, KeyKind::Rsa)?;
            return Self::from_rsa(kid, pair, alg);
        }
        if let Ok(pair) = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der)
        {
            expect_kind(kid, alg, KeyKind::Ec)?;
            return Self::from_ec(kid, pair);
        }
        Err(invalid(
            kid,
            "the PKCS#8 key is neither RSA (2048-8192 bits) nor EC P-256",
        ))
    }

    /// Wraps an RSA key pair: precomputes verifier, PKCS#8 export and JWK.
    fn from_rsa(kid: &str, pair: RsaKeyPair, alg: SigningAlg) -> Result<Self, CryptoError> {
        let public = pair.public_key();
        let verifier = ParsedPublicKey::new(alg.rsa_verification(), public.as_ref())
            .map_err(|e| invalid(kid, &format!("RSA public key rejected: {e}")))?;
        let spki = spki_der(kid, &verifier)?;
        let jwk = Jwk {
            kty: "RSA".into(),
            e: Some(b64url(public.exponent().big_endian_without_leading_zero())),
            use_: "sig".into(),
            kid: kid.to_owned(),
            alg: alg.as_str().into(),
            value: pem::encode("PUBLIC KEY", &spki),
            n: Some(b64url(public.modulus().big_endian_without_leading_zero())),
            crv: None,
            x: None,
            y: None,
        };
        let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair)
            .map_err(|_| invalid(kid, "the RSA key cannot be exported as PKCS#8"))?
            .as_ref()
            .to_vec();
        Ok(Self::assemble(
            kid,
            alg,
            Material::Rsa {
                pair,
                verifier,
                pkcs8,
            },
            jwk,
        ))
    }

    /// Wraps a P-256 key pair: precomputes verifier, PKCS#8 export and JWK (RFC 7518 §6.2.1).
    fn from_ec(kid: &str, pair: EcdsaKeyPair) -> Result<Self, CryptoError> {
        let point = pair.public_key().as_ref();
        let verifier = ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
            .map_err(|e| invalid(kid, &format!("EC public key rejected: {e}")))?;
        // SEC1 uncompressed point: 0x04 || X (32 bytes) || Y (32 bytes).
        let (Some(x), Some(y)) = (point.get(1..33), point.get(33..65)) else {
            return Err(invalid(kid, "unexpected EC public point encoding"));
        };
        let jwk = Jwk {
            kty: "EC".into(),
            e: None,
            use_: "sig".into(),
            kid: kid.to_owned(),
            alg: SigningAlg::ES256.as_str().into(),
            value: pem::encode("PUBLIC KEY", &spki_der(kid, &verifier)?),
            n: None,
            crv: Some("P-256".into()),
            x: Some(b64url(x)),
            y: Some(b64url(y)),
        };
        let pkcs8 = pair
            .to_pkcs8v1()
            .map_err(|_| invalid(kid, "the EC key cannot be exported as PKCS#8"))?
            .as_ref()
            .to_vec();
        Ok(Self::assemble(
            kid,
            SigningAlg::ES256,
            Material::Ec {
                pair,
                verifier,
                pkcs8,
            },
            jwk,
        ))
    }

    /// A non-PEM `signingKey`: UAA treats it as a MAC key over its UTF-8 bytes, and its JWK is
    /// `{"kty":"MAC","value":<secret>}`.
    fn from_hmac_secret(kid: &str, secret: &str, alg: SigningAlg) -> Result<Self, CryptoError> {
        if alg.kind() != KeyKind::Hmac {
            return Err(mismatch(
                kid,
                alg,
                "a non-PEM signing key is an HMAC secret",
            ));
        }
        let jwk = Jwk {
            kty: "MAC".into(),
            e: None,
            use_: "sig".into(),
            kid: kid.to_owned(),
            alg: alg.as_str().into(),
            value: secret.to_owned(),
            n: None,
            crv: None,
            x: None,
            y: None,
        };
        let material = Material::Hmac {
            key: hmac::Key::new(alg.hmac(), secret.as_bytes()),
            secret: secret.to_owned(),
        };
        Ok(Self::assemble(kid, alg, material, jwk))
    }

    fn assemble(kid: &str, alg: SigningAlg, material: Material, jwk: Jwk) -> Self {
        Self {
            kid: kid.to_owned(),
            alg,
            material: Arc::new(material),
            jwk,
        }
    }
}

/// Resolves the configured `signingAlg` against the key type found in the PEM.
fn expect_kind(
    kid: &str,
    alg: Option<SigningAlg>,
    kind: KeyKind,
) -> Result<SigningAlg, CryptoError> {
    let default = match kind {
        KeyKind::Rsa => SigningAlg::RS256,
        KeyKind::Ec => SigningAlg::ES256,
        KeyKind::Hmac => SigningAlg::HS256,
    };
    match alg {
        None => Ok(default),
        Some(a) if a.kind() == kind => Ok(a),
        Some(a) => Err(mismatch(kid, a, key_kind_reason(kind))),
    }
}

fn key_kind_reason(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Rsa => "the signing key is an RSA private key",
        KeyKind::Ec => "the signing key is an EC P-256 private key",
        KeyKind::Hmac => "the signing key is an HMAC secret",
    }
}

/// The SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7) that UAA PEM-encodes into `value`.
fn spki_der(kid: &str, key: &ParsedPublicKey) -> Result<Vec<u8>, CryptoError> {
    let der: PublicKeyX509Der<'static> = key
        .as_der()
        .map_err(|_| invalid(kid, "the public key cannot be encoded"))?;
    Ok(der.as_ref().to_vec())
}

fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn invalid(kid: &str, reason: &str) -> CryptoError {
    CryptoError::InvalidKey {
        kid: kid.to_owned(),
        reason: reason.to_owned(),
    }
}

fn mismatch(kid: &str, alg: SigningAlg, reason: &'static str) -> CryptoError {
    CryptoError::AlgMismatch {
        kid: kid.to_owned(),
        alg: alg.as_str().to_owned(),
        reason,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
