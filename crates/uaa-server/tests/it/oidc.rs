//! OpenID Connect (reference §2.6 ID tokens, §3 `/userinfo` and discovery) and key rotation
//! (§7 `jwt.token.policy.keys`, `activeKeyId`), over HTTP against a real server. Besides the
//! hand-written checks, a relying party nobody here wrote (the `openidconnect` crate, on our
//! reqwest through `uaa_testkit::OidcHttp`) runs discovery, fetches the JWKS and verifies the
//! ID tokens it gets; RSA signatures are also checked with RustCrypto `rsa`, EC ones with
//! RustCrypto `p256` (inside openidconnect), never with the server's aws-lc-rs.

use insta::assert_json_snapshot;
use openidconnect::core::{
    CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    ClientId, ClientSecret, IssuerUrl, Nonce, OAuth2TokenResponse, ResourceOwnerPassword,
    ResourceOwnerUsername, TokenResponse as _,
};
use reqwest::Method;
use serde_json::{Value, json};
use uaa_testkit::{Options, TestServer, claims, verify_rs256, verify_with_jwks};

use crate::common::json as read;

const ISSUER: &str = "http://localhost:8080/uaa";
const TOKEN_ENDPOINT: &str = "http://localhost:8080/uaa/oauth/token";

/// Clients and a user for the OIDC tests: `rp` (a relying party with every OIDC scope),
/// `noid` (no `openid` in its scopes), `svc` (a client whose *authorities* hold `openid`) and
/// `admin` (SCIM and introspection).
const CLIENTS_YAML: &str = "
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: clients.read,scim.read,scim.write,uaa.resource
    rp:
      secret: rpsecret
      authorized-grant-types: password,authorization_code,refresh_token
      scope: openid,profile,roles,user_attributes,uaa.user
      redirect-uri: http://localhost:7000/callback
      autoapprove: true
    noid:
      secret: noidsecret
      authorized-grant-types: password
      scope: uaa.user,profile
    svc:
      secret: svcsecret
      authorized-grant-types: client_credentials
      authorities: openid
scim:
  users:
    - marissa|koala|marissa@test.org|Marissa|Bloggs|uaa.user
";

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// A server with [`CLIENTS_YAML`] and `extra` YAML (keys, issuer) before it.
async fn server(extra: &str) -> TestServer {
    TestServer::with_yaml(&format!("{extra}{CLIENTS_YAML}")).await
}

/// `POST /oauth/token` with Basic credentials: status and body.
async fn token(s: &TestServer, client: &str, secret: &str, form: &[(&str, &str)]) -> (u16, Value) {
    read(s.token_request(client, secret, form).await).await
}

/// A password grant for marissa through `client`, with extra form fields.
async fn marissa(s: &TestServer, client: &str, secret: &str, extra: &[(&str, &str)]) -> Value {
    let mut form = vec![
        ("grant_type", "password"),
        ("username", "marissa"),
        ("password", "koala"),
    ];
    form.extend_from_slice(extra);
    let (status, body) = token(s, client, secret, &form).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no string {k} in {v}"))
}

/// The keys of a JSON object, in order.
fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// Gives marissa a phone number (SCIM PATCH as `admin`) and returns her id.
async fn give_marissa_a_phone(s: &TestServer, user_id: &str) {
    let admin = s.client_token("admin", "adminsecret").await;
    let (status, body) = read(
        s.http
            .patch(s.url(&format!("/Users/{user_id}")))
            .bearer_auth(&admin)
            .header("If-Match", "*")
            .json(&json!({"phoneNumbers": [{"value": "+1 555 0100"}]}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// `GET|POST /userinfo` with an optional bearer token: status, `WWW-Authenticate`, body.
async fn userinfo(
    s: &TestServer,
    method: Method,
    token: Option<&str>,
) -> (u16, Option<String>, Value) {
    let mut rb = s.http.request(method, s.url("/userinfo"));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let r = rb.send().await.expect("userinfo");
    let www = r
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (status, body) = read(r).await;
    (status, www, body)
}

/// `POST /introspect` as the `admin` client (`uaa.resource`): is `token` active?
async fn active(s: &TestServer, token: &str) -> bool {
    let (status, body) = read(
        s.http
            .post(s.url("/introspect"))
            .basic_auth("admin", Some("adminsecret"))
            .form(&[("token", token)])
            .send()
            .await
            .expect("introspect"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["active"].as_bool().expect("active")
}

fn jwt_header(token: &str) -> Value {
    use base64::Engine as _;
    let h = token.split('.').next().expect("a JWT");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(h)
        .expect("base64url");
    serde_json::from_slice(&raw).expect("json")
}

/// A PEM indented for a YAML block scalar at `indent` spaces.
fn indented(pem: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    pem.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// `jwt.token.policy` with `keys` (kid, PEM, signingAlg) and `activeKeyId`.
fn keys_yaml(active: &str, keys: &[(&str, &str, &str)]) -> String {
    let mut y = format!("jwt:\n  token:\n    policy:\n      activeKeyId: {active}\n      keys:\n");
    for (kid, pem, alg) in keys {
        y.push_str(&format!(
            "        {kid}:\n          signingAlg: {alg}\n          signingKey: |\n{}",
            indented(pem, 12)
        ));
    }
    y
}

fn rsa_pem(kid: &str) -> String {
    uaa_crypto::SigningKey::generate_rsa(kid)
        .expect("rsa key")
        .export_signing_key()
}

fn ec_pem(kid: &str) -> String {
    uaa_crypto::SigningKey::generate_ec(kid)
        .expect("ec key")
        .export_signing_key()
}

/// The kids `/token_keys` publishes.
async fn published_kids(s: &TestServer) -> Vec<String> {
    s.jwks().await["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| str_of(k, "kid").to_owned())
        .collect()
}

/// The `openidconnect` relying party `rp` after discovery against `s`.
async fn relying_party(
    s: &TestServer,
) -> (
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    uaa_testkit::OidcHttp,
) {
    let http = s.oidc_http(ISSUER);
    let issuer = IssuerUrl::new(TOKEN_ENDPOINT.to_owned()).expect("issuer URL");
    let meta = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .expect("OIDC discovery and JWKS");
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new("rp".to_owned()),
        Some(ClientSecret::new("rpsecret".to_owned())),
    );
    (client, http)
}

// ------------------------------------------------------------------------------------------
// ID tokens (§2.5, §2.6)
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_password_grant_id_token_carries_every_claim_of_reference_2_6() {
    let s = server("").await;
    let first = marissa(&s, "rp", "rpsecret", &[]).await;
    let user_id = str_of(&claims(str_of(&first, "access_token")), "user_id").to_owned();
    give_marissa_a_phone(&s, &user_id).await;
    // A second sign-in, so that previous_logon_time (the first one) is known.
    let r = marissa(&s, "rp", "rpsecret", &[("nonce", "n-0S6_WzA2Mj")]).await;
    assert_eq!(
        keys(&r),
        [
            "access_token",
            "token_type",
            "id_token",
            "refresh_token",
            "expires_in",
            "scope",
            "jti"
        ]
    );
    let jwks = s.jwks().await;
    let id_token = str_of(&r, "id_token");
    let id = verify_rs256(id_token, &jwks).expect("the ID token verifies");
    let at = verify_rs256(str_of(&r, "access_token"), &jwks).expect("the access token verifies");
    // Signed like access tokens: the active key, UAA's header.
    assert_eq!(jwt_header(id_token), jwt_header(str_of(&r, "access_token")));
    assert_eq!(
        keys(&id),
        [
            "sub",
            "aud",
            "iss",
            "exp",
            "iat",
            "auth_time",
            "amr",
            "azp",
            "nonce",
            "email",
            "email_verified",
            "given_name",
            "family_name",
            "phone_number",
            "previous_logon_time",
            "roles",
            "user_attributes",
            "scope",
            "cid",
            "client_id",
            "grant_type",
            "user_name",
            "user_id",
            "zid",
            "origin",
            "jti",
            "rev_sig"
        ]
    );
    assert_eq!(id["sub"], at["user_id"]);
    assert_eq!(id["user_id"], at["user_id"]);
    assert_eq!(id["aud"], json!(["rp"]));
    assert_eq!(id["iss"], TOKEN_ENDPOINT);
    assert_eq!(id["iat"], at["iat"]);
    assert_eq!(id["exp"], at["exp"]);
    assert_eq!(id["auth_time"], at["auth_time"]);
    // The ID token and the access token of one response share their id (UaaTokenServices).
    assert_eq!(id["jti"], r["jti"]);
    assert_eq!(id["jti"], at["jti"]);
    assert_eq!(id["rev_sig"], at["rev_sig"]);
    let first_logon = claims(str_of(&first, "id_token"))["iat"]
        .as_i64()
        .expect("iat")
        * 1000;
    let previous = id["previous_logon_time"].as_i64().expect("ms");
    assert!(
        (first_logon..first_logon + 1000).contains(&previous),
        "previous_logon_time {previous} is the first sign-in ({first_logon} ms)"
    );
    assert_json_snapshot!(id, {
        ".sub" => "[user id]",
        ".user_id" => "[user id]",
        ".iat" => "[iat]",
        ".exp" => "[iat + 43200]",
        ".auth_time" => "[auth_time]",
        ".previous_logon_time" => "[ms]",
        ".jti" => "[jti]",
        ".rev_sig" => "[rev_sig]",
    });
}

#[tokio::test]
async fn the_first_id_token_of_a_user_has_no_previous_logon_time_and_no_nonce_unless_given() {
    let s = server("").await;
    let r = marissa(&s, "rp", "rpsecret", &[("scope", "openid")]).await;
    let id = claims(str_of(&r, "id_token"));
    assert!(id.get("previous_logon_time").is_none(), "{id}");
    assert!(id.get("nonce").is_none(), "{id}");
    // Without `profile`, `roles` and `user_attributes` their claims stay out
    // (IdTokenCreator.getIfScopeContainsProfile, buildRoles, buildUserAttributes).
    for absent in [
        "given_name",
        "family_name",
        "phone_number",
        "roles",
        "user_attributes",
        "acr",
    ] {
        assert!(id.get(absent).is_none(), "{absent} in {id}");
    }
    assert_eq!(id["amr"], json!(["pwd"]));
    assert_eq!(id["scope"], json!(["openid"]));
    assert_eq!(r["scope"], "openid");
}

#[tokio::test]
async fn an_id_token_needs_openid_in_the_client_scopes_the_granted_scopes_and_a_user_grant() {
    let s = server("").await;
    // The granted scopes lack openid.
    let r = marissa(&s, "rp", "rpsecret", &[("scope", "uaa.user profile")]).await;
    assert!(r.get("id_token").is_none(), "{r}");
    // The client is not registered with openid (the user has it).
    let r = marissa(&s, "noid", "noidsecret", &[]).await;
    assert!(r.get("id_token").is_none(), "{r}");
    // A client token is never accompanied by an ID token, whatever its authorities.
    let (status, r) = token(
        &s,
        "svc",
        "svcsecret",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["scope"], "openid");
    assert!(r.get("id_token").is_none(), "{r}");
}

#[tokio::test]
async fn an_opaque_access_token_still_comes_with_a_jwt_id_token() {
    let s = server("").await;
    let r = marissa(&s, "rp", "rpsecret", &[("token_format", "opaque")]).await;
    let jti = str_of(&r, "jti");
    assert_eq!(str_of(&r, "access_token"), jti);
    let id = verify_rs256(str_of(&r, "id_token"), &s.jwks().await).expect("verifies");
    assert_eq!(id["jti"], jti);
}

#[tokio::test]
async fn claims_excluded_by_configuration_are_left_out_of_id_tokens_too() {
    let s =
        server("jwt:\n  token:\n    claims:\n      exclude:\n        - email\n        - rev_sig\n")
            .await;
    let r = marissa(&s, "rp", "rpsecret", &[]).await;
    let id = claims(str_of(&r, "id_token"));
    assert!(id.get("email").is_none(), "{id}");
    assert!(id.get("rev_sig").is_none(), "{id}");
    assert_eq!(id["user_name"], "marissa");
}

// ------------------------------------------------------------------------------------------
// /userinfo (§3)
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn userinfo_describes_the_tokens_user_for_get_and_post() {
    let s = server("").await;
    let first = marissa(&s, "rp", "rpsecret", &[]).await;
    let user_id = str_of(&claims(str_of(&first, "access_token")), "user_id").to_owned();
    give_marissa_a_phone(&s, &user_id).await;
    let r = marissa(&s, "rp", "rpsecret", &[]).await;
    let tok = str_of(&r, "access_token");
    let (status, _, get) = userinfo(&s, Method::GET, Some(tok)).await;
    assert_eq!(status, 200, "{get}");
    let (status, _, post) = userinfo(&s, Method::POST, Some(tok)).await;
    assert_eq!(status, 200, "{post}");
    assert_eq!(get, post);
    assert_eq!(
        keys(&get),
        [
            "user_id",
            "user_name",
            "given_name",
            "family_name",
            "phone_number",
            "email",
            "email_verified",
            "previous_logon_time",
            "user_attributes",
            "roles",
            "name",
            "sub"
        ]
    );
    assert_eq!(get["user_id"], user_id.as_str());
    assert_eq!(get["sub"], user_id.as_str());
    assert_eq!(get["name"], "Marissa Bloggs");
    assert!(get["previous_logon_time"].is_i64(), "{get}");
    assert_json_snapshot!(get, {
        ".user_id" => "[user id]",
        ".sub" => "[user id]",
        ".previous_logon_time" => "[ms]",
    });
}

#[tokio::test]
async fn userinfo_leaves_out_roles_and_user_attributes_without_their_scopes() {
    let s = server("").await;
    let r = marissa(&s, "rp", "rpsecret", &[("scope", "openid")]).await;
    let (status, _, body) = userinfo(&s, Method::GET, Some(str_of(&r, "access_token"))).await;
    assert_eq!(status, 200, "{body}");
    // A first sign-in: previous_logon_time is present and null (UserInfoResponse's
    // @JsonInclude on it); a user without a phone has no phone_number.
    assert_json_snapshot!(body, {
        ".user_id" => "[user id]",
        ".sub" => "[user id]",
    });
}

#[tokio::test]
async fn userinfo_without_the_openid_scope_is_403_insufficient_scope_naming_openid() {
    let s = server("").await;
    let r = marissa(&s, "rp", "rpsecret", &[("scope", "uaa.user profile")]).await;
    let (status, www, body) = userinfo(&s, Method::GET, Some(str_of(&r, "access_token"))).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        www.as_deref(),
        Some(
            r#"Bearer error="insufficient_scope", error_description="Insufficient scope for this resource", scope="openid""#
        )
    );
    assert_json_snapshot!(body);
}

#[tokio::test]
async fn userinfo_without_a_valid_token_is_401() {
    let s = server("").await;
    let (status, _, none) = userinfo(&s, Method::GET, None).await;
    assert_eq!(status, 401, "{none}");
    let (status, _, garbage) = userinfo(&s, Method::POST, Some("not-a-token")).await;
    assert_eq!(status, 401, "{garbage}");
    assert_json_snapshot!(json!({"no token": none, "garbage": garbage}));
}

#[tokio::test]
async fn userinfo_refuses_a_client_token_holding_openid_with_403() {
    let s = server("").await;
    let tok = s.client_token("svc", "svcsecret").await;
    let (status, _, body) = userinfo(&s, Method::GET, Some(&tok)).await;
    assert_eq!(status, 403, "{body}");
    assert_json_snapshot!(body);
}

// ------------------------------------------------------------------------------------------
// Discovery (§3)
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn discovery_at_both_paths_has_every_field_of_reference_3() {
    let s = TestServer::spawn().await;
    let mut bodies = Vec::new();
    for path in [
        "/.well-known/openid-configuration",
        "/oauth/token/.well-known/openid-configuration",
    ] {
        let r = s.http.get(s.url(path)).send().await.expect("discovery");
        assert_eq!(
            r.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/json;charset=UTF-8"),
            "{path}"
        );
        let (status, body) = read(r).await;
        assert_eq!(status, 200, "{path}: {body}");
        bodies.push(body);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[0]["issuer"], TOKEN_ENDPOINT);
    assert_eq!(
        bodies[0]["claims_supported"].as_array().map(Vec::len),
        Some(23)
    );
    assert_json_snapshot!(bodies[0]);
}

#[tokio::test]
async fn discovery_endpoints_follow_the_configured_issuer_uri() {
    let s = server("issuer:\n  uri: https://login.example.com/uaa/\n").await;
    let (status, body) = read(
        s.http
            .get(s.url("/.well-known/openid-configuration"))
            .send()
            .await
            .expect("discovery"),
    )
    .await;
    assert_eq!(status, 200);
    let urls: Vec<&str> = [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
    ]
    .iter()
    .map(|k| str_of(&body, k))
    .collect();
    assert_eq!(
        urls,
        [
            "https://login.example.com/uaa/oauth/token",
            "https://login.example.com/uaa/oauth/authorize",
            "https://login.example.com/uaa/oauth/token",
            "https://login.example.com/uaa/userinfo",
            "https://login.example.com/uaa/token_keys",
            "https://login.example.com/uaa/logout.do",
        ]
    );
}

#[tokio::test]
async fn discovery_refuses_post_with_405() {
    let s = TestServer::spawn().await;
    let (status, body) = read(
        s.http
            .post(s.url("/.well-known/openid-configuration"))
            .send()
            .await
            .expect("discovery"),
    )
    .await;
    assert_eq!(status, 405, "{body}");
}

// ------------------------------------------------------------------------------------------
// A relying party nobody here wrote: openidconnect
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn openidconnect_discovers_the_server_and_verifies_a_password_grant_id_token() {
    let s = server("").await;
    let (client, http) = relying_party(&s).await;
    let nonce = Nonce::new_random();
    let response = client
        .exchange_password(
            &ResourceOwnerUsername::new("marissa".to_owned()),
            &ResourceOwnerPassword::new("koala".to_owned()),
        )
        .expect("the token endpoint is discovered")
        .add_extra_param("nonce", nonce.secret().clone())
        .request_async(&http)
        .await
        .expect("a token response");
    let id_token = response.id_token().expect("an ID token");
    let c = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("the ID token verifies (signature, iss, aud, exp, nonce)");
    assert_eq!(c.issuer().as_str(), TOKEN_ENDPOINT);
    assert_eq!(
        c.audiences().iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        ["rp"]
    );
    assert_eq!(c.authorized_party().map(|a| a.as_str()), Some("rp"));
    assert_eq!(c.email().map(|e| e.as_str()), Some("marissa@test.org"));
    assert_eq!(c.email_verified(), Some(true));
    assert_eq!(
        c.given_name().and_then(|n| n.get(None)).map(|n| n.as_str()),
        Some("Marissa")
    );
    assert!(c.auth_time().is_some());

    // The same relying party reads /userinfo with the access token.
    let info: CoreUserInfoClaims = client
        .user_info(response.access_token().clone(), Some(c.subject().clone()))
        .expect("the userinfo endpoint is discovered")
        .request_async(&http)
        .await
        .expect("userinfo for the ID token's subject");
    assert_eq!(
        info.name().and_then(|n| n.get(None)).map(|n| n.as_str()),
        Some("Marissa Bloggs")
    );
    assert_eq!(info.email().map(|e| e.as_str()), Some("marissa@test.org"));
}

#[tokio::test]
async fn openidconnect_refuses_an_id_token_with_the_wrong_nonce() {
    let s = server("").await;
    let (client, http) = relying_party(&s).await;
    let response = client
        .exchange_password(
            &ResourceOwnerUsername::new("marissa".to_owned()),
            &ResourceOwnerPassword::new("koala".to_owned()),
        )
        .expect("token endpoint")
        .add_extra_param("nonce", "the-nonce-sent")
        .request_async(&http)
        .await
        .expect("a token response");
    let id_token = response.id_token().expect("an ID token");
    let other = Nonce::new("another-nonce".to_owned());
    assert!(
        id_token
            .claims(&client.id_token_verifier(), &other)
            .is_err()
    );
}

// ------------------------------------------------------------------------------------------
// Key rotation (§7): several keys, activeKeyId, ES256
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn tokens_of_a_retired_key_verify_after_a_restart_until_the_key_is_removed() {
    let (a, b) = (rsa_pem("key-a"), rsa_pem("key-b"));
    let opts = |keys: String| Options {
        yaml: Some(format!("{keys}{CLIENTS_YAML}")),
        ..Options::default()
    };
    let one = TestServer::start(opts(keys_yaml("key-a", &[("key-a", &a, "RS256")]))).await;
    let client_a = one.client_token("admin", "adminsecret").await;
    let user_a = marissa(&one, "rp", "rpsecret", &[]).await;
    let access_a = str_of(&user_a, "access_token").to_owned();
    let id_a = str_of(&user_a, "id_token").to_owned();
    assert_eq!(jwt_header(&client_a)["kid"], "key-a");
    assert_eq!(jwt_header(&id_a)["kid"], "key-a");
    assert_eq!(published_kids(&one).await, ["key-a"]);

    // Restart over the same database with key-b active and key-a still configured.
    let two = TestServer::start_on_database(
        opts(keys_yaml(
            "key-b",
            &[("key-a", &a, "RS256"), ("key-b", &b, "RS256")],
        )),
        &one.db_path,
    )
    .await;
    assert_eq!(published_kids(&two).await, ["key-a", "key-b"]);
    let jwks = two.jwks().await;
    verify_rs256(&id_a, &jwks).expect("key-a is still published");
    assert!(
        active(&two, &client_a).await,
        "a key-a client token verifies"
    );
    assert!(active(&two, &access_a).await, "a key-a user token verifies");
    let (status, _, info) = userinfo(&two, Method::GET, Some(&access_a)).await;
    assert_eq!(status, 200, "{info}");
    let client_b = two.client_token("admin", "adminsecret").await;
    let user_b = marissa(&two, "rp", "rpsecret", &[]).await;
    assert_eq!(jwt_header(&client_b)["kid"], "key-b");
    let id_b = str_of(&user_b, "id_token");
    assert_eq!(jwt_header(id_b)["kid"], "key-b");
    verify_rs256(id_b, &jwks).expect("key-b is published");

    // Restart again with key-a removed: its tokens stop verifying, key-b's keep working.
    let three = TestServer::start_on_database(
        opts(keys_yaml("key-b", &[("key-b", &b, "RS256")])),
        &one.db_path,
    )
    .await;
    assert_eq!(published_kids(&three).await, ["key-b"]);
    assert!(!active(&three, &client_a).await, "key-a is gone");
    assert!(!active(&three, &access_a).await, "key-a is gone");
    let (status, _, refused) = userinfo(&three, Method::GET, Some(&access_a)).await;
    assert_eq!(status, 401, "{refused}");
    assert_eq!(refused["error"], "invalid_token");
    assert!(verify_rs256(&id_a, &three.jwks().await).is_err());
    assert!(active(&three, &client_b).await);
    assert!(active(&three, str_of(&user_b, "access_token")).await);
}

#[tokio::test]
async fn an_es256_key_signs_tokens_that_verify_against_its_published_ec_jwk() {
    let (ec, rsa) = (ec_pem("ec-1"), rsa_pem("rsa-1"));
    let s = server(&keys_yaml(
        "ec-1",
        &[("rsa-1", &rsa, "RS256"), ("ec-1", &ec, "ES256")],
    ))
    .await;
    let jwks = s.jwks().await;
    let ec_jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == "ec-1")
        .expect("the EC key is published")
        .clone();
    assert_eq!(ec_jwk["kty"], "EC");
    assert_eq!(ec_jwk["crv"], "P-256");
    assert_eq!(ec_jwk["alg"], "ES256");
    assert_json_snapshot!(ec_jwk, {
        ".x" => "[x]",
        ".y" => "[y]",
        ".value" => "[public key PEM]",
    });

    let tok = s.client_token("admin", "adminsecret").await;
    let h = jwt_header(&tok);
    assert_eq!(
        (h["alg"].as_str(), h["kid"].as_str()),
        (Some("ES256"), Some("ec-1"))
    );
    let c = verify_with_jwks(&tok, &jwks).expect("verifies with p256 against the EC JWK");
    assert_eq!(c["client_id"], "admin");
    assert!(
        active(&s, &tok).await,
        "the server verifies its ES256 tokens"
    );
    let r = marissa(&s, "rp", "rpsecret", &[]).await;
    verify_with_jwks(str_of(&r, "id_token"), &jwks).expect("the ES256 ID token verifies");

    // Discovery offers ES256 so that relying parties accept it.
    let (_, disco) = read(
        s.http
            .get(s.url("/.well-known/openid-configuration"))
            .send()
            .await
            .expect("discovery"),
    )
    .await;
    assert_eq!(
        disco["id_token_signing_alg_values_supported"],
        json!(["RS256", "HS256", "ES256"])
    );
}

#[tokio::test]
async fn openidconnect_verifies_an_es256_id_token_against_the_published_ec_key() {
    let s = server(&keys_yaml("ec-1", &[("ec-1", &ec_pem("ec-1"), "ES256")])).await;
    let (client, http) = relying_party(&s).await;
    let nonce = Nonce::new_random();
    let response = client
        .exchange_password(
            &ResourceOwnerUsername::new("marissa".to_owned()),
            &ResourceOwnerPassword::new("koala".to_owned()),
        )
        .expect("token endpoint")
        .add_extra_param("nonce", nonce.secret().clone())
        .request_async(&http)
        .await
        .expect("a token response");
    let verifier = client
        .id_token_verifier()
        .set_allowed_algs(vec![CoreJwsSigningAlgorithm::EcdsaP256Sha256]);
    let c = response
        .id_token()
        .expect("an ID token")
        .claims(&verifier, &nonce)
        .expect("the ES256 ID token verifies");
    assert_eq!(c.issuer().as_str(), TOKEN_ENDPOINT);
}

// ------------------------------------------------------------------------------------------
// openidconnect: the authorization-code flow with PKCE through the login form
// ------------------------------------------------------------------------------------------

/// A browser without JavaScript: follows nothing by itself, keeps cookies by name.
struct Browser<'a> {
    s: &'a TestServer,
    cookies: std::collections::BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    fn new(s: &'a TestServer) -> Self {
        Self {
            s,
            cookies: std::collections::BTreeMap::new(),
        }
    }

    /// A path of the server, or a URL under `issuer.uri`, as an address of the test server.
    fn url(&self, target: &str) -> String {
        match target.strip_prefix(ISSUER) {
            Some(rest) => self.s.url(rest),
            None if target.starts_with('/') => self.s.url(target),
            None => target.to_owned(),
        }
    }

    async fn send(&mut self, rb: reqwest::RequestBuilder) -> (u16, Option<String>, String) {
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let rb = rb.header("accept", "text/html");
        let rb = if jar.is_empty() {
            rb
        } else {
            rb.header("cookie", jar.join("; "))
        };
        let r = rb.send().await.expect("browser request");
        for set in r.headers().get_all("set-cookie") {
            let set = set.to_str().expect("ascii cookie");
            let pair = set.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (status, location, r.text().await.expect("body"))
    }

    async fn get(&mut self, target: &str) -> (u16, Option<String>, String) {
        let url = self.url(target);
        self.send(self.s.http.get(url)).await
    }

    async fn post(
        &mut self,
        target: &str,
        form: &[(String, String)],
    ) -> (u16, Option<String>, String) {
        let url = self.url(target);
        self.send(self.s.http.post(url).form(form)).await
    }
}

/// The `name`/`value` pairs of a page's hidden inputs.
fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| {
        let key = format!("{name}=\"");
        tag.find(&key).map(|i| {
            let rest = &tag[i + key.len()..];
            rest[..rest.find('"').unwrap_or(rest.len())]
                .replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&#x27;", "'")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
        })
    };
    html.split("<input")
        .skip(1)
        .filter(|t| t.contains("type=\"hidden\""))
        .filter_map(|t| Some((attr(t, "name")?, attr(t, "value")?)))
        .collect()
}

#[tokio::test]
async fn openidconnect_runs_the_code_flow_with_pkce_through_the_login_form() {
    use openidconnect::core::CoreAuthenticationFlow;
    use openidconnect::{AuthorizationCode, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};

    let s = server("").await;
    let (client, http) = relying_party(&s).await;
    let client = client.set_redirect_uri(
        RedirectUrl::new("http://localhost:7000/callback".to_owned()).expect("redirect URL"),
    );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    assert!(
        auth_url
            .as_str()
            .starts_with(&format!("{ISSUER}/oauth/authorize?"))
    );

    // The browser: authorize → sign-in page → POST /login.do → back to authorize → redirect.
    let mut b = Browser::new(&s);
    let (status, login, _) = b.get(auth_url.as_str()).await;
    assert_eq!(status, 302);
    let login = login.expect("sent to the sign-in page");
    assert!(login.starts_with("/login"), "{login}");
    let (status, _, page) = b.get(&login).await;
    assert_eq!(status, 200, "{page}");
    let mut form = hidden_inputs(&page);
    assert!(form.iter().any(|(k, _)| k == "X-Uaa-Csrf"), "{page}");
    form.push(("username".into(), "marissa".into()));
    form.push(("password".into(), "koala".into()));
    let (status, back, body) = b.post("/login.do", &form).await;
    assert_eq!(status, 302, "{body}");
    let back = back.expect("back to /oauth/authorize");
    assert!(back.starts_with("/oauth/authorize?"), "{back}");
    let (status, callback, body) = b.get(&back).await;
    assert_eq!(status, 302, "{body}");
    let callback = url::Url::parse(&callback.expect("redirect to the client")).expect("URL");
    assert!(
        callback
            .as_str()
            .starts_with("http://localhost:7000/callback?")
    );
    let query: std::collections::BTreeMap<String, String> =
        callback.query_pairs().into_owned().collect();
    assert_eq!(query.get("state"), Some(state.secret()));
    let code = query.get("code").expect("an authorization code").clone();

    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .expect("token endpoint")
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("the code and the PKCE verifier are redeemed");
    let c = response
        .id_token()
        .expect("an ID token")
        .claims(&client.id_token_verifier(), &nonce)
        .expect("the ID token verifies, nonce included");
    assert_eq!(c.issuer().as_str(), TOKEN_ENDPOINT);
    assert_eq!(
        c.given_name().and_then(|n| n.get(None)).map(|n| n.as_str()),
        Some("Marissa")
    );
    let raw = claims(&response.id_token().expect("id token").to_string());
    assert_eq!(raw["grant_type"], "authorization_code");
    assert_eq!(raw["amr"], json!(["pwd"]));
    let info: CoreUserInfoClaims = client
        .user_info(response.access_token().clone(), Some(c.subject().clone()))
        .expect("userinfo endpoint")
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.email().map(|e| e.as_str()), Some("marissa@test.org"));
}

#[tokio::test]
async fn a_refresh_grant_also_returns_an_id_token_with_the_original_auth_time() {
    let s = server("").await;
    let first = marissa(&s, "rp", "rpsecret", &[]).await;
    let (status, r) = token(
        &s,
        "rp",
        "rpsecret",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", str_of(&first, "refresh_token")),
        ],
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let id = verify_rs256(str_of(&r, "id_token"), &s.jwks().await).expect("verifies");
    // UAA's refreshAccessToken keeps the refresh token's grant type (the original grant).
    assert_eq!(id["grant_type"], "password");
    assert_eq!(id["jti"], r["jti"]);
    assert_eq!(
        id["auth_time"],
        claims(str_of(&first, "id_token"))["auth_time"]
    );
}
