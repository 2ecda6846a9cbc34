//! Users as the token endpoint needs them (`users` table). The full SCIM resource comes with
//! the SCIM work; this is the part that authenticates and feeds token claims and `rev_sig`.

use crate::ids::{UserId, ZoneId};
use crate::secret::SecretHash;

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub zone_id: ZoneId,
    pub username: String,
    pub password_hash: SecretHash,
    pub email: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub origin: String,
    pub active: bool,
    pub verified: bool,
    /// Changing it revokes every token of the user (feeds `rev_sig`).
    pub salt: Option<String>,
    pub created: i64,
    pub last_modified: i64,
    pub passwd_lastmodified: i64,
    /// `passwd_change_required`: the user must choose a new password before any token is
    /// issued (`PATCH /Users/{id}/status`, uaa-accounts §5).
    pub passwd_change_required: bool,
    pub version: i64,
    pub last_logon_success_time: Option<i64>,
    pub previous_logon_success_time: Option<i64>,
}

/// A user to create at bootstrap (`scim.users` in `uaa.yml`).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: SecretHash,
    pub email: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub origin: String,
    pub groups: Vec<String>,
}

/// A group with the description `scim.groups` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSpec {
    pub name: String,
    pub description: Option<String>,
}

impl User {
    pub fn zone(&self) -> &ZoneId {
        &self.zone_id
    }
}
