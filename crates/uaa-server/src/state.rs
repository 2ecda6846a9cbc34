//! Application state: every dependency a handler needs, injected once at startup (no globals),
//! so several servers can run side by side in one test process.

use std::sync::Arc;

use axum::extract::FromRef;
use uaa_core::service::Deps;
use uaa_crypto::KeyRing;
use uaa_store::SqlStore;

use uaa_crypto::ClientSecretVerifier;

#[derive(Clone)]
pub struct AppState {
    pub deps: Deps,
    pub keys: Arc<KeyRing>,
    pub store: SqlStore,
    /// bcrypt and the client-secret verification cache (its counters show cache use).
    pub hasher: Arc<ClientSecretVerifier>,
    /// The audit writer, drained on shutdown.
    pub audit: Arc<crate::adapters::AuditSink>,
    /// `authentication.enableUriEncodingCompatibilityMode`.
    pub uri_encoding_compat_mode: bool,
    /// `jwt.token.queryString.enabled`.
    pub query_string_enabled: bool,
    /// The ETag of the key set: when the key ring was built, in ms.
    pub keys_etag: String,
    pub issuer: String,
    /// The self-service links `/info` publishes.
    pub links: crate::config::SelfServiceLinks,
    pub shutting_down: Arc<std::sync::atomic::AtomicBool>,
}

impl FromRef<AppState> for Deps {
    fn from_ref(s: &AppState) -> Self {
        s.deps.clone()
    }
}
