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

/// Which stored tokens a listing or a bulk deletion addresses; `None` matches any value.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenQuery<'a> {
    pub client_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    /// `ACCESS_TOKEN` or `REFRESH_TOKEN`.
    pub response_type: Option<&'a str>,
}

#[async_trait]
pub trait TokenStore: Send + Sync {
    async fn put_token(&self, token: StoredToken) -> Result<()>;
    async fn get_token(&self, zone: &ZoneId, token_id: &str) -> Result<Option<StoredToken>>;
    async fn delete_token(&self, zone: &ZoneId, token_id: &str) -> Result<bool>;
    /// The stored tokens that match and expire after `now_ms`, oldest first.
    async fn list_tokens(
        &self,
        zone: &ZoneId,
        q: TokenQuery<'_>,
        now_ms: i64,
    ) -> Result<Vec<StoredToken>>;
    /// Deletes every stored token that matches; returns how many went.
    async fn delete_tokens(&self, zone: &ZoneId, q: TokenQuery<'_>) -> Result<u64>;
    /// Sets a user's `salt`, which feeds `rev_sig`: every token of the user stops validating.
    /// `false` when there is no such user.
    async fn set_user_salt(&self, zone: &ZoneId, user_id: &str, salt: &str) -> Result<bool>;
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

/// An authorization code as stored (`oauth_code`), keyed by the SHA-256 of the code so the
/// database never holds a redeemable value. `data` is the authorization it stands for (JSON of
/// `service::authorize::CodeGrant`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub code_hash: String,
    pub client_id: String,
    pub user_id: String,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub data: String,
    pub zone_id: ZoneId,
}

/// Authorization codes: written once, taken once.
#[async_trait]
pub trait CodeStore: Send + Sync {
    async fn put_code(&self, code: StoredCode) -> Result<()>;
    /// Deletes and returns the code in one statement, so two redemptions racing on two
    /// instances cannot both get it. Expiry is the caller's check.
    async fn take_code(&self, zone: &ZoneId, code_hash: &str) -> Result<Option<StoredCode>>;
}

/// A one-time code of UAA's `expiring_code_store` (uaa-accounts §1), keyed by the SHA-256 of
/// the code handed out. `intent` says what the code is for (`AUTOLOGIN`, …); `data` is JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringCode {
    pub code_hash: String,
    pub expires_ms: i64,
    pub data: String,
    pub intent: Option<String>,
    pub zone_id: ZoneId,
}

/// Expiring codes: written once, taken once (`retrieveCode` deletes the code even when it has
/// expired, so every attempt spends it).
#[async_trait]
pub trait ExpiringCodeStore: Send + Sync {
    async fn put_expiring_code(&self, code: &ExpiringCode) -> Result<()>;
    /// Deletes and returns the code in one statement; expiry is the caller's check.
    async fn take_expiring_code(
        &self,
        zone: &ZoneId,
        code_hash: &str,
    ) -> Result<Option<ExpiringCode>>;
}

/// A browser's login session (`login_sessions`), keyed by the SHA-256 of the cookie value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSession {
    pub session_hash: String,
    pub user_id: String,
    /// When the user signed in, epoch milliseconds.
    pub auth_time_ms: i64,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// The authorization request awaiting the user's approval (JSON), if any.
    pub pending: Option<String>,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub zone_id: ZoneId,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &LoginSession) -> Result<()>;
    async fn get_session(&self, zone: &ZoneId, session_hash: &str) -> Result<Option<LoginSession>>;
    /// Writes `pending` and `expires_ms` of an existing session.
    async fn update_session(&self, session: &LoginSession) -> Result<()>;
    async fn delete_session(&self, zone: &ZoneId, session_hash: &str) -> Result<()>;
}

/// `APPROVED` or `DENIED` (UAA `Approval.ApprovalStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalStatus {
    Approved,
    Denied,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "APPROVED",
            Self::Denied => "DENIED",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "APPROVED" => Some(Self::Approved),
            "DENIED" => Some(Self::Denied),
            _ => None,
        }
    }
}

/// A user's decision about one scope for one client (`authz_approvals`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
    pub status: ApprovalStatus,
    pub expires_ms: i64,
    pub last_modified_ms: i64,
}

#[async_trait]
pub trait ApprovalStore: Send + Sync {
    /// The user's approvals (for one client, or all), expired ones included.
    async fn approvals(
        &self,
        zone: &ZoneId,
        user_id: &str,
        client_id: Option<&str>,
    ) -> Result<Vec<Approval>>;
    /// Adds the approval or replaces the one for the same user, client and scope.
    async fn put_approval(&self, zone: &ZoneId, approval: &Approval) -> Result<()>;
    /// Deletes the user's approvals (for one client, or all); returns how many went.
    async fn delete_approvals(
        &self,
        zone: &ZoneId,
        user_id: &str,
        client_id: Option<&str>,
    ) -> Result<u64>;
}
