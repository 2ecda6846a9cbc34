//! Housekeeping: expired stored tokens and old audit rows are deleted so tables do not grow
//! without bound. Several instances may share one PostgreSQL database; a session-level advisory
//! lock makes one of them do the work at a time (the others skip that round). SQLite has one
//! writer process by design and needs no lock.

use sqlx::Row;
use uaa_core::error::Result;

use crate::{Backend, SqlStore, db_err};

/// How many rows a pass removed (none when another instance held the lock).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub ran: bool,
    pub tokens: u64,
    pub audit: u64,
}

/// Arbitrary, fixed key of the advisory lock that serialises housekeeping across instances.
const LOCK_KEY: i64 = 0x5541_415f_484b; // "UAA_HK"

impl SqlStore {
    /// Deletes stored tokens that expired before `now_ms` and audit rows created before
    /// `audit_before_ms`, unless another instance is doing it right now.
    pub async fn prune(&self, now_ms: i64, audit_before_ms: i64) -> Result<Pruned> {
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        if self.backend() == Backend::Postgres {
            let got: bool = sqlx::query("SELECT pg_try_advisory_lock($1) AS got")
                .bind(LOCK_KEY)
                .fetch_one(&mut *conn)
                .await
                .map_err(db_err)?
                .try_get("got")
                .map_err(db_err)?;
            if !got {
                return Ok(Pruned::default());
            }
        }
        let work = async {
            let tokens = sqlx::query("DELETE FROM revocable_tokens WHERE expires_at < $1")
                .bind(now_ms)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?
                .rows_affected();
            let audit = sqlx::query("DELETE FROM sec_audit WHERE created < $1")
                .bind(audit_before_ms)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?
                .rows_affected();
            Ok::<_, uaa_core::error::Error>(Pruned {
                ran: true,
                tokens,
                audit,
            })
        }
        .await;
        if self.backend() == Backend::Postgres {
            let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(LOCK_KEY)
                .execute(&mut *conn)
                .await;
        }
        work
    }
}
