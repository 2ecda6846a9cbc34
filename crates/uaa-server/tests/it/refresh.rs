//! The `refresh_token` and `user_token` grants (reference §2.4): opaque and JWT refresh
//! tokens, narrowing, `rev_sig`, expiry on a moved clock, `jwt.token.refresh.{format, rotate,
//! unique, restrict_grant}`, and UAA's `RefreshTokenMockMvcTests` / `UserTokenMockMvcTests`
//! rules, over HTTP.

use std::sync::Arc;

use insta::assert_json_snapshot;
use serde_json::{Value, json};
use uaa_core::clock::FixedClock;
use uaa_testkit::{TestServer, claims};

use crate::common::{admin, get, json as reply, send};

/// `POST /oauth/token` with Basic credentials.
async fn token(s: &TestServer, client: &str, secret: &str, form: &[(&str, &str)]) -> (u16, Value) {
    reply(s.token_request(client, secret, form).await).await
}

/// A password grant; panics unless it succeeds. Returns the whole body.
async fn password(s: &TestServer, client: &str, secret: &str, user: &str, pw: &str) -> Value {
    password_with(s, client, secret, user, pw, &[]).await
}

async fn password_with(
    s: &TestServer,
    client: &str,
    secret: &str,
    user: &str,
    pw: &str,
    extra: &[(&str, &str)],
) -> Value {
    let mut form = vec![
        ("grant_type", "password"),
        ("username", user),
        ("password", pw),
    ];
    form.extend_from_slice(extra);
    let (status, body) = token(s, client, secret, &form).await;
    assert_eq!(status, 200, "password grant: {body}");
    body
}

/// `grant_type=refresh_token` for `refresh` with extra parameters.
async fn refresh(
    s: &TestServer,
    client: &str,
    secret: &str,
    refresh: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", refresh)];
    form.extend_from_slice(extra);
    token(s, client, secret, &form).await
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}"))
}

fn is_opaque_refresh(t: &str) -> bool {
    t.strip_suffix("-r")
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// The `error`/`error_description` pair of a refused request, with its status.
fn refusal(status: u16, body: &Value) -> Value {
    json!([status, body])
}

// ------------------------------------------------------------------------------------------
// Redeeming
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn refresh_grant_returns_a_new_access_token_and_the_same_opaque_refresh_token() {
    let s = TestServer::spawn().await;
    let first = password(&s, "cf", "", "marissa", "koala").await;
    let rt = str_of(&first, "refresh_token");
    assert!(is_opaque_refresh(rt), "{rt}");

    let (status, body) = refresh(&s, "cf", "", rt, &[]).await;
    assert_eq!(status, 200, "{body}");
    // Without rotation UAA hands back the refresh token it was given.
    assert_eq!(body["refresh_token"], rt);
    assert_ne!(body["access_token"], first["access_token"]);
    assert_json_snapshot!("refresh_grant_body", body, {
        ".access_token" => "[jwt]",
        ".id_token" => "[jwt]",
        ".refresh_token" => "[32 hex]-r",
        ".jti" => "[jti]",
        ".expires_in" => "[43199]",
    });

    let before = claims(str_of(&first, "access_token"));
    let after = claims(str_of(&body, "access_token"));
    // UaaTokenServices.refreshAccessToken: the grant type, user, auth_time and aud of the
    // original grant; a refresh token that is revocable (opaque) makes the access token
    // revocable too.
    assert_eq!(after["grant_type"], "password");
    assert_eq!(after["revocable"], true);
    for claim in [
        "sub",
        "user_id",
        "user_name",
        "auth_time",
        "aud",
        "scope",
        "rev_sig",
    ] {
        assert_eq!(after[claim], before[claim], "{claim}");
    }
    assert_ne!(after["jti"], before["jti"]);
    assert_json_snapshot!("refreshed_access_token_claims", after, {
        ".jti" => "[jti]",
        ".sub" => "[user id]",
        ".user_id" => "[user id]",
        ".auth_time" => "[auth_time]",
        ".rev_sig" => "[rev_sig]",
        ".iat" => "[iat]",
        ".exp" => "[iat + 43200]",
        ".aud" => insta::sorted_redaction(),
        ".scope" => insta::sorted_redaction(),
    });

    // The new access token works as a bearer token, and the refresh token still redeems.
    let (status, body2) = get(&s, str_of(&body, "access_token"), "/userinfo").await;
    assert_eq!(status, 200, "{body2}");
    let (status, _) = refresh(&s, "cf", "", rt, &[]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn refresh_grant_with_a_narrower_scope_issues_only_that_scope() {
    let s = TestServer::spawn().await;
    let first = password(&s, "cf", "", "marissa", "koala").await;
    let rt = str_of(&first, "refresh_token");
    let (status, body) = refresh(&s, "cf", "", rt, &[("scope", "openid uaa.user")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "openid uaa.user");
    let c = claims(str_of(&body, "access_token"));
    assert_eq!(c["scope"], json!(["openid", "uaa.user"]));
}

#[tokio::test]
async fn refresh_grant_with_a_scope_beyond_the_refresh_token_is_400_invalid_scope() {
    let s = TestServer::spawn().await;
    let first = password_with(
        &s,
        "cf",
        "",
        "marissa",
        "koala",
        &[("scope", "openid uaa.user")],
    )
    .await;
    let rt = str_of(&first, "refresh_token");
    // cloud_controller.read is the client's and the user's, but not the refresh token's.
    let (status, body) = refresh(
        &s,
        "cf",
        "",
        rt,
        &[("scope", "openid cloud_controller.read")],
    )
    .await;
    assert_json_snapshot!("refresh_scope_beyond_the_token", refusal(status, &body));
}

#[tokio::test]
async fn refresh_grant_by_another_client_is_400_invalid_grant_wrong_client() {
    let s = TestServer::spawn().await;
    let first = password(&s, "cf", "", "marissa", "koala").await;
    let (status, body) = refresh(
        &s,
        "app",
        "appclientsecret",
        str_of(&first, "refresh_token"),
        &[],
    )
    .await;
    assert_json_snapshot!("refresh_by_another_client", refusal(status, &body));
}

#[tokio::test]
async fn refresh_grant_refuses_missing_unknown_and_non_refresh_tokens_with_401_invalid_token() {
    let s = TestServer::spawn().await;
    let first = password(&s, "cf", "", "marissa", "koala").await;
    let access = str_of(&first, "access_token");
    let mut cases = serde_json::Map::new();
    let (st, b) = token(&s, "cf", "", &[("grant_type", "refresh_token")]).await;
    cases.insert("missing".into(), refusal(st, &b));
    let (st, b) = refresh(&s, "cf", "", "0123456789abcdef0123456789abcdef-r", &[]).await;
    cases.insert("unknown opaque".into(), refusal(st, &b));
    // RefreshTokenMockMvcTests.refreshTokenGrant_rejectsAccessTokens_*.
    let (st, b) = refresh(&s, "cf", "", access, &[]).await;
    cases.insert("an access token".into(), refusal(st, &b));
    let (st, b) = refresh(&s, "cf", "", "a.b.c", &[]).await;
    assert_eq!(st, 401, "a garbage JWT: {b}");
    assert_eq!(b["error"], "invalid_token");
    assert_json_snapshot!("refresh_refusals", cases);
}

#[tokio::test]
async fn a_refresh_token_is_not_a_bearer_token() {
    let s = TestServer::spawn().await;
    let first = password(&s, "cf", "", "marissa", "koala").await;
    let (status, body) = get(&s, str_of(&first, "refresh_token"), "/Users").await;
    // AccessTokenValidation.validateJtiValue.
    assert_eq!(
        refusal(status, &body),
        json!([401, {"error": "invalid_token", "error_description": "Invalid access token."}])
    );
}

#[tokio::test]
async fn refresh_grant_with_token_format_opaque_returns_an_opaque_access_token() {
    let s = TestServer::spawn().await;
    let first = password(&s, "cf", "", "marissa", "koala").await;
    let (status, body) = refresh(
        &s,
        "cf",
        "",
        str_of(&first, "refresh_token"),
        &[("token_format", "opaque")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let at = str_of(&body, "access_token");
    assert_eq!(at, str_of(&body, "jti"));
    assert!(!at.contains('.'), "{at}");
    let (status, body) = get(&s, at, "/userinfo").await;
    assert_eq!(
        status, 200,
        "the opaque token works as a bearer token: {body}"
    );
}

#[tokio::test]
async fn refresh_token_grant_needs_the_refresh_token_grant_on_the_client() {
    // RefreshTokenMockMvcTests.refreshTokenGrantType_requiresAuthorizedGrantType.
    let s = TestServer::with_yaml(
        "
oauth:
  clients:
    withrefresh:
      secret: s1
      authorized-grant-types: password,refresh_token
      scope: openid
    passwordonly:
      secret: s2
      authorized-grant-types: password
      scope: openid
scim:
  users:
    - paul|wombat
",
    )
    .await;
    let first = password(&s, "withrefresh", "s1", "paul", "wombat").await;
    let (status, body) = refresh(
        &s,
        "passwordonly",
        "s2",
        str_of(&first, "refresh_token"),
        &[],
    )
    .await;
    assert_eq!(
        refusal(status, &body),
        json!([401, {"error": "invalid_client", "error_description": "Unauthorized grant type"}])
    );
}

// ------------------------------------------------------------------------------------------
// Revocation through rev_sig, the user's groups, expiry
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_password_change_revokes_the_users_refresh_tokens() {
    let s = TestServer::spawn().await;
    let first = password(&s, "cf", "", "marissa", "koala").await;
    let rt = str_of(&first, "refresh_token");
    let at = str_of(&first, "access_token");
    let uid = claims(at)["user_id"].as_str().expect("user_id").to_owned();
    let (status, body) = send(
        &s,
        reqwest::Method::PUT,
        at,
        &format!("/Users/{uid}/password"),
        &json!({"oldPassword": "koala", "password": "koala2"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = refresh(&s, "cf", "", rt, &[]).await;
    assert_eq!(
        refusal(status, &body),
        json!([401, {"error": "invalid_token", "error_description": "revocable signature mismatch"}])
    );
}

#[tokio::test]
async fn a_client_secret_change_revokes_the_clients_refresh_tokens() {
    let s = TestServer::with_yaml(
        "
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,clients.secret
    webapp:
      secret: oldsecret
      authorized-grant-types: password,refresh_token
      scope: openid
scim:
  users:
    - paul|wombat
",
    )
    .await;
    let first = password(&s, "webapp", "oldsecret", "paul", "wombat").await;
    let rt = str_of(&first, "refresh_token");
    assert_eq!(refresh(&s, "webapp", "oldsecret", rt, &[]).await.0, 200);
    let (status, body) = send(
        &s,
        reqwest::Method::PUT,
        &admin(&s).await,
        "/oauth/clients/webapp/secret",
        &json!({"secret": "newsecret"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = refresh(&s, "webapp", "newsecret", rt, &[]).await;
    assert_eq!(
        refusal(status, &body),
        json!([401, {"error": "invalid_token", "error_description": "revocable signature mismatch"}])
    );
}

#[tokio::test]
async fn a_group_the_user_lost_is_not_granted_again_on_refresh() {
    let s = TestServer::with_yaml(
        "
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,scim.read,scim.write
    dashboard:
      secret: dashboardsecret
      authorized-grant-types: password,refresh_token
      scope: reports.read,openid
scim:
  groups:
    reports.read: Read reports
  users:
    - reader|readerpw|reader@example.com|Rea|Der|reports.read
",
    )
    .await;
    let first = password(&s, "dashboard", "dashboardsecret", "reader", "readerpw").await;
    assert_eq!(first["scope"], "reports.read openid");
    let rt = str_of(&first, "refresh_token");
    let uid = claims(str_of(&first, "access_token"))["user_id"]
        .as_str()
        .expect("user_id")
        .to_owned();
    let adm = admin(&s).await;
    let (_, groups) = get(
        &s,
        &adm,
        "/Groups?filter=displayName%20eq%20%22reports.read%22",
    )
    .await;
    let gid = groups["resources"][0]["id"]
        .as_str()
        .expect("group id")
        .to_owned();
    let (status, body) = send(
        &s,
        reqwest::Method::DELETE,
        &adm,
        &format!("/Groups/{gid}/members/{uid}"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = refresh(&s, "dashboard", "dashboardsecret", rt, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "openid");
    let (status, body) = refresh(
        &s,
        "dashboard",
        "dashboardsecret",
        rt,
        &[("scope", "reports.read")],
    )
    .await;
    assert_json_snapshot!("refresh_scope_the_user_lost", refusal(status, &body));
}

/// A development-mode (or `yaml`-configured) server whose clock the test moves. It starts at
/// the real time: the store keeps only rows that have not expired by the wall clock.
struct ClockedServer {
    base: String,
    http: reqwest::Client,
    clock: FixedClock,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ClockedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ClockedServer {
    async fn start(yaml: Option<&str>) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = match yaml {
            Some(y) => {
                let path = dir.path().join("uaa.yml");
                std::fs::write(&path, y).expect("write uaa.yml");
                uaa_server::config::load(Some(&path)).expect("valid uaa.yml")
            }
            None => uaa_server::config::load(None).expect("development config"),
        };
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("uaa.db").display());
        let store = uaa_store::SqlStore::connect(&url).await.expect("store");
        let tuning = uaa_server::bootstrap::Tuning {
            bcrypt_cost: 4,
            ..uaa_server::bootstrap::Tuning::default()
        };
        let mut state = uaa_server::bootstrap::build_state(&cfg, store, &tuning)
            .await
            .expect("state");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        // On a whole second, so a token's `exp` (seconds) is exactly reachable.
        let clock = FixedClock::at_millis(i64::try_from(now * 1000).expect("millis"));
        state.deps.clock = Arc::new(clock.clone());
        let router = uaa_server::routes::router(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            clock,
            _dir: dir,
            task,
        }
    }

    async fn token(&self, client: &str, secret: &str, form: &[(&str, &str)]) -> (u16, Value) {
        reply(
            self.http
                .post(format!("{}/oauth/token", self.base))
                .basic_auth(client, Some(secret))
                .form(form)
                .send()
                .await
                .expect("request"),
        )
        .await
    }
}

#[tokio::test]
async fn an_expired_refresh_token_is_401_invalid_token() {
    let s = ClockedServer::start(None).await;
    let (_, first) = s
        .token(
            "cf",
            "",
            &[
                ("grant_type", "password"),
                ("username", "marissa"),
                ("password", "koala"),
            ],
        )
        .await;
    let rt = str_of(&first, "refresh_token").to_owned();
    let redeem = [
        ("grant_type", "refresh_token"),
        ("refresh_token", rt.as_str()),
    ];
    // The zone's refresh-token validity: 30 days (§2.7).
    s.clock.advance_secs(2_592_000);
    let (status, body) = s.token("cf", "", &redeem).await;
    assert_eq!(status, 200, "the last second of its life: {body}");
    s.clock.advance_secs(1);
    let (status, body) = s.token("cf", "", &redeem).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "invalid_token");
    let d = str_of(&body, "error_description");
    assert!(d.starts_with("Invalid refresh token expired at "), "{d}");
}

// ------------------------------------------------------------------------------------------
// jwt.token.refresh.*
// ------------------------------------------------------------------------------------------

const PAUL: &str = "
scim:
  users:
    - paul|wombat
";

fn refresh_yaml(settings: &str) -> String {
    format!(
        "jwt:\n  token:\n    refresh:\n{settings}\noauth:\n  clients:\n    webapp:\n      secret: websecret\n      authorized-grant-types: password,refresh_token\n      scope: openid,uaa.offline_token\n{PAUL}"
    )
}

#[tokio::test]
async fn rotate_issues_a_new_refresh_token_and_the_old_one_stops_working() {
    let s = TestServer::with_yaml(&refresh_yaml("      rotate: true")).await;
    let first = password(&s, "webapp", "websecret", "paul", "wombat").await;
    let old = str_of(&first, "refresh_token").to_owned();
    let (status, body) = refresh(&s, "webapp", "websecret", &old, &[]).await;
    assert_eq!(status, 200, "{body}");
    let new = str_of(&body, "refresh_token").to_owned();
    assert!(is_opaque_refresh(&new), "{new}");
    assert_ne!(new, old);
    let (status, body) = refresh(&s, "webapp", "websecret", &old, &[]).await;
    assert_eq!(
        refusal(status, &body),
        json!([401, {"error": "invalid_token",
            "error_description": "The token expired, was revoked, or the token ID is incorrect."}])
    );
    let (status, body) = refresh(&s, "webapp", "websecret", &new, &[]).await;
    assert_eq!(status, 200, "the rotated token redeems: {body}");
}

#[tokio::test]
async fn unique_keeps_only_the_newest_refresh_token_of_a_client_and_user() {
    // RefreshTokenMockMvcTests.opaque_refresh_unique_tokens_count.
    let s = TestServer::with_yaml(&refresh_yaml("      unique: true")).await;
    let first = password(&s, "webapp", "websecret", "paul", "wombat").await;
    let second = password(&s, "webapp", "websecret", "paul", "wombat").await;
    let (status, _) = refresh(
        &s,
        "webapp",
        "websecret",
        str_of(&first, "refresh_token"),
        &[],
    )
    .await;
    assert_eq!(status, 401, "the older refresh token was deleted");
    let (status, body) = refresh(
        &s,
        "webapp",
        "websecret",
        str_of(&second, "refresh_token"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn without_unique_every_refresh_token_of_a_client_and_user_redeems() {
    let s = TestServer::spawn().await;
    let first = password(&s, "cf", "", "marissa", "koala").await;
    let second = password(&s, "cf", "", "marissa", "koala").await;
    assert_ne!(first["refresh_token"], second["refresh_token"]);
    for b in [&first, &second] {
        assert_eq!(
            refresh(&s, "cf", "", str_of(b, "refresh_token"), &[])
                .await
                .0,
            200
        );
    }
}

#[tokio::test]
async fn restrict_grant_issues_refresh_tokens_only_with_uaa_offline_token() {
    let s = TestServer::with_yaml(&refresh_yaml("      restrict_grant: true")).await;
    let without = password_with(
        &s,
        "webapp",
        "websecret",
        "paul",
        "wombat",
        &[("scope", "openid")],
    )
    .await;
    assert!(without.get("refresh_token").is_none(), "{without}");
    // uaa.offline_token is one of UAA's default user groups, so the client's default scopes
    // include it.
    let with = password(&s, "webapp", "websecret", "paul", "wombat").await;
    assert_eq!(with["scope"], "openid uaa.offline_token");
    let rt = str_of(&with, "refresh_token");
    let (status, body) = refresh(&s, "webapp", "websecret", rt, &[("scope", "openid")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "openid");
}

#[tokio::test]
async fn jwt_format_refresh_tokens_are_signed_jwts_that_redeem_without_being_stored() {
    let s = TestServer::with_yaml(&refresh_yaml("      format: jwt")).await;
    let first = password(&s, "webapp", "websecret", "paul", "wombat").await;
    let rt = str_of(&first, "refresh_token");
    let c = uaa_testkit::verify_rs256(rt, &s.jwks().await).expect("a JWT signed by the server");
    assert!(c["jti"].as_str().is_some_and(|j| j.ends_with("-r")), "{c}");
    assert_eq!(c["cid"], "webapp");
    assert_eq!(c["grant_type"], "password");
    assert!(
        c.get("revocable").is_none(),
        "not stored, so not revocable: {c}"
    );
    assert_json_snapshot!(
        "jwt_refresh_token_claim_names",
        c.as_object().expect("claims").keys().collect::<Vec<_>>()
    );
    let (status, body) = refresh(&s, "webapp", "websecret", rt, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refresh_token"], rt);
    let at = claims(str_of(&body, "access_token"));
    assert!(at.get("revocable").is_none(), "{at}");
}

// ------------------------------------------------------------------------------------------
// user_token (UserTokenMockMvcTests)
// ------------------------------------------------------------------------------------------

const USER_TOKEN_YAML: &str = "
oauth:
  clients:
    requester:
      secret: requestersecret
      authorized-grant-types: password,user_token,client_credentials
      scope: uaa.user
      authorities: uaa.user
    recipient:
      secret: recipientsecret
      authorized-grant-types: password,refresh_token
      scope: uaa.user,test.scope
      autoapprove: true
    unapproved:
      secret: unapprovedsecret
      authorized-grant-types: password,refresh_token
      scope: uaa.user,test.scope
    nousertoken:
      secret: nousertokensecret
      authorized-grant-types: password
      scope: uaa.user
scim:
  groups:
    test.scope: A test scope
  users:
    - tester|testerpw|tester@example.com|Tes|Ter|test.scope
";

async fn user_token(s: &TestServer, bearer: &str, form: &[(&str, &str)]) -> (u16, Value) {
    reply(
        s.http
            .post(s.url("/oauth/token"))
            .bearer_auth(bearer)
            .form(form)
            .send()
            .await
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn user_token_grant_returns_a_refresh_token_for_the_recipient_and_no_access_token() {
    let s = TestServer::with_yaml(USER_TOKEN_YAML).await;
    let requester = password_with(
        &s,
        "requester",
        "requestersecret",
        "tester",
        "testerpw",
        &[("scope", "uaa.user")],
    )
    .await;
    let (status, body) = user_token(
        &s,
        str_of(&requester, "access_token"),
        &[
            ("grant_type", "user_token"),
            ("client_id", "recipient"),
            ("scope", "test.scope"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let rt = str_of(&body, "refresh_token").to_owned();
    assert!(is_opaque_refresh(&rt), "{rt}");
    assert_eq!(body["jti"], rt.as_str());
    assert_eq!(body["access_token"], Value::Null);
    assert_json_snapshot!("user_token_body", body, {
        ".refresh_token" => "[32 hex]-r",
        ".jti" => "[32 hex]-r",
        ".expires_in" => "[43199]",
    });

    // The recipient redeems it for an access token with the granted scope.
    let (status, body) = refresh(&s, "recipient", "recipientsecret", &rt, &[]).await;
    assert_eq!(status, 200, "{body}");
    let c = claims(str_of(&body, "access_token"));
    assert_eq!(c["cid"], "recipient");
    assert_eq!(c["grant_type"], "user_token");
    assert_eq!(c["user_name"], "tester");
    assert_eq!(c["scope"], json!(["test.scope"]));
}

#[tokio::test]
async fn user_token_grant_refusals_follow_user_token_mock_mvc_tests() {
    let s = TestServer::with_yaml(USER_TOKEN_YAML).await;
    let form = [
        ("grant_type", "user_token"),
        ("client_id", "recipient"),
        ("scope", "test.scope"),
    ];
    let mut cases = serde_json::Map::new();

    // client_credentials_token: a client token, even with uaa.user, has no user.
    let client_token = s.client_token("requester", "requestersecret").await;
    let (st, b) = user_token(&s, &client_token, &form).await;
    cases.insert("a client token".into(), refusal(st, &b));

    // invalid_grant_type: the requesting client lacks user_token.
    let no_grant = password(&s, "nousertoken", "nousertokensecret", "tester", "testerpw").await;
    let (st, b) = user_token(&s, str_of(&no_grant, "access_token"), &form).await;
    cases.insert("requester without user_token".into(), refusal(st, &b));

    // The receiving client must hold refresh_token.
    let requester = password_with(
        &s,
        "requester",
        "requestersecret",
        "tester",
        "testerpw",
        &[("scope", "uaa.user")],
    )
    .await;
    let bearer = str_of(&requester, "access_token");
    let (st, b) = user_token(
        &s,
        bearer,
        &[("grant_type", "user_token"), ("client_id", "nousertoken")],
    )
    .await;
    cases.insert("recipient without refresh_token".into(), refusal(st, &b));

    // Client authentication instead of a bearer token: no user behind the request.
    let (st, b) = token(
        &s,
        "requester",
        "requestersecret",
        &[("grant_type", "user_token")],
    )
    .await;
    cases.insert("basic client authentication".into(), refusal(st, &b));

    let (st, b) = user_token(&s, "not-a-token", &form).await;
    cases.insert("an unknown bearer token".into(), refusal(st, &b));
    assert_json_snapshot!("user_token_refusals", cases);
}

#[tokio::test]
async fn user_token_grant_needs_a_bearer_token_with_uaa_user() {
    let s = TestServer::with_yaml(
        "
oauth:
  clients:
    requester:
      secret: requestersecret
      authorized-grant-types: password,user_token
      scope: openid
    recipient:
      secret: recipientsecret
      authorized-grant-types: password,refresh_token
      scope: openid
scim:
  users:
    - tester|testerpw
",
    )
    .await;
    let requester = password(&s, "requester", "requestersecret", "tester", "testerpw").await;
    let (status, body) = user_token(
        &s,
        str_of(&requester, "access_token"),
        &[("grant_type", "user_token"), ("client_id", "recipient")],
    )
    .await;
    assert_json_snapshot!("user_token_without_uaa_user", refusal(status, &body));
}

#[tokio::test]
async fn a_refresh_token_from_another_grant_than_password_needs_the_users_approvals() {
    // ApprovalService.ensureRequiredApprovals: scopes neither auto-approved by the client nor
    // approved by the user are refused at each refresh.
    let s = TestServer::with_yaml(USER_TOKEN_YAML).await;
    let requester = password_with(
        &s,
        "requester",
        "requestersecret",
        "tester",
        "testerpw",
        &[("scope", "uaa.user")],
    )
    .await;
    let (status, body) = user_token(
        &s,
        str_of(&requester, "access_token"),
        &[
            ("grant_type", "user_token"),
            ("client_id", "unapproved"),
            ("scope", "test.scope"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = refresh(
        &s,
        "unapproved",
        "unapprovedsecret",
        str_of(&body, "refresh_token"),
        &[],
    )
    .await;
    assert_json_snapshot!("refresh_without_approvals", refusal(status, &body));
}

// ------------------------------------------------------------------------------------------
// Public clients (§2.2)
// ------------------------------------------------------------------------------------------

/// RFC 7636 Appendix B.
const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const SPA_CB: &str = "http://localhost:7000/cb";

const PUBLIC_YAML: &str = "
oauth:
  clients:
    cli:
      secret: clisecret
      authorized-grant-types: password
      scope: uaa.user,openid
    spa:
      secret: spasecret
      authorized-grant-types: authorization_code,refresh_token,password
      scope: openid
      autoapprove: true
      redirect-uri: http://localhost:7000/cb
      allowpublic: true
scim:
  users:
    - paul|wombat
";

/// `POST /oauth/token` without any client authentication, as a public client sends it.
async fn public_token(s: &TestServer, form: &[(&str, &str)]) -> (u16, Value) {
    reply(
        s.http
            .post(s.url("/oauth/token"))
            .form(form)
            .send()
            .await
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn a_public_client_always_rotates_its_refresh_tokens() {
    let s = TestServer::with_yaml(PUBLIC_YAML).await;
    // A code for spa through the stateless /oauth/authorize variant (a bearer user token).
    let bearer = s.password_token("cli", "clisecret", "paul", "wombat").await;
    let r = s
        .http
        .get(s.url("/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "spa"),
            ("redirect_uri", SPA_CB),
            ("code_challenge", PKCE_CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .bearer_auth(&bearer)
        .send()
        .await
        .expect("authorize");
    assert_eq!(r.status(), 302, "{:?}", r.text().await);
    let location = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .expect("a code")
        .to_owned();
    let (status, first) = public_token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "spa"),
            ("code", &code),
            ("redirect_uri", SPA_CB),
            ("code_verifier", PKCE_VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let old = str_of(&first, "refresh_token").to_owned();

    let redeem = |rt: String| {
        let s = &s;
        async move {
            public_token(
                s,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", "spa"),
                    ("refresh_token", &rt),
                ],
            )
            .await
        }
    };
    let (status, body) = redeem(old.clone()).await;
    assert_eq!(status, 200, "{body}");
    let new = str_of(&body, "refresh_token").to_owned();
    assert_ne!(new, old, "rotated although jwt.token.refresh.rotate is off");
    assert_eq!(
        claims(str_of(&body, "access_token"))["client_auth_method"],
        "none"
    );
    assert_eq!(redeem(old).await.0, 401, "the old refresh token is gone");
    assert_eq!(redeem(new).await.0, 200);
}

#[tokio::test]
async fn a_public_client_cannot_refresh_a_token_issued_with_its_secret() {
    let s = TestServer::with_yaml(PUBLIC_YAML).await;
    let first = password(&s, "spa", "spasecret", "paul", "wombat").await;
    let (status, body) = public_token(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "spa"),
            ("refresh_token", str_of(&first, "refresh_token")),
        ],
    )
    .await;
    assert_eq!(
        refusal(status, &body),
        json!([401, {"error": "invalid_token",
            "error_description": "Refresh without client authentication not allowed."}])
    );
    // With its secret the client refreshes as usual, without rotation.
    let (status, body) =
        refresh(&s, "spa", "spasecret", str_of(&first, "refresh_token"), &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refresh_token"], first["refresh_token"]);
}
