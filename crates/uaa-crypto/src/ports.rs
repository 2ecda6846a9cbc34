//! `uaa-core`'s hashing port backed by this crate, so the domain gets bcrypt on the bounded
//! blocking pool and the client-secret cache without knowing either exists. As in UAA, only
//! client authentication goes through the cache; user passwords always run bcrypt.

use async_trait::async_trait;
use uaa_core::error::{Error, Result};
use uaa_core::idp::AssertionVerifier;
use uaa_core::ports::PasswordHasher;
use uaa_core::secret::{Secret, SecretHash};

use crate::password::ClientSecretVerifier;
use crate::verify::VerificationKeys;

#[async_trait]
impl PasswordHasher for ClientSecretVerifier {
    async fn hash(&self, secret: &Secret) -> Result<SecretHash> {
        let hash = self.hasher().hash(secret.clone()).await;
        hash.map(SecretHash::new)
            .map_err(|e| Error::Internal(e.to_string()))
    }

    async fn verify(&self, secret: &Secret, hash: &SecretHash) -> bool {
        self.hasher().verify(secret.expose(), hash.as_str()).await
    }

    async fn verify_client_secret(&self, secret: &Secret, hashes: &[SecretHash]) -> bool {
        let stored: Vec<String> = hashes.iter().map(|h| h.as_str().to_owned()).collect();
        ClientSecretVerifier::verify(self, secret.expose(), &stored).await
    }
}

impl AssertionVerifier for VerificationKeys {
    fn verify(&self, token: &str) -> Result<serde_json::Value> {
        VerificationKeys::verify(self, token)
            .map(|(_, claims)| claims)
            .map_err(|e| Error::InvalidToken(e.to_string()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::password::{DEFAULT_CACHE_TTL, Hasher, SecretCache};

    fn port() -> ClientSecretVerifier {
        let cache = SecretCache::new(8, DEFAULT_CACHE_TTL).unwrap();
        ClientSecretVerifier::new(Hasher::new(4, 1), cache)
    }

    #[tokio::test]
    async fn the_password_port_hashes_and_verifies_through_the_cache_for_clients_only() {
        let port = port();
        let hasher: &dyn PasswordHasher = &port;
        let hash = hasher.hash(&Secret::new("s")).await.unwrap();
        assert!(hash.as_str().starts_with("$2a$04$"));
        assert!(hasher.verify(&Secret::new("s"), &hash).await);
        assert!(
            port.cache().is_empty(),
            "user-password checks are never cached"
        );
        let hashes = [SecretHash::new("{noop}x"), hash];
        assert!(
            hasher
                .verify_client_secret(&Secret::new("s"), &hashes)
                .await
        );
        assert!(
            hasher
                .verify_client_secret(&Secret::new("s"), &hashes)
                .await
        );
        assert!(
            !hasher
                .verify_client_secret(&Secret::new("t"), &hashes)
                .await
        );
        assert_eq!((port.cache_hits(), port.cache_misses()), (1, 2));
    }
}
