//! The one place that touches a crypto backend (aws-lc-rs, bcrypt), so `uaa-core` stays free of
//! it and every key, signature and hash follows UAA's wire formats in a single, tested crate:
//!
//! - [`keys`]: signing keys as UAA's `jwt.token.policy.keys` accepts them, and their JWKs;
//! - [`jws`]: compact JWS (RFC 7515) sign/verify and the [`KeyRing`] of a zone;
//! - [`password`]: bcrypt as Spring/UAA does it, on a bounded blocking pool, and the cache of
//!   successful client-secret verifications;
//! - [`random`]: OS randomness for salts, codes and generated secrets.
//!
//! [`ClientSecretVerifier`] also implements `uaa_core::ports::PasswordHasher`.

pub mod jws;
pub mod keys;
pub mod password;
mod pem;
mod ports;
pub mod random;
pub mod verify;

pub use jws::{JwsError, KeyRing, sign};
pub use keys::{SigningAlg, SigningKey};
pub use password::{
    ClientSecretVerifier, DEFAULT_BCRYPT_COST, DEFAULT_CACHE_CAPACITY, DEFAULT_CACHE_TTL, Hasher,
    SecretCache, hash_password, verify_password,
};
pub use random::{random_alphanumeric, random_bytes, random_hex};
pub use verify::VerificationKeys;

/// Everything that can go wrong building keys, signing, hashing or drawing randomness.
/// Token *verification* failures have their own type, [`JwsError`], because the server maps
/// them to `invalid_token` while these are configuration or internal errors.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// UAA: "Signing key cannot be empty" / "KeyId should not be null or empty".
    #[error("signing key {kid:?} is invalid: {reason}")]
    InvalidKey { kid: String, reason: String },
    #[error(
        "unsupported signing algorithm {0:?} (supported: RS256, RS384, RS512, HS256, HS384, HS512, ES256)"
    )]
    UnsupportedAlg(String),
    #[error("signing key {kid:?} cannot be used with {alg}: {reason}")]
    AlgMismatch {
        kid: String,
        alg: String,
        reason: &'static str,
    },
    #[error("key ring is invalid: {0}")]
    InvalidKeyRing(String),
    #[error("key generation failed")]
    KeyGeneration,
    #[error("signing failed")]
    Signing,
    #[error("claims could not be serialised: {0}")]
    Serialization(#[from] serde_json::Error),
    #[error("the system random number generator failed")]
    Random,
    /// Spring's `DelegatingPasswordEncoder`: an `{id}` other than `{bcrypt}` is not ours.
    #[error("unsupported password encoding {{{0}}}")]
    UnsupportedPasswordEncoding(String),
    #[error("bcrypt failed: {0}")]
    Bcrypt(#[from] bcrypt::BcryptError),
    #[error("the hashing pool is unavailable")]
    HashPoolUnavailable,
}
