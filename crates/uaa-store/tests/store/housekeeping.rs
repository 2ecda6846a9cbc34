//! Housekeeping on each backend: expired tokens and old audit rows go, live ones stay, and on
//! PostgreSQL an instance skips the round while another holds the lock.

use uaa_core::audit::{AuditEvent, AuditEventType};
use uaa_core::ids::ZoneId;
use uaa_core::ports::{AuditStore, StoredToken, TokenStore};
use uaa_store::SqlStore;

use super::{postgres, sqlite};

const NOW: i64 = 1_800_000_000_000;

fn token(id: &str, expires_at_ms: i64) -> StoredToken {
    StoredToken {
        token_id: id.into(),
        client_id: "c".into(),
        user_id: None,
        format: "OPAQUE".into(),
        response_type: "ACCESS_TOKEN".into(),
        issued_at_ms: 0,
        expires_at_ms,
        scope: "s".into(),
        value: "jwt".into(),
        zone_id: ZoneId::uaa(),
    }
}

fn event(created_ms: i64) -> AuditEvent {
    AuditEvent {
        event_type: AuditEventType::UserAuthenticationFailure,
        principal_id: "u1".into(),
        origin: "test".into(),
        data: String::new(),
        zone_id: ZoneId::uaa(),
        created_ms,
    }
}

async fn count(store: &SqlStore, table: &str) -> i64 {
    let row: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(store.pool())
        .await
        .unwrap();
    row.0
}

async fn prune_removes_only_what_expired(store: &SqlStore) {
    store.put_token(token("old", NOW - 1)).await.unwrap();
    store.put_token(token("live", NOW + 60_000)).await.unwrap();
    store.record(&event(NOW - 40 * 86_400_000)).await.unwrap();
    store.record(&event(NOW - 1000)).await.unwrap();
    let p = store.prune(NOW, NOW - 30 * 86_400_000).await.unwrap();
    assert_eq!((p.ran, p.tokens, p.audit), (true, 1, 1));
    assert_eq!(count(store, "revocable_tokens").await, 1);
    assert_eq!(count(store, "sec_audit").await, 1);
}

#[tokio::test]
async fn prune_removes_only_what_expired_on_each_backend() {
    let db = sqlite().await;
    prune_removes_only_what_expired(&db.store).await;
    db.finish().await;
    if let Some(db) = postgres().await {
        prune_removes_only_what_expired(&db.store).await;
        db.finish().await;
    }
}

#[tokio::test]
async fn only_one_postgresql_instance_prunes_at_a_time() {
    let Some(db) = postgres().await else { return };
    // Another instance holds the housekeeping lock on its own connection.
    let mut other = db.store.pool().acquire().await.unwrap();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(0x5541_415f_484b_i64)
        .execute(&mut *other)
        .await
        .unwrap();
    db.store.put_token(token("old", NOW - 1)).await.unwrap();
    let p = db.store.prune(NOW, 0).await.unwrap();
    assert!(!p.ran, "skipped while the lock is held");
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(0x5541_415f_484b_i64)
        .execute(&mut *other)
        .await
        .unwrap();
    drop(other);
    let p = db.store.prune(NOW, 0).await.unwrap();
    assert_eq!((p.ran, p.tokens), (true, 1));
    db.finish().await;
}
