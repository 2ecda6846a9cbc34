//! Implementations of `uaa-core`'s signing and randomness ports over `uaa-crypto` (hashing is
//! `uaa_crypto::ClientSecretVerifier` itself), and the audit sink
//! that writes each event both to `sec_audit` and to the structured log.

use async_trait::async_trait;
use serde_json::{Map, Value};
use uaa_core::audit::AuditEvent;
use uaa_core::error::{Error, Result};
use uaa_core::ids::ZoneId;
use uaa_core::ports::{AuditStore, Random, TokenSigner};
use uaa_crypto::KeyRing;
use uaa_store::SqlStore;

/// Signs with the key ring's active key; `jku` points at this server's `/token_keys`.
pub struct KeySigner {
    pub ring: std::sync::Arc<KeyRing>,
    pub jku: String,
}

impl TokenSigner for KeySigner {
    fn sign(&self, _zone: &ZoneId, claims: &Value) -> Result<String> {
        let mut header = Map::new();
        header.insert("jku".into(), Value::String(self.jku.clone()));
        self.ring
            .sign(header, claims)
            .map_err(|e| Error::Internal(format!("Unable to sign token: {e}")))
    }

    fn verify(&self, _zone: &ZoneId, token: &str) -> Result<Value> {
        self.ring
            .verify(token)
            .map(|(_, claims)| claims)
            .map_err(|e| Error::InvalidToken(format!("Could not verify token signature: {e}")))
    }
}

/// The OS random number generator.
pub struct OsRandom;

impl Random for OsRandom {
    fn hex32(&self) -> String {
        // The OS RNG does not fail on a working system; uuid's v4 (also the OS RNG) is the
        // fallback rather than a panic.
        uaa_crypto::random_hex(16).unwrap_or_else(|_| uuid::Uuid::new_v4().simple().to_string())
    }
    fn alphanumeric(&self, len: usize) -> String {
        uaa_crypto::random_alphanumeric(len).unwrap_or_else(|_| {
            let mut s = uuid::Uuid::new_v4().simple().to_string();
            s.truncate(len);
            s
        })
    }
}

/// Writes audit events to `sec_audit` (for the lockout policy and operators) and to the log
/// under the `uaa.audit` target. Event data never carries secrets.
pub struct AuditSink {
    pub store: SqlStore,
}

#[async_trait]
impl AuditStore for AuditSink {
    async fn record(&self, e: &AuditEvent) -> Result<()> {
        tracing::info!(
            target: "uaa.audit",
            event = e.event_type.name(),
            code = e.event_type.code(),
            principal = %e.principal_id,
            origin = %e.origin,
            data = %e.data,
            zone = %e.zone_id,
            "audit"
        );
        if let Err(err) = self.store.record(e).await {
            tracing::error!(target: "uaa.audit", error = %err, "audit event not stored");
            return Err(err);
        }
        Ok(())
    }
}
