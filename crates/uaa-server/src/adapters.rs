//! Implementations of `uaa-core`'s signing and randomness ports over `uaa-crypto` (hashing is
//! `uaa_crypto::ClientSecretVerifier` itself), and the audit sink
//! that writes each event both to `sec_audit` and to the structured log.

use async_trait::async_trait;
use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};
use uaa_core::audit::{AuditEvent, AuditEventType};
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
///
/// The two events of every successful token request (`ClientAuthenticationSuccess`,
/// `TokenIssuedEvent`) go through a bounded queue to a writer task that inserts them in
/// batches, one transaction each: on SQLite, a synchronous insert per event halves the token
/// endpoint's throughput. Every other event (failures, which the lockout policy counts, and
/// all administrative events) is written before the request is answered. `close` drains the
/// queue on shutdown.
pub struct AuditSink {
    store: SqlStore,
    queue: mpsc::Sender<Queued>,
}

enum Queued {
    Event(AuditEvent),
    Flush(oneshot::Sender<()>),
}

/// Events per insert transaction, at most.
const BATCH: usize = 256;

impl AuditSink {
    pub fn start(store: SqlStore) -> Self {
        let (queue, rx) = mpsc::channel(4 * BATCH);
        tokio::spawn(write_batches(store.clone(), rx));
        Self { store, queue }
    }

    /// Waits until every event queued so far is stored.
    pub async fn close(&self) {
        let (tx, rx) = oneshot::channel();
        if self.queue.send(Queued::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

async fn write_batches(store: SqlStore, mut rx: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut acks = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(item) = next.take() {
            match item {
                Queued::Event(e) => batch.push(e),
                Queued::Flush(ack) => acks.push(ack),
            }
            if batch.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            if let Err(err) = store.record_audit_batch(&batch).await {
                tracing::error!(target: "uaa.audit", error = %err, events = batch.len(), "audit events not stored");
            }
            batch.clear();
        }
        for ack in acks.drain(..) {
            let _ = ack.send(());
        }
    }
}

fn deferred(t: AuditEventType) -> bool {
    matches!(
        t,
        AuditEventType::ClientAuthenticationSuccess | AuditEventType::TokenIssuedEvent
    )
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
        if deferred(e.event_type) && self.queue.send(Queued::Event(e.clone())).await.is_ok() {
            return Ok(());
        }
        if let Err(err) = self.store.record(e).await {
            tracing::error!(target: "uaa.audit", error = %err, "audit event not stored");
            return Err(err);
        }
        Ok(())
    }
}
