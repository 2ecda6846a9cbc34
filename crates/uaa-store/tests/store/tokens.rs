//! The revocation half of the token store on each backend: listing and bulk deletion by
//! client, user and kind, and the user `salt` that revoking a user's tokens changes.

use uaa_core::ids::{UserId, ZoneId};
use uaa_core::ports::{StoredToken, TokenQuery, TokenStore, UserStore};
use uaa_core::secret::SecretHash;
use uaa_core::user::NewUser;
use uaa_store::SqlStore;

use super::{postgres, sqlite};

const NOW: i64 = 1_800_000_000_000;

fn token(id: &str, client: &str, user: Option<&str>, kind: &str, issued: i64) -> StoredToken {
    StoredToken {
        token_id: id.into(),
        client_id: client.into(),
        user_id: user.map(str::to_owned),
        format: "opaque".into(),
        response_type: kind.into(),
        issued_at_ms: issued,
        expires_at_ms: NOW + 1000,
        scope: "openid".into(),
        value: format!("jwt of {id}"),
        zone_id: ZoneId::uaa(),
    }
}

fn ids(tokens: &[StoredToken]) -> Vec<&str> {
    tokens.iter().map(|t| t.token_id.as_str()).collect()
}

async fn tokens_list_and_delete_by_client_user_and_kind(store: &SqlStore) {
    let zone = ZoneId::uaa();
    for t in [
        token("a1", "web", Some("u1"), "ACCESS_TOKEN", 3),
        token("r1", "web", Some("u1"), "REFRESH_TOKEN", 1),
        token("r2", "web", Some("u2"), "REFRESH_TOKEN", 2),
        token("m1", "mobile", Some("u1"), "REFRESH_TOKEN", 4),
        token("c1", "web", None, "ACCESS_TOKEN", 5),
    ] {
        store.put_token(t).await.unwrap();
    }
    let mut old = token("gone", "web", Some("u1"), "ACCESS_TOKEN", 0);
    old.expires_at_ms = NOW - 1;
    store.put_token(old).await.unwrap();

    let by = |client: Option<&'static str>, user: Option<&'static str>| TokenQuery {
        client_id: client,
        user_id: user,
        response_type: None,
    };
    // Oldest first; expired rows are not listed.
    let all = store.list_tokens(&zone, by(None, None), NOW).await.unwrap();
    assert_eq!(ids(&all), ["r1", "r2", "a1", "m1", "c1"]);
    let u1 = store
        .list_tokens(&zone, by(None, Some("u1")), NOW)
        .await
        .unwrap();
    assert_eq!(ids(&u1), ["r1", "a1", "m1"]);
    assert_eq!(u1[0], token("r1", "web", Some("u1"), "REFRESH_TOKEN", 1));
    let web = store
        .list_tokens(&zone, by(Some("web"), None), NOW)
        .await
        .unwrap();
    assert_eq!(ids(&web), ["r1", "r2", "a1", "c1"]);
    let other_zone = store
        .list_tokens(&ZoneId::new("other"), by(None, None), NOW)
        .await
        .unwrap();
    assert!(other_zone.is_empty());

    // `unique`: the pair's refresh tokens only.
    let q = TokenQuery {
        client_id: Some("web"),
        user_id: Some("u1"),
        response_type: Some("REFRESH_TOKEN"),
    };
    assert_eq!(store.delete_tokens(&zone, q).await.unwrap(), 1);
    // A user and client pair: every kind, expired rows too.
    assert_eq!(
        store
            .delete_tokens(&zone, by(Some("web"), Some("u1")))
            .await
            .unwrap(),
        2
    );
    let left = store.list_tokens(&zone, by(None, None), NOW).await.unwrap();
    assert_eq!(ids(&left), ["r2", "m1", "c1"]);
    // A client: all of its rows.
    assert_eq!(
        store
            .delete_tokens(&zone, by(Some("web"), None))
            .await
            .unwrap(),
        2
    );
    let left = store.list_tokens(&zone, by(None, None), NOW).await.unwrap();
    assert_eq!(ids(&left), ["m1"]);
}

#[tokio::test]
async fn tokens_list_and_delete_by_client_user_and_kind_on_each_backend() {
    let db = sqlite().await;
    tokens_list_and_delete_by_client_user_and_kind(&db.store).await;
    db.finish().await;
    if let Some(db) = postgres().await {
        tokens_list_and_delete_by_client_user_and_kind(&db.store).await;
        db.finish().await;
    }
}

async fn a_new_user_salt_is_stored_with_a_new_version(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let u = store
        .bootstrap_user(
            &zone,
            NewUser {
                username: "paul".into(),
                password_hash: SecretHash::new("$2a$10$hash"),
                email: "paul@example.com".into(),
                given_name: None,
                family_name: None,
                origin: "uaa".into(),
                groups: vec![],
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .set_user_salt(&zone, u.id.as_str(), "s4lt0001")
            .await
            .unwrap()
    );
    let after = store.get_user(&zone, &u.id).await.unwrap().unwrap();
    assert_eq!(after.salt.as_deref(), Some("s4lt0001"));
    assert_eq!(after.version, u.version + 1);
    assert!(!store.set_user_salt(&zone, "nobody", "x").await.unwrap());
    assert!(
        !store
            .set_user_salt(&ZoneId::new("other"), u.id.as_str(), "x")
            .await
            .unwrap()
    );
    let unchanged = store
        .get_user(&zone, &UserId::new(u.id.as_str()))
        .await
        .unwrap();
    assert_eq!(unchanged.unwrap().salt.as_deref(), Some("s4lt0001"));
}

#[tokio::test]
async fn a_new_user_salt_is_stored_with_a_new_version_on_each_backend() {
    let db = sqlite().await;
    a_new_user_salt_is_stored_with_a_new_version(&db.store).await;
    db.finish().await;
    if let Some(db) = postgres().await {
        a_new_user_salt_is_stored_with_a_new_version(&db.store).await;
        db.finish().await;
    }
}
