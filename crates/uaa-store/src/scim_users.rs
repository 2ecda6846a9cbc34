//! SCIM users over SQL: the `users` table with UAA's columns, the user's rows in
//! `group_membership`, and the lockout count read from `sec_audit`. Every statement is the
//! same `$n` SQL on SQLite and PostgreSQL; every write that touches more than one row runs in
//! one transaction.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use uaa_core::audit::AuditEventType;
use uaa_core::error::{Error, Result};
use uaa_core::ids::{UserId, ZoneId};
use uaa_core::ports::ListQuery;
use uaa_core::scim::users::{LoginFailures, ScimUserStore, UserGroupRef, UserRecord};
use uaa_core::secret::SecretHash;

use crate::paging::PageSpec;
use crate::{SqlStore, db_err, get_bool, is_unique_violation};

const COLUMNS: &str = "id, version, created, lastmodified, username, email, givenname, \
    familyname, active, phonenumber, verified, origin, external_id, identity_zone_id, salt, \
    passwd_lastmodified, passwd_change_required, last_logon_success_time, \
    previous_logon_success_time, password";

/// Filter and sort attributes of `/Users` and their columns (UAA's `scimUserQueryConverter`
/// attribute mapping, §4.5). Names arrive in lower case without a schema prefix.
pub fn user_column(attr: &str) -> Option<String> {
    let col = match attr {
        "id" => "id",
        "username" => "username",
        "email" | "emails.value" => "email",
        "givenname" | "name.givenname" => "givenname",
        "familyname" | "name.familyname" => "familyname",
        "active" => "active",
        "verified" => "verified",
        "origin" => "origin",
        "external_id" | "externalid" => "external_id",
        "identity_zone_id" => "identity_zone_id",
        "created" | "meta.created" => "created",
        "lastmodified" | "meta.lastmodified" => "lastmodified",
        "version" | "meta.version" => "version",
        "phonenumber" | "phonenumbers.value" => "phonenumber",
        "passwd_lastmodified" => "passwd_lastmodified",
        "passwd_change_required" => "passwd_change_required",
        "last_logon_success_time" => "last_logon_success_time",
        "previous_logon_success_time" => "previous_logon_success_time",
        // Compared with "" only (filter_sql neutralises the value), as UAA does.
        "password" => "password",
        "salt" => "salt",
        _ => return None,
    };
    Some(col.to_owned())
}

fn row_to_record(row: &AnyRow) -> Result<UserRecord> {
    let s = |c: &str| row.try_get::<Option<String>, _>(c).map_err(db_err);
    let i = |c: &str| row.try_get::<Option<i64>, _>(c).map_err(db_err);
    Ok(UserRecord {
        id: UserId::new(s("id")?.unwrap_or_default()),
        zone_id: ZoneId::new(s("identity_zone_id")?.unwrap_or_default()),
        version: i("version")?.unwrap_or(0),
        created: i("created")?.unwrap_or(0),
        last_modified: i("lastmodified")?.unwrap_or(0),
        username: s("username")?.unwrap_or_default(),
        email: s("email")?.unwrap_or_default(),
        given_name: s("givenname")?,
        family_name: s("familyname")?,
        active: get_bool(row, "active")?,
        phone_number: s("phonenumber")?,
        verified: get_bool(row, "verified")?,
        origin: s("origin")?.unwrap_or_default(),
        external_id: s("external_id")?,
        salt: s("salt")?,
        passwd_lastmodified: i("passwd_lastmodified")?,
        passwd_change_required: get_bool(row, "passwd_change_required")?,
        last_logon_success_time: i("last_logon_success_time")?,
        previous_logon_success_time: i("previous_logon_success_time")?,
        password_hash: SecretHash::new(s("password")?.unwrap_or_default()),
    })
}

fn already_exists(username: &str) -> Error {
    Error::report(
        409,
        "scim_resource_already_exists",
        format!("Username already in use: {username}"),
    )
}

fn invalid_attr(msg: String) -> Error {
    Error::report(400, "invalid_filter", msg)
}

#[async_trait]
impl ScimUserStore for SqlStore {
    async fn get_scim_user(&self, zone: &ZoneId, id: &str) -> Result<Option<UserRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id=$1 AND identity_zone_id=$2");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_owned())
            .bind(zone.as_str().to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(row_to_record).transpose()
    }

    async fn list_scim_users(
        &self,
        zone: &ZoneId,
        q: &ListQuery,
    ) -> Result<(Vec<UserRecord>, u64)> {
        let sort = user_column(&q.sort_by.to_ascii_lowercase())
            .ok_or_else(|| invalid_attr(format!("Invalid sort field: {}", q.sort_by)))?;
        let spec = PageSpec {
            table: "users",
            columns: COLUMNS,
            order: &[sort],
            tiebreak: "id",
            column: user_column,
            filter_error: invalid_attr,
        };
        let (rows, total) = self.page(zone, q, spec).await?;
        let users = rows.iter().map(row_to_record).collect::<Result<Vec<_>>>()?;
        Ok((users, total))
    }

    async fn create_scim_user(
        &self,
        zone: &ZoneId,
        u: &UserRecord,
        groups: &[String],
    ) -> Result<()> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let inserted = sqlx::query(
            "INSERT INTO users (id, version, created, lastmodified, username, email, givenname, \
             familyname, active, phonenumber, verified, origin, external_id, identity_zone_id, \
             salt, passwd_lastmodified, passwd_change_required, password) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)",
        )
        .bind(u.id.as_str().to_owned())
        .bind(u.version)
        .bind(u.created)
        .bind(u.last_modified)
        .bind(u.username.clone())
        .bind(u.email.clone())
        .bind(u.given_name.clone())
        .bind(u.family_name.clone())
        .bind(u.active)
        .bind(u.phone_number.clone())
        .bind(u.verified)
        .bind(u.origin.clone())
        .bind(u.external_id.clone())
        .bind(zone.as_str().to_owned())
        .bind(u.salt.clone())
        .bind(u.passwd_lastmodified)
        .bind(u.passwd_change_required)
        .bind(u.password_hash.as_str().to_owned())
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => return Err(already_exists(&u.username)),
            r => {
                r.map_err(db_err)?;
            }
        }
        for name in groups {
            // The default groups exist after bootstrap; a missing one is created, as
            // bootstrap does.
            sqlx::query(
                "INSERT INTO groups (id, displayname, description, created, lastmodified, version, identity_zone_id) \
                 SELECT $1, $2, NULL, $3, $3, 0, $4 WHERE NOT EXISTS \
                 (SELECT 1 FROM groups WHERE identity_zone_id=$4 AND lower(displayname)=lower($2))",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(name.clone())
            .bind(u.created)
            .bind(zone.as_str().to_owned())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            sqlx::query(
                "INSERT INTO group_membership (group_id, member_id, member_type, authorities, added, origin, identity_zone_id) \
                 SELECT id, $1, 'USER', 'READ', $2, $3, $4 FROM groups \
                 WHERE identity_zone_id=$4 AND lower(displayname)=lower($5) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(u.id.as_str().to_owned())
            .bind(u.created)
            .bind(u.origin.clone())
            .bind(zone.as_str().to_owned())
            .bind(name.clone())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn update_scim_user(
        &self,
        zone: &ZoneId,
        u: &UserRecord,
        expected_version: i64,
    ) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE users SET version=$1, lastmodified=$2, username=$3, email=$4, givenname=$5, \
             familyname=$6, active=$7, phonenumber=$8, verified=$9, origin=$10, external_id=$11, \
             salt=$12 WHERE id=$13 AND version=$14 AND identity_zone_id=$15",
        )
        .bind(u.version)
        .bind(u.last_modified)
        .bind(u.username.clone())
        .bind(u.email.clone())
        .bind(u.given_name.clone())
        .bind(u.family_name.clone())
        .bind(u.active)
        .bind(u.phone_number.clone())
        .bind(u.verified)
        .bind(u.origin.clone())
        .bind(u.external_id.clone())
        .bind(u.salt.clone())
        .bind(u.id.as_str().to_owned())
        .bind(expected_version)
        .bind(zone.as_str().to_owned())
        .execute(self.pool())
        .await;
        match r {
            Err(e) if is_unique_violation(&e) => Err(already_exists(&u.username)),
            r => Ok(r.map_err(db_err)?.rows_affected() > 0),
        }
    }

    async fn delete_scim_user(
        &self,
        zone: &ZoneId,
        id: &str,
        version: Option<i64>,
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let deleted = match version {
            None => {
                sqlx::query("DELETE FROM users WHERE id=$1 AND identity_zone_id=$2")
                    .bind(id.to_owned())
                    .bind(zone.as_str().to_owned())
                    .execute(&mut *tx)
                    .await
            }
            Some(v) => {
                sqlx::query("DELETE FROM users WHERE id=$1 AND identity_zone_id=$2 AND version=$3")
                    .bind(id.to_owned())
                    .bind(zone.as_str().to_owned())
                    .bind(v)
                    .execute(&mut *tx)
                    .await
            }
        }
        .map_err(db_err)?
        .rows_affected();
        if deleted == 0 {
            // Dropping `tx` rolls back.
            return Ok(false);
        }
        // removeMembersByMemberId, and the user's stored tokens (UAA's SystemDeletable
        // listeners on EntityDeletedEvent).
        sqlx::query("DELETE FROM group_membership WHERE member_id=$1 AND identity_zone_id=$2")
            .bind(id.to_owned())
            .bind(zone.as_str().to_owned())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query("DELETE FROM revocable_tokens WHERE user_id=$1 AND identity_zone_id=$2")
            .bind(id.to_owned())
            .bind(zone.as_str().to_owned())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }

    async fn set_user_password(
        &self,
        zone: &ZoneId,
        id: &str,
        hash: &SecretHash,
        now_ms: i64,
        passwd_lastmodified: i64,
    ) -> Result<bool> {
        let n = sqlx::query(
            // JdbcScimUserProvisioning.changePassword: a new password also clears
            // `passwd_change_required`.
            "UPDATE users SET lastmodified=$1, password=$2, passwd_lastmodified=$3, \
             passwd_change_required=$4 WHERE id=$5 AND identity_zone_id=$6",
        )
        .bind(now_ms)
        .bind(hash.as_str().to_owned())
        .bind(passwd_lastmodified)
        .bind(false)
        .bind(id.to_owned())
        .bind(zone.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?
        .rows_affected();
        Ok(n > 0)
    }

    async fn set_user_verified(
        &self,
        zone: &ZoneId,
        id: &str,
        version: Option<i64>,
    ) -> Result<bool> {
        let r = match version {
            None => {
                sqlx::query("UPDATE users SET verified=$1 WHERE id=$2 AND identity_zone_id=$3")
                    .bind(true)
                    .bind(id.to_owned())
                    .bind(zone.as_str().to_owned())
                    .execute(self.pool())
                    .await
            }
            Some(v) => sqlx::query(
                "UPDATE users SET verified=$1 WHERE id=$2 AND identity_zone_id=$3 AND version=$4",
            )
            .bind(true)
            .bind(id.to_owned())
            .bind(zone.as_str().to_owned())
            .bind(v)
            .execute(self.pool())
            .await,
        };
        Ok(r.map_err(db_err)?.rows_affected() > 0)
    }

    async fn set_password_change_required(
        &self,
        zone: &ZoneId,
        id: &str,
        required: bool,
    ) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE users SET passwd_change_required=$1 WHERE id=$2 AND identity_zone_id=$3",
        )
        .bind(required)
        .bind(id.to_owned())
        .bind(zone.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?
        .rows_affected();
        Ok(n > 0)
    }

    async fn groups_of_users(
        &self,
        zone: &ZoneId,
        ids: &[String],
    ) -> Result<BTreeMap<String, Vec<UserGroupRef>>> {
        let mut out: BTreeMap<String, Vec<UserGroupRef>> = BTreeMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let placeholders = (0..ids.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(",");
        // Direct memberships seed the walk; nested groups add indirect ones. UNION (not
        // UNION ALL) stops at cycles.
        let sql = format!(
            "WITH RECURSIVE m(uid, gid, direct) AS ( \
               SELECT member_id, group_id, CAST(1 AS BIGINT) FROM group_membership \
                 WHERE identity_zone_id=$1 AND member_id IN ({placeholders}) \
               UNION SELECT m.uid, gm.group_id, CAST(0 AS BIGINT) FROM group_membership gm \
                 JOIN m ON gm.member_id = m.gid \
                 WHERE gm.member_type='GROUP' AND gm.identity_zone_id=$1) \
             SELECT m.uid AS uid, g.id AS gid, g.displayname AS displayname, MAX(m.direct) AS direct \
             FROM m JOIN groups g ON g.id = m.gid AND g.identity_zone_id=$1 \
             GROUP BY m.uid, g.id, g.displayname"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(zone.as_str().to_owned());
        for id in ids {
            q = q.bind(id.clone());
        }
        let rows = q.fetch_all(self.pool()).await.map_err(db_err)?;
        for r in rows {
            let s = |c: &str| r.try_get::<String, _>(c).map_err(db_err);
            let direct: i64 = r.try_get("direct").map_err(db_err)?;
            out.entry(s("uid")?).or_default().push(UserGroupRef {
                group_id: s("gid")?,
                display_name: s("displayname")?,
                direct: direct != 0,
            });
        }
        Ok(out)
    }

    async fn login_failures(
        &self,
        zone: &ZoneId,
        principal: &str,
        since_ms: i64,
    ) -> Result<LoginFailures> {
        // Sequential failures: those after the principal's last success, unlock or password
        // change (UAA deletes the failure rows on those events; the rows are kept here and
        // ordered by id, which also orders events of the same millisecond). Both scans stay
        // within the window on the (principal_id, created) index: a reset older than the
        // window cannot exclude a failure inside it.
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MAX(created) AS last FROM sec_audit \
             WHERE principal_id=$1 AND identity_zone_id=$2 AND event_type=$3 AND created > $4 \
             AND id > COALESCE((SELECT MAX(id) FROM sec_audit WHERE principal_id=$1 \
               AND identity_zone_id=$2 AND created > $4 AND event_type IN ($5,$6,$7)), 0)",
        )
        .bind(principal.to_owned())
        .bind(zone.as_str().to_owned())
        .bind(AuditEventType::UserAuthenticationFailure.code())
        .bind(since_ms)
        .bind(AuditEventType::UserAuthenticationSuccess.code())
        .bind(AuditEventType::UserAccountUnlockedEvent.code())
        .bind(AuditEventType::PasswordChangeSuccess.code())
        .fetch_one(self.pool())
        .await
        .map_err(db_err)?;
        let n: i64 = row.try_get("n").map_err(db_err)?;
        let last: Option<i64> = row.try_get("last").map_err(db_err)?;
        Ok(LoginFailures {
            count: u32::try_from(n).unwrap_or(u32::MAX),
            last_failure_ms: last,
        })
    }
}
