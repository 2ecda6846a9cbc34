//! `PUT /oauth/clients/{id}/secret` under both policies (reference §1.2), two-secret rotation,
//! `rev_sig` revocation after a change, and the audit trail.

use reqwest::Method;
use serde_json::{Value, json};
use uaa_testkit::{Options, TestServer};

use crate::common::{get, json as body_of, send};

/// Clients and users for the secret scenarios. `target` holds `clients.secret` (it may change
/// only its own secret); `reader` holds `clients.read` (its tokens probe revocation); the `cf`
/// client lets users get tokens with uaa.admin or clients.secret.
fn yaml(require_client_token: bool) -> String {
    format!(
        r#"
issuer:
  uri: http://localhost:8080/uaa
oauth:
  client:
    secret:
      requireClientToken: {require_client_token}
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,clients.admin
    target:
      secret: targetsecret
      authorized-grant-types: client_credentials,password
      authorities: clients.secret,clients.read
      scope: clients.secret,openid
    reader:
      secret: readersecret
      authorized-grant-types: client_credentials
      authorities: clients.read
    cf:
      secret: ''
      authorized-grant-types: password,refresh_token
      scope: uaa.admin,clients.secret,openid
scim:
  users:
    - root|rootpass|root@example.com|Root|User|uaa.admin
    - sec|secpass|sec@example.com|Sec|User|clients.secret
"#
    )
}

async fn server(require_client_token: bool) -> TestServer {
    TestServer::with_yaml(&yaml(require_client_token)).await
}

async fn change(s: &TestServer, token: &str, id: &str, body: Value) -> (u16, Value) {
    send(
        s,
        Method::PUT,
        token,
        &format!("/oauth/clients/{id}/secret"),
        &body,
    )
    .await
}

async fn token_status(s: &TestServer, id: &str, secret: &str) -> u16 {
    s.token_request(id, secret, &[("grant_type", "client_credentials")])
        .await
        .status()
        .as_u16()
}

const ONLY_A_CLIENT: &str = "Only a client can change client secret";

#[tokio::test]
async fn admin_client_token_sets_any_secret_without_the_old_one() {
    let s = server(false).await;
    let admin = s.client_token("admin", "adminsecret").await;
    let (status, body) = change(&s, &admin, "reader", json!({"secret": "newreader"})).await;
    assert_eq!(
        (status, body),
        (200, json!({"status":"ok","message":"secret updated"}))
    );
    assert_eq!(token_status(&s, "reader", "newreader").await, 200);
    assert_eq!(token_status(&s, "reader", "readersecret").await, 401);
}

#[tokio::test]
async fn admin_user_token_sets_a_secret_under_the_default_policy() {
    let s = server(false).await;
    let user = s.password_token("cf", "", "root", "rootpass").await;
    let (status, body) = change(&s, &user, "reader", json!({"secret": "byuser1"})).await;
    assert_eq!(
        (status, body),
        (200, json!({"status":"ok","message":"secret updated"}))
    );
    assert_eq!(token_status(&s, "reader", "byuser1").await, 200);
}

#[tokio::test]
async fn require_client_token_refuses_an_admin_user_token_with_uaas_old_error() {
    let s = server(true).await;
    let user = s.password_token("cf", "", "root", "rootpass").await;
    let (status, body) = change(&s, &user, "reader", json!({"secret": "byuser1"})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error":"invalid_client","error_description": ONLY_A_CLIENT})
    );
    // Nothing changed.
    assert_eq!(token_status(&s, "reader", "readersecret").await, 200);
}

#[tokio::test]
async fn require_client_token_refuses_a_user_token_even_for_its_own_client() {
    let s = server(true).await;
    let user = s
        .password_token("target", "targetsecret", "sec", "secpass")
        .await;
    let (status, body) = change(
        &s,
        &user,
        "target",
        json!({"secret": "newtarget", "oldSecret": "targetsecret"}),
    )
    .await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (400, Some(ONLY_A_CLIENT))
    );
}

#[tokio::test]
async fn require_client_token_still_lets_client_tokens_change_secrets() {
    let s = server(true).await;
    let admin = s.client_token("admin", "adminsecret").await;
    let (status, _) = change(&s, &admin, "reader", json!({"secret": "rotated"})).await;
    assert_eq!(status, 200);
    // The well-known procedure: the client changes its own secret with clients.secret.
    let own = s.client_token("target", "targetsecret").await;
    let (status, body) = change(
        &s,
        &own,
        "target",
        json!({"clientId": "target", "secret": "newtarget", "oldSecret": "targetsecret"}),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"status":"ok","message":"secret updated"}))
    );
    assert_eq!(token_status(&s, "target", "newtarget").await, 200);
    assert_eq!(token_status(&s, "target", "targetsecret").await, 401);
}

#[tokio::test]
async fn secret_holder_needs_a_valid_old_secret() {
    let s = server(false).await;
    let own = s.client_token("target", "targetsecret").await;
    for body in [
        json!({"secret": "x1"}),
        json!({"secret": "x1", "oldSecret": "wrong"}),
    ] {
        let (status, b) = change(&s, &own, "target", body).await;
        assert_eq!(status, 400);
        assert_eq!(
            b,
            json!({"error":"invalid_client","error_description":"Previous secret is required and must be valid"})
        );
    }
    assert_eq!(token_status(&s, "target", "targetsecret").await, 200);
}

#[tokio::test]
async fn secret_holder_cannot_change_another_clients_secret() {
    let s = server(false).await;
    let own = s.client_token("target", "targetsecret").await;
    let (status, b) = change(
        &s,
        &own,
        "reader",
        json!({"secret": "x1", "oldSecret": "readersecret"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        b["error_description"],
        "Bad request. Not permitted to change another client's secret"
    );
}

#[tokio::test]
async fn user_token_of_a_secret_holder_changes_the_secret_of_the_client_it_came_from() {
    let s = server(false).await;
    let user = s
        .password_token("target", "targetsecret", "sec", "secpass")
        .await;
    let (status, _) = change(
        &s,
        &user,
        "target",
        json!({"secret": "viauser", "oldSecret": "targetsecret"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(token_status(&s, "target", "viauser").await, 200);
}

#[tokio::test]
async fn clients_read_alone_cannot_change_a_secret() {
    let s = server(false).await;
    let reader = s.client_token("reader", "readersecret").await;
    let (status, body) = change(&s, &reader, "reader", json!({"secret": "x"})).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"], "insufficient_scope");
    assert_eq!(
        body["scope"],
        "uaa.admin clients.secret clients.admin zones.uaa.admin"
    );
}

#[tokio::test]
async fn unknown_client_gives_404_with_an_empty_body() {
    let s = server(false).await;
    let admin = s.client_token("admin", "adminsecret").await;
    let (status, body) = change(&s, &admin, "nobody", json!({"secret": "x"})).await;
    assert_eq!((status, body), (404, Value::Null));
}

#[tokio::test]
async fn add_and_delete_rotate_with_two_secrets_and_no_downtime() {
    let s = server(false).await;
    let admin = s.client_token("admin", "adminsecret").await;
    let (st, b) = change(
        &s,
        &admin,
        "reader",
        json!({"secret": "second", "changeMode": "ADD"}),
    )
    .await;
    assert_eq!(
        (st, b),
        (200, json!({"status":"ok","message":"Secret is added"}))
    );
    assert_eq!(token_status(&s, "reader", "readersecret").await, 200);
    assert_eq!(token_status(&s, "reader", "second").await, 200);

    let (st, b) = change(
        &s,
        &admin,
        "reader",
        json!({"secret": "third", "changeMode": "ADD"}),
    )
    .await;
    assert_eq!(st, 400);
    assert_eq!(
        b["error_description"],
        "client secret is either empty or client already has two secrets."
    );

    let (st, b) = change(&s, &admin, "reader", json!({"changeMode": "DELETE"})).await;
    assert_eq!(
        (st, b),
        (200, json!({"status":"ok","message":"Secret is deleted"}))
    );
    assert_eq!(token_status(&s, "reader", "readersecret").await, 401);
    assert_eq!(token_status(&s, "reader", "second").await, 200);

    let (st, b) = change(&s, &admin, "reader", json!({"changeMode": "DELETE"})).await;
    assert_eq!(st, 400);
    assert_eq!(
        b["error_description"],
        "client secret is either empty or client has only one secret."
    );
}

#[tokio::test]
async fn a_secret_change_revokes_tokens_issued_before_it() {
    let s = server(false).await;
    let admin = s.client_token("admin", "adminsecret").await;
    let before = s.client_token("reader", "readersecret").await;
    assert_eq!(get(&s, &before, "/oauth/clients/reader").await.0, 200);

    let (st, _) = change(&s, &admin, "reader", json!({"secret": "fresh"})).await;
    assert_eq!(st, 200);
    let (status, body) = get(&s, &before, "/oauth/clients/reader").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_token");

    let after = s.client_token("reader", "fresh").await;
    assert_eq!(get(&s, &after, "/oauth/clients/reader").await.0, 200);
}

#[tokio::test]
async fn rotation_keeps_old_tokens_valid_until_the_old_secret_is_deleted() {
    let s = server(false).await;
    let admin = s.client_token("admin", "adminsecret").await;
    let before = s.client_token("reader", "readersecret").await;
    change(
        &s,
        &admin,
        "reader",
        json!({"secret": "second", "changeMode": "ADD"}),
    )
    .await;
    assert_eq!(get(&s, &before, "/oauth/clients/reader").await.0, 200);
    change(&s, &admin, "reader", json!({"changeMode": "DELETE"})).await;
    assert_eq!(get(&s, &before, "/oauth/clients/reader").await.0, 401);
}

#[tokio::test]
async fn the_secret_policy_applies_to_new_secrets() {
    let yaml = yaml(false).replace(
        "    secret:\n      requireClientToken: false\n",
        "    secret:\n      requireClientToken: false\n      policy:\n        minLength: 8\n        requireDigit: 1\n",
    );
    let s = TestServer::with_yaml(&yaml).await;
    let admin = s.client_token("admin", "adminsecret").await;
    let (st, b) = change(&s, &admin, "reader", json!({"secret": "short"})).await;
    assert_eq!(st, 400);
    assert_eq!(b["error"], "invalid_client");
    assert_eq!(
        b["error_description"],
        "Client Secret must be at least 8 characters in length. Client Secret must contain at least 1 digit characters."
    );
    assert_eq!(token_status(&s, "reader", "readersecret").await, 200);
}

async fn audit_rows(s: &TestServer, principal: &str) -> Vec<(i64, String)> {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", s.db_path.display()))
        .await
        .expect("open db");
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT event_type, event_data FROM sec_audit WHERE principal_id = $1 ORDER BY id",
    )
    .bind(principal)
    .fetch_all(&pool)
    .await
    .expect("audit rows");
    pool.close().await;
    rows
}

#[tokio::test]
async fn every_secret_change_is_audited_as_success_or_failure() {
    let s = server(true).await;
    let admin = s.client_token("admin", "adminsecret").await;
    let user = s.password_token("cf", "", "root", "rootpass").await;
    change(&s, &admin, "reader", json!({"secret": "ok-one"})).await;
    change(&s, &user, "reader", json!({"secret": "refused"})).await;
    let events: Vec<i64> = audit_rows(&s, "reader")
        .await
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| *t == 8 || *t == 9)
        .collect();
    // 8 = SecretChangeSuccess, 9 = SecretChangeFailure (UAA's persisted codes).
    assert_eq!(events, vec![8, 9]);
    for (_, data) in audit_rows(&s, "reader").await {
        assert!(
            !data.contains("ok-one") && !data.contains("refused"),
            "{data}"
        );
    }
}

#[tokio::test]
async fn secrets_are_stored_as_bcrypt_cost_10_hashes() {
    let s = TestServer::start(Options {
        yaml: Some(yaml(false)),
        bcrypt_cost: 10,
    })
    .await;
    let admin = s.client_token("admin", "adminsecret").await;
    change(&s, &admin, "reader", json!({"secret": "hashme-please"})).await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", s.db_path.display()))
        .await
        .unwrap();
    let (hash,): (String,) =
        sqlx::query_as("SELECT client_secret FROM oauth_client_details WHERE client_id='reader'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(hash.starts_with("$2a$10$"), "{hash}");
    assert!(!hash.contains("hashme-please"));
    let (r, _) = body_of(
        s.http
            .get(s.url("/oauth/clients/reader"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r, 200);
}

#[tokio::test]
async fn a_flood_of_wrong_secrets_does_not_stall_token_keys() {
    // bcrypt at UAA's cost runs on a bounded blocking pool: while dozens of wrong secrets are
    // being checked, the async runtime keeps answering requests that need no bcrypt.
    let s = std::sync::Arc::new(
        TestServer::start(Options {
            yaml: Some(yaml(false)),
            bcrypt_cost: 10,
        })
        .await,
    );
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut flood = Vec::new();
    for i in 0..40 {
        let (s, done) = (s.clone(), done.clone());
        flood.push(tokio::spawn(async move {
            let st = token_status(&s, "reader", &format!("wrong-{i}")).await;
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            st
        }));
    }
    // Let the flood reach the server before asking for the keys.
    tokio::task::yield_now().await;
    let r = s.http.get(s.url("/token_keys")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        finished < 40,
        "/token_keys answered only after all {finished} bcrypt checks finished"
    );
    for f in flood {
        assert_eq!(f.await.unwrap(), 401);
    }
}
