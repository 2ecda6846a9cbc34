//! `users`, `groups` and `group_membership`: what authentication and token scopes need now
//! (the SCIM API builds on the same tables).

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;
use uaa_core::error::Result;
use uaa_core::ids::{UserId, ZoneId};
use uaa_core::ports::UserStore;
use uaa_core::scope::ScopeSet;
use uaa_core::secret::SecretHash;
use uaa_core::user::{GroupSpec, NewUser, User};

use crate::{SqlStore, db_err, get_bool, now_ms};

const USER_COLUMNS: &str = "id, created, lastmodified, version, username, password, email, \
    givenname, familyname, active, verified, origin, identity_zone_id, salt, \
    passwd_lastmodified, passwd_change_required, last_logon_success_time, \
    previous_logon_success_time";

fn row_to_user(row: &AnyRow) -> Result<User> {
    let s = |c: &str| row.try_get::<Option<String>, _>(c).map_err(db_err);
    let i = |c: &str| row.try_get::<Option<i64>, _>(c).map_err(db_err);
    let b = |c: &str| get_bool(row, c);
    Ok(User {
        id: UserId::new(s("id")?.unwrap_or_default()),
        zone_id: ZoneId::new(s("identity_zone_id")?.unwrap_or_default()),
        username: s("username")?.unwrap_or_default(),
        password_hash: SecretHash::new(s("password")?.unwrap_or_default()),
        email: s("email")?.unwrap_or_default(),
        given_name: s("givenname")?,
        family_name: s("familyname")?,
        origin: s("origin")?.unwrap_or_default(),
        active: b("active")?,
        verified: b("verified")?,
        salt: s("salt")?,
        created: i("created")?.unwrap_or(0),
        last_modified: i("lastmodified")?.unwrap_or(0),
        passwd_lastmodified: i("passwd_lastmodified")?.unwrap_or(0),
        passwd_change_required: b("passwd_change_required")?,
        version: i("version")?.unwrap_or(0),
        last_logon_success_time: i("last_logon_success_time")?,
        previous_logon_success_time: i("previous_logon_success_time")?,
    })
}

impl SqlStore {
    async fn group_id(&self, zone: &ZoneId, name: &str) -> Result<Option<String>> {
        // Names are unique per zone in any case (`groups_unique_lower_key`), as UAA's
        // `getByName` compares them.
        sqlx::query(
            "SELECT id FROM groups WHERE identity_zone_id=$1 AND lower(displayname)=lower($2)",
        )
        .bind(zone.as_str().to_owned())
        .bind(name.to_owned())
        .fetch_optional(self.pool())
        .await
        .map_err(db_err)?
        .map(|r| r.try_get::<String, _>("id").map_err(db_err))
        .transpose()
    }
}

#[async_trait]
impl UserStore for SqlStore {
    async fn find_user(&self, zone: &ZoneId, username: &str, origin: &str) -> Result<Option<User>> {
        // Usernames are unique case-insensitively within a zone and origin, as in UAA.
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE identity_zone_id=$1 AND origin=$2 AND lower(username)=lower($3)"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(zone.as_str().to_owned())
            .bind(origin.to_owned())
            .bind(username.to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(row_to_user).transpose()
    }

    async fn get_user(&self, zone: &ZoneId, id: &UserId) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE identity_zone_id=$1 AND id=$2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(zone.as_str().to_owned())
            .bind(id.as_str().to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(row_to_user).transpose()
    }

    async fn bootstrap_user(&self, zone: &ZoneId, u: NewUser) -> Result<User> {
        if let Some(existing) = self.find_user(zone, &u.username, &u.origin).await? {
            return Ok(existing);
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO users (id, created, lastmodified, version, username, password, email, givenname, familyname, active, verified, origin, identity_zone_id, passwd_lastmodified) \
             VALUES ($1,$2,$2,0,$3,$4,$5,$6,$7,TRUE,TRUE,$8,$9,$2) ON CONFLICT DO NOTHING",
        )
        .bind(id.clone())
        .bind(now)
        .bind(u.username.clone())
        .bind(u.password_hash.as_str().to_owned())
        .bind(u.email.clone())
        .bind(u.given_name.clone())
        .bind(u.family_name.clone())
        .bind(u.origin.clone())
        .bind(zone.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        let user = self
            .find_user(zone, &u.username, &u.origin)
            .await?
            .ok_or_else(|| uaa_core::error::Error::Internal("user vanished".into()))?;
        for g in &u.groups {
            self.ensure_group(
                zone,
                &GroupSpec {
                    name: g.clone(),
                    description: None,
                },
            )
            .await?;
            if let Some(gid) = self.group_id(zone, g).await? {
                sqlx::query(
                    "INSERT INTO group_membership (group_id, member_id, member_type, authorities, added, origin, identity_zone_id) \
                     VALUES ($1,$2,'USER','READ',$3,$4,$5) ON CONFLICT DO NOTHING",
                )
                .bind(gid)
                .bind(user.id.as_str().to_owned())
                .bind(now)
                .bind(u.origin.clone())
                .bind(zone.as_str().to_owned())
                .execute(self.pool())
                .await
                .map_err(db_err)?;
            }
        }
        Ok(user)
    }

    async fn ensure_group(&self, zone: &ZoneId, group: &GroupSpec) -> Result<()> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO groups (id, displayname, description, created, lastmodified, version, identity_zone_id) \
             VALUES ($1,$2,$3,$4,$4,0,$5) ON CONFLICT DO NOTHING",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(group.name.clone())
        .bind(group.description.clone())
        .bind(now)
        .bind(zone.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        if let Some(d) = &group.description {
            sqlx::query(
                "UPDATE groups SET description=$3 WHERE identity_zone_id=$1 AND displayname=$2",
            )
            .bind(zone.as_str().to_owned())
            .bind(group.name.clone())
            .bind(d.clone())
            .execute(self.pool())
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }

    async fn user_groups(&self, zone: &ZoneId, id: &UserId) -> Result<ScopeSet> {
        // Nested groups resolve transitively; UNION (not UNION ALL) stops at cycles.
        let rows = sqlx::query(
            "WITH RECURSIVE g(id) AS ( \
               SELECT group_id FROM group_membership WHERE member_id=$1 AND identity_zone_id=$2 \
               UNION SELECT gm.group_id FROM group_membership gm JOIN g ON gm.member_id = g.id \
                 WHERE gm.member_type='GROUP' AND gm.identity_zone_id=$2) \
             SELECT displayname FROM groups WHERE identity_zone_id=$2 AND id IN (SELECT id FROM g) \
             ORDER BY displayname",
        )
        .bind(id.as_str().to_owned())
        .bind(zone.as_str().to_owned())
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("displayname").map_err(db_err))
            .collect::<Result<Vec<_>>>()
            .map(ScopeSet::from_items)
    }

    async fn record_logon(&self, zone: &ZoneId, id: &UserId, now_ms: i64) -> Result<()> {
        sqlx::query(
            "UPDATE users SET previous_logon_success_time=last_logon_success_time, last_logon_success_time=$3 \
             WHERE identity_zone_id=$1 AND id=$2",
        )
        .bind(zone.as_str().to_owned())
        .bind(id.as_str().to_owned())
        .bind(now_ms)
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
