//! SCIM users (`ScimUserEndpoints`, `PasswordChangeEndpoint`, `UserIdConversionEndpoints`,
//! reference §4.1–4.3): each endpoint's checks in UAA's order, its messages and its audit
//! events. Handlers pass the raw body and headers; everything UAA decides happens here.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use uaa_types::{
    ActionResult, PasswordChangeRequest, SCIM_SCHEMA, ScimUser, SearchResults, UserAccountStatus,
    UserIdEntry,
};

use super::Deps;
use crate::audit::AuditEventType;
use crate::authz::{Caller, Gate, ScimRead, ScimWrite};
use crate::error::{Error, Result};
use crate::filter::{self, CompareOp, Filter};
use crate::ids::{ORIGIN_UAA, UserId, ZoneId};
use crate::ports::ListQuery;
use crate::scim::IfMatch;
use crate::scim::users::{
    EditableFields, Extras, UserRecord, apply_patch, invalid_self_edit, only_name_differs,
    parse_user, scim_error, to_wire, user_not_found, uuid_from_hex, validate,
};
use crate::secret::{Secret, SecretHash};
use crate::text::html_escape;

/// `userMaxCount`: the cap on `count` in user lists.
pub const USER_MAX_COUNT: u64 = 500;

pub use super::ListParams;

/// `"<version>"`, the `ETag` of a user response.
pub fn etag(u: &ScimUser) -> String {
    format!("\"{}\"", u.meta.as_ref().map_or(0, |m| m.version))
}

fn caller_name(caller: &Caller) -> String {
    match &caller.user_name {
        Some(u) => format!("user={u} client={}", caller.client_id),
        None => format!("client={}", caller.client_id),
    }
}

/// `UserModifiedEvent`'s data: `["user_id=…","username=…"]`.
async fn audit_user(
    deps: &Deps,
    zone: &ZoneId,
    event: AuditEventType,
    r: &UserRecord,
    caller: &Caller,
) {
    let data = Value::from(vec![
        format!("user_id={}", r.id),
        format!("username={}", r.username),
    ])
    .to_string();
    deps.audit(zone, event, r.id.as_str(), &caller_name(caller), data)
        .await;
}

async fn load(deps: &Deps, zone: &ZoneId, id: &str) -> Result<UserRecord> {
    deps.scim_users
        .get_scim_user(zone, id)
        .await?
        .ok_or_else(|| user_not_found(id))
}

/// The wire form with groups and approvals, as UAA's `syncGroups(syncApprovals(…))`.
async fn full(deps: &Deps, zone: &ZoneId, r: &UserRecord) -> Result<ScimUser> {
    let mut groups = deps
        .scim_users
        .groups_of_users(zone, &[r.id.to_string()])
        .await?;
    let groups = groups.remove(r.id.as_str()).unwrap_or_default();
    Ok(to_wire(
        r,
        Extras {
            groups: Some(groups),
            approvals: true,
        },
    ))
}

/// `getVersion`: a number, or `*` for the stored version (404 if the user is gone).
async fn version_of(deps: &Deps, zone: &ZoneId, id: &str, m: IfMatch) -> Result<i64> {
    match m {
        IfMatch::Version(v) => Ok(v),
        IfMatch::Any => Ok(load(deps, zone, id).await?.version),
    }
}

fn wrong_version(id: &str, expected: i64, found: i64) -> String {
    format!(
        "Attempt to update a user ({id}) with wrong version: expected={expected} but found={found}"
    )
}

/// `GET /Users/{id}`: `scim.read`, zone admin, or the user themself.
pub async fn get(deps: &Deps, caller: &Caller, zone: &ZoneId, id: &str) -> Result<ScimUser> {
    caller.check_or_self(ScimRead::SCOPES, zone, id)?;
    let r = load(deps, zone, id).await?;
    full(deps, zone, &r).await
}

/// `POST /Users`.
pub async fn create(deps: &Deps, caller: &Caller, zone: &ZoneId, body: Value) -> Result<ScimUser> {
    let mut u = parse_user(body)?;
    if u.origin.as_deref().is_none_or(str::is_empty) {
        u.origin = Some(ORIGIN_UAA.into());
    }
    validate(&u)?;
    let origin = u.origin.clone().unwrap_or_default();
    let password = if origin == ORIGIN_UAA {
        let pw = u.password.clone().unwrap_or_default();
        check_password_policy(deps, &pw)?;
        pw
    } else {
        // Non-uaa users get the password "".
        String::new()
    };
    let hash = deps.hasher.hash(&Secret::new(password)).await?;
    let now = deps.clock.now_millis();
    let mut r = UserRecord {
        id: UserId::new(uuid_from_hex(&deps.random.hex32())),
        zone_id: zone.clone(),
        version: u.meta.as_ref().map_or(0, |m| m.version),
        created: now,
        last_modified: now,
        username: String::new(),
        email: String::new(),
        given_name: None,
        family_name: None,
        active: true,
        phone_number: None,
        verified: true,
        origin,
        external_id: None,
        salt: None,
        // UAA truncates the password timestamp to the second.
        passwd_lastmodified: Some(now - now.rem_euclid(1000)),
        passwd_change_required: false,
        last_logon_success_time: None,
        previous_logon_success_time: None,
        password_hash: hash,
    };
    EditableFields::of(&u).apply_to(&mut r);
    let groups: Vec<String> = deps
        .settings
        .default_user_groups
        .iter()
        .map(str::to_owned)
        .collect();
    deps.scim_users.create_scim_user(zone, &r, &groups).await?;
    audit_user(deps, zone, AuditEventType::UserCreatedEvent, &r, caller).await;
    let stored = load(deps, zone, r.id.as_str()).await?;
    full(deps, zone, &stored).await
}

/// `PUT /Users/{id}`.
pub async fn update(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    if_match_header: Option<&str>,
    body: Value,
) -> Result<ScimUser> {
    caller.check_or_self(ScimWrite::SCOPES, zone, id)?;
    let u = parse_user(body)?;
    update_checked(deps, caller, zone, id, if_match_header, u).await
}

/// `updateUser` after the body is read: self-edit rule, `If-Match`, origin, validation, the
/// versioned write.
async fn update_checked(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    if_match_header: Option<&str>,
    mut u: ScimUser,
) -> Result<ScimUser> {
    // throwWhenInvalidSelfEdit: a user without uaa.admin or scim.write may change only the name.
    if caller.is_user_self(id)
        && !caller.scopes.contains("uaa.admin")
        && !caller.scopes.contains("scim.write")
        && let Some(db) = deps.scim_users.get_scim_user(zone, id).await?
        && !only_name_differs(&db, &u)
    {
        return Err(invalid_self_edit());
    }
    let m = IfMatch::parse(if_match_header, "PUT")?;
    let version = version_of(deps, zone, id, m).await?;
    let existing = load(deps, zone, id).await?;
    let origin = u
        .origin
        .clone()
        .filter(|o| !o.is_empty())
        .unwrap_or_else(|| ORIGIN_UAA.into());
    if origin != existing.origin {
        return Err(Error::report(
            400,
            "invalid_scim_resource",
            "Cannot change user's origin in update operation.",
        ));
    }
    u.origin = Some(origin);
    validate(&u)?;
    let mut r = existing.clone();
    EditableFields::of(&u).apply_to(&mut r);
    r.version = version + 1;
    r.last_modified = deps.clock.now_millis();
    if !deps.scim_users.update_scim_user(zone, &r, version).await? {
        let current = load(deps, zone, id).await?;
        return Err(Error::report(
            409,
            "scim_resource_conflict",
            wrong_version(id, current.version, version),
        ));
    }
    audit_user(deps, zone, AuditEventType::UserModifiedEvent, &r, caller).await;
    let stored = load(deps, zone, id).await?;
    full(deps, zone, &stored).await
}

/// `PATCH /Users/{id}`: UAA's message says PUT here too (`ScimUserEndpoints.patchUser`).
pub async fn patch(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    if_match_header: Option<&str>,
    body: Value,
) -> Result<ScimUser> {
    caller.check_or_self(ScimWrite::SCOPES, zone, id)?;
    let p = parse_user(body)?;
    let m = IfMatch::parse(if_match_header, "PUT")?;
    let version = version_of(deps, zone, id, m).await?;
    let existing = load(deps, zone, id).await?;
    let mut merged = to_wire(&existing, Extras::default());
    apply_patch(&mut merged, &p)?;
    let header = format!("\"{version}\"");
    update_checked(deps, caller, zone, id, Some(&header), merged).await
}

/// `DELETE /Users/{id}`: `If-Match` optional; memberships go with the user; answers the
/// deleted user.
pub async fn delete(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    if_match_header: Option<&str>,
) -> Result<ScimUser> {
    let version = match if_match_header {
        None => None,
        Some(h) => Some(version_of(deps, zone, id, IfMatch::parse(Some(h), "DELETE")?).await?),
    };
    let r = load(deps, zone, id).await?;
    let user = full(deps, zone, &r).await?;
    if !deps.scim_users.delete_scim_user(zone, id, version).await? {
        // An OptimisticLockingFailureException is a DataAccessException: 422 in UAA's map.
        let v = version.unwrap_or(-1);
        return Err(scim_error(422, wrong_version(id, v, v)));
    }
    audit_user(deps, zone, AuditEventType::UserDeletedEvent, &r, caller).await;
    Ok(user)
}

/// `GET /Users/{id}/verify`: sets `verified` (the version is not bumped); the answer carries
/// no groups or approvals, as UAA's.
pub async fn verify(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    if_match_header: Option<&str>,
) -> Result<ScimUser> {
    let version = match if_match_header {
        None => None,
        Some(h) => Some(version_of(deps, zone, id, IfMatch::parse(Some(h), "GET")?).await?),
    };
    let updated = deps.scim_users.set_user_verified(zone, id, version).await?;
    let r = load(deps, zone, id).await?;
    if !updated {
        return Err(scim_error(
            422,
            wrong_version(id, r.version, version.unwrap_or(-1)),
        ));
    }
    audit_user(deps, zone, AuditEventType::UserVerifiedEvent, &r, caller).await;
    Ok(to_wire(&r, Extras::default()))
}

/// `PATCH /Users/{id}/status`: unlock (records `UserAccountUnlockedEvent`, which resets the
/// lockout count) or force a password change; echoes the body.
pub async fn set_status(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    status: UserAccountStatus,
) -> Result<UserAccountStatus> {
    let r = load(deps, zone, id).await?;
    if r.origin != ORIGIN_UAA {
        return Err(scim_error(
            400,
            "Can only manage users from the internal user store.",
        ));
    }
    if status.locked == Some(true) {
        return Err(scim_error(
            400,
            "Cannot set user account to locked. User accounts only become locked through exceeding the allowed failed login attempts.",
        ));
    }
    if status.password_change_required == Some(false) {
        return Err(scim_error(
            400,
            "The requirement that this user change their password cannot be removed via API.",
        ));
    }
    if status.locked == Some(false) {
        audit_user(
            deps,
            zone,
            AuditEventType::UserAccountUnlockedEvent,
            &r,
            caller,
        )
        .await;
    }
    if status.password_change_required == Some(true)
        && !deps
            .scim_users
            .set_password_change_required(zone, id, true)
            .await?
    {
        return Err(user_not_found(id));
    }
    Ok(status)
}

/// Runs the password policy; UAA's `InvalidPasswordException` joins the sorted messages.
fn check_password_policy(deps: &Deps, password: &str) -> Result<()> {
    match deps
        .settings
        .password_policy
        .strength
        .check("Password", password)
    {
        Some(m) => Err(invalid_password(400, m)),
        None => Ok(()),
    }
}

fn invalid_password(status: u16, message: impl Into<String>) -> Error {
    Error::report(status, "invalid_password", message)
}

/// `PasswordChangeEndpoint`'s answer when the user is unknown (a `ScimResourceNotFoundException`
/// reported as a `BadCredentialsException`).
fn invalid_change_request() -> Error {
    Error::report(401, "bad_credentials", "Invalid password change request")
}

fn old_password_incorrect() -> Error {
    Error::Unauthorized("Old password is incorrect".into())
}

/// `PUT /Users/{id}/password` (§4.3). Success and failure are audited
/// (`PasswordChangeSuccess` / `PasswordChangeFailure`); the new hash changes the user's
/// `rev_sig`, which revokes every token issued before.
pub async fn change_password(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    req: PasswordChangeRequest,
) -> Result<ActionResult> {
    let result = change_password_checked(deps, caller, zone, id, req).await;
    let (event, data) = match &result {
        Ok(r) => (AuditEventType::PasswordChangeSuccess, r.message.clone()),
        Err(Error::Report { message, .. }) => {
            (AuditEventType::PasswordChangeFailure, message.clone())
        }
        Err(e) => (AuditEventType::PasswordChangeFailure, e.to_string()),
    };
    deps.audit(zone, event, id, &caller_name(caller), data)
        .await;
    result
}

async fn password_matches(deps: &Deps, user: Option<&UserRecord>, password: &str) -> Result<bool> {
    let user = user.ok_or_else(invalid_change_request)?;
    Ok(deps
        .hasher
        .verify(&Secret::new(password), &user.password_hash)
        .await)
}

async fn change_password_checked(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    req: PasswordChangeRequest,
) -> Result<ActionResult> {
    let user = deps.scim_users.get_scim_user(zone, id).await?;
    let old = req.old_password.clone();
    let old_given = old.as_deref().is_some_and(|o| !o.trim().is_empty());
    let new = req.password.clone().unwrap_or_default();
    let is_self = caller.is_user_self(id);
    // throwIfPasswordChangeNotPermitted
    if caller.is_client_only() {
        // A trusted client, not acting for a user.
    } else if caller.is_admin(zone) {
        if is_self && !old_given {
            return Err(invalid_password(
                400,
                "Previous password is required even for admin",
            ));
        }
    } else {
        if !is_self {
            return Err(invalid_password(
                400,
                "Not permitted to change another user's password",
            ));
        }
        if !old_given {
            return Err(invalid_password(400, "Previous password is required"));
        }
        if !password_matches(deps, user.as_ref(), old.as_deref().unwrap_or_default()).await? {
            return Err(old_password_incorrect());
        }
    }
    if password_matches(deps, user.as_ref(), &new).await? {
        return Err(invalid_password(
            422,
            "Your new password cannot be the same as the old password.",
        ));
    }
    check_password_policy(deps, &new)?;
    // JdbcScimUserProvisioning.changePassword checks a given old password even for admins.
    if let Some(o) = &old
        && !password_matches(deps, user.as_ref(), o).await?
    {
        return Err(old_password_incorrect());
    }
    if store_new_password(deps, zone, id, &Secret::new(new))
        .await?
        .is_none()
    {
        return Err(invalid_change_request());
    }
    Ok(ActionResult::ok("password updated"))
}

/// Hashes and stores a user's new password (`JdbcScimUserProvisioning.changePassword`:
/// `passwd_lastmodified` kept to the second, `passwd_change_required` cleared). Returns the
/// hash and `passwd_lastmodified`, or `None` when the user is gone.
pub(crate) async fn store_new_password(
    deps: &Deps,
    zone: &ZoneId,
    id: &str,
    password: &Secret,
) -> Result<Option<(SecretHash, i64)>> {
    let hash = deps.hasher.hash(password).await?;
    let now = deps.clock.now_millis();
    let modified = now - now.rem_euclid(1000);
    let stored = deps
        .scim_users
        .set_user_password(zone, id, &hash, now, modified)
        .await?;
    Ok(stored.then_some((hash, modified)))
}

fn parse_int(name: &str, v: Option<&str>, default: i64) -> Result<i64> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .map_err(|_| scim_error(400, format!("Invalid value for {name}: {s}"))),
    }
}

/// `startIndex` (< 1 → 1) and `count` (default 100, at most `userMaxCount`).
fn paging(p: &ListParams) -> Result<(u64, u64)> {
    let start = parse_int("startIndex", p.start_index.as_deref(), 1)?.max(1);
    let count = parse_int("count", p.count.as_deref(), 100)?.max(0);
    Ok((
        u64::try_from(start).unwrap_or(1),
        u64::try_from(count).unwrap_or(0).min(USER_MAX_COUNT),
    ))
}

/// `GET /Users`: filter (default `id pr`), `sortBy` (default `created`), `sortOrder`
/// (`ascending`, anything else descends), paging and the `attributes` projection. Any filter
/// or sort failure is 400 "Invalid filter expression: [f] [sortBy]", HTML-escaped.
pub async fn list(deps: &Deps, zone: &ZoneId, p: &ListParams) -> Result<SearchResults<Value>> {
    let filter_text = p
        .filter
        .as_deref()
        .filter(|f| !f.is_empty())
        .unwrap_or("id pr");
    let sort_by = p
        .sort_by
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("created");
    let bad_filter = || {
        scim_error(
            400,
            html_escape(&filter::invalid_filter_expression(
                filter_text,
                Some(sort_by),
            )),
        )
    };
    let parsed = filter::parse(filter_text).map_err(|_| bad_filter())?;
    let ascending = p.sort_order.as_deref().is_none_or(|o| o == "ascending");
    let (start_index, count) = paging(p)?;
    let q = ListQuery {
        filter: Some(parsed),
        sort_by: sort_by.to_owned(),
        ascending,
        start_index,
        count,
    };
    let (records, total) =
        deps.scim_users
            .list_scim_users(zone, &q)
            .await
            .map_err(|e| match e {
                Error::Report { status: 400, .. } => bad_filter(),
                other => other,
            })?;
    let attributes: Vec<&str> = p
        .attributes
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    let wants = |name: &str| {
        attributes.is_empty() || attributes.iter().any(|a| a.eq_ignore_ascii_case(name))
    };
    let mut groups = if wants("groups") {
        let ids: Vec<String> = records.iter().map(|r| r.id.to_string()).collect();
        Some(deps.scim_users.groups_of_users(zone, &ids).await?)
    } else {
        None
    };
    let approvals = wants("approvals");
    let mut resources = Vec::with_capacity(records.len());
    for r in &records {
        let extras = Extras {
            groups: groups
                .as_mut()
                .map(|g: &mut BTreeMap<_, _>| g.remove(r.id.as_str()).unwrap_or_default()),
            approvals,
        };
        let v =
            serde_json::to_value(to_wire(r, extras)).map_err(|e| Error::Internal(e.to_string()))?;
        resources.push(if attributes.is_empty() {
            v
        } else {
            project(&v, &attributes)
        });
    }
    Ok(SearchResults {
        resources,
        start_index,
        items_per_page: count,
        total_results: total,
        schemas: vec![SCIM_SCHEMA.to_owned()],
    })
}

/// `SearchResultsFactory.buildSearchResultFrom` with `ScimUserEndpoints`' name mapper
/// (`emails.` → `emails[*].`, `familyName` → `name.familyName`, `givenName` →
/// `name.givenName`): each requested attribute, under the name it was asked by, is the value
/// at its JSON path, or `null`.
fn project(user: &Value, attributes: &[&str]) -> Value {
    let mut out = Map::new();
    for attr in attributes {
        let mut path = (*attr).to_owned();
        if let Some(rest) = path.strip_prefix("emails.") {
            path = format!("emails[*].{rest}");
        }
        path = path
            .replace("familyName", "name.familyName")
            .replace("givenName", "name.givenName");
        out.insert(
            (*attr).to_owned(),
            json_path(user, &path).unwrap_or(Value::Null),
        );
    }
    Value::Object(out)
}

/// A dotted path whose segments may end in `[*]` (map over an array).
fn json_path(v: &Value, path: &str) -> Option<Value> {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let (key, all) = match head.strip_suffix("[*]") {
        Some(k) => (k, true),
        None => (head, false),
    };
    let next = v.as_object()?.get(key)?;
    if all {
        let items = next.as_array()?;
        let mapped: Vec<Value> = items
            .iter()
            .filter_map(|i| match rest {
                Some(r) => json_path(i, r),
                None => Some(i.clone()),
            })
            .collect();
        return Some(Value::Array(mapped));
    }
    match rest {
        Some(r) => json_path(next, r),
        None => Some(next.clone()),
    }
}

/// `GET /ids/Users` (`scope=scim.userids`): `id`, `userName`, `origin` of the users an
/// equality filter on `id` or `userName` names, sorted by `userName`.
pub async fn ids(deps: &Deps, zone: &ZoneId, p: &ListParams) -> Result<SearchResults<UserIdEntry>> {
    let (start_index, count) = paging(p)?;
    let text = p.filter.as_deref().unwrap_or("").trim().to_owned();
    if text.is_empty() {
        return Err(scim_error(400, "a 'filter' parameter is required"));
    }
    let parsed = filter::parse(&text)
        .map_err(|_| scim_error(400, format!("Invalid filter '{}'", html_escape(&text))))?;
    if !names_id_or_username(&parsed)? {
        return Err(scim_error(400, "Invalid filter attribute."));
    }
    let ascending = p
        .sort_order
        .as_deref()
        .is_none_or(|o| o.eq_ignore_ascii_case("ascending"));
    let q = ListQuery {
        filter: Some(parsed),
        sort_by: "userName".into(),
        ascending,
        start_index,
        count,
    };
    let (records, total) = deps.scim_users.list_scim_users(zone, &q).await?;
    Ok(SearchResults {
        resources: records
            .into_iter()
            .map(|r| UserIdEntry {
                id: r.id.into_string(),
                user_name: r.username,
                origin: r.origin,
            })
            .collect(),
        start_index,
        items_per_page: count,
        total_results: total,
        schemas: vec![SCIM_SCHEMA.to_owned()],
    })
}

/// `UserIdConversionEndpoints.containsIdOrUserNameClause`: only `eq` on `id`, `userName` or
/// `origin`, at least one clause on `id` or `userName`.
fn names_id_or_username(f: &Filter) -> Result<bool> {
    match f {
        Filter::And(l, r) | Filter::Or(l, r) => {
            let left = names_id_or_username(l)?;
            Ok(names_id_or_username(r)? || left)
        }
        Filter::Compare {
            attr,
            op: CompareOp::Eq,
            ..
        } => {
            let name = filter::attribute_name(attr);
            if name.eq_ignore_ascii_case("id") || name.eq_ignore_ascii_case("userName") {
                Ok(true)
            } else if name.eq_ignore_ascii_case("origin") {
                Ok(false)
            } else {
                Err(scim_error(400, "Invalid filter attribute."))
            }
        }
        Filter::Present { .. }
        | Filter::Compare {
            op: CompareOp::Sw | CompareOp::Co,
            ..
        } => Err(scim_error(400, "Wildcards are not allowed in filter.")),
        Filter::Compare { .. } => Err(scim_error(400, "Invalid operator.")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn projection_maps_uaa_shortcuts_and_nulls_what_is_missing() {
        let u = json!({
            "userName": "m",
            "name": {"familyName": "F", "givenName": "G"},
            "emails": [{"value": "a@b", "primary": false}],
            "meta": {"version": 1}
        });
        assert_eq!(
            project(
                &u,
                &[
                    "userName",
                    "emails.value",
                    "familyName",
                    "givenName",
                    "meta.version",
                    "nope"
                ]
            ),
            json!({
                "userName": "m", "emails.value": ["a@b"], "familyName": "F", "givenName": "G",
                "meta.version": 1, "nope": null
            })
        );
    }

    #[test]
    fn ids_filters_allow_only_equality_on_id_username_and_origin() {
        let check = |f: &str| names_id_or_username(&filter::parse(f).unwrap());
        assert!(check("userName eq \"a\" and origin eq \"uaa\"").unwrap());
        assert!(!check("origin eq \"uaa\"").unwrap());
        let msg = |f: &str| match check(f) {
            Err(Error::Report { message, .. }) => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            msg("userName sw \"a\""),
            "Wildcards are not allowed in filter."
        );
        assert_eq!(msg("id pr"), "Wildcards are not allowed in filter.");
        assert_eq!(msg("userName gt \"a\""), "Invalid operator.");
        assert_eq!(msg("email eq \"a\""), "Invalid filter attribute.");
    }
}
