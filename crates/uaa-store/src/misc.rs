//! The smaller ports: stored tokens (`revocable_tokens`, with the user `salt` that revocation
//! changes), the generated signing key, and the audit trail (`sec_audit`).

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use uaa_core::audit::AuditEvent;
use uaa_core::error::Result;
use uaa_core::ids::ZoneId;
use uaa_core::ports::{AuditStore, KeyStore, StoredToken, TokenQuery, TokenStore};

use crate::{SqlStore, db_err, now_ms};

#[async_trait]
impl TokenStore for SqlStore {
    async fn put_token(&self, t: StoredToken) -> Result<()> {
        sqlx::query(
            "INSERT INTO revocable_tokens (token_id, client_id, user_id, format, response_type, issued_at, expires_at, scope, data, identity_zone_id) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
        )
        .bind(t.token_id)
        .bind(t.client_id)
        .bind(t.user_id)
        .bind(t.format)
        .bind(t.response_type)
        .bind(t.issued_at_ms)
        .bind(t.expires_at_ms)
        .bind(t.scope)
        .bind(t.value)
        .bind(t.zone_id.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_token(&self, zone: &ZoneId, token_id: &str) -> Result<Option<StoredToken>> {
        let row = sqlx::query(
            "SELECT token_id, client_id, user_id, format, response_type, issued_at, expires_at, scope, data \
             FROM revocable_tokens WHERE token_id=$1 AND identity_zone_id=$2 AND expires_at > $3",
        )
        .bind(token_id.to_owned())
        .bind(zone.as_str().to_owned())
        .bind(now_ms())
        .fetch_optional(self.pool())
        .await
        .map_err(db_err)?;
        row.map(|r| row_to_token(&r, zone)).transpose()
    }

    async fn delete_token(&self, zone: &ZoneId, token_id: &str) -> Result<bool> {
        let n =
            sqlx::query("DELETE FROM revocable_tokens WHERE token_id=$1 AND identity_zone_id=$2")
                .bind(token_id.to_owned())
                .bind(zone.as_str().to_owned())
                .execute(self.pool())
                .await
                .map_err(db_err)?
                .rows_affected();
        Ok(n > 0)
    }

    async fn list_tokens(
        &self,
        zone: &ZoneId,
        q: TokenQuery<'_>,
        now_ms: i64,
    ) -> Result<Vec<StoredToken>> {
        let (cond, binds) = token_conditions(&q, 3);
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM revocable_tokens \
             WHERE identity_zone_id=$1 AND expires_at > $2{cond} ORDER BY issued_at, token_id"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(zone.as_str().to_owned())
            .bind(now_ms);
        for b in binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(self.pool()).await.map_err(db_err)?;
        rows.iter().map(|r| row_to_token(r, zone)).collect()
    }

    async fn delete_tokens(&self, zone: &ZoneId, q: TokenQuery<'_>) -> Result<u64> {
        let (cond, binds) = token_conditions(&q, 2);
        let sql = format!("DELETE FROM revocable_tokens WHERE identity_zone_id=$1{cond}");
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(zone.as_str().to_owned());
        for b in binds {
            query = query.bind(b);
        }
        Ok(query
            .execute(self.pool())
            .await
            .map_err(db_err)?
            .rows_affected())
    }

    async fn set_user_salt(&self, zone: &ZoneId, user_id: &str, salt: &str) -> Result<bool> {
        // As UAA's `userProvisioning.update`: a new version and modification time too.
        let n = sqlx::query(
            "UPDATE users SET salt=$1, version=version+1, lastmodified=$2 \
             WHERE id=$3 AND identity_zone_id=$4",
        )
        .bind(salt.to_owned())
        .bind(now_ms())
        .bind(user_id.to_owned())
        .bind(zone.as_str().to_owned())
        .execute(self.pool())
        .await
        .map_err(db_err)?
        .rows_affected();
        Ok(n > 0)
    }
}

const TOKEN_COLUMNS: &str =
    "token_id, client_id, user_id, format, response_type, issued_at, expires_at, scope, data";

fn row_to_token(r: &AnyRow, zone: &ZoneId) -> Result<StoredToken> {
    let s = |c: &str| r.try_get::<Option<String>, _>(c).map_err(db_err);
    let i = |c: &str| r.try_get::<i64, _>(c).map_err(db_err);
    Ok(StoredToken {
        token_id: s("token_id")?.unwrap_or_default(),
        client_id: s("client_id")?.unwrap_or_default(),
        user_id: s("user_id")?,
        format: s("format")?.unwrap_or_default(),
        response_type: s("response_type")?.unwrap_or_default(),
        issued_at_ms: i("issued_at")?,
        expires_at_ms: i("expires_at")?,
        scope: s("scope")?.unwrap_or_default(),
        value: s("data")?.unwrap_or_default(),
        zone_id: zone.clone(),
    })
}

/// ` AND column=$n` for each field of the query that is set, numbered from `first`, with the
/// values to bind in that order.
fn token_conditions(q: &TokenQuery<'_>, first: usize) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    for (col, value) in [
        ("client_id", q.client_id),
        ("user_id", q.user_id),
        ("response_type", q.response_type),
    ] {
        if let Some(v) = value {
            sql.push_str(&format!(" AND {col}=${}", first + binds.len()));
            binds.push(v.to_owned());
        }
    }
    (sql, binds)
}

#[async_trait]
impl KeyStore for SqlStore {
    async fn generated_key(&self, zone: &ZoneId) -> Result<Option<(String, String)>> {
        let row = sqlx::query("SELECT kid, key_pem FROM signing_keys WHERE identity_zone_id=$1")
            .bind(zone.as_str().to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok((
                r.try_get::<String, _>("kid").map_err(db_err)?,
                r.try_get::<String, _>("key_pem").map_err(db_err)?,
            ))
        })
        .transpose()
    }

    async fn save_generated_key(
        &self,
        zone: &ZoneId,
        kid: &str,
        pem: &str,
    ) -> Result<(String, String)> {
        sqlx::query(
            "INSERT INTO signing_keys (identity_zone_id, kid, key_pem, created) VALUES ($1,$2,$3,$4) \
             ON CONFLICT (identity_zone_id) DO NOTHING",
        )
        .bind(zone.as_str().to_owned())
        .bind(kid.to_owned())
        .bind(pem.to_owned())
        .bind(now_ms())
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        self.generated_key(zone).await?.ok_or_else(|| {
            uaa_core::error::Error::Internal("generated signing key was not stored".into())
        })
    }
}

impl SqlStore {
    /// Inserts many audit events in one transaction (the background writer's batches).
    pub async fn record_audit_batch(&self, events: &[AuditEvent]) -> Result<()> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        for e in events {
            insert_audit(&mut *tx, e).await?;
        }
        tx.commit().await.map_err(db_err)
    }
}

async fn insert_audit<'e>(
    exec: impl sqlx::Executor<'e, Database = sqlx::Any>,
    e: &AuditEvent,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sec_audit (principal_id, event_type, origin, event_data, created, identity_zone_id) \
         VALUES ($1,$2,$3,$4,$5,$6)",
    )
    .bind(e.principal_id.clone())
    .bind(e.event_type.code())
    .bind(e.origin.clone())
    .bind(e.data.clone())
    .bind(e.created_ms)
    .bind(e.zone_id.as_str().to_owned())
    .execute(exec)
    .await
    .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn record(&self, e: &AuditEvent) -> Result<()> {
        insert_audit(self.pool(), e).await
    }
}
