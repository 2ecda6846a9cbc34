//! SCIM groups (`ScimGroupEndpoints`, reference §4.4): the group list and CRUD with
//! `If-Match`, members of type USER and GROUP, and external group mappings. UAA's order of
//! checks and its messages are kept; where UAA writes step by step and "restores" on failure,
//! every write here is validated first and applied in one transaction, so a refused request
//! changes nothing.
//!
//! Audit: `GroupCreatedEvent`, `GroupModifiedEvent` and `GroupDeletedEvent` with UAA's data
//! (`{"group_name","members"}`), for create, PUT and delete as UAA publishes them, and also for
//! PATCH and the member endpoints, which change the same memberships (UAA's aspect misses them).

use uaa_types::{ScimGroup, ScimGroupExternalMember, ScimGroupMember};

use super::Deps;
use crate::audit::AuditEventType;
use crate::authz::Caller;
use crate::error::{Error, Result};
use crate::filter::{self, CompareOp, Filter};
use crate::ids::ZoneId;
use crate::ports::ListQuery;
use crate::scim::IfMatch;
use crate::scim::groups::{
    DEFAULT_EXTERNAL_ORIGIN, EXTERNAL_FILTER_ATTRIBUTES, ExternalMapping, ExternalQuery, Group,
    GroupDraft, GroupWrite, Member, MemberEntity, MemberRefusal, MemberType, check_display_name,
    check_schemas, errors, member_changes, requested_member,
};
use crate::scim::users::uuid_from_hex;
use crate::text::html_escape;

/// `groupMaxCount`: the cap on `count` in `GET /Groups`.
pub const GROUP_MAX_COUNT: u64 = 500;

pub use super::ListParams;

impl ListParams {
    /// The requested `attributes`, in order; empty for whole groups.
    pub fn attribute_list(&self) -> Vec<&str> {
        self.attributes
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .collect()
    }
}

/// A group with its direct members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupView {
    pub group: Group,
    pub members: Vec<Member>,
}

/// A page of groups; `members` is `None` when the requested attributes leave them out.
#[derive(Debug, Clone)]
pub struct GroupPage {
    pub groups: Vec<(Group, Option<Vec<Member>>)>,
    pub start_index: u64,
    /// The requested page size (UAA reports `count`, not the number returned).
    pub items_per_page: u64,
    pub total: u64,
}

/// `ExceptionReport` for any refused filter or sort key: the filter as given (or UAA's
/// default, `id pr`), HTML-escaped as `ScimGroupEndpoints.listGroups` escapes it, without the
/// sort key.
fn invalid_filter(filter: &str) -> Error {
    errors::scim(
        400,
        filter::invalid_filter_expression(&html_escape(filter), None),
    )
}

/// An integer query parameter; absent or blank gives `default`.
fn parse_int(name: &str, v: Option<&str>, default: i64) -> Result<i64> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .map_err(|_| errors::scim(400, format!("Invalid value for {name}: {s}"))),
    }
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// `GET /Groups`: defaults `filter=id pr`, `sortBy=created`, ascending unless `sortOrder` is
/// anything but "ascending", `startIndex=1` (less is 1), `count=100` capped at
/// `groupMaxCount`. Members are loaded unless `attributes` is given without `members`.
pub async fn list(deps: &Deps, zone: &ZoneId, p: &ListParams) -> Result<GroupPage> {
    let given = p.filter.as_deref().map(str::trim).filter(|f| !f.is_empty());
    let shown = given.unwrap_or("id pr");
    let filter = given
        .map(|f| filter::parse(f).map_err(|_| invalid_filter(f)))
        .transpose()?;
    let start_index = to_u64(parse_int("startIndex", p.start_index.as_deref(), 1)?.max(1));
    let count = to_u64(parse_int("count", p.count.as_deref(), 100)?).min(GROUP_MAX_COUNT);
    let q = ListQuery {
        filter,
        sort_by: p
            .sort_by
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "created".into()),
        ascending: p
            .sort_order
            .as_deref()
            .is_none_or(|o| o.eq_ignore_ascii_case("ascending")),
        start_index,
        count,
    };
    let (groups, total) = deps
        .scim_groups
        .list_groups(zone, &q)
        .await
        .map_err(|e| match e {
            Error::Report { ref error, .. } if error == "invalid_filter" => invalid_filter(shown),
            e => e,
        })?;
    let attributes = p.attribute_list();
    let with_members = attributes.is_empty() || attributes.contains(&"members");
    let groups = if with_members {
        let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
        let mut by_group: std::collections::HashMap<String, Vec<Member>> =
            std::collections::HashMap::new();
        for (gid, m) in deps.scim_groups.members(zone, &ids).await? {
            by_group.entry(gid).or_default().push(m);
        }
        groups
            .into_iter()
            .map(|g| {
                let members = by_group.remove(&g.id).unwrap_or_default();
                (g, Some(members))
            })
            .collect()
    } else {
        groups.into_iter().map(|g| (g, None)).collect()
    };
    Ok(GroupPage {
        groups,
        start_index,
        items_per_page: count,
        total,
    })
}

async fn find(deps: &Deps, zone: &ZoneId, id: &str) -> Result<Group> {
    deps.scim_groups
        .get_group(zone, id)
        .await?
        .ok_or_else(|| errors::group_not_found(id))
}

async fn members_of(deps: &Deps, zone: &ZoneId, id: &str) -> Result<Vec<Member>> {
    let rows = deps.scim_groups.members(zone, &[id.to_owned()]).await?;
    Ok(rows.into_iter().map(|(_, m)| m).collect())
}

/// `GET /Groups/{id}`: 404 `scim_resource_not_found` "Group X does not exist".
pub async fn get(deps: &Deps, zone: &ZoneId, id: &str) -> Result<GroupView> {
    let group = find(deps, zone, id).await?;
    let members = members_of(deps, zone, id).await?;
    Ok(GroupView { group, members })
}

/// Who caused an event (`sec_audit.origin`).
fn caller_origin(caller: &Caller) -> String {
    match &caller.user_name {
        Some(u) => format!("user={u} client={}", caller.client_id),
        None => format!("client={}", caller.client_id),
    }
}

/// `GroupModifiedEvent`'s record: the group id, and `{"group_name","members"}` with the member
/// ids sorted.
async fn audit_group(
    deps: &Deps,
    zone: &ZoneId,
    caller: &Caller,
    event: AuditEventType,
    view: &GroupView,
) {
    let mut ids: Vec<&str> = view.members.iter().map(|m| m.id.as_str()).collect();
    ids.sort_unstable();
    let data = serde_json::json!({"group_name": view.group.display_name, "members": ids});
    deps.audit(
        zone,
        event,
        &view.group.id,
        &caller_origin(caller),
        data.to_string(),
    )
    .await;
}

fn is_default_group(deps: &Deps, group: &Group) -> bool {
    deps.settings
        .default_user_groups
        .iter()
        .any(|g| g.eq_ignore_ascii_case(&group.display_name))
}

/// `addMember`'s checks for one requested member of `group`, in UAA's order (the duplicate
/// check is the caller's, which knows the other members).
async fn check_member(
    deps: &Deps,
    zone: &ZoneId,
    group: &Group,
    requested: &ScimGroupMember,
) -> Result<Result<Member, MemberRefusal>> {
    if is_default_group(deps, group) {
        return Ok(Err(MemberRefusal::DefaultGroup));
    }
    let Some(member) = requested_member(requested) else {
        return Ok(Err(MemberRefusal::Incomplete));
    };
    if member.id == group.id {
        return Ok(Err(MemberRefusal::SelfNesting));
    }
    if !deps
        .scim_groups
        .member_exists(zone, member.kind, &member.id)
        .await?
    {
        let missing = match member.kind {
            MemberType::User => errors::user_not_found(&member.id),
            MemberType::Group => errors::group_not_found(&member.id),
        };
        return Ok(Err(MemberRefusal::NotFound(missing)));
    }
    Ok(Ok(member))
}

/// `POST /Groups` (201): the name must be free in the zone (409), and every member must exist
/// (400 "Invalid group member: X"; UAA deletes the half-made group, here it is never written).
pub async fn create(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    body: ScimGroup,
) -> Result<GroupView> {
    check_schemas(body.schemas.as_deref())?;
    let name = check_display_name(body.display_name.as_deref())?.to_owned();
    if deps
        .scim_groups
        .find_group_by_name(zone, &name)
        .await?
        .is_some()
    {
        return Err(errors::group_exists(&name));
    }
    let now = deps.clock.now_millis();
    let group = Group {
        id: uuid_from_hex(&deps.random.hex32()),
        display_name: name,
        description: body.description,
        zone_id: zone.clone(),
        created: now,
        last_modified: now,
        version: 0,
    };
    let mut writes = vec![GroupWrite::Create(group.clone())];
    let mut ids: Vec<String> = Vec::new();
    for requested in body.members.unwrap_or_default() {
        let member = match check_member(deps, zone, &group, &requested).await? {
            Ok(m) if !ids.contains(&m.id) => m,
            _ => return Err(MemberRefusal::into_create_error(requested.value.as_deref())),
        };
        ids.push(member.id.clone());
        writes.push(GroupWrite::AddMember {
            group_id: group.id.clone(),
            member,
            added: now,
        });
    }
    deps.scim_groups.apply_group_writes(zone, writes).await?;
    let view = get(deps, zone, &group.id).await?;
    audit_group(deps, zone, caller, AuditEventType::GroupCreatedEvent, &view).await;
    Ok(view)
}

/// `PUT /Groups/{id}`: `If-Match` is required ("Missing If-Match for PUT"); the body replaces
/// the name, the description and the members (no members removes them all).
pub async fn update(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    if_match: Option<&str>,
    body: ScimGroup,
) -> Result<GroupView> {
    check_schemas(body.schemas.as_deref())?;
    let if_match = IfMatch::parse(if_match, "PUT")?;
    let current = get(deps, zone, id).await?;
    replace(
        deps,
        caller,
        zone,
        current,
        if_match,
        GroupDraft::from_body(body),
    )
    .await
}

/// `PATCH /Groups/{id}`: `If-Match` is required ("Missing If-Match for PATCH"); see
/// [`GroupDraft::patch`] for what the body changes.
pub async fn patch(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    if_match: Option<&str>,
    body: ScimGroup,
) -> Result<GroupView> {
    check_schemas(body.schemas.as_deref())?;
    let if_match = IfMatch::parse(if_match, "PATCH")?;
    let current = get(deps, zone, id).await?;
    let draft = GroupDraft::of(&current.group, &current.members).patch(body)?;
    replace(deps, caller, zone, current, if_match, draft).await
}

/// UAA's `updateGroup` once the stored group is known: the version must match (409), the name
/// must be given and free (400), then memberships change by `updateOrAddMembers`' rules.
async fn replace(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    current: GroupView,
    if_match: IfMatch,
    draft: GroupDraft,
) -> Result<GroupView> {
    let old = &current.group;
    let expected_version = match if_match {
        IfMatch::Any => old.version,
        IfMatch::Version(v) => v,
    };
    if expected_version != old.version {
        return Err(errors::stale_version());
    }
    let name = check_display_name(draft.display_name.as_deref())?.to_owned();
    if let Some(other) = deps.scim_groups.find_group_by_name(zone, &name).await?
        && other.id != old.id
    {
        return Err(errors::group_name_taken(&name));
    }
    let now = deps.clock.now_millis();
    let group = Group {
        display_name: name,
        description: draft.description.clone(),
        last_modified: now,
        version: old.version + 1,
        ..old.clone()
    };
    let requested: Vec<(&ScimGroupMember, Option<Member>)> = draft
        .members
        .iter()
        .map(|m| (m, requested_member(m)))
        .collect();
    let desired: Vec<Member> = requested.iter().filter_map(|(_, m)| m.clone()).collect();
    let (removed, _) = member_changes(&current.members, &desired);
    let mut kept: Vec<String> = current
        .members
        .iter()
        .filter(|m| !removed.contains(m))
        .map(|m| m.id.clone())
        .collect();
    let mut writes = vec![GroupWrite::Update {
        group: group.clone(),
        expected_version,
    }];
    writes.extend(removed.iter().map(|m| GroupWrite::RemoveMember {
        group_id: old.id.clone(),
        member_id: m.id.clone(),
    }));
    for (wire, parsed) in &requested {
        let already = parsed.as_ref().is_some_and(|p| {
            current
                .members
                .iter()
                .any(|c| c.id == p.id && c.kind == p.kind)
        });
        if already {
            continue;
        }
        let value = wire.value.as_deref().unwrap_or("null");
        let member = match check_member(deps, zone, old, wire).await? {
            Ok(m) if !kept.contains(&m.id) => m,
            Ok(_) => return Err(MemberRefusal::AlreadyMember.into_update_error(value, &old.id)),
            Err(refusal) => return Err(refusal.into_update_error(value, &old.id)),
        };
        kept.push(member.id.clone());
        writes.push(GroupWrite::AddMember {
            group_id: old.id.clone(),
            member,
            added: now,
        });
    }
    deps.scim_groups.apply_group_writes(zone, writes).await?;
    let view = get(deps, zone, &old.id).await?;
    audit_group(
        deps,
        zone,
        caller,
        AuditEventType::GroupModifiedEvent,
        &view,
    )
    .await;
    Ok(view)
}

/// `DELETE /Groups/{id}`: `If-Match` defaults to `*`; a stale version is 409 "error deleting
/// group: ID" (UAA checks only versions above 0). The group's memberships in both directions
/// and its external mappings go with it. Returns the group as it was.
pub async fn delete(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    if_match: Option<&str>,
) -> Result<GroupView> {
    let view = get(deps, zone, id).await?;
    let version = match IfMatch::parse(Some(if_match.unwrap_or("*")), "DELETE")? {
        IfMatch::Version(v) if v > 0 => Some(v),
        _ => None,
    };
    let write = GroupWrite::Delete {
        id: id.to_owned(),
        version,
    };
    deps.scim_groups
        .apply_group_writes(zone, vec![write])
        .await?;
    audit_group(deps, zone, caller, AuditEventType::GroupDeletedEvent, &view).await;
    Ok(view)
}

/// `GET /Groups/{id}/members[?returnEntities=true]`: 404 for an unknown group. With entities,
/// each member carries its user or group (a member whose resource is gone has none).
pub async fn list_members(
    deps: &Deps,
    zone: &ZoneId,
    id: &str,
    return_entities: bool,
) -> Result<Vec<(Member, Option<MemberEntity>)>> {
    find(deps, zone, id).await?;
    let members = members_of(deps, zone, id).await?;
    if !return_entities {
        return Ok(members.into_iter().map(|m| (m, None)).collect());
    }
    let group_ids: Vec<String> = members
        .iter()
        .filter(|m| m.kind == MemberType::Group)
        .map(|m| m.id.clone())
        .collect();
    let groups = deps.scim_groups.get_groups(zone, &group_ids).await?;
    let mut out = Vec::with_capacity(members.len());
    for m in members {
        let entity = match m.kind {
            MemberType::Group => groups
                .iter()
                .find(|g| g.id == m.id)
                .cloned()
                .map(MemberEntity::Group),
            MemberType::User => deps
                .scim_users
                .get_scim_user(zone, &m.id)
                .await?
                .map(|u| MemberEntity::User(Box::new(u))),
        };
        out.push((m, entity));
    }
    Ok(out)
}

/// `returnEntities` as Spring binds a boolean (`true`, `on`, `yes`, `1`).
pub fn parse_return_entities(v: Option<&str>) -> Result<bool> {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "false" | "off" | "no" | "0") => Ok(false),
        Some("true" | "on" | "yes" | "1") => Ok(true),
        Some(other) => Err(errors::scim(
            400,
            format!("Invalid value for returnEntities: {other}"),
        )),
    }
}

/// `GET /Groups/{id}/members/{memberId}`: 404 `member_not_found` "Member M does not exist in
/// group G" (also when the group does not exist, as in UAA).
pub async fn get_member(
    deps: &Deps,
    zone: &ZoneId,
    group_id: &str,
    member_id: &str,
) -> Result<Member> {
    members_of(deps, zone, group_id)
        .await?
        .into_iter()
        .find(|m| m.id == member_id)
        .ok_or_else(|| errors::member_not_found(member_id, group_id))
}

/// `POST /Groups/{id}/members` (201): UAA's `addMember`. Not into a default group (409), with
/// a value and an origin (400), not the group itself (400), the group and the member must exist
/// (404), not twice (409).
pub async fn add_member(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    group_id: &str,
    body: ScimGroupMember,
) -> Result<Member> {
    let value = body.value.clone().unwrap_or_else(|| "null".into());
    let refuse = |r: MemberRefusal| r.into_error(&value, group_id);
    let Some(group) = deps.scim_groups.get_group(zone, group_id).await? else {
        // UAA checks the default groups and the request's fields before the group exists.
        return Err(match requested_member(&body) {
            None => refuse(MemberRefusal::Incomplete),
            Some(m) if m.id == group_id => refuse(MemberRefusal::SelfNesting),
            Some(_) => errors::group_not_found(group_id),
        });
    };
    let member = check_member(deps, zone, &group, &body)
        .await?
        .map_err(refuse)?;
    let current = members_of(deps, zone, group_id).await?;
    if current.iter().any(|m| m.id == member.id) {
        return Err(refuse(MemberRefusal::AlreadyMember));
    }
    let write = GroupWrite::AddMember {
        group_id: group_id.to_owned(),
        member: member.clone(),
        added: deps.clock.now_millis(),
    };
    apply_member_write(deps, caller, zone, group_id, write).await?;
    Ok(member)
}

/// Applies one membership change and audits the group as modified.
async fn apply_member_write(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    group_id: &str,
    write: GroupWrite,
) -> Result<()> {
    deps.scim_groups
        .apply_group_writes(zone, vec![write])
        .await?;
    let view = get(deps, zone, group_id).await?;
    audit_group(
        deps,
        zone,
        caller,
        AuditEventType::GroupModifiedEvent,
        &view,
    )
    .await;
    Ok(())
}

/// `DELETE /Groups/{id}/members/{memberId}`: returns the membership that was removed; 404
/// `member_not_found` when there is none.
pub async fn remove_member(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    group_id: &str,
    member_id: &str,
) -> Result<Member> {
    let member = get_member(deps, zone, group_id, member_id).await?;
    let write = GroupWrite::RemoveMember {
        group_id: group_id.to_owned(),
        member_id: member_id.to_owned(),
    };
    apply_member_write(deps, caller, zone, group_id, write).await?;
    Ok(member)
}

/// Query parameters of `GET /Groups/External`, as received.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalParams {
    pub start_index: Option<String>,
    pub count: Option<String>,
    pub filter: Option<String>,
    pub origin: Option<String>,
    pub external_group: Option<String>,
}

/// A page of external mappings.
#[derive(Debug, Clone)]
pub struct ExternalPage {
    pub mappings: Vec<ExternalMapping>,
    pub start_index: u64,
    /// The number of mappings on this page (`cropAndBuildSearchResultFrom`).
    pub items_per_page: u64,
    pub total: u64,
}

fn has_text(s: Option<&str>) -> Option<&str> {
    s.filter(|v| !v.trim().is_empty())
}

/// The deprecated `filter`: only `eq` comparisons joined by `and`, on the allowed attributes
/// (`SimpleSearchQueryConverter.getFilterValues`).
fn external_filter(f: &str) -> Result<Filter> {
    fn only_eq_and(f: &Filter) -> bool {
        match f {
            Filter::And(l, r) => only_eq_and(l) && only_eq_and(r),
            Filter::Compare { op, .. } => *op == CompareOp::Eq,
            Filter::Or(..) | Filter::Present { .. } => false,
        }
    }
    let unsupported = || {
        errors::scim(
            400,
            "Filter not supported, please use origin and externalGroup parameters",
        )
    };
    let parsed = filter::parse(f).map_err(|_| unsupported())?;
    filter::check_attributes(&parsed, EXTERNAL_FILTER_ATTRIBUTES).map_err(|_| unsupported())?;
    if only_eq_and(&parsed) {
        Ok(parsed)
    } else {
        Err(unsupported())
    }
}

/// `GET /Groups/External` (and, ignoring `origin` and `externalGroup`, the deprecated
/// `/Groups/External/list`): mappings of the zone, narrowed by `origin` and `externalGroup`
/// (exact) or by the deprecated `filter`, which may not be combined with them.
pub async fn list_external(
    deps: &Deps,
    zone: &ZoneId,
    p: &ExternalParams,
    deprecated_list: bool,
) -> Result<ExternalPage> {
    let (origin, external_group) = if deprecated_list {
        (None, None)
    } else {
        (
            has_text(p.origin.as_deref()),
            has_text(p.external_group.as_deref()),
        )
    };
    let filter = match has_text(p.filter.as_deref()) {
        None => None,
        Some(_) if origin.is_some() || external_group.is_some() => {
            return Err(errors::scim(
                400,
                "Deprecated filter parameter may not be used in conjunction with origin or externalGroup parameters",
            ));
        }
        Some(f) => Some(external_filter(f)?),
    };
    let start_index = to_u64(parse_int("startIndex", p.start_index.as_deref(), 1)?.max(1));
    let count = to_u64(parse_int("count", p.count.as_deref(), 100)?);
    let q = ExternalQuery {
        origin: origin.map(str::to_owned),
        external_group: external_group.map(str::to_owned),
        filter,
    };
    let all = deps.scim_groups.external_mappings(zone, &q).await?;
    let total = all.len() as u64;
    let mappings: Vec<ExternalMapping> = all
        .into_iter()
        .skip(usize::try_from(start_index - 1).unwrap_or(usize::MAX))
        .take(usize::try_from(count).unwrap_or(usize::MAX))
        .collect();
    Ok(ExternalPage {
        items_per_page: mappings.len() as u64,
        mappings,
        start_index,
        total,
    })
}

/// `ScimGroupEndpoints.getGroupId`: the id of the group with this display name.
async fn group_id_by_name(deps: &Deps, zone: &ZoneId, name: Option<&str>) -> Result<String> {
    let Some(name) = has_text(name) else {
        return Err(errors::scim(404, "Group not found, not name provided"));
    };
    deps.scim_groups
        .find_group_by_name(zone, name)
        .await?
        .map(|g| g.id)
        .ok_or_else(|| errors::scim(404, format!("Group not found:{name}")))
}

/// The group of an external-mapping request; a missing one is UAA's 404 `ScimException`.
async fn mapping_group(deps: &Deps, zone: &ZoneId, id: &str) -> Result<Group> {
    deps.scim_groups
        .get_group(zone, id)
        .await?
        .ok_or_else(|| errors::scim(404, format!("Group {id} does not exist")))
}

async fn find_mapping(
    deps: &Deps,
    zone: &ZoneId,
    group_id: &str,
    external_group: &str,
    origin: &str,
) -> Result<Option<ExternalMapping>> {
    let q = ExternalQuery {
        origin: Some(origin.to_owned()),
        ..ExternalQuery::default()
    };
    let wanted = external_group.to_lowercase();
    Ok(deps
        .scim_groups
        .external_mappings(zone, &q)
        .await?
        .into_iter()
        .find(|m| m.group_id == group_id && m.external_group.to_lowercase() == wanted))
}

/// `POST /Groups/External` (201): the group by `groupId`, else by `displayName`; the external
/// group is trimmed and stored in lower case; `origin` defaults to `ldap`. Mapping an existing
/// pair again returns it unchanged, as UAA does.
pub async fn map_external(
    deps: &Deps,
    zone: &ZoneId,
    body: ScimGroupExternalMember,
) -> Result<ExternalMapping> {
    check_schemas(body.schemas.as_deref())?;
    let group_id = match has_text(body.group_id.as_deref()) {
        Some(id) => id.to_owned(),
        None => group_id_by_name(deps, zone, body.display_name.as_deref()).await?,
    };
    let origin = has_text(body.origin.as_deref()).unwrap_or(DEFAULT_EXTERNAL_ORIGIN);
    let group = mapping_group(deps, zone, &group_id).await?;
    let Some(external_group) = has_text(body.external_group.as_deref()).map(str::trim) else {
        return Err(Error::report(
            412,
            "scim_resource_constraint_failed",
            "external group must not be null when mapping an external group",
        ));
    };
    let external_group = external_group.to_lowercase();
    let write = GroupWrite::MapExternal {
        group_id: group.id.clone(),
        external_group: external_group.clone(),
        origin: origin.to_owned(),
        added: deps.clock.now_millis(),
    };
    deps.scim_groups
        .apply_group_writes(zone, vec![write])
        .await?;
    find_mapping(deps, zone, &group.id, &external_group, origin)
        .await?
        .ok_or_else(|| errors::mapping_not_found(&group.id, &external_group))
}

/// How a delete names the group of a mapping.
#[derive(Debug, Clone, Copy)]
pub enum GroupRef<'a> {
    Id(&'a str),
    DisplayName(&'a str),
}

/// `DELETE /Groups/External/{groupId|displayName}/…/externalGroup/{eg}[/origin/{o}]`: origin
/// defaults to `ldap`; returns the mapping that was removed, 404 when there is none.
pub async fn unmap_external(
    deps: &Deps,
    zone: &ZoneId,
    group: GroupRef<'_>,
    external_group: &str,
    origin: Option<&str>,
) -> Result<ExternalMapping> {
    let origin = has_text(origin).unwrap_or(DEFAULT_EXTERNAL_ORIGIN);
    let group_id = match group {
        GroupRef::Id(id) => id.to_owned(),
        GroupRef::DisplayName(name) => group_id_by_name(deps, zone, Some(name)).await?,
    };
    let group = mapping_group(deps, zone, &group_id).await?;
    let external_group = external_group.trim();
    let mapping = find_mapping(deps, zone, &group.id, external_group, origin)
        .await?
        .ok_or_else(|| errors::mapping_not_found(&group.id, external_group))?;
    let write = GroupWrite::UnmapExternal {
        group_id: group.id.clone(),
        external_group: mapping.external_group.clone(),
        origin: origin.to_owned(),
    };
    deps.scim_groups
        .apply_group_writes(zone, vec![write])
        .await?;
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_in_messages_are_html_escaped_without_the_sort_key() {
        assert_eq!(
            invalid_filter("a eq \"<b>\" & c"),
            errors::scim(
                400,
                "Invalid filter expression: [a eq &quot;&lt;b&gt;&quot; &amp; c]"
            )
        );
    }

    #[test]
    fn the_deprecated_external_filter_takes_only_eq_and_and() {
        assert!(external_filter("origin eq \"ldap\" and externalGroup eq \"x\"").is_ok());
        assert!(external_filter("gm.external_group eq \"x\"").is_ok());
        for bad in [
            "origin co \"ldap\"",
            "origin sw \"ldap\"",
            "origin eq \"a\" or origin eq \"b\"",
            "origin pr",
            "displayName eq \"x\"",
            "origin eq",
        ] {
            assert_eq!(
                external_filter(bad).unwrap_err(),
                errors::scim(
                    400,
                    "Filter not supported, please use origin and externalGroup parameters"
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn return_entities_binds_like_a_spring_boolean() {
        assert_eq!(parse_return_entities(Some("TRUE")), Ok(true));
        assert_eq!(parse_return_entities(None), Ok(false));
        assert!(parse_return_entities(Some("maybe")).is_err());
    }
}
