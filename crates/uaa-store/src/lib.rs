//! The SQL store: one implementation of every `uaa-core` storage port, written once in
//! portable SQL (`$n` placeholders) over sqlx's `Any` driver, so the same text runs on the
//! embedded SQLite default and on PostgreSQL. Each backend has its own migration folder with
//! the same tables and columns (UAA's names).

pub mod authorize;
pub mod clients;
pub mod filter_sql;
pub mod housekeeping;
pub mod misc;
mod paging;
pub mod scim_groups;
pub mod scim_users;
pub mod users;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use uaa_core::error::Error;
use uaa_core::ids::ZoneId;

/// Which database is behind the pool (for the few statements that differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Connection-pool settings; `None` keeps the default (SQLite 8 connections, PostgreSQL
/// sqlx's 10; a 5-second wait for a connection).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolSettings {
    pub max_connections: Option<u32>,
    pub min_connections: Option<u32>,
    pub acquire_timeout_ms: Option<u64>,
}

/// The store: a connection pool shared by every port implementation.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

/// Errors of opening and migrating the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (expected sqlite:… or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

impl SqlStore {
    /// Opens `url` (`sqlite://path?mode=rwc`, `sqlite::memory:`, `postgres://…`), applies the
    /// backend's migrations and makes sure the default zone exists.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, PoolSettings::default()).await
    }

    /// `connect` with pool settings (`database.maxactive` and friends).
    pub async fn connect_with(url: &str, pool: PoolSettings) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        // A request waits at most this long for a connection; past it, it gets a 503 instead of
        // hanging while the database is away.
        let wait = std::time::Duration::from_millis(pool.acquire_timeout_ms.unwrap_or(5000));
        let mut opts = AnyPoolOptions::new().acquire_timeout(wait);
        if backend == Backend::Sqlite {
            // One writer at a time in SQLite: WAL lets readers proceed, the busy timeout makes
            // writers queue instead of failing with SQLITE_BUSY.
            opts = opts.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;")
                        .await?;
                    Ok(())
                })
            });
        }
        if let Some(n) = pool.max_connections {
            opts = opts.max_connections(n);
        }
        if let Some(n) = pool.min_connections {
            opts = opts.min_connections(n);
        }
        let pool = opts.connect(url).await.map_err(StoreError::Connect)?;
        let store = Self { pool, backend };
        store.migrate().await?;
        store.ensure_default_zone().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator.run(&self.pool).await.map_err(StoreError::Migrate)
    }

    async fn ensure_default_zone(&self) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO identity_zone (id, subdomain, name, version, created, lastmodified, active) \
             VALUES ($1, '', $1, 0, $2, $2, TRUE) ON CONFLICT (id) DO NOTHING",
        )
        .bind(ZoneId::uaa().as_str())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// `/healthz`: UAA probes the database with `SELECT 1 from identity_zone`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1 FROM identity_zone LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .is_ok()
    }

    /// A bare pool without migrations (tests use it to create and drop databases).
    pub async fn raw_pool(url: &str) -> Result<AnyPool, StoreError> {
        install_default_drivers();
        AnyPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(StoreError::Connect)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Maps a database failure to the domain's internal error. The message goes to the log (by
/// the HTTP layer), never to the caller.
pub(crate) fn db_err(e: sqlx::Error) -> Error {
    match e {
        // The database went away or is out of reach: the request can be retried (503); the
        // pool reconnects on its own when the database is back.
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Error::Unavailable(format!("database: {e}")),
        other => Error::Internal(format!("database: {other}")),
    }
}

/// True when `e` is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation()
                || d.message().contains("UNIQUE constraint failed")
                || d.code().as_deref() == Some("23505")
        }
        _ => false,
    }
}

/// Reads a flag column: BOOLEAN in PostgreSQL, INTEGER 0/1 in SQLite.
pub(crate) fn get_bool(row: &sqlx::any::AnyRow, col: &str) -> Result<bool, Error> {
    use sqlx::Row;
    match row.try_get::<bool, _>(col) {
        Ok(b) => Ok(b),
        Err(_) => row.try_get::<i64, _>(col).map(|i| i != 0).map_err(db_err),
    }
}

/// Joins a list the way UAA stores list columns: comma-separated.
pub(crate) fn join(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(",")
}

/// Splits a comma-separated list column.
pub(crate) fn split(s: Option<String>) -> Vec<String> {
    s.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_connections_are_unavailable_and_other_failures_internal() {
        assert!(matches!(
            db_err(sqlx::Error::PoolTimedOut),
            Error::Unavailable(_)
        ));
        assert!(matches!(
            db_err(sqlx::Error::PoolClosed),
            Error::Unavailable(_)
        ));
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(matches!(db_err(sqlx::Error::Io(io)), Error::Unavailable(_)));
        assert!(matches!(
            db_err(sqlx::Error::RowNotFound),
            Error::Internal(_)
        ));
    }
}
