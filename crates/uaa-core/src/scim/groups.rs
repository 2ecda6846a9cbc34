//! SCIM groups (reference §4.4): the resource, its members (users and nested groups), external
//! group mappings, the storage port, and the rules UAA applies to them
//! (`ScimGroupEndpoints`, `ScimGroup.patch`, `JdbcScimGroupProvisioning`,
//! `JdbcScimGroupMembershipManager`, `JdbcScimGroupExternalMembershipManager`).
//!
//! Nested groups are plain `GROUP` memberships; a user's token scopes follow them transitively
//! (`ports::UserStore::user_groups`).

use async_trait::async_trait;
use uaa_types::{SCIM_SCHEMA, ScimGroup, ScimGroupExternalMember, ScimGroupMember, ScimMeta};

use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::ids::{ORIGIN_UAA, ZoneId};
use crate::ports::ListQuery;
use crate::scim::users::{UserRecord, iso8601};

pub use uaa_types::ScimMemberType as MemberType;

/// The origin of an external mapping when the request names none (`OriginKeys.LDAP`).
pub const DEFAULT_EXTERNAL_ORIGIN: &str = "ldap";

/// A stored group (`groups` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub zone_id: ZoneId,
    /// Epoch milliseconds.
    pub created: i64,
    pub last_modified: i64,
    pub version: i64,
}

/// A stored membership (`group_membership` row) as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// A user id or a group id (`value`).
    pub id: String,
    pub kind: MemberType,
    /// The identity provider that made the user a member (`uaa` for internal users and groups).
    pub origin: String,
}

/// A stored external group mapping joined with its group's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalMapping {
    pub group_id: String,
    pub display_name: String,
    /// Lower case, as UAA stores it.
    pub external_group: String,
    pub origin: String,
    /// Epoch milliseconds.
    pub added: i64,
}

/// A member's own resource, for `returnEntities=true`.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberEntity {
    User(Box<UserRecord>),
    Group(Group),
}

/// Which external mappings to list. `filter` holds only `eq` comparisons joined by `and`, on
/// the attributes [`EXTERNAL_FILTER_ATTRIBUTES`] allows.
#[derive(Debug, Clone, Default)]
pub struct ExternalQuery {
    pub origin: Option<String>,
    pub external_group: Option<String>,
    pub filter: Option<Filter>,
}

/// Attributes of the deprecated `filter` of `GET /Groups/External`: UAA's current names
/// (`origin`, `externalGroup`) and the join names of its older query (`gm.origin`,
/// `gm.external_group`, `g.displayName`, `g.id`), compared in lower case.
pub const EXTERNAL_FILTER_ATTRIBUTES: &[&str] = &[
    "origin",
    "externalgroup",
    "gm.origin",
    "gm.external_group",
    "g.displayname",
    "g.id",
];

/// One write to the group tables. A batch is applied in one transaction: all or nothing.
#[derive(Debug, Clone)]
pub enum GroupWrite {
    /// Fails with [`errors::group_exists`] when the name is taken in the zone (any case).
    Create(Group),
    /// Stores `group` (whose `version` is already `expected_version + 1`) only if the stored
    /// version is `expected_version`: [`errors::stale_version`] otherwise, and
    /// [`errors::group_name_taken`] for a name in use.
    Update { group: Group, expected_version: i64 },
    /// Deletes the group, its memberships in both directions and its external mappings; with
    /// `version`, only if that is the stored version ([`errors::delete_conflict`]).
    Delete { id: String, version: Option<i64> },
    /// [`errors::already_member`] if the member is in the group already.
    AddMember {
        group_id: String,
        member: Member,
        added: i64,
    },
    /// [`errors::member_not_found`] if it is not a member.
    RemoveMember { group_id: String, member_id: String },
    /// Keeps an existing identical mapping (UAA ignores the duplicate).
    MapExternal {
        group_id: String,
        external_group: String,
        origin: String,
        added: i64,
    },
    /// [`errors::mapping_not_found`] if there is no such mapping.
    UnmapExternal {
        group_id: String,
        external_group: String,
        origin: String,
    },
}

/// Storage of SCIM groups (`groups`, `group_membership`, `external_group_mapping`).
#[async_trait]
pub trait ScimGroupStore: Send + Sync {
    async fn get_group(&self, zone: &ZoneId, id: &str) -> Result<Option<Group>>;
    /// The group with this display name, compared case-insensitively (UAA `getByName`).
    async fn find_group_by_name(&self, zone: &ZoneId, name: &str) -> Result<Option<Group>>;
    /// The groups among `ids` that exist, in any order.
    async fn get_groups(&self, zone: &ZoneId, ids: &[String]) -> Result<Vec<Group>>;
    /// A page of groups and the number that match. The filter's attributes and `sort_by` (a
    /// comma-separated list) are mapped to columns here; an unknown one is an error whose
    /// `error` is `invalid_filter`.
    async fn list_groups(&self, zone: &ZoneId, q: &ListQuery) -> Result<(Vec<Group>, u64)>;
    /// The direct members of each group in `group_ids`, as `(group id, member)` pairs ordered
    /// by when they were added, then by member id (UAA promises no order).
    async fn members(&self, zone: &ZoneId, group_ids: &[String]) -> Result<Vec<(String, Member)>>;
    /// Whether a user or a group with this id exists in the zone.
    async fn member_exists(&self, zone: &ZoneId, kind: MemberType, id: &str) -> Result<bool>;
    /// External mappings, joined with their group's name, ordered by group name, external group
    /// and origin. An unmapped filter attribute is an `invalid_filter` error.
    async fn external_mappings(
        &self,
        zone: &ZoneId,
        q: &ExternalQuery,
    ) -> Result<Vec<ExternalMapping>>;
    async fn apply_group_writes(&self, zone: &ZoneId, writes: Vec<GroupWrite>) -> Result<()>;
}

/// UAA's messages for group failures (each an `ExceptionReport`: the `error` is the exception
/// class in snake case without `_exception`, reference §0). Shared by the use cases and the
/// store, which detects the conflicts.
pub mod errors {
    use crate::error::Error;

    /// A plain `ScimException` (`error: "scim"`).
    pub fn scim(status: u16, message: impl Into<String>) -> Error {
        Error::report(status, "scim", message)
    }

    /// `ScimResourceNotFoundException` from `JdbcScimGroupProvisioning.retrieve`.
    pub fn group_not_found(id: &str) -> Error {
        Error::report(
            404,
            "scim_resource_not_found",
            format!("Group {id} does not exist"),
        )
    }

    /// `ScimResourceNotFoundException` from `ScimUserProvisioning.retrieve`.
    pub fn user_not_found(id: &str) -> Error {
        Error::report(
            404,
            "scim_resource_not_found",
            format!("User {id} does not exist"),
        )
    }

    /// `POST /Groups` with a taken name (`ScimResourceAlreadyExistsException`).
    pub fn group_exists(name: &str) -> Error {
        Error::report(
            409,
            "scim_resource_already_exists",
            format!("A group with displayName: {name} already exists."),
        )
    }

    /// `PUT`/`PATCH` renaming a group to a taken name: UAA's update throws an
    /// `InvalidScimResourceException` (400, and no final period).
    pub fn group_name_taken(name: &str) -> Error {
        Error::report(
            400,
            "invalid_scim_resource",
            format!("A group with displayName: {name} already exists"),
        )
    }

    /// A stale `If-Match` on update: Spring's `IncorrectResultSizeDataAccessException` text,
    /// rethrown as a 409 `ScimException`.
    pub fn stale_version() -> Error {
        scim(409, "Incorrect result size: expected 1, actual 0")
    }

    /// A stale `If-Match` on delete.
    pub fn delete_conflict(id: &str) -> Error {
        scim(409, format!("error deleting group: {id}"))
    }

    /// `MemberAlreadyExistsException`.
    pub fn already_member(member_id: &str, group_id: &str) -> Error {
        Error::report(
            409,
            "member_already_exists",
            format!("{member_id} is already part of the group: {group_id}"),
        )
    }

    /// `MemberNotFoundException`.
    pub fn member_not_found(member_id: &str, group_id: &str) -> Error {
        Error::report(
            404,
            "member_not_found",
            format!("Member {member_id} does not exist in group {group_id}"),
        )
    }

    /// `ScimResourceNotFoundException` of `JdbcScimGroupExternalMembershipManager`, rethrown
    /// by the endpoint as a 404 `ScimException`.
    pub fn mapping_not_found(group_id: &str, external_group: &str) -> Error {
        scim(
            404,
            format!(
                "The mapping between groupId {group_id} and external group {external_group} does not exist"
            ),
        )
    }
}

/// Why a requested member cannot be added (`JdbcScimGroupMembershipManager.addMember` and
/// `validateRequest`, in UAA's order). Each endpoint reports these its own way.
#[derive(Debug, PartialEq, Eq)]
pub enum MemberRefusal {
    /// The group is one of the zone's default groups (`oauth.user.authorities`), which every
    /// user has implicitly.
    DefaultGroup,
    /// `value` or `origin` is blank.
    Incomplete,
    /// A group cannot contain itself.
    SelfNesting,
    /// No such user or group; the error is UAA's `ScimResourceNotFoundException`.
    NotFound(Error),
    /// The member is in the group already (or listed twice).
    AlreadyMember,
}

impl MemberRefusal {
    /// How `POST /Groups/{id}/members` reports it.
    pub fn into_error(self, member_id: &str, group_id: &str) -> Error {
        match self {
            Self::DefaultGroup => Error::report(
                409,
                "member_already_exists",
                "Trying to add member to default group",
            ),
            Self::Incomplete => Error::report(
                400,
                "invalid_scim_resource",
                "group-id, member-id, origin and member-type must be non-empty",
            ),
            Self::SelfNesting => Error::report(
                400,
                "invalid_scim_resource",
                "trying to nest group within itself, aborting",
            ),
            Self::NotFound(e) => e,
            Self::AlreadyMember => errors::already_member(member_id, group_id),
        }
    }

    /// How `PUT`/`PATCH /Groups/{id}` report it: `updateGroup` turns a missing member into a
    /// 400 `ScimException` with the same message.
    pub fn into_update_error(self, member_id: &str, group_id: &str) -> Error {
        match self {
            Self::NotFound(Error::Report { message, .. }) => errors::scim(400, message),
            other => other.into_error(member_id, group_id),
        }
    }

    /// How `POST /Groups` reports it: every refusal is "Invalid group member".
    pub fn into_create_error(member_id: Option<&str>) -> Error {
        Error::report(
            400,
            "invalid_scim_resource",
            format!("Invalid group member: {}", member_id.unwrap_or("null")),
        )
    }
}

/// A member as requested, with UAA's defaults (`type` USER, `origin` uaa) applied; `None`
/// when `value` or `origin` is blank.
pub fn requested_member(m: &ScimGroupMember) -> Option<Member> {
    let id = m.value.as_deref().filter(|v| !v.trim().is_empty())?;
    let origin = match m.origin.as_deref() {
        None => ORIGIN_UAA,
        Some(o) if o.trim().is_empty() => return None,
        Some(o) => o,
    };
    Some(Member {
        id: id.to_owned(),
        kind: m.kind.unwrap_or(MemberType::User),
        origin: origin.to_owned(),
    })
}

/// `ScimCore.setSchemas`: only the SCIM 1.0 core schema is accepted.
pub fn check_schemas(schemas: Option<&[String]>) -> Result<()> {
    match schemas {
        Some(s) if s != [SCIM_SCHEMA] => Err(errors::scim(
            400,
            format!("Only schema '{SCIM_SCHEMA}' is currently supported"),
        )),
        _ => Ok(()),
    }
}

/// The editable part of a group: what PUT replaces and PATCH edits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupDraft {
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// As requested; empty removes every member.
    pub members: Vec<ScimGroupMember>,
}

impl GroupDraft {
    /// A PUT body.
    pub fn from_body(body: ScimGroup) -> Self {
        Self {
            display_name: body.display_name,
            description: body.description,
            members: body.members.unwrap_or_default(),
        }
    }

    /// The stored group and members, as a draft to patch.
    pub fn of(group: &Group, members: &[Member]) -> Self {
        Self {
            display_name: Some(group.display_name.clone()),
            description: group.description.clone(),
            members: members.iter().map(member_to_wire).collect(),
        }
    }

    /// `ScimGroup.patch`: first the attributes named in `meta.attributes` are removed, then
    /// every member the patch names is taken out and those without `operation: "delete"` are
    /// put back as given, then a given `description` or `displayName` replaces the current one.
    pub fn patch(mut self, patch: ScimGroup) -> Result<Self> {
        let remove = patch.meta.and_then(|m| m.attributes).unwrap_or_default();
        for attribute in remove {
            match attribute.to_uppercase().as_str() {
                "DESCRIPTION" => self.description = None,
                "DISPLAYNAME" => self.display_name = None,
                "ZONEID" => return Err(errors::scim(400, "Cannot delete or change ZoneId")),
                "ID" => return Err(errors::scim(400, "Cannot delete or change ID")),
                "MEMBERS" => self.members.clear(),
                _ => {
                    return Err(errors::scim(
                        400,
                        format!(
                            "Attribute {attribute} cannot be removed using \"Meta.attributes\""
                        ),
                    ));
                }
            }
        }
        if let Some(given) = patch.members {
            let named: Vec<Option<String>> = given.iter().map(|m| m.value.clone()).collect();
            self.members.retain(|m| !named.contains(&m.value));
            self.members.extend(given.into_iter().filter(|m| {
                !m.operation
                    .as_deref()
                    .is_some_and(|o| o.eq_ignore_ascii_case("delete"))
            }));
        }
        if patch.description.is_some() {
            self.description = patch.description;
        }
        if patch.display_name.is_some() {
            self.display_name = patch.display_name;
        }
        Ok(self)
    }
}

/// A display name is required. UAA leaves a missing one to the database's `NOT NULL`
/// (a 400 with the driver's text); here the refusal is explicit, and a blank name, which
/// could never be a scope, is refused too.
pub fn check_display_name(name: Option<&str>) -> Result<&str> {
    name.filter(|n| !n.trim().is_empty()).ok_or_else(|| {
        Error::report(
            400,
            "invalid_scim_resource",
            "A group must have a displayName",
        )
    })
}

/// The membership changes that turn `current` into `desired` (`updateOrAddMembers`):
/// memberships compare by member id and type, so a member whose type changes is removed and
/// added again, and an unchanged one keeps its stored origin.
pub fn member_changes<'a>(
    current: &'a [Member],
    desired: &'a [Member],
) -> (Vec<&'a Member>, Vec<&'a Member>) {
    let same = |a: &Member, b: &Member| a.id == b.id && a.kind == b.kind;
    let removed = current
        .iter()
        .filter(|c| !desired.iter().any(|d| same(c, d)))
        .collect();
    let added = desired
        .iter()
        .filter(|d| !current.iter().any(|c| same(c, d)))
        .collect();
    (removed, added)
}

fn meta(version: i64, created: i64, last_modified: i64) -> ScimMeta {
    ScimMeta {
        version,
        created: Some(iso8601(created)),
        last_modified: Some(iso8601(last_modified)),
        attributes: None,
    }
}

impl Group {
    /// The group's JSON; `members` is left out when not given (a member entity, or a list
    /// whose `attributes` do not ask for members).
    pub fn to_wire(&self, members: Option<&[Member]>) -> ScimGroup {
        ScimGroup {
            id: Some(self.id.clone()),
            meta: Some(meta(self.version, self.created, self.last_modified)),
            display_name: Some(self.display_name.clone()),
            zone_id: Some(self.zone_id.to_string()),
            description: self.description.clone(),
            members: members.map(|ms| ms.iter().map(member_to_wire).collect()),
            schemas: Some(vec![SCIM_SCHEMA.to_owned()]),
        }
    }
}

pub fn member_to_wire(m: &Member) -> ScimGroupMember {
    ScimGroupMember {
        origin: Some(m.origin.clone()),
        operation: None,
        kind: Some(m.kind),
        entity: None,
        value: Some(m.id.clone()),
    }
}

impl ExternalMapping {
    /// The mapping as `POST /Groups/External` and the deletes return it; `added` is both
    /// `created` and `lastModified`, the version is 0.
    pub fn to_wire(&self) -> ScimGroupExternalMember {
        ScimGroupExternalMember {
            meta: Some(meta(0, self.added, self.added)),
            group_id: Some(self.group_id.clone()),
            external_group: Some(self.external_group.clone()),
            display_name: Some(self.display_name.clone()),
            origin: Some(self.origin.clone()),
            schemas: Some(vec![SCIM_SCHEMA.to_owned()]),
        }
    }

    /// A list item of `GET /Groups/External`: only `groupId`, `displayName`, `externalGroup`
    /// and `origin` (`cropAndBuildSearchResultFrom` with those attributes).
    pub fn to_list_item(&self) -> serde_json::Value {
        serde_json::json!({
            "groupId": self.group_id,
            "displayName": self.display_name,
            "externalGroup": self.external_group,
            "origin": self.origin,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn wire(id: &str, op: Option<&str>) -> ScimGroupMember {
        ScimGroupMember {
            value: Some(id.into()),
            operation: op.map(str::to_owned),
            ..ScimGroupMember::default()
        }
    }

    fn member(id: &str, kind: MemberType) -> Member {
        Member {
            id: id.into(),
            kind,
            origin: "uaa".into(),
        }
    }

    #[test]
    fn patch_removes_named_attributes_then_applies_members_and_fields() {
        let draft = GroupDraft {
            display_name: Some("a".into()),
            description: Some("d".into()),
            members: vec![wire("u1", None), wire("u2", None)],
        };
        let patch: ScimGroup = serde_json::from_value(serde_json::json!({
            "meta": {"attributes": ["description"]},
            "members": [{"value": "u1", "operation": "DELETE"}, {"value": "g1", "type": "GROUP"}],
            "displayName": "b",
        }))
        .unwrap();
        let out = draft.patch(patch).unwrap();
        assert_eq!(out.display_name.as_deref(), Some("b"));
        assert_eq!(out.description, None);
        let ids: Vec<_> = out
            .members
            .iter()
            .map(|m| m.value.clone().unwrap())
            .collect();
        assert_eq!(ids, ["u2", "g1"]);
    }

    #[test]
    fn patch_refuses_to_remove_the_id_the_zone_or_unknown_attributes() {
        for (attr, msg) in [
            ("id", "Cannot delete or change ID"),
            ("zoneId", "Cannot delete or change ZoneId"),
            (
                "foo",
                "Attribute foo cannot be removed using \"Meta.attributes\"",
            ),
        ] {
            let patch = ScimGroup {
                meta: Some(ScimMeta {
                    attributes: Some(vec![attr.into()]),
                    ..ScimMeta::default()
                }),
                ..ScimGroup::default()
            };
            assert_eq!(
                GroupDraft::default().patch(patch).unwrap_err(),
                errors::scim(400, msg)
            );
        }
    }

    #[test]
    fn membership_changes_compare_id_and_type() {
        let current = [
            member("u1", MemberType::User),
            member("x", MemberType::User),
        ];
        let desired = [
            member("x", MemberType::Group),
            member("u2", MemberType::User),
        ];
        let (removed, added) = member_changes(&current, &desired);
        assert_eq!(removed, [&current[0], &current[1]]);
        assert_eq!(added, [&desired[0], &desired[1]]);
    }

    #[test]
    fn requested_members_default_to_uaa_users_and_need_a_value_and_origin() {
        let m = requested_member(&wire("u", None)).unwrap();
        assert_eq!((m.kind, m.origin.as_str()), (MemberType::User, "uaa"));
        assert!(requested_member(&wire(" ", None)).is_none());
        let mut blank_origin = wire("u", None);
        blank_origin.origin = Some(String::new());
        assert!(requested_member(&blank_origin).is_none());
    }
}
