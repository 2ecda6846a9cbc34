//! The `urn:ietf:params:oauth:grant-type:jwt-bearer` grant (RFC 7523, reference §2.3–2.4) over
//! HTTP: assertions signed by a test identity provider whose key (a PEM public key, a JWK Set,
//! an EC key) is configured under `login.oauth.providers` in `uaa.yml`; UAA's refusals as
//! `JwtBearerGrantMockMvcTests` and `JwtTokenSignedByThisUAA` pin them.

use insta::assert_json_snapshot;
use serde_json::{Map, Value, json};
use uaa_crypto::SigningKey;
use uaa_testkit::{TestServer, claims};

use crate::common::{get, json as reply};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ISSUER: &str = "https://idp.example.com/oauth2/default";
const RP: &str = "uaa-relying-party";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// A provider entry for `tokenKey` (any string, JSON-quoted so PEM newlines survive) with extra
/// definition lines (already indented by six spaces).
fn provider(alias: &str, token_key: &str, extra: &str) -> String {
    format!(
        "    {alias}:\n      type: oidc1.0\n      issuer: {ISSUER}\n      relyingPartyId: {RP}\n      tokenKey: {}\n      attributeMappings:\n        user_name: email\n{extra}",
        serde_json::to_string(token_key).expect("json")
    )
}

/// A `uaa.yml` with a jwt-bearer client, a client without the grant, an admin for SCIM
/// queries, a pre-created user of origin `okta` in `admin.secret`, and the given providers.
fn yaml(providers: &str) -> String {
    // The entries are written for a four-space base; `providers:` needs them two deeper.
    let providers: String = providers.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        r#"issuer:
  uri: http://localhost:8080/uaa
oauth:
  clients:
    jwt:
      secret: jwtsecret
      authorized-grant-types: {GRANT},refresh_token
      scope: openid,uaa.user,cloud_controller.read,admin.secret
      authorities: uaa.none
    nojwt:
      secret: nojwtsecret
      authorized-grant-types: password
      scope: openid
      authorities: uaa.none
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: scim.read
scim:
  groups:
    admin.secret: A group no default user has
  users:
    - alice@example.com||alice@example.com|Alice|Smith|admin.secret|okta
login:
  url: http://localhost:8080/uaa
  oauth:
    providers:
{providers}"#
    )
}

async fn server_with_pem(key: &SigningKey, extra: &str) -> TestServer {
    TestServer::with_yaml(&yaml(&provider("okta", &key.jwk().value, extra))).await
}

/// Claims of a fresh, valid assertion for `email`.
fn assertion_claims(email: &str) -> Value {
    json!({
        "iss": ISSUER,
        "sub": format!("sub-{email}"),
        "aud": [RP, "someone-else"],
        "email": email,
        "given_name": "Bob",
        "iat": now(),
        "exp": now() + 300,
    })
}

fn sign(key: &SigningKey, claims: &Value) -> String {
    uaa_crypto::sign(key, Map::new(), claims).expect("sign")
}

async fn grant(
    s: &TestServer,
    client: &str,
    secret: &str,
    assertion: Option<&str>,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![("grant_type", GRANT)];
    if let Some(a) = assertion {
        form.push(("assertion", a));
    }
    form.extend_from_slice(extra);
    reply(s.token_request(client, secret, &form).await).await
}

fn access_claims(body: &Value) -> Value {
    claims(
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token: {body}")),
    )
}

// ------------------------------------------------------------------------------------------
// Success
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_valid_assertion_signed_by_a_pem_configured_key_gets_a_token_of_the_mapped_user() {
    let key = SigningKey::generate_rsa("idp-key").unwrap();
    let s = server_with_pem(&key, "").await;
    let a = sign(&key, &assertion_claims("bob@example.com"));
    let (status, body) = grant(&s, "jwt", "jwtsecret", Some(&a), &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["refresh_token"].is_string(), "{body}");
    // UAA's IdTokenGranter gives ID tokens to code, password, implicit and refresh grants only.
    assert!(body.get("id_token").is_none(), "{body}");
    let c = access_claims(&body);
    assert_eq!(c["origin"], "okta");
    assert_eq!(c["user_name"], "bob@example.com");
    assert_eq!(c["email"], "bob@example.com");
    assert_eq!(c["grant_type"], GRANT);
    assert_eq!(c["cid"], "jwt");
    assert_eq!(c["iss"], "http://localhost:8080/uaa/oauth/token");
    // The UAA token verifies against the server's own keys.
    uaa_testkit::verify_rs256(body["access_token"].as_str().unwrap(), &s.jwks().await).unwrap();
}

#[tokio::test]
async fn a_valid_assertion_verified_by_a_jwks_configured_key_gets_a_token() {
    let other = SigningKey::generate_rsa("other").unwrap();
    let key = SigningKey::generate_rsa("idp-key").unwrap();
    let jwks = json!({"keys": [other.jwk(), key.jwk()]}).to_string();
    let s = TestServer::with_yaml(&yaml(&provider("okta", &jwks, ""))).await;
    let (status, body) = grant(
        &s,
        "jwt",
        "jwtsecret",
        Some(&sign(&key, &assertion_claims("carol@example.com"))),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(access_claims(&body)["user_name"], "carol@example.com");
}

#[tokio::test]
async fn an_es256_provider_key_verifies_assertions() {
    let key = SigningKey::generate_ec("ec-key").unwrap();
    let jwk = serde_json::to_string(&key.jwk()).unwrap();
    let s = TestServer::with_yaml(&yaml(&provider("okta", &jwk, ""))).await;
    let (status, body) = grant(
        &s,
        "jwt",
        "jwtsecret",
        Some(&sign(&key, &assertion_claims("dave@example.com"))),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(access_claims(&body)["origin"], "okta");
}

#[tokio::test]
async fn the_shadow_user_is_created_once_and_reused() {
    let key = SigningKey::generate_rsa("idp-key").unwrap();
    let s = server_with_pem(&key, "").await;
    let a = sign(&key, &assertion_claims("erin@example.com"));
    let (_, first) = grant(&s, "jwt", "jwtsecret", Some(&a), &[]).await;
    let (_, second) = grant(&s, "jwt", "jwtsecret", Some(&a), &[]).await;
    let (id1, id2) = (
        access_claims(&first)["user_id"].clone(),
        access_claims(&second)["user_id"].clone(),
    );
    assert!(id1.is_string(), "{first}");
    assert_eq!(id1, id2);
    let admin = s.client_token("admin", "adminsecret").await;
    let (status, users) = get(
        &s,
        &admin,
        "/Users?filter=userName%20eq%20%22erin@example.com%22&attributes=id,origin,emails,name",
    )
    .await;
    assert_eq!(status, 200, "{users}");
    assert_eq!(users["totalResults"], 1, "{users}");
    assert_eq!(users["resources"][0]["id"], id1);
    assert_eq!(users["resources"][0]["origin"], "okta");
    assert_eq!(users["resources"][0]["name"]["givenName"], "Bob");
}

#[tokio::test]
async fn scopes_are_narrowed_to_the_users_groups() {
    let key = SigningKey::generate_rsa("idp-key").unwrap();
    let s = server_with_pem(&key, "").await;
    // A shadow user has the default groups only: admin.secret is dropped.
    let a = sign(&key, &assertion_claims("frank@example.com"));
    let (status, body) = grant(
        &s,
        "jwt",
        "jwtsecret",
        Some(&a),
        &[("scope", "openid admin.secret")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "openid");
    let (status, body) = grant(
        &s,
        "jwt",
        "jwtsecret",
        Some(&a),
        &[("scope", "admin.secret")],
    )
    .await;
    assert_json_snapshot!("jwt_bearer_scope_the_user_lacks", json!([status, body]));
    // The pre-created okta user is in admin.secret.
    let a = sign(&key, &assertion_claims("alice@example.com"));
    let (status, body) = grant(
        &s,
        "jwt",
        "jwtsecret",
        Some(&a),
        &[("scope", "openid admin.secret")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "openid admin.secret");
    assert_eq!(access_claims(&body)["given_name"], Value::Null);
}

#[tokio::test]
async fn without_add_shadow_user_on_login_only_pre_created_users_get_tokens() {
    let key = SigningKey::generate_rsa("idp-key").unwrap();
    let s = server_with_pem(&key, "      addShadowUserOnLogin: false\n").await;
    let ok = sign(&key, &assertion_claims("alice@example.com"));
    let (status, body) = grant(&s, "jwt", "jwtsecret", Some(&ok), &[]).await;
    assert_eq!(status, 200, "{body}");
    let unknown = sign(&key, &assertion_claims("mallory@example.com"));
    let (status, body) = grant(&s, "jwt", "jwtsecret", Some(&unknown), &[]).await;
    assert_json_snapshot!("jwt_bearer_user_not_pre_created", json!([status, body]));
}

// ------------------------------------------------------------------------------------------
// Refusals
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn assertions_that_fail_verification_get_uaas_errors() {
    let key = SigningKey::generate_rsa("idp-key").unwrap();
    let impostor = SigningKey::generate_rsa("idp-key").unwrap();
    let s = server_with_pem(&key, "").await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = assertion_claims("gina@example.com");
        f(&mut c);
        c
    };
    let cases: Vec<(&str, String)> = vec![
        ("missing", String::new()),
        ("not_a_jwt", "not-a-jwt".to_owned()),
        (
            "wrong_signature",
            sign(&impostor, &assertion_claims("gina@example.com")),
        ),
        (
            "unknown_issuer",
            sign(
                &key,
                &with(&|c| c["iss"] = json!("https://evil.example.com")),
            ),
        ),
        (
            "no_issuer",
            sign(
                &key,
                &with(&|c| {
                    c.as_object_mut().unwrap().remove("iss");
                }),
            ),
        ),
        (
            "expired",
            sign(&key, &with(&|c| c["exp"] = json!(now() - 10))),
        ),
        (
            "no_exp",
            sign(
                &key,
                &with(&|c| {
                    c.as_object_mut().unwrap().remove("exp");
                }),
            ),
        ),
        (
            "not_yet_valid",
            sign(&key, &with(&|c| c["nbf"] = json!(now() + 600))),
        ),
        (
            "wrong_audience",
            sign(&key, &with(&|c| c["aud"] = json!("another-rp"))),
        ),
        (
            "no_audience",
            sign(
                &key,
                &with(&|c| {
                    c.as_object_mut().unwrap().remove("aud");
                }),
            ),
        ),
        (
            "no_username_claim",
            sign(
                &key,
                &with(&|c| {
                    c.as_object_mut().unwrap().remove("email");
                }),
            ),
        ),
    ];
    let mut out = Map::new();
    for (name, assertion) in &cases {
        let a = (*name != "missing").then_some(assertion.as_str());
        let (status, body) = grant(&s, "jwt", "jwtsecret", a, &[]).await;
        out.insert((*name).to_owned(), json!([status, body]));
    }
    assert_json_snapshot!("jwt_bearer_refusals", Value::Object(out));
}

#[tokio::test]
async fn a_client_without_the_grant_is_refused_before_the_assertion_is_read() {
    let key = SigningKey::generate_rsa("idp-key").unwrap();
    let s = server_with_pem(&key, "").await;
    let a = sign(&key, &assertion_claims("hank@example.com"));
    let (status, body) = grant(&s, "nojwt", "nojwtsecret", Some(&a), &[]).await;
    assert_json_snapshot!("jwt_bearer_client_without_the_grant", json!([status, body]));
    let (status, body) = grant(&s, "jwt", "wrong", Some(&a), &[]).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "invalid_client");
    // No shadow user was created by the refused request.
    let admin = s.client_token("admin", "adminsecret").await;
    let (_, users) = get(
        &s,
        &admin,
        "/Users?filter=userName%20eq%20%22hank@example.com%22",
    )
    .await;
    assert_eq!(users["totalResults"], 0, "{users}");
}

#[tokio::test]
async fn a_provider_with_only_a_token_key_url_is_accepted_with_a_warning_and_verifies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uaa.yml");
    let entry = format!(
        "    remote:\n      type: oidc1.0\n      issuer: {ISSUER}\n      relyingPartyId: {RP}\n      tokenKeyUrl: https://idp.example.com/keys\n      skipSslValidation: true\n      authUrl: https://idp.example.com/authorize\n"
    );
    std::fs::write(&path, yaml(&entry)).unwrap();
    let cfg = uaa_server::config::load(Some(&path)).unwrap();
    let warnings: Vec<String> = cfg
        .warnings
        .iter()
        .map(|w| w.replace(&path.display().to_string(), "uaa.yml"))
        .collect();
    assert_json_snapshot!("jwt_bearer_token_key_url_warnings", warnings);
    let s = TestServer::with_yaml(&yaml(&entry)).await;
    let key = SigningKey::generate_rsa("k").unwrap();
    let (status, body) = grant(
        &s,
        "jwt",
        "jwtsecret",
        Some(&sign(&key, &assertion_claims("ivy@example.com"))),
        &[],
    )
    .await;
    assert_eq!(
        (status, body["error_description"].clone()),
        (401, json!("Could not verify token signature."))
    );
}

#[test]
fn bad_provider_settings_stop_the_server_with_the_key_and_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uaa.yml");
    let cases = [
        "    p:\n      type: saml\n",
        "    p:\n      issuer: x\n",
        "    p:\n      type: oidc1.0\n      tokenKey: \"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\"\n",
        "    p:\n      type: oidc1.0\n      tokenKey: '{\"kty\":\"RSA\"}'\n",
        "    p:\n      type: oidc1.0\n      addShadowUserOnLogin: maybe\n",
    ];
    let errors: Vec<String> = cases
        .iter()
        .map(|c| {
            std::fs::write(&path, yaml(c)).unwrap();
            uaa_server::config::load(Some(&path))
                .unwrap_err()
                .to_string()
                .replace(&path.display().to_string(), "uaa.yml")
        })
        .collect();
    assert_json_snapshot!("jwt_bearer_bad_provider_settings", errors);
}
