//! The browser side of OAuth: authorization codes (`oauth_code`), login sessions
//! (`login_sessions`), approvals (`authz_approvals`) and UAA's one-time codes
//! (`expiring_code_store`, autologin first). Codes are taken with
//! `DELETE … RETURNING`, one statement, so a code is redeemed once even with several instances
//! on one database.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;
use uaa_core::error::{Error, Result};
use uaa_core::ids::ZoneId;
use uaa_core::ports::{
    Approval, ApprovalStatus, ApprovalStore, CodeStore, ExpiringCode, ExpiringCodeStore,
    LoginSession, SessionStore, StoredCode,
};

use crate::{SqlStore, db_err};

fn s(r: &AnyRow, c: &str) -> Result<String> {
    r.try_get::<String, _>(c).map_err(db_err)
}

fn i(r: &AnyRow, c: &str) -> Result<i64> {
    r.try_get::<i64, _>(c).map_err(db_err)
}

#[async_trait]
impl CodeStore for SqlStore {
    async fn put_code(&self, c: StoredCode) -> Result<()> {
        sqlx::query(
            "INSERT INTO oauth_code (code, authentication, created, expiresat, user_id, client_id, identity_zone_id) \
             VALUES ($1,$2,$3,$4,$5,$6,$7)",
        )
        .bind(c.code_hash)
        .bind(c.data)
        .bind(c.created_ms)
        .bind(c.expires_ms)
        .bind(c.user_id)
        .bind(c.client_id)
        .bind(c.zone_id.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn take_code(&self, zone: &ZoneId, code_hash: &str) -> Result<Option<StoredCode>> {
        let row = sqlx::query(
            "DELETE FROM oauth_code WHERE code=$1 AND identity_zone_id=$2 \
             RETURNING code, authentication, created, expiresat, user_id, client_id",
        )
        .bind(code_hash.to_owned())
        .bind(zone.as_str().to_owned())
        .fetch_optional(self.pool())
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok(StoredCode {
                code_hash: s(&r, "code")?,
                data: s(&r, "authentication")?,
                created_ms: i(&r, "created")?,
                expires_ms: i(&r, "expiresat")?,
                user_id: s(&r, "user_id")?,
                client_id: s(&r, "client_id")?,
                zone_id: zone.clone(),
            })
        })
        .transpose()
    }
}

fn session_from(r: &AnyRow, zone: &ZoneId) -> Result<LoginSession> {
    Ok(LoginSession {
        session_hash: s(r, "session_id")?,
        user_id: s(r, "user_id")?,
        auth_time_ms: i(r, "auth_time")?,
        csrf_token: s(r, "csrf_token")?,
        pending: r.try_get::<Option<String>, _>("pending").map_err(db_err)?,
        created_ms: i(r, "created")?,
        expires_ms: i(r, "expires_at")?,
        zone_id: zone.clone(),
    })
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(&self, x: &LoginSession) -> Result<()> {
        sqlx::query(
            "INSERT INTO login_sessions (session_id, user_id, auth_time, csrf_token, pending, created, expires_at, identity_zone_id) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        )
        .bind(x.session_hash.clone())
        .bind(x.user_id.clone())
        .bind(x.auth_time_ms)
        .bind(x.csrf_token.clone())
        .bind(x.pending.clone())
        .bind(x.created_ms)
        .bind(x.expires_ms)
        .bind(x.zone_id.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_session(&self, zone: &ZoneId, session_hash: &str) -> Result<Option<LoginSession>> {
        let row = sqlx::query(
            "SELECT session_id, user_id, auth_time, csrf_token, pending, created, expires_at \
             FROM login_sessions WHERE session_id=$1 AND identity_zone_id=$2",
        )
        .bind(session_hash.to_owned())
        .bind(zone.as_str().to_owned())
        .fetch_optional(self.pool())
        .await
        .map_err(db_err)?;
        row.map(|r| session_from(&r, zone)).transpose()
    }

    async fn update_session(&self, x: &LoginSession) -> Result<()> {
        sqlx::query(
            "UPDATE login_sessions SET pending=$1, expires_at=$2 WHERE session_id=$3 AND identity_zone_id=$4",
        )
        .bind(x.pending.clone())
        .bind(x.expires_ms)
        .bind(x.session_hash.clone())
        .bind(x.zone_id.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_session(&self, zone: &ZoneId, session_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_sessions WHERE session_id=$1 AND identity_zone_id=$2")
            .bind(session_hash.to_owned())
            .bind(zone.as_str().to_owned())
            .execute(self.pool())
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

fn approval_from(r: &AnyRow) -> Result<Approval> {
    let status = s(r, "status")?;
    Ok(Approval {
        user_id: s(r, "user_id")?,
        client_id: s(r, "client_id")?,
        scope: s(r, "scope")?,
        status: ApprovalStatus::parse(&status)
            .ok_or_else(|| Error::Internal(format!("unknown approval status {status}")))?,
        expires_ms: i(r, "expiresat")?,
        last_modified_ms: i(r, "lastmodifiedat")?,
    })
}

#[async_trait]
impl ApprovalStore for SqlStore {
    async fn approvals(
        &self,
        zone: &ZoneId,
        user_id: &str,
        client_id: Option<&str>,
    ) -> Result<Vec<Approval>> {
        let sql = if client_id.is_some() {
            "SELECT user_id, client_id, scope, expiresat, status, lastmodifiedat FROM authz_approvals \
             WHERE identity_zone_id=$1 AND user_id=$2 AND client_id=$3 ORDER BY lastmodifiedat, scope"
        } else {
            "SELECT user_id, client_id, scope, expiresat, status, lastmodifiedat FROM authz_approvals \
             WHERE identity_zone_id=$1 AND user_id=$2 ORDER BY client_id, lastmodifiedat, scope"
        };
        let mut q = sqlx::query(sql)
            .bind(zone.as_str().to_owned())
            .bind(user_id.to_owned());
        if let Some(c) = client_id {
            q = q.bind(c.to_owned());
        }
        let rows = q.fetch_all(self.pool()).await.map_err(db_err)?;
        rows.iter().map(approval_from).collect()
    }

    async fn put_approval(&self, zone: &ZoneId, a: &Approval) -> Result<()> {
        sqlx::query(
            "INSERT INTO authz_approvals (user_id, client_id, scope, expiresat, status, lastmodifiedat, identity_zone_id) \
             VALUES ($1,$2,$3,$4,$5,$6,$7) \
             ON CONFLICT (identity_zone_id, user_id, client_id, scope) \
             DO UPDATE SET expiresat=excluded.expiresat, status=excluded.status, lastmodifiedat=excluded.lastmodifiedat",
        )
        .bind(a.user_id.clone())
        .bind(a.client_id.clone())
        .bind(a.scope.clone())
        .bind(a.expires_ms)
        .bind(a.status.as_str().to_owned())
        .bind(a.last_modified_ms)
        .bind(zone.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_approvals(
        &self,
        zone: &ZoneId,
        user_id: &str,
        client_id: Option<&str>,
    ) -> Result<u64> {
        let sql = if client_id.is_some() {
            "DELETE FROM authz_approvals WHERE identity_zone_id=$1 AND user_id=$2 AND client_id=$3"
        } else {
            "DELETE FROM authz_approvals WHERE identity_zone_id=$1 AND user_id=$2"
        };
        let mut q = sqlx::query(sql)
            .bind(zone.as_str().to_owned())
            .bind(user_id.to_owned());
        if let Some(c) = client_id {
            q = q.bind(c.to_owned());
        }
        let n = q
            .execute(self.pool())
            .await
            .map_err(db_err)?
            .rows_affected();
        Ok(n)
    }
}

#[async_trait]
impl ExpiringCodeStore for SqlStore {
    async fn put_expiring_code(&self, c: &ExpiringCode) -> Result<()> {
        sqlx::query(
            "INSERT INTO expiring_code_store (code, expiresat, data, intent, identity_zone_id) \
             VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(c.code_hash.clone())
        .bind(c.expires_ms)
        .bind(c.data.clone())
        .bind(c.intent.clone())
        .bind(c.zone_id.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn take_expiring_code(
        &self,
        zone: &ZoneId,
        code_hash: &str,
    ) -> Result<Option<ExpiringCode>> {
        let row = sqlx::query(
            "DELETE FROM expiring_code_store WHERE code=$1 AND identity_zone_id=$2 \
             RETURNING code, expiresat, data, intent",
        )
        .bind(code_hash.to_owned())
        .bind(zone.as_str().to_owned())
        .fetch_optional(self.pool())
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok(ExpiringCode {
                code_hash: s(&r, "code")?,
                expires_ms: i(&r, "expiresat")?,
                data: s(&r, "data")?,
                intent: r.try_get::<Option<String>, _>("intent").map_err(db_err)?,
                zone_id: zone.clone(),
            })
        })
        .transpose()
    }
}

impl SqlStore {
    /// Housekeeping: deletes codes and sessions that expired before `now_ms`.
    pub async fn prune_authorize(&self, now_ms: i64) -> Result<u64> {
        let codes = sqlx::query("DELETE FROM oauth_code WHERE expiresat < $1")
            .bind(now_ms)
            .execute(self.pool())
            .await
            .map_err(db_err)?
            .rows_affected();
        let sessions = sqlx::query("DELETE FROM login_sessions WHERE expires_at < $1")
            .bind(now_ms)
            .execute(self.pool())
            .await
            .map_err(db_err)?
            .rows_affected();
        let expiring = sqlx::query("DELETE FROM expiring_code_store WHERE expiresat < $1")
            .bind(now_ms)
            .execute(self.pool())
            .await
            .map_err(db_err)?
            .rows_affected();
        Ok(codes + sessions + expiring)
    }
}
