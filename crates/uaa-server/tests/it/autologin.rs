//! `/autologin` (uaa-accounts §7): `POST` for a code with the requests cf-uaa-lib's
//! `TokenIssuer#autologin_uri` sends (form body, Basic client credentials without URL
//! encoding, `Accept: application/json`), and the code redeemed at `GET /autologin` and at
//! the authorize URI `autologin_uri` builds, each with UAA's refusals.

use serde_json::{Value, json};
use uaa_testkit::TestServer;

use crate::browser::{Browser, Reply, params_of, query, reply};

const CB: &str = "https://app.example.com/cb";

/// Basic client credentials, if any.
type Basic = Option<(&'static str, &'static str)>;
/// Form fields.
type Form = Vec<(&'static str, &'static str)>;

/// `app` is the trusted client that asks for codes and takes the browser on to
/// `/oauth/authorize`; `other` is a second client, to show a code is bound to the first.
const YAML: &str = "
oauth:
  clients:
    app:
      secret: appsecret
      authorized-grant-types: authorization_code
      scope: openid
      authorities: uaa.none
      redirect-uri: https://app.example.com/cb
      autoapprove: true
    other:
      secret: othersecret
      authorized-grant-types: authorization_code
      scope: openid
      authorities: uaa.none
      redirect-uri: https://other.example.com/cb
      autoapprove: true
scim:
  users:
    - marissa|koala|marissa@test.org|Marissa|Bloggs|uaa.user
";

/// `POST /autologin` as cf-uaa-lib sends it: the credentials form-encoded.
async fn post_autologin(
    s: &TestServer,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> Reply {
    let mut rb = s
        .http
        .post(s.url("/autologin"))
        .header(
            "content-type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .header("accept", "application/json;charset=utf-8")
        .body(query(form));
    if let Some((id, secret)) = basic {
        rb = rb.basic_auth(id, Some(secret));
    }
    reply(rb.send().await.expect("request")).await
}

async fn code(s: &TestServer) -> String {
    let r = post_autologin(
        s,
        Some(("app", "appsecret")),
        &[("username", "marissa"), ("password", "koala")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["code"].as_str().expect("code").to_owned()
}

/// What `autologin_uri(redirect_uri, credentials)` returns for `code`.
fn autologin_uri(code: &str, client_id: &str) -> String {
    format!(
        "/oauth/authorize?{}",
        query(&[
            ("code", code),
            ("client_id", client_id),
            ("response_type", "code"),
            ("redirect_uri", CB),
            ("state", "8c1f2e"),
            ("nonce", "8c1f2e"),
        ])
    )
}

#[tokio::test]
async fn a_code_is_32_characters_and_the_reply_names_the_authorize_path() {
    let s = TestServer::with_yaml(YAML).await;
    let r = post_autologin(
        &s,
        Some(("app", "appsecret")),
        &[("username", "marissa"), ("password", "koala")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = r.json();
    assert_eq!(body["path"], "/oauth/authorize");
    let code = body["code"].as_str().expect("code");
    assert_eq!(code.len(), 32);
    assert_eq!(
        body.as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["code".to_owned(), "path".to_owned()])
    );
    // JSON bodies are read too (AutologinRequestConverter).
    let r = reply(
        s.http
            .post(s.url("/autologin"))
            .basic_auth("app", Some("appsecret"))
            .json(&json!({"username": "marissa", "password": "koala"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_ne!(r.json()["code"], code);
}

#[tokio::test]
async fn posting_for_a_code_refuses_bad_client_or_user_credentials_with_401() {
    let s = TestServer::with_yaml(YAML).await;
    let user = [("username", "marissa"), ("password", "koala")];
    let cases: Vec<(Basic, Form, Value)> = vec![
        (
            None,
            user.to_vec(),
            json!({"error": "unauthorized", "error_description": "An Authentication object was not found in the SecurityContext"}),
        ),
        (
            Some(("app", "wrong")),
            user.to_vec(),
            json!({"error": "invalid_client", "error_description": "Bad credentials"}),
        ),
        (
            Some(("app", "appsecret")),
            vec![("password", "koala")],
            json!({"error": "invalid_client", "error_description": "No username in request"}),
        ),
        (
            Some(("app", "appsecret")),
            vec![("username", "marissa")],
            json!({"error": "invalid_client", "error_description": "No password in request"}),
        ),
        (
            Some(("app", "appsecret")),
            vec![("username", "marissa"), ("password", "wrong")],
            json!({"error": "invalid_client", "error_description": "Bad credentials"}),
        ),
        (
            Some(("app", "appsecret")),
            vec![("username", "nobody"), ("password", "koala")],
            json!({"error": "invalid_client", "error_description": "Bad credentials"}),
        ),
    ];
    for (basic, form, expected) in cases {
        let r = post_autologin(&s, basic, &form).await;
        assert_eq!(r.status, 401, "{basic:?} {form:?}: {}", r.body);
        assert_eq!(r.json(), expected, "{basic:?} {form:?}");
        let challenge = r.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Basic realm=\"UAA/client\""),
            "{challenge}"
        );
    }
}

#[tokio::test]
async fn cf_uaa_libs_autologin_uri_signs_the_browser_in_and_returns_a_code_to_the_client() {
    let s = TestServer::with_yaml(YAML).await;
    let code = code(&s).await;
    let mut b = Browser::new(&s);
    let r = b.get(&autologin_uri(&code, "app")).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let location = r.location();
    assert!(location.starts_with(CB), "{location}");
    let back = params_of(&location, false);
    assert_eq!(back.get("state").map(String::as_str), Some("8c1f2e"));
    let auth_code = back.get("code").expect("authorization code").clone();
    // The session and a CSRF cookie were set, as UAA's autologin chain does.
    assert!(b.jar.contains_key("JSESSIONID"), "{:?}", b.jar);
    assert!(b.jar.contains_key("X-Uaa-Csrf"), "{:?}", b.jar);
    // The browser stays signed in.
    let home = b.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("marissa"), "{}", home.body);
    // The client redeems the authorization code for marissa's tokens.
    let t = reply(
        s.http
            .post(s.url("/oauth/token"))
            .basic_auth("app", Some("appsecret"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &auth_code),
                ("redirect_uri", CB),
            ])
            .send()
            .await
            .expect("token"),
    )
    .await;
    assert_eq!(t.status, 200, "{}", t.body);
    let token = t.json()["access_token"].as_str().expect("token").to_owned();
    assert_eq!(uaa_testkit::claims(&token)["user_name"], "marissa");
}

#[tokio::test]
async fn get_autologin_signs_the_browser_in_and_goes_home() {
    let s = TestServer::with_yaml(YAML).await;
    let code = code(&s).await;
    let mut b = Browser::new(&s);
    let r = b
        .get(&format!(
            "/autologin?{}",
            query(&[("code", &code), ("client_id", "app")])
        ))
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    assert_eq!(r.location(), "home");
    let home = b.get("/home").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("marissa"), "{}", home.body);
    // Without a code there is nothing to sign in with.
    let mut stranger = Browser::new(&s);
    let r = stranger.get("/autologin").await;
    assert_eq!((r.status, r.location()), (302, "home".to_owned()));
    assert!(!stranger.jar.contains_key("JSESSIONID"));
}

#[tokio::test]
async fn a_code_is_spent_by_its_first_use_even_a_failed_one() {
    let s = TestServer::with_yaml(YAML).await;
    let redeem = |code: String, client: &'static str| {
        let s = &s;
        async move {
            let r = s
                .http
                .get(s.url(&format!(
                    "/autologin?{}",
                    query(&[("code", &code), ("client_id", client)])
                )))
                .header("accept", "application/json")
                .send()
                .await
                .expect("request");
            reply(r).await
        }
    };
    // Another client's code: refused, and burnt.
    let c = code(&s).await;
    let r = redeem(c.clone(), "other").await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"error": "unauthorized", "error_description": "Cannot redeem provided code for user, client mismatch"})
    );
    let r = redeem(c, "app").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"error": "expired_code", "error_description": "Expired code"})
    );
    // A used code, and one that never existed, are both "Expired code".
    let c = code(&s).await;
    assert_eq!(redeem(c.clone(), "app").await.status, 302);
    for spent in [c, "x".repeat(32)] {
        let r = redeem(spent, "app").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["error"], "expired_code");
    }
    // Without client_id the code does not match its client either.
    let c = code(&s).await;
    let r = reply(
        s.http
            .get(s.url(&format!("/autologin?code={c}")))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(
        r.json()["error_description"],
        "Cannot redeem provided code for user, client mismatch"
    );
}

#[tokio::test]
async fn a_bad_code_on_the_authorize_uri_is_refused_and_nobody_is_signed_in() {
    let s = TestServer::with_yaml(YAML).await;
    let c = code(&s).await;
    let mut b = Browser::new(&s);
    let r = b.get(&autologin_uri(&c, "other")).await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(r.body.contains("client mismatch"), "{}", r.body);
    assert!(!b.jar.contains_key("JSESSIONID"));
    let r = b.get(&autologin_uri(&c, "app")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Expired code"), "{}", r.body);
    assert!(!b.jar.contains_key("JSESSIONID"));
}
