//! Authorization codes, login sessions and approvals on each backend: a code is taken once,
//! sessions are updated and deleted, approvals are upserted per (user, client, scope).

use uaa_core::ids::ZoneId;
use uaa_core::ports::{
    Approval, ApprovalStatus, ApprovalStore, CodeStore, ExpiringCode, ExpiringCodeStore,
    LoginSession, SessionStore, StoredCode,
};
use uaa_store::SqlStore;

use super::{postgres, sqlite};

async fn codes_are_taken_once(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let code = StoredCode {
        code_hash: "h1".into(),
        client_id: "web".into(),
        user_id: "u1".into(),
        created_ms: 1,
        expires_ms: 2,
        data: "{\"scopes\":[]}".into(),
        zone_id: zone.clone(),
    };
    store.put_code(code.clone()).await.unwrap();
    assert_eq!(
        store.take_code(&ZoneId::new("other"), "h1").await.unwrap(),
        None
    );
    assert_eq!(store.take_code(&zone, "h1").await.unwrap(), Some(code));
    assert_eq!(store.take_code(&zone, "h1").await.unwrap(), None);
    assert_eq!(store.prune_authorize(10).await.unwrap(), 0);
}

async fn expiring_codes_are_taken_once_and_pruned(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let code = ExpiringCode {
        code_hash: "e1".into(),
        expires_ms: 50,
        data: "{\"client_id\":\"app\"}".into(),
        intent: Some("AUTOLOGIN".into()),
        zone_id: zone.clone(),
    };
    store.put_expiring_code(&code).await.unwrap();
    assert_eq!(
        store
            .take_expiring_code(&ZoneId::new("other"), "e1")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.take_expiring_code(&zone, "e1").await.unwrap(),
        Some(code.clone())
    );
    assert_eq!(store.take_expiring_code(&zone, "e1").await.unwrap(), None);
    // A code without an intent; housekeeping removes it once expired.
    let plain = ExpiringCode {
        code_hash: "e2".into(),
        intent: None,
        ..code
    };
    store.put_expiring_code(&plain).await.unwrap();
    assert_eq!(store.prune_authorize(50).await.unwrap(), 0);
    assert_eq!(store.prune_authorize(51).await.unwrap(), 1);
    assert_eq!(store.take_expiring_code(&zone, "e2").await.unwrap(), None);
}

async fn sessions_are_created_updated_and_deleted(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let mut s = LoginSession {
        session_hash: "s1".into(),
        user_id: "u1".into(),
        auth_time_ms: 100,
        csrf_token: "csrf".into(),
        pending: None,
        created_ms: 100,
        expires_ms: 200,
        zone_id: zone.clone(),
    };
    store.create_session(&s).await.unwrap();
    assert_eq!(
        store.get_session(&zone, "s1").await.unwrap(),
        Some(s.clone())
    );
    s.pending = Some("{\"client_id\":\"web\"}".into());
    s.expires_ms = 300;
    store.update_session(&s).await.unwrap();
    assert_eq!(
        store.get_session(&zone, "s1").await.unwrap(),
        Some(s.clone())
    );
    // Housekeeping removes sessions expired before `now`.
    assert_eq!(store.prune_authorize(299).await.unwrap(), 0);
    assert_eq!(store.prune_authorize(301).await.unwrap(), 1);
    assert_eq!(store.get_session(&zone, "s1").await.unwrap(), None);
    store.create_session(&s).await.unwrap();
    store.delete_session(&zone, "s1").await.unwrap();
    assert_eq!(store.get_session(&zone, "s1").await.unwrap(), None);
}

fn approval(client: &str, scope: &str, status: ApprovalStatus, at: i64) -> Approval {
    Approval {
        user_id: "u1".into(),
        client_id: client.into(),
        scope: scope.into(),
        status,
        expires_ms: at + 1000,
        last_modified_ms: at,
    }
}

async fn approvals_are_upserted_listed_and_revoked(store: &SqlStore) {
    let zone = ZoneId::uaa();
    for a in [
        approval("web", "openid", ApprovalStatus::Approved, 1),
        approval("web", "read", ApprovalStatus::Denied, 2),
        approval("cli", "openid", ApprovalStatus::Approved, 3),
    ] {
        store.put_approval(&zone, &a).await.unwrap();
    }
    // The same (user, client, scope) is replaced, not added.
    let again = approval("web", "read", ApprovalStatus::Approved, 4);
    store.put_approval(&zone, &again).await.unwrap();
    let web = store.approvals(&zone, "u1", Some("web")).await.unwrap();
    assert_eq!(
        web,
        vec![
            approval("web", "openid", ApprovalStatus::Approved, 1),
            again
        ]
    );
    assert_eq!(store.approvals(&zone, "u1", None).await.unwrap().len(), 3);
    assert_eq!(store.approvals(&zone, "u2", None).await.unwrap(), vec![]);
    assert_eq!(
        store
            .delete_approvals(&zone, "u1", Some("web"))
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.approvals(&zone, "u1", None).await.unwrap().len(), 1);
    assert_eq!(store.delete_approvals(&zone, "u1", None).await.unwrap(), 1);
}

#[tokio::test]
async fn codes_are_taken_once_on_each_backend() {
    on_each_backend!(codes_are_taken_once);
}

#[tokio::test]
async fn expiring_codes_are_taken_once_and_pruned_on_each_backend() {
    on_each_backend!(expiring_codes_are_taken_once_and_pruned);
}

#[tokio::test]
async fn login_sessions_are_created_updated_and_deleted_on_each_backend() {
    on_each_backend!(sessions_are_created_updated_and_deleted);
}

#[tokio::test]
async fn approvals_are_upserted_listed_and_revoked_on_each_backend() {
    on_each_backend!(approvals_are_upserted_listed_and_revoked);
}
