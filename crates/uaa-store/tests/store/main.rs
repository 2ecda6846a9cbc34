//! The store's contract, run against every backend: SQLite always, PostgreSQL when
//! `UAA_TEST_POSTGRES_URL` names a server (CI sets it). Each test gets its own database: a
//! temporary SQLite file, or a fresh PostgreSQL database that is dropped afterwards.

// Test code fails by panicking with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use uaa_core::client::{Client, ClientMeta};
use uaa_core::error::Error;
use uaa_core::ids::{ClientId, ZoneId};
use uaa_core::ports::{ClientStore, ClientWrite, KeyStore, ListQuery, StoredToken, TokenStore};
use uaa_core::scope::ScopeSet;
use uaa_core::secret::SecretHash;
use uaa_store::SqlStore;

/// A database for one test; PostgreSQL databases are dropped on `finish`.
struct TestDb {
    store: SqlStore,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    async fn finish(self) {
        self.store.close().await;
        if let Some((admin_url, name)) = self.pg {
            let admin = SqlStore::raw_pool(&admin_url).await.expect("admin pool");
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&admin)
            .await;
            admin.close().await;
        }
    }
}

async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/uaa.db?mode=rwc", dir.path().display());
    TestDb {
        store: SqlStore::connect(&url).await.unwrap(),
        _dir: Some(dir),
        pg: None,
    }
}

async fn postgres() -> Option<TestDb> {
    let Ok(admin_url) = std::env::var("UAA_TEST_POSTGRES_URL") else {
        eprintln!("UAA_TEST_POSTGRES_URL is not set: skipping the PostgreSQL run of this test");
        return None;
    };
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = SqlStore::raw_pool(&admin_url).await.expect("admin pool");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create database");
    admin.close().await;
    let mut url = url::Url::parse(&admin_url).expect("postgres url");
    url.set_path(&name);
    Some(TestDb {
        store: SqlStore::connect(url.as_str()).await.expect("connect"),
        _dir: None,
        pg: Some((admin_url, name)),
    })
}

/// Runs `f` against each available backend.
macro_rules! on_each_backend {
    ($f:ident) => {{
        let db = sqlite().await;
        $f(&db.store).await;
        db.finish().await;
        if let Some(db) = postgres().await {
            $f(&db.store).await;
            db.finish().await;
        }
    }};
}

fn client(id: &str) -> Client {
    Client {
        zone_id: ZoneId::uaa(),
        client_id: ClientId::new(id),
        secrets: vec![
            SecretHash::new("$2a$10$first"),
            SecretHash::new("$2a$10$second"),
        ],
        scope: ScopeSet::parse("openid uaa.user"),
        resource_ids: ScopeSet::parse("none"),
        grant_types: vec!["password".into(), "refresh_token".into()],
        redirect_uris: vec!["http://localhost/cb".into()],
        authorities: ScopeSet::parse("uaa.none"),
        autoapprove: vec!["true".into()],
        access_token_validity: Some(600),
        refresh_token_validity: None,
        name: Some(format!("name of {id}")),
        allowed_providers: Some(vec!["uaa".into()]),
        allow_public: true,
        token_salt: Some("salt01".into()),
        required_user_groups: vec![],
        additional: serde_json::Map::from_iter([("foo".to_owned(), serde_json::json!("bar"))]),
        last_modified: 1_700_000_000_000,
        created_by: None,
        metadata: ClientMeta {
            show_on_home_page: true,
            app_launch_url: Some("http://app".into()),
            app_icon: None,
        },
    }
}

async fn clients_round_trip_every_field(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let c = client("roundtrip");
    store
        .apply_client_writes(&zone, vec![ClientWrite::Create(c.clone())])
        .await
        .unwrap();
    let back = store.get_client(&zone, "roundtrip").await.unwrap().unwrap();
    assert_eq!(back, c);
}

#[tokio::test]
async fn clients_round_trip_every_field_on_each_backend() {
    on_each_backend!(clients_round_trip_every_field);
}

async fn a_failed_batch_leaves_nothing_behind(store: &SqlStore) {
    let zone = ZoneId::uaa();
    store
        .apply_client_writes(&zone, vec![ClientWrite::Create(client("existing"))])
        .await
        .unwrap();
    let err = store
        .apply_client_writes(
            &zone,
            vec![
                ClientWrite::Create(client("new-one")),
                ClientWrite::Create(client("existing")),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(err, Error::ClientAlreadyExists("existing".into()));
    assert!(store.get_client(&zone, "new-one").await.unwrap().is_none());
    let err = store
        .apply_client_writes(
            &zone,
            vec![
                ClientWrite::SetSecrets(ClientId::new("existing"), vec![]),
                ClientWrite::Delete(ClientId::new("missing")),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(err, Error::NoSuchClient);
    let kept = store.get_client(&zone, "existing").await.unwrap().unwrap();
    assert_eq!(kept.secrets.len(), 2);
}

#[tokio::test]
async fn a_failed_batch_leaves_nothing_behind_on_each_backend() {
    on_each_backend!(a_failed_batch_leaves_nothing_behind);
}

async fn lists_filter_sort_and_page(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let writes = ["c", "a", "b", "ab"]
        .into_iter()
        .map(|id| ClientWrite::Create(client(id)))
        .collect();
    store.apply_client_writes(&zone, writes).await.unwrap();
    let q = |filter: Option<&str>, asc: bool, start: u64, count: u64| ListQuery {
        filter: filter.map(|f| uaa_core::filter::parse(f).unwrap()),
        sort_by: "client_id".into(),
        ascending: asc,
        start_index: start,
        count,
    };
    let ids = |v: Vec<Client>| {
        v.into_iter()
            .map(|c| c.client_id.into_string())
            .collect::<Vec<_>>()
    };
    let (page, total) = store
        .list_clients(&zone, &q(None, true, 1, 2))
        .await
        .unwrap();
    assert_eq!((ids(page), total), (vec!["a".to_owned(), "ab".into()], 4));
    let (page, total) = store
        .list_clients(&zone, &q(Some("client_id sw \"A\""), false, 1, 10))
        .await
        .unwrap();
    assert_eq!((ids(page), total), (vec!["ab".to_owned(), "a".into()], 2));
    let (page, _) = store
        .list_clients(
            &zone,
            &q(
                Some("client_id eq \"b\" or client_id eq \"c\""),
                true,
                2,
                10,
            ),
        )
        .await
        .unwrap();
    assert_eq!(ids(page), vec!["c".to_owned()]);
}

#[tokio::test]
async fn lists_filter_sort_and_page_on_each_backend() {
    on_each_backend!(lists_filter_sort_and_page);
}

async fn the_first_generated_key_wins(store: &SqlStore) {
    let zone = ZoneId::uaa();
    assert!(store.generated_key(&zone).await.unwrap().is_none());
    let first = store
        .save_generated_key(&zone, "k1", "pem-1")
        .await
        .unwrap();
    let second = store
        .save_generated_key(&zone, "k2", "pem-2")
        .await
        .unwrap();
    assert_eq!(first, ("k1".to_owned(), "pem-1".to_owned()));
    assert_eq!(second, first);
}

#[tokio::test]
async fn the_first_generated_key_wins_on_each_backend() {
    on_each_backend!(the_first_generated_key_wins);
}

async fn stored_tokens_expire_and_delete(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let t = |id: &str, expires_at_ms: i64| StoredToken {
        token_id: id.into(),
        client_id: "c".into(),
        user_id: None,
        format: "OPAQUE".into(),
        response_type: "ACCESS_TOKEN".into(),
        issued_at_ms: 0,
        expires_at_ms,
        scope: "a b".into(),
        value: "jwt".into(),
        zone_id: zone.clone(),
    };
    store.put_token(t("live", i64::MAX / 2)).await.unwrap();
    store.put_token(t("expired", 1)).await.unwrap();
    assert_eq!(
        store.get_token(&zone, "live").await.unwrap(),
        Some(t("live", i64::MAX / 2))
    );
    assert_eq!(store.get_token(&zone, "expired").await.unwrap(), None);
    assert!(store.delete_token(&zone, "live").await.unwrap());
    assert_eq!(store.get_token(&zone, "live").await.unwrap(), None);
}

#[tokio::test]
async fn stored_tokens_expire_and_delete_on_each_backend() {
    on_each_backend!(stored_tokens_expire_and_delete);
}

// SCIM users (reference §4.1–4.3, §6.2).
mod users;

// SCIM groups (reference §4.4).
mod groups;
mod housekeeping;

// Listing and revoking stored tokens (reference §3).
mod tokens;

// Authorization codes, login sessions and approvals (reference §3, /oauth/authorize).
mod authorize;
