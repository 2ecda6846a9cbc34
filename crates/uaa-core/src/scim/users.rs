//! SCIM users (reference §4.1–4.3): the stored record, its storage port, and UAA's rules that
//! need no I/O: reading a body the way `ScimUserJsonDeserializer` does, `ScimUtils.validate`,
//! `ScimUser.patch`, the self-edit diff (`ScimUserUpdateDiff`), the wire form of a record and
//! the lockout decision of `CommonLoginPolicy` (§6.2).

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::Value;
use uaa_types::{
    SCIM_SCHEMA, SCIM_USER_FIELDS, ScimEmail, ScimMeta, ScimName, ScimPhoneNumber, ScimUser,
    ScimUserGroup,
};

use crate::error::{Error, Result};
use crate::ids::{ORIGIN_UAA, UserId, ZoneId};
use crate::policy::LockoutPolicy;
use crate::ports::ListQuery;
use crate::secret::SecretHash;

/// A row of `users` with every column SCIM reads or writes. Timestamps are epoch milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: UserId,
    pub zone_id: ZoneId,
    pub version: i64,
    pub created: i64,
    pub last_modified: i64,
    pub username: String,
    pub email: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub active: bool,
    pub phone_number: Option<String>,
    pub verified: bool,
    pub origin: String,
    pub external_id: Option<String>,
    pub salt: Option<String>,
    pub passwd_lastmodified: Option<i64>,
    pub passwd_change_required: bool,
    pub last_logon_success_time: Option<i64>,
    pub previous_logon_success_time: Option<i64>,
    pub password_hash: SecretHash,
}

/// A group a user belongs to: directly, or through a group that is a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGroupRef {
    pub group_id: String,
    pub display_name: String,
    pub direct: bool,
}

/// `UserAuthenticationFailure` events of a principal since its last success, unlock or
/// password change, within the counting window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginFailures {
    pub count: u32,
    pub last_failure_ms: Option<i64>,
}

/// Storage of SCIM users (the `users` table and the user's rows in `group_membership`),
/// beyond what authentication needs (`ports::UserStore`).
#[async_trait]
pub trait ScimUserStore: Send + Sync {
    async fn get_scim_user(&self, zone: &ZoneId, id: &str) -> Result<Option<UserRecord>>;
    /// A page of users and the number that match. A filter or sort attribute the store cannot
    /// map fails with a 400 `invalid_filter` report.
    async fn list_scim_users(&self, zone: &ZoneId, q: &ListQuery)
    -> Result<(Vec<UserRecord>, u64)>;
    /// Inserts the user and makes it a member of `groups` (created when missing), in one
    /// transaction. A taken username fails with 409 `scim_resource_already_exists`.
    async fn create_scim_user(
        &self,
        zone: &ZoneId,
        user: &UserRecord,
        groups: &[String],
    ) -> Result<()>;
    /// Writes the editable columns and `version`, `lastmodified` of `user` where the stored
    /// version is `expected_version`; false when no row matched.
    async fn update_scim_user(
        &self,
        zone: &ZoneId,
        user: &UserRecord,
        expected_version: i64,
    ) -> Result<bool>;
    /// Deletes the user (where the version matches, if given), its memberships and its stored
    /// tokens, in one transaction; false when no row matched.
    async fn delete_scim_user(&self, zone: &ZoneId, id: &str, version: Option<i64>)
    -> Result<bool>;
    /// Sets the password hash and `lastmodified`/`passwd_lastmodified`; false if no such user.
    async fn set_user_password(
        &self,
        zone: &ZoneId,
        id: &str,
        hash: &SecretHash,
        now_ms: i64,
        passwd_lastmodified: i64,
    ) -> Result<bool>;
    /// `verified = true` (where the version matches, if given); false when no row matched.
    async fn set_user_verified(
        &self,
        zone: &ZoneId,
        id: &str,
        version: Option<i64>,
    ) -> Result<bool>;
    async fn set_password_change_required(
        &self,
        zone: &ZoneId,
        id: &str,
        required: bool,
    ) -> Result<bool>;
    /// The groups of each user (direct and through nested groups), by user id.
    async fn groups_of_users(
        &self,
        zone: &ZoneId,
        ids: &[String],
    ) -> Result<BTreeMap<String, Vec<UserGroupRef>>>;
    /// The lockout count (§6.2) from `sec_audit`: failures of `principal` newer than
    /// `since_ms` and after its last success, unlock or password change.
    async fn login_failures(
        &self,
        zone: &ZoneId,
        principal: &str,
        since_ms: i64,
    ) -> Result<LoginFailures>;
}

/// `CommonLoginPolicy.isAllowed`: locked when at least `lockoutAfterFailures` sequential
/// failures were counted and the latest is younger than `lockoutPeriodSeconds`.
pub fn is_locked(policy: &LockoutPolicy, failures: &LoginFailures, now_ms: i64) -> bool {
    let period_ms = i64::try_from(policy.lockout_period_seconds)
        .unwrap_or(i64::MAX / 1000)
        .saturating_mul(1000);
    failures.count >= policy.lockout_after_failures
        && failures
            .last_failure_ms
            .is_some_and(|t| t > now_ms.saturating_sub(period_ms))
}

/// The start of the counting window (`now − countFailuresWithinSeconds`).
pub fn failure_window_start(policy: &LockoutPolicy, now_ms: i64) -> i64 {
    let within_ms = i64::try_from(policy.count_failures_within_seconds)
        .unwrap_or(i64::MAX / 1000)
        .saturating_mul(1000);
    now_ms.saturating_sub(within_ms)
}

/// The message of the internal identity provider for a locked account.
pub const LOCKED_MESSAGE: &str =
    "Your account has been locked because of too many failed attempts to login.";

/// The username rule for origin `uaa` (`ScimUtils.validate`).
pub const USERNAME_PATTERN: &str = "[\\p{L}+0-9+\\-_.@'!]+";

/// `ScimException` is reported with the error code `scim` (class name minus `_exception`).
pub fn scim_error(status: u16, message: impl Into<String>) -> Error {
    Error::report(status, "scim", message)
}

fn invalid_resource(message: impl Into<String>) -> Error {
    Error::report(400, "invalid_scim_resource", message)
}

/// 404 `scim_resource_not_found` "User X does not exist".
pub fn user_not_found(id: &str) -> Error {
    Error::report(
        404,
        "scim_resource_not_found",
        format!("User {id} does not exist"),
    )
}

/// Reads a user body as `ScimUserJsonDeserializer` does: field names match case-insensitively,
/// an unknown field or a schema other than UAA's is refused (400, as UAA's
/// `HttpMessageConversionException` mapping answers).
pub fn parse_user(body: Value) -> Result<ScimUser> {
    let Value::Object(fields) = body else {
        return Err(scim_error(
            400,
            "JSON parse error: a SCIM user must be a JSON object",
        ));
    };
    let mut canonical = serde_json::Map::new();
    for (k, v) in fields {
        let Some(name) = SCIM_USER_FIELDS.iter().find(|f| f.eq_ignore_ascii_case(&k)) else {
            return Err(scim_error(
                400,
                format!("JSON parse error: Unrecognized field \"{k}\""),
            ));
        };
        // UAA's deserializer reads `null` for these as "not given".
        if v.is_null() {
            continue;
        }
        canonical.insert((*name).to_owned(), v);
    }
    let user: ScimUser = serde_json::from_value(Value::Object(canonical))
        .map_err(|e| scim_error(400, format!("JSON parse error: {e}")))?;
    if let Some(schemas) = &user.schemas
        && schemas.as_slice() != [SCIM_SCHEMA]
    {
        return Err(scim_error(
            400,
            format!("JSON parse error: Only schema '{SCIM_SCHEMA}' is currently supported"),
        ));
    }
    Ok(user)
}

/// `ScimUser.getPrimaryEmail`: the first address flagged primary, else the first.
pub fn primary_email(u: &ScimUser) -> Option<&str> {
    let emails = u.emails.as_ref()?;
    emails
        .iter()
        .find(|e| e.primary)
        .or_else(|| emails.first())
        .and_then(|e| e.value.as_deref())
}

fn has_text(s: Option<&str>) -> bool {
    s.is_some_and(|s| !s.trim().is_empty())
}

/// `[\p{L}+0-9+\-_.@'!]+`: letters, ASCII digits and `+-_.@'!`.
pub fn username_matches(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphabetic() || c.is_ascii_digit() || "+-_.@'!".contains(c))
}

/// `ScimUtils.validate`.
pub fn validate(u: &ScimUser) -> Result<()> {
    let name = u.user_name.as_deref();
    if !has_text(name) {
        return Err(invalid_resource("A username must be provided."));
    }
    if u.origin.as_deref() == Some(ORIGIN_UAA) && !username_matches(name.unwrap_or_default()) {
        return Err(invalid_resource(format!(
            "Username must match pattern: {USERNAME_PATTERN}"
        )));
    }
    match &u.emails {
        Some(emails) if emails.len() == 1 => {}
        _ => return Err(invalid_resource("Exactly one email must be provided.")),
    }
    if u.emails
        .iter()
        .flatten()
        .any(|e| e.value.as_deref().is_none_or(str::is_empty))
    {
        return Err(invalid_resource("An email must be provided."));
    }
    Ok(())
}

/// The columns a create or an update writes, taken from a (validated) body.
#[derive(Debug, Clone, PartialEq)]
pub struct EditableFields {
    pub username: String,
    pub email: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub active: bool,
    pub phone_number: Option<String>,
    pub verified: bool,
    pub external_id: Option<String>,
    pub salt: Option<String>,
}

impl EditableFields {
    /// What `JdbcScimUserProvisioning` binds from a `ScimUser`: the primary email, the first
    /// phone number, `externalId` only when it has text; `active`/`verified` default to true.
    pub fn of(u: &ScimUser) -> Self {
        let name = u.name.clone().unwrap_or_default();
        Self {
            username: u.user_name.clone().unwrap_or_default(),
            email: primary_email(u).unwrap_or_default().to_owned(),
            given_name: name.given_name,
            family_name: name.family_name,
            active: u.active.unwrap_or(true),
            phone_number: u
                .phone_numbers
                .as_ref()
                .and_then(|p| p.first())
                .and_then(|p| p.value.clone())
                .filter(|p| !p.trim().is_empty()),
            verified: u.verified.unwrap_or(true),
            external_id: u.external_id.clone().filter(|e| has_text(Some(e))),
            salt: u.salt.clone(),
        }
    }

    pub fn apply_to(self, r: &mut UserRecord) {
        r.username = self.username;
        r.email = self.email;
        r.given_name = self.given_name;
        r.family_name = self.family_name;
        r.active = self.active;
        r.phone_number = self.phone_number;
        r.verified = self.verified;
        r.external_id = self.external_id;
        r.salt = self.salt;
    }
}

/// `ScimUserUpdateDiff.isAnythingOtherThanNameDifferent`, true when a self-edit changes only
/// the name: same origin (internal users only), email, salt, display name, external id,
/// first phone number, username, `verified` and `active`.
pub fn only_name_differs(db: &UserRecord, req: &ScimUser) -> bool {
    let req_phone = req.phone_numbers.as_ref().and_then(|p| p.first());
    let db_phone = db.phone_number.as_deref();
    let phones_equal = match (db_phone, req_phone) {
        (None, None) => true,
        (Some(d), Some(r)) => r.value.as_deref() == Some(d) && r.kind.is_none(),
        _ => false,
    };
    let external_equal = db.external_id == req.external_id
        || (db.external_id.is_none() && req.external_id.as_deref() == Some(""));
    let origin_equal = req.origin.as_deref() == Some(db.origin.as_str())
        || (db.origin == ORIGIN_UAA && !has_text(req.origin.as_deref()));
    db.origin == ORIGIN_UAA
        && primary_email(req) == Some(db.email.as_str())
        && db.salt == req.salt
        && req.display_name.is_none()
        && external_equal
        && phones_equal
        && origin_equal
        && req.user_name.as_deref() == Some(db.username.as_str())
        && req.verified.unwrap_or(true) == db.verified
        && req.active.unwrap_or(true) == db.active
}

/// 403 `invalid_self_edit` (`ScimUserEndpoints.InvalidSelfEditException`, a `UaaException`).
pub fn invalid_self_edit() -> Error {
    Error::Uaa {
        status: 403,
        error: "invalid_self_edit".into(),
        description: "Users are only allowed to edit their own User settings when internal user \
                      storage is enabled, and in that case they may only edit the givenName and \
                      familyName."
            .into(),
    }
}

/// `ScimUser.patch` followed by `patchUser`'s reduction to one (primary) email: `existing` is
/// the stored user in wire form. `active`/`verified` take the patch's value, `true` when
/// absent, as UAA's boolean defaults make them.
pub fn apply_patch(existing: &mut ScimUser, patch: &ScimUser) -> Result<()> {
    let bad = |m: String| invalid_resource(m);
    let removed = patch
        .meta
        .as_ref()
        .and_then(|m| m.attributes.clone())
        .unwrap_or_default();
    for attr in removed {
        match attr.to_uppercase().as_str() {
            "USERNAME" => {
                if !has_text(patch.user_name.as_deref()) {
                    return Err(bad("Can not drop username, field is required.".into()));
                }
                existing.user_name = None;
            }
            "EMAILS" => existing.emails = Some(Vec::new()),
            "PHONENUMBERS" => existing.phone_numbers = Some(Vec::new()),
            "DISPLAYNAME" => existing.display_name = None,
            "NICKNAME" | "PROFILEURL" | "TITLE" | "PREFERREDLANGUAGE" | "LOCALE" | "TIMEZONE" => {}
            "NAME" => existing.name = Some(ScimName::default()),
            "NAME.FAMILYNAME" => {
                if let Some(n) = existing.name.as_mut() {
                    n.family_name = None;
                }
            }
            "NAME.GIVENNAME" => {
                if let Some(n) = existing.name.as_mut() {
                    n.given_name = None;
                }
            }
            "NAME.FORMATTED" => {
                if let Some(n) = existing.name.as_mut() {
                    n.formatted = None;
                }
            }
            "NAME.HONORIFICPREFIX" | "NAME.HONORIFICSUFFIX" | "NAME.MIDDLENAME" => {}
            _ => {
                return Err(bad(format!(
                    "Attribute {attr} cannot be removed using \"Meta.attributes\""
                )));
            }
        }
    }
    if has_text(patch.origin.as_deref()) && patch.origin != existing.origin {
        return Err(bad("Cannot change origin in patch of user.".into()));
    }
    if let Some(u) = &patch.user_name {
        existing.user_name = Some(u.clone());
    }
    existing.active = Some(patch.active.unwrap_or(true));
    existing.verified = Some(patch.verified.unwrap_or(true));
    if let Some(p) = &patch.name {
        let n = existing.name.get_or_insert_with(ScimName::default);
        let merge = |dst: &mut Option<String>, src: &Option<String>| {
            if src.is_some() {
                dst.clone_from(src);
            }
        };
        merge(&mut n.family_name, &p.family_name);
        merge(&mut n.given_name, &p.given_name);
        merge(&mut n.formatted, &p.formatted);
        merge(&mut n.middle_name, &p.middle_name);
        merge(&mut n.honorific_prefix, &p.honorific_prefix);
        merge(&mut n.honorific_suffix, &p.honorific_suffix);
    }
    if let Some(d) = &patch.display_name {
        existing.display_name = Some(d.clone());
    }
    if let Some(emails) = patch.emails.as_ref().filter(|e| !e.is_empty()) {
        let mut current = existing.emails.clone().unwrap_or_default();
        if emails.iter().any(|e| e.primary) {
            for e in &mut current {
                e.primary = false;
            }
        }
        current.extend(emails.iter().cloned());
        existing.emails = Some(current);
    }
    if let Some(phones) = patch.phone_numbers.as_ref().filter(|p| !p.is_empty()) {
        let mut current = existing.phone_numbers.clone().unwrap_or_default();
        for (i, p) in phones.iter().enumerate() {
            current.insert(i, p.clone());
        }
        existing.phone_numbers = Some(current);
    }
    if let Some(a) = &patch.alias_id {
        existing.alias_id = Some(a.clone());
    }
    if let Some(a) = &patch.alias_zid {
        existing.alias_zid = Some(a.clone());
    }
    // patchUser: several addresses collapse to the primary one.
    if existing.emails.as_ref().is_some_and(|e| e.len() > 1) {
        let primary = primary_email(existing).map(str::to_owned);
        existing.emails = primary.map(|value| {
            vec![ScimEmail {
                value: Some(value),
                kind: None,
                primary: true,
            }]
        });
    }
    Ok(())
}

/// How much of the read-only state a response carries: UAA syncs groups and approvals for
/// reads and writes, but not for `verify`, nor for list projections that do not ask for them.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub groups: Option<Vec<UserGroupRef>>,
    pub approvals: bool,
}

/// The wire form of a stored user, in UAA's field order (`ScimUserRowMapper` + Jackson).
pub fn to_wire(r: &UserRecord, extras: Extras) -> ScimUser {
    let groups = extras.groups.map(|mut gs| {
        gs.sort_by(|a, b| {
            (!a.direct, &a.display_name, &a.group_id).cmp(&(
                !b.direct,
                &b.display_name,
                &b.group_id,
            ))
        });
        gs.into_iter()
            .map(|g| ScimUserGroup {
                value: Some(g.group_id),
                display: Some(g.display_name),
                kind: Some(if g.direct { "DIRECT" } else { "INDIRECT" }.into()),
            })
            .collect()
    });
    ScimUser {
        id: Some(r.id.to_string()),
        external_id: r.external_id.clone(),
        meta: Some(ScimMeta {
            version: r.version,
            created: Some(iso8601(r.created)),
            last_modified: Some(iso8601(r.last_modified)),
            attributes: None,
        }),
        user_name: Some(r.username.clone()),
        name: Some(ScimName {
            family_name: r.family_name.clone(),
            given_name: r.given_name.clone(),
            ..ScimName::default()
        }),
        emails: (!r.email.is_empty()).then(|| {
            vec![ScimEmail {
                value: Some(r.email.clone()),
                kind: None,
                primary: false,
            }]
        }),
        groups,
        approvals: extras.approvals.then(Vec::new),
        phone_numbers: r.phone_number.clone().map(|p| {
            vec![ScimPhoneNumber {
                value: Some(p),
                kind: None,
            }]
        }),
        active: Some(r.active),
        verified: Some(r.verified),
        origin: Some(r.origin.clone()),
        zone_id: Some(r.zone_id.to_string()),
        salt: r.salt.clone(),
        password_last_modified: r.passwd_lastmodified.map(iso8601),
        previous_logon_time: r.previous_logon_success_time,
        last_logon_time: r.last_logon_success_time,
        schemas: Some(vec![SCIM_SCHEMA.to_owned()]),
        ..ScimUser::default()
    }
}

/// UAA's `JsonDateSerializer` format, `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`, in UTC.
pub fn iso8601(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// A UUID-shaped id from 32 hex characters (UAA's user ids are random UUIDs).
pub fn uuid_from_hex(hex: &str) -> String {
    let h: String = hex.chars().chain(std::iter::repeat('0')).take(32).collect();
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> UserRecord {
        UserRecord {
            id: UserId::new("u1"),
            zone_id: ZoneId::uaa(),
            version: 3,
            created: 0,
            last_modified: 1_709_210_096_789,
            username: "marissa".into(),
            email: "marissa@test.org".into(),
            given_name: Some("Marissa".into()),
            family_name: Some("Bloggs".into()),
            active: true,
            phone_number: None,
            verified: true,
            origin: "uaa".into(),
            external_id: None,
            salt: None,
            passwd_lastmodified: Some(1000),
            passwd_change_required: false,
            last_logon_success_time: None,
            previous_logon_success_time: None,
            password_hash: SecretHash::new("h"),
        }
    }

    #[test]
    fn iso8601_matches_uaa_json_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_709_210_096_789), "2024-02-29T12:34:56.789Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn usernames_follow_uaa_pattern() {
        for ok in ["marissa", "a.b@c.d", "o'hara!", "Zoë", "x+y-z_1"] {
            assert!(username_matches(ok), "{ok}");
        }
        for bad in ["", "a b", "a/b", "a,b", "a#b", "a:b"] {
            assert!(!username_matches(bad), "{bad}");
        }
    }

    #[test]
    fn parse_user_matches_field_names_case_insensitively_and_refuses_unknown_ones() {
        let u = parse_user(json!({"USERNAME": "a", "Emails": [{"value": "a@b"}]})).unwrap();
        assert_eq!(u.user_name.as_deref(), Some("a"));
        let Err(Error::Report {
            status, message, ..
        }) = parse_user(json!({"bogus": 1}))
        else {
            panic!()
        };
        assert_eq!(status, 400);
        assert!(message.contains("bogus"));
        assert!(parse_user(json!({"schemas": ["x"]})).is_err());
        assert!(parse_user(json!([])).is_err());
    }

    #[test]
    fn validate_names_each_rule() {
        let msg = |v: Value| match validate(&parse_user(v).unwrap()) {
            Err(Error::Report { message, .. }) => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(msg(json!({})), "A username must be provided.");
        assert_eq!(
            msg(json!({"userName": "a b", "origin": "uaa"})),
            "Username must match pattern: [\\p{L}+0-9+\\-_.@'!]+"
        );
        assert_eq!(
            msg(json!({"userName": "ab"})),
            "Exactly one email must be provided."
        );
        assert_eq!(
            msg(json!({"userName": "ab", "emails": [{"value": ""}]})),
            "An email must be provided."
        );
        // Other origins may use any username.
        assert!(
            validate(
                &parse_user(
                    json!({"userName": "a b", "origin": "ldap", "emails": [{"value": "x"}]})
                )
                .unwrap()
            )
            .is_ok()
        );
    }

    #[test]
    fn lockout_needs_enough_failures_and_a_recent_one() {
        let p = LockoutPolicy::default();
        let now = 10_000_000;
        let f = |count, last| LoginFailures {
            count,
            last_failure_ms: Some(last),
        };
        assert!(!is_locked(&p, &f(4, now), now));
        assert!(is_locked(&p, &f(5, now - 299_999), now));
        assert!(!is_locked(&p, &f(5, now - 300_000), now));
        assert!(!is_locked(&p, &LoginFailures::default(), now));
        assert_eq!(failure_window_start(&p, now), now - 1_200_000);
    }

    #[test]
    fn a_self_edit_may_change_only_the_name() {
        let db = record();
        let mut req = to_wire(&db, Extras::default());
        req.name = Some(ScimName {
            given_name: Some("M".into()),
            ..ScimName::default()
        });
        assert!(only_name_differs(&db, &req));
        req.origin = None;
        assert!(only_name_differs(&db, &req));
        req.verified = Some(false);
        assert!(!only_name_differs(&db, &req));
        let mut req = to_wire(&db, Extras::default());
        req.emails = Some(vec![ScimEmail {
            value: Some("other@x".into()),
            kind: None,
            primary: false,
        }]);
        assert!(!only_name_differs(&db, &req));
    }

    #[test]
    fn patch_merges_like_scim_user_patch() {
        let mut u = to_wire(&record(), Extras::default());
        let p = parse_user(json!({
            "name": {"familyName": "New"},
            "emails": [{"value": "new@x", "primary": true}],
            "phoneNumbers": [{"value": "123"}],
        }))
        .unwrap();
        apply_patch(&mut u, &p).unwrap();
        let n = u.name.clone().unwrap();
        assert_eq!(
            (n.given_name.as_deref(), n.family_name.as_deref()),
            (Some("Marissa"), Some("New"))
        );
        assert_eq!(primary_email(&u), Some("new@x"));
        assert_eq!(u.emails.as_ref().unwrap().len(), 1);
        assert_eq!(EditableFields::of(&u).phone_number.as_deref(), Some("123"));
        // Without a primary flag the stored address stays first, hence primary.
        let mut u = to_wire(&record(), Extras::default());
        apply_patch(
            &mut u,
            &parse_user(json!({"emails": [{"value": "new@x"}]})).unwrap(),
        )
        .unwrap();
        assert_eq!(primary_email(&u), Some("marissa@test.org"));
        let err = apply_patch(
            &mut to_wire(&record(), Extras::default()),
            &parse_user(json!({"meta": {"attributes": ["bogus"]}})).unwrap(),
        );
        assert!(
            matches!(err, Err(Error::Report { message, .. }) if message == "Attribute bogus cannot be removed using \"Meta.attributes\"")
        );
        let err = apply_patch(
            &mut to_wire(&record(), Extras::default()),
            &parse_user(json!({"origin": "ldap"})).unwrap(),
        );
        assert!(
            matches!(err, Err(Error::Report { message, .. }) if message == "Cannot change origin in patch of user.")
        );
    }

    #[test]
    fn uuid_from_hex_is_uuid_shaped() {
        let id = uuid_from_hex("0123456789abcdef0123456789abcdef");
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
