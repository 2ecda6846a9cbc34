//! Token revocation and listing (reference §3, UAA `TokenRevocationEndpoint`, pinned by
//! `TokenRevocationEndpointMockMvcTest` and `ListUserTokenMockMvcTests`), and RFC 7009
//! `POST /oauth/revoke`, over HTTP.

use insta::assert_json_snapshot;
use serde_json::{Value, json};
use uaa_testkit::{TestServer, claims};

use crate::common::{admin, get, json as reply};

/// Clients and users of these tests: `admin` (uaa.admin), `revoker` (tokens.revoke),
/// `lister` (tokens.list), `reader` (clients.read only), two user-facing clients and users.
const YAML: &str = "
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin
    revoker:
      secret: revokersecret
      authorized-grant-types: client_credentials
      authorities: tokens.revoke
    lister:
      secret: listersecret
      authorized-grant-types: client_credentials
      authorities: tokens.list
    reader:
      secret: readersecret
      authorized-grant-types: client_credentials
      authorities: clients.read
    web:
      secret: websecret
      authorized-grant-types: password,refresh_token,client_credentials
      scope: openid
      authorities: clients.read
    mobile:
      secret: mobilesecret
      authorized-grant-types: password,refresh_token
      scope: openid
scim:
  users:
    - paul|wombat
    - mary|koala
";

const NOT_FOUND: &str = r#"{"error":"invalid_token","error_description":"Resource not found"}"#;

async fn token(s: &TestServer, client: &str, secret: &str, form: &[(&str, &str)]) -> Value {
    let (status, body) = reply(s.token_request(client, secret, form).await).await;
    assert_eq!(status, 200, "token request: {body}");
    body
}

/// A password grant with `token_format=opaque`: the access token is stored, so deleting rows
/// revokes it.
async fn opaque_user_token(
    s: &TestServer,
    client: &str,
    secret: &str,
    user: &str,
    pw: &str,
) -> Value {
    token(
        s,
        client,
        secret,
        &[
            ("grant_type", "password"),
            ("username", user),
            ("password", pw),
            ("token_format", "opaque"),
        ],
    )
    .await
}

async fn jwt_user_token(s: &TestServer, client: &str, secret: &str, user: &str, pw: &str) -> Value {
    token(
        s,
        client,
        secret,
        &[
            ("grant_type", "password"),
            ("username", user),
            ("password", pw),
        ],
    )
    .await
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// The user id behind a (JWT) access token.
fn user_id(jwt: &str) -> String {
    claims(jwt)["user_id"].as_str().expect("user_id").to_owned()
}

/// `/userinfo`'s status for a token: 200 while it is valid, 401 once revoked.
async fn userinfo(s: &TestServer, token: &str) -> u16 {
    get(s, token, "/userinfo").await.0
}

async fn refresh_status(s: &TestServer, client: &str, secret: &str, rt: &str) -> u16 {
    let r = s
        .token_request(
            client,
            secret,
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    r.status().as_u16()
}

async fn delete(s: &TestServer, token: &str, path: &str) -> (u16, Value) {
    reply(
        s.http
            .delete(s.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request"),
    )
    .await
}

// ------------------------------------------------------------------------------------------
// /oauth/token/revoke/user/{userId}
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn revoking_a_users_tokens_invalidates_their_jwt_access_and_refresh_tokens() {
    let s = TestServer::with_yaml(YAML).await;
    let paul = jwt_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let paul_mobile = jwt_user_token(&s, "mobile", "mobilesecret", "paul", "wombat").await;
    let mary = jwt_user_token(&s, "web", "websecret", "mary", "koala").await;
    let at = str_of(&paul, "access_token");
    assert_eq!(userinfo(&s, at).await, 200);

    let (status, body) = get(
        &s,
        &admin(&s).await,
        &format!("/oauth/token/revoke/user/{}", user_id(at)),
    )
    .await;
    assert_eq!((status, body), (200, Value::Null));

    // A new salt changes rev_sig: every token of the user, for every client, stops working.
    let (status, body) = get(&s, at, "/userinfo").await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"error": "invalid_token", "error_description": "revocable signature mismatch"})
    );
    assert_eq!(
        userinfo(&s, str_of(&paul_mobile, "access_token")).await,
        401
    );
    assert_eq!(
        refresh_status(&s, "web", "websecret", str_of(&paul, "refresh_token")).await,
        401
    );
    // Another user's tokens are untouched, and the user can sign in again.
    assert_eq!(userinfo(&s, str_of(&mary, "access_token")).await, 200);
    let again = jwt_user_token(&s, "web", "websecret", "paul", "wombat").await;
    assert_eq!(userinfo(&s, str_of(&again, "access_token")).await, 200);
}

#[tokio::test]
async fn a_user_may_revoke_their_own_tokens_but_nobody_elses() {
    let s = TestServer::with_yaml(YAML).await;
    let paul = jwt_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let mary = jwt_user_token(&s, "web", "websecret", "mary", "koala").await;
    let paul_at = str_of(&paul, "access_token");
    let mary_id = user_id(str_of(&mary, "access_token"));

    let (status, body) = get(&s, paul_at, &format!("/oauth/token/revoke/user/{mary_id}")).await;
    assert_json_snapshot!("revoke_another_users_tokens", json!([status, body]));
    assert_eq!(userinfo(&s, str_of(&mary, "access_token")).await, 200);

    let (status, _) = get(
        &s,
        paul_at,
        &format!("/oauth/token/revoke/user/{}", user_id(paul_at)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(userinfo(&s, paul_at).await, 401);
}

#[tokio::test]
async fn revoking_the_tokens_of_an_unknown_user_is_404_resource_not_found() {
    let s = TestServer::with_yaml(YAML).await;
    let (status, body) = get(&s, &admin(&s).await, "/oauth/token/revoke/user/nobody").await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        serde_json::from_str::<Value>(NOT_FOUND).expect("json")
    );
}

#[tokio::test]
async fn tokens_revoke_is_enough_to_revoke_a_users_tokens() {
    let s = TestServer::with_yaml(YAML).await;
    let paul = jwt_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let at = str_of(&paul, "access_token");
    let revoker = s.client_token("revoker", "revokersecret").await;
    let (status, _) = get(
        &s,
        &revoker,
        &format!("/oauth/token/revoke/user/{}", user_id(at)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(userinfo(&s, at).await, 401);
}

#[tokio::test]
async fn revocation_endpoints_without_a_token_are_401() {
    let s = TestServer::with_yaml(YAML).await;
    let r = s
        .http
        .get(s.url("/oauth/token/revoke/client/web"))
        .send()
        .await
        .expect("request");
    let (status, body) = reply(r).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthorized");
}

// ------------------------------------------------------------------------------------------
// /oauth/token/revoke/user/{userId}/client/{clientId}
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn revoking_a_user_and_client_pair_deletes_only_that_pairs_stored_tokens() {
    // TokenRevocationEndpointMockMvcTest.test_Revoke_Client_User_Combination_Token.
    let s = TestServer::with_yaml(YAML).await;
    let web_paul = opaque_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let mobile_paul = opaque_user_token(&s, "mobile", "mobilesecret", "paul", "wombat").await;
    let web_mary = opaque_user_token(&s, "web", "websecret", "mary", "koala").await;
    let paul_id = user_id(str_of(
        &jwt_user_token(&s, "web", "websecret", "paul", "wombat").await,
        "access_token",
    ));

    let (status, _) = get(
        &s,
        &admin(&s).await,
        &format!("/oauth/token/revoke/user/{paul_id}/client/web"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(userinfo(&s, str_of(&web_paul, "access_token")).await, 401);
    assert_eq!(
        refresh_status(&s, "web", "websecret", str_of(&web_paul, "refresh_token")).await,
        401
    );
    assert_eq!(
        userinfo(&s, str_of(&mobile_paul, "access_token")).await,
        200
    );
    assert_eq!(userinfo(&s, str_of(&web_mary, "access_token")).await, 200);
}

#[tokio::test]
async fn a_user_may_revoke_the_tokens_of_their_own_user_and_client_pair_only() {
    let s = TestServer::with_yaml(YAML).await;
    let paul = opaque_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let jwt = jwt_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let bearer = str_of(&jwt, "access_token");
    let paul_id = user_id(bearer);

    let (status, body) = get(
        &s,
        bearer,
        &format!("/oauth/token/revoke/user/{paul_id}/client/mobile"),
    )
    .await;
    assert_eq!(status, 403, "another client of the user: {body}");
    assert_eq!(body["scope"], "uaa.admin tokens.revoke");

    let (status, _) = get(
        &s,
        bearer,
        &format!("/oauth/token/revoke/user/{paul_id}/client/web"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(userinfo(&s, str_of(&paul, "access_token")).await, 401);
}

// ------------------------------------------------------------------------------------------
// /oauth/token/revoke/client/{clientId}
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn revoking_a_clients_tokens_changes_its_token_salt_and_deletes_its_stored_tokens() {
    // TokenRevocationEndpointMockMvcTest.test_Revoke_All_Client_Tokens.
    let s = TestServer::with_yaml(YAML).await;
    let web_cc = s.client_token("web", "websecret").await;
    let reader_cc = s.client_token("reader", "readersecret").await;
    let web_user = opaque_user_token(&s, "web", "websecret", "paul", "wombat").await;
    assert_eq!(get(&s, &web_cc, "/oauth/clients").await.0, 200);

    let (status, body) = get(&s, &reader_cc, "/oauth/token/revoke/client/web").await;
    assert_json_snapshot!("revoke_client_without_tokens_revoke", json!([status, body]));
    let (status, body) = get(&s, &admin(&s).await, "/oauth/token/revoke/client/notfound").await;
    assert_eq!((status, body.to_string()), (404, NOT_FOUND.to_owned()));

    let revoker = s.client_token("revoker", "revokersecret").await;
    let (status, _) = get(&s, &revoker, "/oauth/token/revoke/client/web").await;
    assert_eq!(status, 200);

    let (status, body) = get(&s, &web_cc, "/oauth/clients").await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(userinfo(&s, str_of(&web_user, "access_token")).await, 401);
    assert_eq!(
        refresh_status(&s, "web", "websecret", str_of(&web_user, "refresh_token")).await,
        401
    );
    // Other clients are untouched; the client gets working tokens again.
    assert_eq!(get(&s, &reader_cc, "/oauth/clients").await.0, 200);
    let fresh = s.client_token("web", "websecret").await;
    assert_eq!(get(&s, &fresh, "/oauth/clients").await.0, 200);
}

// ------------------------------------------------------------------------------------------
// DELETE /oauth/token/revoke/{tokenId}
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_opaque_token_may_revoke_itself() {
    // TokenRevocationEndpointMockMvcTest.revokeOpaqueTokenWithOpaqueToken.
    let s = TestServer::with_yaml(YAML).await;
    let paul = opaque_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let at = str_of(&paul, "access_token");
    let (status, body) = delete(&s, at, &format!("/oauth/token/revoke/{at}")).await;
    assert_eq!((status, body), (200, Value::Null));
    assert_eq!(userinfo(&s, at).await, 401);
}

#[tokio::test]
async fn tokens_revoke_revokes_another_clients_token_by_id_and_unknown_ids_are_404() {
    // TokenRevocationEndpointMockMvcTest.revokeOtherClientTokenByJti.
    let s = TestServer::with_yaml(YAML).await;
    let paul = opaque_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let target = str_of(&paul, "access_token");
    let revoker = s.client_token("revoker", "revokersecret").await;

    let (status, body) = delete(&s, &revoker, "/oauth/token/revoke/unknown-token-id").await;
    assert_json_snapshot!("revoke_unknown_token_id", json!([status, body]));

    let (status, _) = delete(&s, &revoker, &format!("/oauth/token/revoke/{target}")).await;
    assert_eq!(status, 200);
    assert_eq!(userinfo(&s, target).await, 401);
    // A refresh token is revoked by its id, the value the client holds.
    let rt = str_of(&paul, "refresh_token");
    let (status, _) = delete(&s, &revoker, &format!("/oauth/token/revoke/{rt}")).await;
    assert_eq!(status, 200);
    assert_eq!(refresh_status(&s, "web", "websecret", rt).await, 401);
}

#[tokio::test]
async fn a_client_without_tokens_revoke_cannot_revoke_another_clients_token() {
    // TokenRevocationEndpointMockMvcTest.revokeOtherClientTokenForbidden.
    let s = TestServer::with_yaml(YAML).await;
    let paul = opaque_user_token(&s, "mobile", "mobilesecret", "paul", "wombat").await;
    let target = str_of(&paul, "access_token");
    let reader = s.client_token("reader", "readersecret").await;
    let (status, body) = delete(&s, &reader, &format!("/oauth/token/revoke/{target}")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "insufficient_scope");
    assert_eq!(userinfo(&s, target).await, 200);
}

// ------------------------------------------------------------------------------------------
// /oauth/token/list/…
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn token_lists_of_a_user_and_of_a_client_need_tokens_list_and_hide_the_values() {
    let s = TestServer::with_yaml(YAML).await;
    let paul = opaque_user_token(&s, "web", "websecret", "paul", "wombat").await;
    opaque_user_token(&s, "mobile", "mobilesecret", "paul", "wombat").await;
    opaque_user_token(&s, "web", "websecret", "mary", "koala").await;
    let paul_id = user_id(str_of(
        &jwt_user_token(&s, "web", "websecret", "paul", "wombat").await,
        "access_token",
    ));
    let lister = s.client_token("lister", "listersecret").await;

    let (status, by_user) = get(&s, &lister, &format!("/oauth/token/list/user/{paul_id}")).await;
    assert_eq!(status, 200, "{by_user}");
    let rows = by_user.as_array().expect("an array");
    // Per password grant: an opaque access token and an opaque refresh token; the JWT grant
    // stores its refresh token only.
    assert_eq!(rows.len(), 5, "{by_user}");
    assert!(rows.iter().all(|r| r["userId"] == paul_id.as_str()));
    assert!(rows.iter().all(|r| r["value"].is_null()));
    let opaque_id = str_of(&paul, "access_token");
    let row = rows
        .iter()
        .find(|r| r["tokenId"] == opaque_id)
        .expect("the opaque access token is listed");
    assert_json_snapshot!("listed_access_token", row, {
        ".tokenId" => "[32 hex]",
        ".userId" => "[user id]",
        ".issuedAt" => "[ms]",
        ".expiresAt" => "[ms]",
    });

    let (status, by_client) = get(&s, &lister, "/oauth/token/list/client/mobile").await;
    assert_eq!(status, 200);
    let rows = by_client.as_array().expect("an array");
    assert_eq!(rows.len(), 2, "{by_client}");
    assert!(rows.iter().all(|r| r["clientId"] == "mobile"));
    let mut kinds: Vec<&str> = rows
        .iter()
        .map(|r| r["responseType"].as_str().expect("responseType"))
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["ACCESS_TOKEN", "REFRESH_TOKEN"]);

    let reader = s.client_token("reader", "readersecret").await;
    let (status, body) = get(&s, &reader, "/oauth/token/list/client/mobile").await;
    assert_json_snapshot!("list_without_tokens_list", json!([status, body]));
}

// ------------------------------------------------------------------------------------------
// RFC 7009 POST /oauth/revoke
// ------------------------------------------------------------------------------------------

async fn rfc7009(
    s: &TestServer,
    client: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    reply(
        s.http
            .post(s.url("/oauth/revoke"))
            .basic_auth(client, Some(secret))
            .form(form)
            .send()
            .await
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn rfc7009_revoking_a_refresh_token_ends_it_and_its_clients_stored_access_tokens() {
    let s = TestServer::with_yaml(YAML).await;
    let paul = opaque_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let rt = str_of(&paul, "refresh_token");
    let (status, body) = rfc7009(
        &s,
        "web",
        "websecret",
        &[("token", rt), ("token_type_hint", "refresh_token")],
    )
    .await;
    assert_eq!((status, body), (200, Value::Null));
    assert_eq!(refresh_status(&s, "web", "websecret", rt).await, 401);
    // RFC 7009 §2.1: the access tokens of the same grant go too.
    assert_eq!(userinfo(&s, str_of(&paul, "access_token")).await, 401);
}

#[tokio::test]
async fn rfc7009_revokes_an_opaque_access_token() {
    let s = TestServer::with_yaml(YAML).await;
    let paul = opaque_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let at = str_of(&paul, "access_token");
    let (status, _) = rfc7009(&s, "web", "websecret", &[("token", at)]).await;
    assert_eq!(status, 200);
    assert_eq!(userinfo(&s, at).await, 401);
    assert_eq!(
        refresh_status(&s, "web", "websecret", str_of(&paul, "refresh_token")).await,
        200,
        "revoking an access token leaves the refresh token"
    );
}

#[tokio::test]
async fn rfc7009_answers_200_for_unknown_and_already_revoked_tokens() {
    // RFC 7009 §2.2: an invalid token is not an error.
    let s = TestServer::with_yaml(YAML).await;
    let paul = opaque_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let rt = str_of(&paul, "refresh_token");
    for t in [
        "garbage",
        "0123456789abcdef0123456789abcdef-r",
        "a.b.c",
        rt,
        rt,
    ] {
        let (status, body) = rfc7009(&s, "web", "websecret", &[("token", t)]).await;
        assert_eq!((status, body), (200, Value::Null), "{t}");
    }
}

#[tokio::test]
async fn rfc7009_refusals() {
    let s = TestServer::with_yaml(YAML).await;
    let paul = opaque_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let jwt = jwt_user_token(&s, "web", "websecret", "paul", "wombat").await;
    let mut cases = serde_json::Map::new();
    let (st, b) = rfc7009(
        &s,
        "mobile",
        "mobilesecret",
        &[("token", str_of(&paul, "refresh_token"))],
    )
    .await;
    cases.insert("another client's token".into(), json!([st, b]));
    let (st, b) = rfc7009(
        &s,
        "web",
        "websecret",
        &[("token", str_of(&jwt, "access_token"))],
    )
    .await;
    cases.insert("a JWT that is not revocable".into(), json!([st, b]));
    let (st, b) = rfc7009(
        &s,
        "web",
        "wrong",
        &[("token", str_of(&paul, "refresh_token"))],
    )
    .await;
    cases.insert("bad client credentials".into(), json!([st, b]));
    let (st, b) = rfc7009(&s, "web", "websecret", &[]).await;
    cases.insert("no token".into(), json!([st, b]));
    assert_json_snapshot!("rfc7009_refusals", cases);
    // Nothing was revoked by a refused request.
    assert_eq!(
        refresh_status(&s, "web", "websecret", str_of(&paul, "refresh_token")).await,
        200
    );
}
