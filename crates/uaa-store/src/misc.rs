//! The smaller ports: stored tokens (`revocable_tokens`), the generated signing key, and the
//! audit trail (`sec_audit`).

use async_trait::async_trait;
use sqlx::Row;
use uaa_core::audit::AuditEvent;
use uaa_core::error::Result;
use uaa_core::ids::ZoneId;
use uaa_core::ports::{AuditStore, KeyStore, StoredToken, TokenStore};

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
        let Some(r) = row else { return Ok(None) };
        let s = |c: &str| r.try_get::<Option<String>, _>(c).map_err(db_err);
        let i = |c: &str| r.try_get::<i64, _>(c).map_err(db_err);
        Ok(Some(StoredToken {
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
        }))
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
