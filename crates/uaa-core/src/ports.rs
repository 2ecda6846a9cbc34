//! The narrow interfaces the domain needs from the outside world: storage, hashing, signing,
//! auditing. `uaa-store` implements the storage ports over SQL, `uaa-crypto` backs hashing and
//! signing; tests may substitute fakes. Every method takes the zone explicitly: each row
//! belongs to one identity zone.

use async_trait::async_trait;
use serde_json::Value;

use crate::audit::AuditEvent;
use crate::client::{Client, ClientMeta};
use crate::error::Result;
use crate::filter::Filter;
use crate::ids::{ClientId, UserId, ZoneId};
use crate::scope::ScopeSet;
use crate::secret::{Secret, SecretHash};
use crate::user::{GroupSpec, NewUser, User};

/// A page request on a list endpoint, already validated.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub filter: Option<Filter>,
    /// Filter/sort attribute as the caller wrote it (mapped to a column by the store).
    pub sort_by: String,
    pub ascending: bool,
    /// 1-based.
    pub start_index: u64,
    pub count: u64,
}

/// One write to the client registry. A batch of writes is applied in one transaction: all or
/// nothing (`/oauth/clients/tx/*`).
#[derive(Debug, Clone)]
pub enum ClientWrite {
    /// Fails with `ClientAlreadyExists` when the id is taken in the zone.
    Create(Client),
    /// Replaces everything but the secrets, token salt and metadata; `NoSuchClient` if missing.
    Update(Client),
    /// `NoSuchClient` if missing; also deletes the client's stored tokens.
    Delete(ClientId),
    SetSecrets(ClientId, Vec<SecretHash>),
    SetMeta(ClientId, ClientMeta),
}

#[async_trait]
pub trait ClientStore: Send + Sync {
    async fn get_client(&self, zone: &ZoneId, id: &str) -> Result<Option<Client>>;
    /// A page of clients and the total number that match.
    async fn list_clients(&self, zone: &ZoneId, q: &ListQuery) -> Result<(Vec<Client>, u64)>;
    async fn apply_client_writes(&self, zone: &ZoneId, writes: Vec<ClientWrite>) -> Result<()>;
}

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn find_user(&self, zone: &ZoneId, username: &str, origin: &str) -> Result<Option<User>>;
    async fn get_user(&self, zone: &ZoneId, id: &UserId) -> Result<Option<User>>;
    /// Creates the user unless one with that username and origin exists; returns the stored
    /// user either way.
    async fn bootstrap_user(&self, zone: &ZoneId, user: NewUser) -> Result<User>;
    async fn ensure_group(&self, zone: &ZoneId, group: &GroupSpec) -> Result<()>;
    /// Display names of every group the user belongs to, directly or through nested groups.
    async fn user_groups(&self, zone: &ZoneId, id: &UserId) -> Result<ScopeSet>;
    async fn record_logon(&self, zone: &ZoneId, id: &UserId, now_ms: i64) -> Result<()>;
}

/// A token kept server-side (`revocable_tokens`): opaque access tokens and revocable JWTs.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredToken {
    pub token_id: String,
    pub client_id: String,
    pub user_id: Option<String>,
    pub format: String,
    pub response_type: String,
    pub issued_at_ms: i64,
    pub expires_at_ms: i64,
    pub scope: String,
    /// The JWT behind an opaque token.
    pub value: String,
    pub zone_id: ZoneId,
}

#[async_trait]
pub trait TokenStore: Send + Sync {
    async fn put_token(&self, token: StoredToken) -> Result<()>;
    async fn get_token(&self, zone: &ZoneId, token_id: &str) -> Result<Option<StoredToken>>;
    async fn delete_token(&self, zone: &ZoneId, token_id: &str) -> Result<bool>;
}

#[async_trait]
pub trait KeyStore: Send + Sync {
    /// The key this deployment generated for itself, if any: `(kid, pkcs8 pem)`.
    async fn generated_key(&self, zone: &ZoneId) -> Result<Option<(String, String)>>;
    /// Stores a generated key unless one exists already (another instance may have won the
    /// race); returns the key that is stored afterwards.
    async fn save_generated_key(
        &self,
        zone: &ZoneId,
        kid: &str,
        pem: &str,
    ) -> Result<(String, String)>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn record(&self, event: &AuditEvent) -> Result<()>;
}

/// bcrypt, off the async runtime.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, secret: &Secret) -> Result<SecretHash>;
    async fn verify(&self, secret: &Secret, hash: &SecretHash) -> bool;
    /// Client-secret check against every stored hash, through the verification cache.
    async fn verify_client_secret(&self, secret: &Secret, hashes: &[SecretHash]) -> bool;
}

/// Signs and verifies JWTs with the zone's keys.
pub trait TokenSigner: Send + Sync {
    fn sign(&self, zone: &ZoneId, claims: &Value) -> Result<String>;
    /// Verifies the signature and returns the claims; does not check expiry or issuer.
    fn verify(&self, zone: &ZoneId, token: &str) -> Result<Value>;
}

/// Randomness from the OS RNG: token ids, salts, generated secrets.
pub trait Random: Send + Sync {
    /// 32 lowercase hex characters (a UUID without dashes, as UAA's `jti`).
    fn hex32(&self) -> String;
    fn alphanumeric(&self, len: usize) -> String;
}
