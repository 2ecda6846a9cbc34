//! Use cases: what each endpoint does, over the ports. Handlers call exactly one function
//! here; everything UAA decides (order of checks, messages, audit events) happens in this
//! module tree, so it can be read and tested without HTTP.

pub mod approvals;
pub mod authorize;
pub mod autologin;
pub mod client_auth;
pub mod clients;
pub mod grants;
pub mod groups;
pub mod login;
pub mod mint;
pub mod oidc;
pub mod revocation;
pub mod token;
pub mod user_auth;
pub mod users;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::audit::{AuditEvent, AuditEventType};
use crate::clock::Clock;
use crate::ids::ZoneId;
use crate::policy::{LockoutPolicy, PasswordPolicy, SecretChangePolicy, StrengthPolicy};
use crate::ports::{
    AuditStore, ClientStore, PasswordHasher, Random, TokenSigner, TokenStore, UserStore,
};
use crate::scope::ScopeSet;
use crate::token::TokenPolicy;

/// The parameters of an OAuth request (form body and query), the first occurrence of each.
pub type Params = BTreeMap<String, String>;

/// Query parameters of the SCIM-style lists (`/oauth/clients`, `/Users`, `/ids/Users`,
/// `/Groups`), as received: validated by each use case, with UAA's messages.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub start_index: Option<String>,
    pub count: Option<String>,
    pub attributes: Option<String>,
    /// `/ids/Users` only.
    pub include_inactive: Option<String>,
}

/// Policies and settings of the (default) zone, from `uaa.yml`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub token: TokenPolicy,
    pub client_secret_policy: StrengthPolicy,
    pub secret_change_policy: SecretChangePolicy,
    pub password_policy: PasswordPolicy,
    pub lockout: LockoutPolicy,
    /// `oauth.user.authorities`: groups every user has.
    pub default_user_groups: ScopeSet,
    /// `clientMaxCount`: the cap on `count` in client lists.
    pub client_max_count: u64,
    /// `login.oauth.providers`: external OAuth2/OIDC identity providers (the `jwt-bearer`
    /// grant trusts their assertions).
    pub identity_providers: Vec<crate::idp::ExternalIdp>,
}

/// Everything the use cases depend on, injected (no globals).
#[derive(Clone)]
pub struct Deps {
    pub clients: Arc<dyn ClientStore>,
    pub users: Arc<dyn UserStore>,
    pub tokens: Arc<dyn TokenStore>,
    pub scim_users: Arc<dyn crate::scim::users::ScimUserStore>,
    pub scim_groups: Arc<dyn crate::scim::groups::ScimGroupStore>,
    /// Authorization codes, login sessions and approvals (`/oauth/authorize`, `/login.do`).
    pub codes: Arc<dyn crate::ports::CodeStore>,
    pub sessions: Arc<dyn crate::ports::SessionStore>,
    /// One-time codes with an intent (`expiring_code_store`): autologin.
    pub expiring_codes: Arc<dyn crate::ports::ExpiringCodeStore>,
    pub approvals: Arc<dyn crate::ports::ApprovalStore>,
    pub audit: Arc<dyn AuditStore>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub signer: Arc<dyn TokenSigner>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub settings: Arc<Settings>,
}

impl Deps {
    /// Records an audit event. A failing audit store must not fail the request that caused
    /// the event; the store implementation logs the failure.
    pub async fn audit(
        &self,
        zone: &ZoneId,
        event_type: AuditEventType,
        principal: &str,
        origin: &str,
        data: String,
    ) {
        let event = AuditEvent {
            event_type,
            principal_id: principal.to_owned(),
            origin: origin.to_owned(),
            data,
            zone_id: zone.clone(),
            created_ms: self.clock.now_millis(),
        };
        let _ = self.audit.record(&event).await;
    }
}
