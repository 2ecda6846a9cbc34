//! SCIM 1.1 bodies of UAA (`/Users`, `/ids/Users`, `/Users/{id}/password`, `/Users/{id}/status`),
//! reference §4. Field order and omission follow UAA's Jackson output (`ScimUser` is
//! `JsonInclude.NON_NULL`), because clients such as uaac print these bodies as they come.
//! Timestamps in `meta` and `passwordLastModified` are UAA's `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (UTC).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The one schema UAA's SCIM resources and lists declare.
pub const SCIM_SCHEMA: &str = "urn:scim:schemas:core:1.0";

/// `meta` of a SCIM resource. `attributes` only appears in PATCH bodies (attributes to remove).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimMeta {
    #[serde(default)]
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<String>>,
}

/// `name` of a user; UAA always returns the object, possibly empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimName {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
}

/// One of `emails`; UAA stores one address and returns it with `primary: false`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScimEmail {
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub primary: bool,
}

/// One of `phoneNumbers`; UAA stores the first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScimPhoneNumber {
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// One of a user's `groups` (read-only): the group id, its name, `DIRECT` or `INDIRECT`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimUserGroup {
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub display: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A SCIM user as UAA sends and receives it. On input every field is optional and UAA's
/// defaults apply (`active` and `verified` are true when absent); `password` is write-only.
/// Fields UAA accepts but does not store (`displayName`, `title`, …) are read and ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ScimMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<ScimName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<ScimEmail>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<ScimUserGroup>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_numbers: Option<Vec<ScimPhoneNumber>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing)]
    pub nick_name: Option<String>,
    #[serde(default, skip_serializing)]
    pub profile_url: Option<String>,
    #[serde(default, skip_serializing)]
    pub title: Option<String>,
    #[serde(default, skip_serializing)]
    pub user_type: Option<String>,
    #[serde(default, skip_serializing)]
    pub preferred_language: Option<String>,
    #[serde(default, skip_serializing)]
    pub locale: Option<String>,
    #[serde(default, skip_serializing)]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_zid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_last_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_logon_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_logon_time: Option<i64>,
    /// Write-only: accepted on create, never serialised.
    #[serde(default, skip_serializing)]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schemas: Option<Vec<String>>,
}

/// The fields of [`ScimUser`] as UAA's `ScimUserJsonDeserializer` names them; it matches names
/// case-insensitively and refuses any other field.
pub const SCIM_USER_FIELDS: &[&str] = &[
    "id",
    "externalId",
    "meta",
    "userName",
    "name",
    "emails",
    "groups",
    "approvals",
    "phoneNumbers",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "verified",
    "origin",
    "zoneId",
    "aliasId",
    "aliasZid",
    "salt",
    "passwordLastModified",
    "previousLogonTime",
    "lastLogonTime",
    "password",
    "schemas",
];

/// `PUT /Users/{id}/password` (`PasswordChangeRequest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordChangeRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `PATCH /Users/{id}/status` (`UserAccountStatus`); the answer echoes the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAccountStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_change_required: Option<bool>,
}

/// An item of `GET /ids/Users`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdEntry {
    pub id: String,
    pub user_name: String,
    pub origin: String,
}

// ---------------------------------------------------------------------------------------------
// Groups (reference §4.4): `/Groups`, `/Groups/{id}/members`, `/Groups/External`.

/// A SCIM group (`ScimGroup`, `JsonInclude.NON_NULL`), fields in UAA's order. On input UAA
/// ignores unknown fields, takes `displayName`, `description` and `members`, and reads
/// `meta.attributes` in a PATCH body (attributes to remove); `id`, `zoneId` and the rest of
/// `meta` are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ScimMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<ScimGroupMember>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schemas: Option<Vec<String>>,
}

/// A group membership (`ScimGroupMember`, `JsonInclude.NON_NULL`). Jackson moves the renamed
/// `value` behind the other properties, so UAA writes `{"origin","type","value"}`. On input
/// `origin` defaults to `uaa` and `type` (`USER` or `GROUP`) to `USER`; `operation: "delete"`
/// in a PATCH body removes the member; other fields (`authorities`, `roles`) are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScimGroupMember {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ScimMemberType>,
    /// The member's own SCIM resource (a user or a group), with `returnEntities=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// What a group member is (`ScimGroupMember.Type`); any other text fails the body, as with
/// Jackson's enum binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScimMemberType {
    #[serde(rename = "USER")]
    User,
    #[serde(rename = "GROUP")]
    Group,
}

impl ScimMemberType {
    /// The name UAA writes and stores (`group_membership.member_type`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "USER",
            Self::Group => "GROUP",
        }
    }
}

/// An external group mapping (`ScimGroupExternalMember`, `JsonInclude.NON_NULL`): members of
/// `externalGroup` at identity provider `origin` (default `ldap`) get the group. A request names
/// the group by `groupId` or, failing that, `displayName`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimGroupExternalMember {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ScimMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schemas: Option<Vec<String>>,
}
