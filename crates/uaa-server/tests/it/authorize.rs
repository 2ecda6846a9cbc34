//! `/oauth/authorize`, the login and approval pages, the `authorization_code` grant with PKCE,
//! public clients, the stateless variants and `/approvals` (reference §2.2, §2.4, §3), over HTTP
//! with redirects disabled. A small cookie-keeping `Browser` plays the user: it reads the hidden
//! CSRF fields from the pages and posts the forms a person would.
//!
//! Expected values come from the reference and UAA's code (`UaaAuthorizationEndpoint`,
//! `PkceValidationService`, `AuthorizationCodeTokenGranter`, `ApprovalsAdminEndpoints`), not
//! from this server. The PKCE pair is RFC 7636 Appendix B's.

#![allow(
    clippy::expect_used,
    reason = "test helpers, like the tests themselves, fail loudly on a broken server"
)]

use std::collections::BTreeMap;
use std::sync::Arc;

use insta::assert_json_snapshot;
use serde_json::{Value, json};
use uaa_core::clock::FixedClock;
use uaa_testkit::{TestServer, claims, verify_rs256};

use crate::browser::{Browser, Reply, enc, hidden, params_of, query, reply};

/// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const WEBAPP_CB: &str = "https://app.example.com/callback";
const UAAC_CB: &str = "https://uaa.cloudfoundry.com/redirect/cf";

/// `webapp` (confidential, asks for consent except for openid), `spa` (public), `cf` (uaac's
/// implicit client with its redirect), `login` (the cf CLI's code client), `hybrid`, `pwonly`
/// (cannot redirect at all), `approver` (a password client with `oauth.approvals`).
const YAML: &str = "
oauth:
  clients:
    webapp:
      secret: websecret
      authorized-grant-types: authorization_code,refresh_token
      scope: openid,cloud_controller.read,cloud_controller.write
      authorities: uaa.none
      redirect-uri: https://app.example.com/callback,http://localhost:7777/**
      autoapprove: openid
      name: Example Web App
    spa:
      authorized-grant-types: authorization_code,refresh_token
      scope: openid,cloud_controller.read
      authorities: uaa.none
      redirect-uri: http://127.0.0.1:5555/cb
      allowpublic: true
      autoapprove: true
    cf:
      secret: ''
      authorized-grant-types: implicit,password,refresh_token
      scope: openid,cloud_controller.read,cloud_controller.write,uaa.user
      authorities: uaa.none
      redirect-uri: https://uaa.cloudfoundry.com/redirect/cf
      autoapprove: true
    login:
      secret: loginsecret
      authorized-grant-types: authorization_code,client_credentials
      scope: openid,oauth.approvals,cloud_controller.read
      authorities: oauth.login,oauth.approvals
      redirect-uri: https://uaa.cloudfoundry.com/redirect/cf
      autoapprove: true
    hybrid:
      secret: hybridsecret
      authorized-grant-types: implicit,authorization_code
      scope: openid,cloud_controller.read
      authorities: uaa.none
      redirect-uri: https://hybrid.example.com/cb
      autoapprove: true
    pwonly:
      secret: pwsecret
      authorized-grant-types: password
      scope: openid
      redirect-uri: https://pw.example.com/cb
    approver:
      secret: approversecret
      authorized-grant-types: password
      scope: oauth.approvals,openid
scim:
  users:
    - marissa|koala|marissa@test.org|Marissa|Bloggs|uaa.user
    - locky|lockypw|locky@test.org|Lo|Cky|uaa.user
";

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// `/oauth/authorize?…`.
fn authorize_path(pairs: &[(&str, &str)]) -> String {
    format!("/oauth/authorize?{}", query(pairs))
}

fn webapp_code_request(extra: &[(&str, &str)]) -> String {
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", "webapp"),
        ("redirect_uri", WEBAPP_CB),
        ("state", "af0ifjsldkj"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    p.extend_from_slice(extra);
    authorize_path(&p)
}

async fn token(s: &TestServer, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> Reply {
    let mut rb = s.http.post(s.url("/oauth/token")).form(form);
    if let Some((id, secret)) = basic {
        rb = rb.basic_auth(id, Some(secret));
    }
    reply(rb.send().await.expect("token request")).await
}

/// An API caller (no cookies, JSON).
async fn api(s: &TestServer, rb: reqwest::RequestBuilder) -> Reply {
    let _ = s;
    reply(rb.send().await.expect("request")).await
}

/// Signs in as marissa and walks `path` to the client's redirect (approving when asked).
async fn code_for(b: &mut Browser<'_>, path: &str) -> String {
    let mut r = b.get(path).await;
    if r.status == 200 {
        r = approve_all(b, &r.body).await;
    }
    assert_eq!(r.status, 302, "{}", r.body);
    let loc = r.location();
    params_of(&loc, false)
        .get("code")
        .unwrap_or_else(|| panic!("no code in {loc}"))
        .clone()
}

/// Submits an approval page with every scope checked.
async fn approve_all(b: &mut Browser<'_>, page: &str) -> Reply {
    let csrf = hidden(page, "X-Uaa-Csrf");
    let mut form: Vec<(String, String)> = vec![
        ("user_oauth_approval".into(), "true".into()),
        ("X-Uaa-Csrf".into(), csrf),
    ];
    let mut i = 0;
    while page.contains(&format!("name=\"scope.{i}\"")) {
        form.push((format!("scope.{i}"), hidden(page, &format!("scope.{i}"))));
        i += 1;
    }
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post("/oauth/authorize", &refs).await
}

async fn signed_in<'a>(s: &'a TestServer) -> Browser<'a> {
    let mut b = Browser::new(s);
    let r = b.sign_in("marissa", "koala").await;
    assert_eq!(r.status, 302, "{}", r.body);
    b
}

async fn server() -> TestServer {
    TestServer::with_yaml(YAML).await
}

// ------------------------------------------------------------------------------------------
// The whole code flow with PKCE, through the login form and the approval page
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn code_flow_with_pkce_goes_through_login_consent_and_the_token_endpoint() {
    let s = server().await;
    let mut b = Browser::new(&s);
    let start = webapp_code_request(&[("scope", "openid cloud_controller.read")]);

    // 1. No session: the browser is sent to the sign-in page, which will return here.
    let r = b.get(&start).await;
    assert_eq!(r.status, 302);
    let login = r.location();
    assert_eq!(
        params_of(&login, false)["form_redirect_uri"],
        start,
        "{login}"
    );
    assert!(login.starts_with("/login?"), "{login}");

    // 2. The sign-in page: the zone, labelled fields, the CSRF token and the return path.
    let page = b.get(&login).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html;charset=UTF-8"));
    assert!(page.body.contains("<h1>uaa</h1>"), "{}", page.body);
    assert!(page.body.contains("<label for=\"username\">"));
    assert!(page.body.contains("<label for=\"password\">"));
    assert_eq!(hidden(&page.body, "form_redirect_uri"), start);
    let csrf_cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("X-Uaa-Csrf="))
        .expect("csrf cookie");
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"));

    // 3. Signing in sets the session cookie and returns to the authorization request.
    let csrf = hidden(&page.body, "X-Uaa-Csrf");
    let r = b
        .post(
            "/login.do",
            &[
                ("username", "marissa"),
                ("password", "koala"),
                ("X-Uaa-Csrf", &csrf),
                ("form_redirect_uri", &start),
            ],
        )
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    assert_eq!(r.location(), start);
    let session_cookie = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("JSESSIONID="))
        .expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session_cookie.contains(attr), "{session_cookie}");
    }
    assert!(!session_cookie.contains("Secure"), "the issuer is http");

    // 4. cloud_controller.read needs the user's approval (openid is auto-approved).
    let consent = b.get(&r.location()).await;
    assert_eq!(consent.status, 200, "{}", consent.body);
    assert!(consent.body.contains("Authorize Example Web App"));
    assert!(
        consent
            .body
            .contains("value=\"scope.cloud_controller.read\"")
    );
    assert!(!consent.body.contains("value=\"scope.openid\""));

    // 5. Approving sends the browser to the client with a code and the state.
    let r = approve_all(&mut b, &consent.body).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let back = r.location();
    assert!(back.starts_with(&format!("{WEBAPP_CB}?")), "{back}");
    let p = params_of(&back, false);
    assert_eq!(p["state"], "af0ifjsldkj");
    let code = p["code"].clone();

    // 6. The token endpoint redeems the code with the verifier.
    let r = token(
        &s,
        Some(("webapp", "websecret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEBAPP_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = r.json();
    assert_eq!(body["scope"], "openid cloud_controller.read");
    assert!(body["refresh_token"].is_string());
    let access = body["access_token"].as_str().expect("access token");
    let c = verify_rs256(access, &s.jwks().await).expect("verifies");
    assert_eq!(c["grant_type"], "authorization_code");
    assert_eq!(c["user_name"], "marissa");
    assert_eq!(c["client_id"], "webapp");
    assert_eq!(c["scope"], json!(["openid", "cloud_controller.read"]));
    assert!(c.get("client_auth_method").is_none());

    // 7. A code is good once.
    let again = token(
        &s,
        Some(("webapp", "websecret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEBAPP_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(again.status, 400);
    assert_eq!(
        again.json(),
        json!({"error": "invalid_grant", "error_description": format!("Invalid authorization code: {code}")})
    );

    // 8. The approval is remembered: the next request goes straight back with a code.
    let r = b.get(&start).await;
    assert_eq!(r.status, 302, "{}", r.body);
    assert!(params_of(&r.location(), false).contains_key("code"));
}

#[tokio::test]
async fn code_flow_without_pkce_and_without_a_redirect_uri_uses_the_only_registration() {
    let s = TestServer::with_yaml(
        "
oauth:
  clients:
    one:
      secret: onesecret
      authorized-grant-types: authorization_code
      scope: openid
      redirect-uri: https://one.example.com/cb
      autoapprove: true
scim:
  users:
    - marissa|koala|marissa@test.org|Marissa|Bloggs|uaa.user
",
    )
    .await;
    let mut b = signed_in(&s).await;
    let code = code_for(
        &mut b,
        &authorize_path(&[("response_type", "code"), ("client_id", "one")]),
    )
    .await;
    // No redirect_uri was sent, so none is required at the token endpoint.
    let r = token(
        &s,
        Some(("one", "onesecret")),
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

// ------------------------------------------------------------------------------------------
// Errors for the user's eyes (never redirected)
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_clients_and_unregistered_redirects_are_errors_not_redirects() {
    let s = server().await;
    let mut cases = Vec::new();
    for path in [
        authorize_path(&[("response_type", "code"), ("client_id", "nope")]),
        authorize_path(&[("response_type", "code")]),
        authorize_path(&[
            ("response_type", "code"),
            ("client_id", "webapp"),
            ("redirect_uri", "https://evil.example.com/callback"),
        ]),
        authorize_path(&[("response_type", "code"), ("client_id", "webapp")]),
        authorize_path(&[
            ("response_type", "code"),
            ("client_id", "webapp"),
            ("redirect_uri", "https://app.example.com.evil.com/callback"),
        ]),
        authorize_path(&[
            ("response_type", "token"),
            ("client_id", "pwonly"),
            ("redirect_uri", "https://pw.example.com/cb"),
        ]),
    ] {
        let r = api(&s, s.http.get(s.url(&path))).await;
        assert!(r.header("location").is_none(), "{path} redirected");
        cases.push(json!([path, r.status, r.json()]));
    }
    assert_json_snapshot!(cases);
}

#[tokio::test]
async fn browsers_get_the_error_as_an_html_page() {
    let s = server().await;
    let mut b = Browser::new(&s);
    let r = b
        .get(&authorize_path(&[
            ("response_type", "code"),
            ("client_id", "webapp"),
            ("redirect_uri", "https://evil.example.com/<x>"),
        ]))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("text/html;charset=UTF-8"));
    assert!(r.body.contains("role=\"alert\""));
    assert!(r.body.contains(
        "Invalid redirect https://evil.example.com/&lt;x&gt; did not match one of the registered values"
    ));
    assert!(!r.body.contains("<x>"));
}

// ------------------------------------------------------------------------------------------
// Errors sent back to the client
// ------------------------------------------------------------------------------------------

/// The error parameters of a redirect to `prefix`.
fn redirected_error(r: &Reply, prefix: &str, fragment: bool) -> BTreeMap<String, String> {
    assert_eq!(r.status, 302, "{}", r.body);
    let loc = r.location();
    assert!(loc.starts_with(prefix), "{loc}");
    assert_eq!(loc.contains('#'), fragment, "{loc}");
    params_of(&loc, fragment)
}

#[tokio::test]
async fn request_errors_after_a_valid_redirect_go_back_to_the_client() {
    let s = server().await;
    let mut cases = BTreeMap::new();
    let long = "a".repeat(129);
    let short = "a".repeat(42);
    for (name, pairs) in [
        (
            "unsupported_response_type",
            vec![("response_type", "code foo")],
        ),
        ("missing_response_type", vec![("response_type", "")]),
        (
            "challenge_too_short",
            vec![
                ("response_type", "code"),
                ("code_challenge", short.as_str()),
            ],
        ),
        (
            "challenge_too_long",
            vec![("response_type", "code"), ("code_challenge", long.as_str())],
        ),
        (
            "challenge_bad_character",
            vec![
                ("response_type", "code"),
                (
                    "code_challenge",
                    "+23456789012345678901234567890123456789012345",
                ),
            ],
        ),
        (
            "unsupported_challenge_method",
            vec![
                ("response_type", "code"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S512"),
            ],
        ),
        (
            "invalid_scope",
            vec![("response_type", "code"), ("scope", "openid scim.write")],
        ),
        ("implicit_not_allowed", vec![("response_type", "token")]),
    ] {
        let mut p = vec![
            ("client_id", "webapp"),
            ("redirect_uri", WEBAPP_CB),
            ("state", "st-1"),
        ];
        p.extend(pairs);
        let r = api(&s, s.http.get(s.url(&authorize_path(&p)))).await;
        let fragment = name == "implicit_not_allowed";
        cases.insert(name, redirected_error(&r, WEBAPP_CB, fragment));
    }
    assert_json_snapshot!(cases);
}

#[tokio::test]
async fn pkce_challenges_of_43_and_128_characters_are_accepted() {
    let s = server().await;
    for len in [43, 128] {
        let c = "A".repeat(len);
        let r = api(
            &s,
            s.http.get(s.url(&authorize_path(&[
                ("response_type", "code"),
                ("client_id", "webapp"),
                ("redirect_uri", WEBAPP_CB),
                ("code_challenge", &c),
            ]))),
        )
        .await;
        assert_eq!(r.status, 302);
        assert!(
            r.location().starts_with("/login?"),
            "{len}: {}",
            r.location()
        );
    }
}

#[tokio::test]
async fn prompt_none_answers_login_required_or_interaction_required_without_a_page() {
    let s = server().await;
    // No session: login_required, in the query for a code and in the fragment for a token.
    let r = api(
        &s,
        s.http
            .get(s.url(&webapp_code_request(&[("prompt", "none")]))),
    )
    .await;
    let p = redirected_error(&r, WEBAPP_CB, false);
    assert_eq!(p["error"], "login_required");
    assert_eq!(p["state"], "af0ifjsldkj");
    let r = api(
        &s,
        s.http.get(s.url(&authorize_path(&[
            ("response_type", "token"),
            ("client_id", "cf"),
            ("redirect_uri", UAAC_CB),
            ("prompt", "none"),
        ]))),
    )
    .await;
    assert_eq!(
        redirected_error(&r, UAAC_CB, true)["error"],
        "login_required"
    );
    // A session, but scopes still to approve: interaction_required.
    let mut b = signed_in(&s).await;
    let r = b
        .get(&webapp_code_request(&[
            ("prompt", "none"),
            ("scope", "cloud_controller.read"),
        ]))
        .await;
    let p = redirected_error(&r, WEBAPP_CB, false);
    assert_eq!(p["error"], "interaction_required");
    // Auto-approved scopes need no interaction.
    let r = b
        .get(&webapp_code_request(&[
            ("prompt", "none"),
            ("scope", "openid"),
        ]))
        .await;
    assert!(params_of(&r.location(), false).contains_key("code"));
}

#[tokio::test]
async fn prompt_login_ends_the_session_and_asks_again() {
    let s = server().await;
    let mut b = signed_in(&s).await;
    let old = b.jar.get("JSESSIONID").cloned().expect("session");
    let r = b
        .get(&webapp_code_request(&[
            ("prompt", "login"),
            ("scope", "openid"),
        ]))
        .await;
    assert_eq!(r.status, 302);
    let login = r.location();
    assert!(login.starts_with("/login?"), "{login}");
    // After signing in again the request continues without `prompt=login`.
    let back = params_of(&login, false)["form_redirect_uri"].clone();
    assert!(!back.contains("prompt"), "{back}");
    assert!(!b.jar.contains_key("JSESSIONID"), "the cookie is cleared");
    // The old session is gone on the server too.
    let mut stale = Browser::new(&s);
    stale.jar.insert("JSESSIONID".into(), old);
    let r = stale
        .get(&webapp_code_request(&[("scope", "openid")]))
        .await;
    assert!(r.location().starts_with("/login?"));
    // Without a session, signing in satisfies `prompt=login`: the way back does not ask again.
    let r = stale
        .get(&webapp_code_request(&[
            ("prompt", "login"),
            ("scope", "openid"),
        ]))
        .await;
    let back = params_of(&r.location(), false)["form_redirect_uri"].clone();
    assert!(!back.contains("prompt"), "{back}");
    assert_eq!(stale.sign_in("marissa", "koala").await.status, 302);
    let r = stale.get(&back).await;
    assert!(
        params_of(&r.location(), false).contains_key("code"),
        "{}",
        r.location()
    );
}

#[tokio::test]
async fn login_hint_prefills_the_username() {
    let s = server().await;
    let mut b = Browser::new(&s);
    let r = b
        .get(&webapp_code_request(&[("login_hint", "marissa@test.org")]))
        .await;
    let page = b.get(&r.location()).await;
    assert!(
        page.body.contains("value=\"marissa@test.org\""),
        "{}",
        page.body
    );
}

// ------------------------------------------------------------------------------------------
// Approval page
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn denying_sends_access_denied_and_partial_approval_narrows_the_scopes() {
    let s = server().await;
    let mut b = signed_in(&s).await;
    let start = webapp_code_request(&[(
        "scope",
        "openid cloud_controller.read cloud_controller.write",
    )]);
    let page = b.get(&start).await;
    assert_eq!(page.status, 200);
    let csrf = hidden(&page.body, "X-Uaa-Csrf");
    let r = b
        .post(
            "/oauth/authorize",
            &[("user_oauth_approval", "false"), ("X-Uaa-Csrf", &csrf)],
        )
        .await;
    let p = redirected_error(&r, WEBAPP_CB, false);
    assert_json_snapshot!(p);

    // Approve only cloud_controller.write; read is recorded as denied.
    let page = b.get(&start).await;
    assert_eq!(
        page.status, 200,
        "decisions are remembered only when approved"
    );
    let csrf = hidden(&page.body, "X-Uaa-Csrf");
    let r = b
        .post(
            "/oauth/authorize",
            &[
                ("user_oauth_approval", "true"),
                ("scope.1", "scope.cloud_controller.write"),
                ("X-Uaa-Csrf", &csrf),
            ],
        )
        .await;
    let code = params_of(&r.location(), false)["code"].clone();
    let t = token(
        &s,
        Some(("webapp", "websecret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEBAPP_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(t.json()["scope"], "openid cloud_controller.write");
    // Every scope is decided now (one approved, one denied): no page, and the denied scope
    // stays out of the next code too.
    let r = b.get(&start).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let code = params_of(&r.location(), false)["code"].clone();
    let t = token(
        &s,
        Some(("webapp", "websecret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEBAPP_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(t.json()["scope"], "openid cloud_controller.write");
}

#[tokio::test]
async fn approvals_need_the_sessions_csrf_token_and_a_pending_request() {
    let s = server().await;
    let mut b = signed_in(&s).await;
    // Nothing pending.
    let page = b.get("/").await;
    let csrf = hidden(&page.body, "X-Uaa-Csrf");
    let r = api(
        &s,
        s.http
            .post(s.url("/oauth/authorize"))
            .header("cookie", b.cookie_header())
            .form(&[
                ("user_oauth_approval", "true"),
                ("X-Uaa-Csrf", csrf.as_str()),
            ]),
    )
    .await;
    assert_eq!(r.status, 400);
    let nothing_pending = r.json();
    // Pending, but the form's token is wrong.
    let page = b
        .get(&webapp_code_request(&[("scope", "cloud_controller.read")]))
        .await;
    assert_eq!(page.status, 200);
    let r = api(
        &s,
        s.http
            .post(s.url("/oauth/authorize"))
            .header("cookie", b.cookie_header())
            .form(&[("user_oauth_approval", "true"), ("X-Uaa-Csrf", "forged")]),
    )
    .await;
    assert_eq!(r.status, 403);
    let forged = r.json();
    // Without a session at all.
    let r = api(
        &s,
        s.http
            .post(s.url("/oauth/authorize"))
            .form(&[("user_oauth_approval", "true")]),
    )
    .await;
    assert_eq!(r.status, 401);
    let anonymous = r.json();
    // A scope that was not requested.
    let csrf = hidden(&page.body, "X-Uaa-Csrf");
    let r = b
        .post(
            "/oauth/authorize",
            &[
                ("user_oauth_approval", "true"),
                ("scope.0", "scope.scim.write"),
                ("X-Uaa-Csrf", &csrf),
            ],
        )
        .await;
    let tampered = redirected_error(&r, WEBAPP_CB, false);
    assert_json_snapshot!(json!({
        "nothing_pending": nothing_pending,
        "forged_csrf": forged,
        "anonymous": anonymous,
        "tampered_scope": tampered,
    }));
}

// ------------------------------------------------------------------------------------------
// The authorization_code grant: PKCE, redirect and client binding
// ------------------------------------------------------------------------------------------

async fn webapp_code(s: &TestServer, challenge: Option<(&str, &str)>) -> String {
    let mut b = signed_in(s).await;
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", "webapp"),
        ("redirect_uri", WEBAPP_CB),
        ("scope", "openid"),
    ];
    if let Some((c, m)) = challenge {
        p.push(("code_challenge", c));
        p.push(("code_challenge_method", m));
    }
    code_for(&mut b, &authorize_path(&p)).await
}

#[tokio::test]
async fn the_token_endpoint_enforces_pkce_with_uaas_messages() {
    let s = server().await;
    let redeem = |code: String, extra: Vec<(&'static str, &'static str)>| {
        let s = &s;
        async move {
            let mut f = vec![
                ("grant_type", "authorization_code"),
                ("redirect_uri", WEBAPP_CB),
            ];
            f.push(("code", code.as_str()));
            f.extend(extra);
            let r = token(s, Some(("webapp", "websecret")), &f).await;
            (r.status, r.json())
        }
    };
    let mut cases = BTreeMap::new();
    let code = webapp_code(&s, Some((CHALLENGE, "S256"))).await;
    cases.insert("missing_verifier", redeem(code, vec![]).await);
    let code = webapp_code(&s, Some((CHALLENGE, "S256"))).await;
    cases.insert(
        "wrong_verifier",
        redeem(
            code,
            vec![(
                "code_verifier",
                "wrongwrongwrongwrongwrongwrongwrongwrong123",
            )],
        )
        .await,
    );
    let code = webapp_code(&s, None).await;
    cases.insert(
        "verifier_without_challenge",
        redeem(code, vec![("code_verifier", VERIFIER)]).await,
    );
    let code = webapp_code(&s, Some((CHALLENGE, "S256"))).await;
    cases.insert(
        "malformed_verifier",
        redeem(code, vec![("code_verifier", "short")]).await,
    );
    let code = webapp_code(&s, Some((VERIFIER, "plain"))).await;
    let (status, body) = redeem(code, vec![("code_verifier", VERIFIER)]).await;
    assert_eq!(status, 200, "plain works for a confidential client: {body}");
    let r = token(
        &s,
        Some(("webapp", "websecret")),
        &[("grant_type", "authorization_code")],
    )
    .await;
    cases.insert("no_code", (r.status, r.json()));
    assert_json_snapshot!(cases);
}

#[tokio::test]
async fn a_code_is_bound_to_its_redirect_uri_and_client() {
    let s = server().await;
    let with_verifier = |code: &str, redirect: Option<&str>| {
        let mut f = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("code_verifier", VERIFIER.to_owned()),
        ];
        if let Some(r) = redirect {
            f.push(("redirect_uri", r.to_owned()));
        }
        f
    };
    let send = |basic: (&'static str, &'static str), f: Vec<(&'static str, String)>| {
        let s = &s;
        async move {
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = token(s, Some(basic), &refs).await;
            json!([r.status, r.json()])
        }
    };
    let mut cases = BTreeMap::new();
    let code = webapp_code(&s, Some((CHALLENGE, "S256"))).await;
    cases.insert(
        "other_redirect",
        send(
            ("webapp", "websecret"),
            with_verifier(&code, Some("http://localhost:7777/x")),
        )
        .await,
    );
    let code = webapp_code(&s, Some((CHALLENGE, "S256"))).await;
    cases.insert(
        "missing_redirect",
        send(("webapp", "websecret"), with_verifier(&code, None)).await,
    );
    let code = webapp_code(&s, Some((CHALLENGE, "S256"))).await;
    cases.insert(
        "other_client",
        send(
            ("hybrid", "hybridsecret"),
            with_verifier(&code, Some(WEBAPP_CB)),
        )
        .await,
    );
    cases.insert(
        "made_up_code",
        send(
            ("webapp", "websecret"),
            with_verifier("notacode", Some(WEBAPP_CB)),
        )
        .await,
    );
    assert_json_snapshot!(cases);
}

// ------------------------------------------------------------------------------------------
// Public clients (allowpublic)
// ------------------------------------------------------------------------------------------

async fn spa_code(s: &TestServer, method: &str, challenge: &str) -> String {
    let mut b = signed_in(s).await;
    code_for(
        &mut b,
        &authorize_path(&[
            ("response_type", "code"),
            ("client_id", "spa"),
            ("redirect_uri", "http://127.0.0.1:5555/cb"),
            ("code_challenge", challenge),
            ("code_challenge_method", method),
        ]),
    )
    .await
}

#[tokio::test]
async fn a_public_client_redeems_its_code_with_client_id_and_verifier_only() {
    let s = server().await;
    let code = spa_code(&s, "S256", CHALLENGE).await;
    let r = token(
        &s,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "spa"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:5555/cb"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = claims(r.json()["access_token"].as_str().expect("token"));
    assert_eq!(c["client_auth_method"], "none");
    assert_eq!(c["cid"], "spa");
}

#[tokio::test]
async fn public_authentication_is_refused_outside_what_uaa_allows() {
    let s = server().await;
    let mut cases = BTreeMap::new();
    let code = spa_code(&s, "S256", CHALLENGE).await;
    // No verifier: the client is not authenticated at all.
    let r = token(
        &s,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "spa"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:5555/cb"),
        ],
    )
    .await;
    cases.insert("no_verifier", json!([r.status, r.json()]));
    // A confidential client cannot drop its secret.
    let code = webapp_code(&s, Some((CHALLENGE, "S256"))).await;
    let r = token(
        &s,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "webapp"),
            ("code", &code),
            ("redirect_uri", WEBAPP_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    cases.insert("confidential_without_secret", json!([r.status, r.json()]));
    // Other grants are not public.
    let r = token(
        &s,
        None,
        &[
            ("grant_type", "password"),
            ("client_id", "spa"),
            ("username", "marissa"),
            ("password", "koala"),
        ],
    )
    .await;
    cases.insert("password_grant", json!([r.status, r.json()]));
    // A public client must use S256.
    let code = spa_code(&s, "plain", VERIFIER).await;
    let r = token(
        &s,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "spa"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:5555/cb"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    cases.insert("plain_method", json!([r.status, r.json()]));
    assert_json_snapshot!(cases);
}

// ------------------------------------------------------------------------------------------
// Implicit and hybrid responses
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn implicit_tokens_come_in_the_fragment_without_a_refresh_token() {
    let s = server().await;
    let mut b = signed_in(&s).await;
    let r = b
        .get(&authorize_path(&[
            ("response_type", "token"),
            ("client_id", "cf"),
            ("redirect_uri", UAAC_CB),
            ("state", "s1"),
            ("scope", "cloud_controller.read"),
        ]))
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    let loc = r.location();
    assert!(loc.starts_with(&format!("{UAAC_CB}#")), "{loc}");
    let f = params_of(&loc, true);
    let keys: Vec<&str> = f.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["access_token", "expires_in", "jti", "state", "token_type"],
        "scope is left out when it is what was asked for"
    );
    assert_eq!(f["token_type"], "bearer");
    let c = verify_rs256(&f["access_token"], &s.jwks().await).expect("verifies");
    assert_eq!(c["grant_type"], "implicit");
    assert_eq!(c["jti"], f["jti"].as_str());
    assert!(f["expires_in"].parse::<i64>().expect("number") > 40_000);
}

#[tokio::test]
async fn hybrid_responses_carry_a_code_and_an_id_token_with_the_nonce() {
    let s = server().await;
    let mut b = signed_in(&s).await;
    let r = b
        .get(&authorize_path(&[
            ("response_type", "code id_token"),
            ("client_id", "hybrid"),
            ("redirect_uri", "https://hybrid.example.com/cb"),
            ("state", "s2"),
            ("nonce", "n-0S6_WzA2Mj"),
        ]))
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    let f = params_of(&r.location(), true);
    assert!(f.contains_key("code"), "{f:?}");
    assert!(!f.contains_key("access_token"), "{f:?}");
    assert_eq!(f["state"], "s2");
    let id = f.get("id_token").expect("an id_token");
    let c = verify_rs256(id, &s.jwks().await).expect("verifies");
    assert_eq!(c["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(c["aud"], json!(["hybrid"]));
    // The code is redeemable; the nonce stays with it.
    let t = token(
        &s,
        Some(("hybrid", "hybridsecret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &f["code"]),
            ("redirect_uri", "https://hybrid.example.com/cb"),
        ],
    )
    .await;
    assert_eq!(t.status, 200, "{}", t.body);
    let id = t.json()["id_token"].as_str().expect("id_token").to_owned();
    assert_eq!(claims(&id)["nonce"], "n-0S6_WzA2Mj");
}

// ------------------------------------------------------------------------------------------
// The stateless variants
// ------------------------------------------------------------------------------------------

/// Exactly what uaac `token get` sends (reference uaac-cli.md §4).
async fn uaac_token_get(s: &TestServer, user: &str, password: &str, scope: Option<&str>) -> Reply {
    let mut q = vec![
        ("client_id", "cf"),
        ("response_type", "token"),
        ("redirect_uri", UAAC_CB),
        ("state", "0123456789abcdef0123456789abcdef"),
    ];
    if let Some(sc) = scope {
        q[1] = ("response_type", "token id_token");
        q.push(("scope", sc));
    }
    q.push(("nonce", "0123456789abcdef0123456789abcdef"));
    reply(
        s.http
            .post(s.url(&authorize_path(&q)))
            .header(
                "content-type",
                "application/x-www-form-urlencoded;charset=utf-8",
            )
            .header("accept", "application/json;charset=utf-8")
            .body(query(&[
                ("username", user),
                ("password", password),
                ("source", "credentials"),
            ]))
            .send()
            .await
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn uaac_token_get_posts_credentials_and_gets_the_token_in_the_fragment() {
    let s = server().await;
    let r = uaac_token_get(&s, "marissa", "koala", None).await;
    assert_eq!(r.status, 302, "{}", r.body);
    assert!(r.set_cookies().is_empty(), "stateless: no session");
    let loc = r.location();
    assert!(
        loc.starts_with(&format!("{UAAC_CB}#token_type=bearer&access_token=")),
        "{loc}"
    );
    let f = params_of(&loc, true);
    assert_eq!(f["state"], "0123456789abcdef0123456789abcdef");
    let c = verify_rs256(&f["access_token"], &s.jwks().await).expect("verifies");
    assert_eq!(c["user_name"], "marissa");
    assert_eq!(c["cid"], "cf");
    assert_eq!(
        f["scope"],
        "openid cloud_controller.read cloud_controller.write uaa.user"
    );
    // With openid in the scope uaac asks for `token id_token`.
    let r = uaac_token_get(&s, "marissa", "koala", Some("openid")).await;
    let f = params_of(&r.location(), true);
    assert!(f.contains_key("id_token"), "{f:?}");
    assert!(!f.contains_key("scope"), "{f:?}");
}

#[tokio::test]
async fn posted_credentials_that_fail_answer_401_json() {
    let s = server().await;
    let r = uaac_token_get(&s, "marissa", "wrong", None).await;
    assert_eq!(r.status, 401);
    let bad = r.json();
    let r = uaac_token_get(&s, "nobody", "x", None).await;
    assert_eq!(r.json(), bad);
    let r = api(
        &s,
        s.http.get(s.url(&authorize_path(&[
            ("client_id", "cf"),
            ("response_type", "token"),
            ("redirect_uri", UAAC_CB),
            ("source", "credentials"),
            ("username", "marissa"),
            ("password", "koala"),
        ]))),
    )
    .await;
    assert_json_snapshot!(json!({"bad_password": bad, "get": [r.status, r.json()]}));
}

#[tokio::test]
async fn a_bearer_user_token_gets_a_code_without_a_session() {
    let s = server().await;
    let cf_token = s.password_token("cf", "", "marissa", "koala").await;
    let path = authorize_path(&[
        ("response_type", "code"),
        ("client_id", "login"),
        ("redirect_uri", UAAC_CB),
        ("state", "st"),
    ]);
    let r = api(&s, s.http.get(s.url(&path)).bearer_auth(&cf_token)).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let p = params_of(&r.location(), false);
    assert_eq!(p["state"], "st");
    let t = token(
        &s,
        Some(("login", "loginsecret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &p["code"]),
            ("redirect_uri", UAAC_CB),
        ],
    )
    .await;
    assert_eq!(t.status, 200, "{}", t.body);
    let c = claims(t.json()["access_token"].as_str().expect("token"));
    assert_eq!(c["user_name"], "marissa");
    assert_eq!(c["cid"], "login");

    // A token without uaa.user, a client token, and garbage are refused.
    let no_uaa_user = s
        .password_token("approver", "approversecret", "marissa", "koala")
        .await;
    let client_token = s.client_token("login", "loginsecret").await;
    let mut cases = BTreeMap::new();
    for (name, t) in [
        ("without_uaa_user", no_uaa_user.as_str()),
        ("client_token", client_token.as_str()),
        ("garbage", "not-a-token"),
    ] {
        let r = api(&s, s.http.get(s.url(&path)).bearer_auth(t)).await;
        cases.insert(name, json!([r.status, r.json()]));
    }
    assert_json_snapshot!(cases);
}

// ------------------------------------------------------------------------------------------
// Login, lockout, logout, cookies, sessions
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_json_is_unchanged_for_uaac_and_html_otherwise() {
    let s = server().await;
    let r = api(
        &s,
        s.http
            .get(s.url("/login"))
            .header("accept", "application/json;charset=utf-8"),
    )
    .await;
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(
        r.json()["prompts"]["password"],
        json!(["password", "Password"])
    );
    let r = api(&s, s.http.get(s.url("/login"))).await;
    assert_eq!(r.header("content-type"), Some("text/html;charset=UTF-8"));
    assert!(r.body.contains("action=\"/login.do\""));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert!(
        r.header("content-security-policy")
            .is_some_and(|c| c.contains("frame-ancestors 'none'"))
    );
}

#[tokio::test]
async fn a_bad_password_and_a_locked_account_get_clear_messages() {
    let s = server().await;
    let mut b = Browser::new(&s);
    let r = b.sign_in("locky", "wrong").await;
    assert_eq!(r.status, 302);
    assert_eq!(r.location(), "/login?error=login_failure");
    let page = b.get(&r.location()).await;
    assert!(page.body.contains(
        "<p class=\"alert\" role=\"alert\" id=\"login-message\">Provided credentials are invalid. Please try again.</p>"
    ));
    assert!(page.body.contains("aria-describedby=\"login-message\""));
    // Four more failures lock the account (lockoutAfterFailures: 5) — even the right password.
    for _ in 0..4 {
        b.sign_in("locky", "wrong").await;
    }
    let r = b.sign_in("locky", "lockypw").await;
    assert_eq!(r.location(), "/login?error=account_locked");
    let page = b.get(&r.location()).await;
    assert!(
        page.body
            .contains("Your account has been locked because of too many failed attempts to login.")
    );
    assert!(!b.jar.contains_key("JSESSIONID"));
}

#[tokio::test]
async fn the_login_form_needs_its_csrf_pair() {
    let s = server().await;
    let mut b = Browser::new(&s);
    let _ = b.get("/login").await;
    let r = b
        .post(
            "/login.do",
            &[
                ("username", "marissa"),
                ("password", "koala"),
                ("X-Uaa-Csrf", "forged"),
                ("form_redirect_uri", "/oauth/authorize?x=1"),
            ],
        )
        .await;
    assert_eq!(r.status, 302);
    assert_eq!(
        r.location(),
        "/login?error=invalid_login_request&form_redirect_uri=%2Foauth%2Fauthorize%3Fx%3D1"
    );
    assert!(!b.jar.contains_key("JSESSIONID"));
    // A cross-site form has no cookie at all.
    let r = api(
        &s,
        s.http.post(s.url("/login.do")).form(&[
            ("username", "marissa"),
            ("password", "koala"),
            ("X-Uaa-Csrf", "x"),
        ]),
    )
    .await;
    assert_eq!(r.location(), "/login?error=invalid_login_request");
}

#[tokio::test]
async fn sign_in_never_returns_to_another_site() {
    let s = server().await;
    let mut b = Browser::new(&s);
    let page = b.get("/login").await;
    let csrf = hidden(&page.body, "X-Uaa-Csrf");
    for evil in ["https://evil.com/", "//evil.com/x", "/\\evil.com"] {
        let r = b
            .post(
                "/login.do",
                &[
                    ("username", "marissa"),
                    ("password", "koala"),
                    ("X-Uaa-Csrf", &csrf),
                    ("form_redirect_uri", evil),
                ],
            )
            .await;
        assert_eq!(r.location(), "/", "{evil}");
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_redirects_only_where_allowed() {
    let s = server().await;
    let mut b = signed_in(&s).await;
    let home = b.get("/").await;
    assert!(
        home.body
            .contains("You are signed in as <strong>marissa</strong>")
    );
    let cookie = b.jar.get("JSESSIONID").cloned().expect("session");

    let r = b.get("/logout.do?redirect=https%3A%2F%2Fevil.com%2F").await;
    assert_eq!(r.location(), "/login?error=logged_out");
    assert!(!b.jar.contains_key("JSESSIONID"));
    // The session is gone server-side: replaying the old cookie shows the login page.
    let mut replay = Browser::new(&s);
    replay.jar.insert("JSESSIONID".into(), cookie);
    assert_eq!(replay.get("/").await.location(), "/login");

    let mut b = signed_in(&s).await;
    let r = b
        .get(&format!(
            "/logout.do?client_id=webapp&redirect={}",
            enc("http://localhost:7777/bye")
        ))
        .await;
    assert_eq!(r.location(), "http://localhost:7777/bye");
    let r = b.get("/logout.do?redirect=%2Flogin").await;
    assert_eq!(r.location(), "/login");

    // POST /logout.do from the home page carries the session's CSRF token.
    let mut b = signed_in(&s).await;
    let home = b.get("/").await;
    let csrf = hidden(&home.body, "X-Uaa-Csrf");
    let forged = b.post("/logout.do", &[("X-Uaa-Csrf", "nope")]).await;
    assert_eq!(forged.status, 403);
    let r = b.post("/logout.do", &[("X-Uaa-Csrf", &csrf)]).await;
    assert_eq!(r.location(), "/login?error=logged_out");
}

#[tokio::test]
async fn cookies_are_secure_when_the_issuer_is_https() {
    let s = TestServer::with_yaml(&format!(
        "issuer:\n  uri: https://login.example.com\n{YAML}"
    ))
    .await;
    let page = api(&s, s.http.get(s.url("/login"))).await;
    let c = page.set_cookies().join("\n");
    assert!(c.contains("Secure"), "{c}");
    let mut b = Browser::new(&s);
    let r = b.sign_in("marissa", "koala").await;
    let session = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("JSESSIONID="))
        .expect("session cookie");
    assert!(session.contains("; Secure"), "{session}");
}

/// Two servers on one database file, as several instances share one PostgreSQL.
async fn start_on(
    db_url: &str,
    clock: Option<FixedClock>,
) -> (String, tokio::task::JoinHandle<()>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("uaa.yml");
    std::fs::write(&path, YAML).expect("yaml");
    let cfg = uaa_server::config::load(Some(&path)).expect("config");
    let store = uaa_store::SqlStore::connect(db_url).await.expect("store");
    let tuning = uaa_server::bootstrap::Tuning {
        bcrypt_cost: 4,
        ..uaa_server::bootstrap::Tuning::default()
    };
    let mut state = uaa_server::bootstrap::build_state(&cfg, store, &tuning)
        .await
        .expect("state");
    if let Some(c) = clock {
        state.deps.clock = Arc::new(c);
    }
    let router = uaa_server::routes::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}"), task)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_session_and_a_code_from_one_instance_work_on_another() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("shared.db").display()
    );
    let (a, ta) = start_on(&url, None).await;
    let (b, tb) = start_on(&url, None).await;
    let http = no_redirects();
    let mut on_a = Browser::at(&a, &http);
    assert_eq!(on_a.sign_in("marissa", "koala").await.status, 302);
    // The cookie from A is a session on B.
    let mut on_b = Browser::at(&b, &http);
    on_b.jar = on_a.jar.clone();
    let r = on_b.get(&webapp_code_request(&[("scope", "openid")])).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let code = params_of(&r.location(), false)["code"].clone();
    // A code issued by B is redeemed at A.
    let t = reply(
        http.post(format!("{a}/oauth/token"))
            .basic_auth("webapp", Some("websecret"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", WEBAPP_CB),
                ("code_verifier", VERIFIER),
            ])
            .send()
            .await
            .expect("token"),
    )
    .await;
    assert_eq!(t.status, 200, "{}", t.body);
    ta.abort();
    tb.abort();
}

#[tokio::test]
async fn codes_expire_after_five_minutes_and_sessions_after_thirty_idle_minutes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("uaa.db").display());
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis(),
    )
    .expect("ms");
    // A little ahead of the real clock: the users are created (passwd_lastmodified) at start.
    let clock = FixedClock::at_millis(now + 60_000);
    let (base, task) = start_on(&url, Some(clock.clone())).await;
    let http = no_redirects();
    let mut b = Browser::at(&base, &http);
    assert_eq!(b.sign_in("marissa", "koala").await.status, 302);
    let r = b.get(&webapp_code_request(&[("scope", "openid")])).await;
    let code = params_of(&r.location(), false)["code"].clone();
    clock.advance_secs(301);
    let t = reply(
        http.post(format!("{base}/oauth/token"))
            .basic_auth("webapp", Some("websecret"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", WEBAPP_CB),
                ("code_verifier", VERIFIER),
            ])
            .send()
            .await
            .expect("token"),
    )
    .await;
    assert_eq!(t.status, 400);
    assert_eq!(t.json()["error"], "invalid_grant");
    // 301 s of use keep the session; 31 idle minutes end it.
    assert_eq!(b.get("/").await.status, 200);
    clock.advance_secs(31 * 60);
    assert_eq!(b.get("/").await.location(), "/login");
    task.abort();
}

// ------------------------------------------------------------------------------------------
// /approvals
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn approvals_can_be_listed_replaced_and_revoked_by_their_user() {
    let s = server().await;
    let mut b = signed_in(&s).await;
    code_for(
        &mut b,
        &webapp_code_request(&[("scope", "openid cloud_controller.read")]),
    )
    .await;
    let t = s
        .password_token("approver", "approversecret", "marissa", "koala")
        .await;
    let get = |path: &'static str| {
        let (s, t) = (&s, t.clone());
        async move { api(s, s.http.get(s.url(path)).bearer_auth(&t)).await }
    };
    // The approved scope is listed; openid (auto-approved by webapp) is not.
    let r = get("/approvals").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let list = r.json();
    assert_eq!(list.as_array().expect("array").len(), 1, "{list}");
    assert_eq!(list[0]["clientId"], "webapp");
    assert_eq!(list[0]["scope"], "cloud_controller.read");
    assert_eq!(list[0]["status"], "APPROVED");
    let keys: Vec<&str> = list[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "userId",
            "clientId",
            "scope",
            "status",
            "expiresAt",
            "lastUpdatedAt"
        ]
    );
    assert!(list[0]["expiresAt"].as_str().expect("date").ends_with('Z'));
    assert_eq!(
        get("/approvals?filter=client_id%20eq%20%22other%22")
            .await
            .json(),
        json!([])
    );

    // Replacing with a denial for webapp: the next request asks no question but grants
    // only openid.
    let r = api(
        &s,
        s.http
            .put(s.url("/approvals/webapp"))
            .bearer_auth(&t)
            .json(&json!([{"clientId": "webapp", "scope": "cloud_controller.read", "status": "DENIED", "expiresAt": "2999-01-01T00:00:00.000Z"}])),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()[0]["status"], "DENIED");
    assert_eq!(r.json()[0]["expiresAt"], "2999-01-01T00:00:00.000Z");
    let r = b
        .get(&webapp_code_request(&[(
            "scope",
            "openid cloud_controller.read",
        )]))
        .await;
    assert_eq!(r.status, 302, "{}", r.body);

    // Revoking brings the approval page back.
    let r = api(
        &s,
        s.http
            .delete(s.url("/approvals?clientId=webapp"))
            .bearer_auth(&t),
    )
    .await;
    assert_eq!(r.status, 200);
    let user_id = claims(&t)["user_id"].as_str().expect("user id").to_owned();
    assert_eq!(
        r.json(),
        json!({"status": "ok", "message": format!("Approvals of user {user_id} and client webapp revoked")})
    );
    let r = b
        .get(&webapp_code_request(&[(
            "scope",
            "openid cloud_controller.read",
        )]))
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn approvals_refuse_other_users_client_tokens_and_missing_scopes() {
    let s = server().await;
    let user = s
        .password_token("approver", "approversecret", "marissa", "koala")
        .await;
    let no_scope = s.password_token("cf", "", "marissa", "koala").await;
    let client = s.client_token("login", "loginsecret").await;
    let mut cases = BTreeMap::new();
    let r = api(
        &s,
        s.http
            .put(s.url("/approvals"))
            .bearer_auth(&user)
            .json(&json!([{"userId": "someone-else", "clientId": "webapp", "scope": "openid", "status": "APPROVED"}])),
    )
    .await;
    cases.insert("other_user", json!([r.status, r.json()]));
    let r = api(&s, s.http.get(s.url("/approvals")).bearer_auth(&no_scope)).await;
    cases.insert("missing_scope", json!([r.status, r.json()]));
    let r = api(&s, s.http.get(s.url("/approvals")).bearer_auth(&client)).await;
    cases.insert("client_token", json!([r.status, r.json()]));
    let r = api(&s, s.http.get(s.url("/approvals"))).await;
    cases.insert("anonymous", json!([r.status, r.json()]));
    let r = api(
        &s,
        s.http
            .get(s.url("/approvals?filter=bogus%20eq%20%22x%22"))
            .bearer_auth(&user),
    )
    .await;
    cases.insert("bad_filter", json!([r.status, r.json()]));
    assert_json_snapshot!(cases);
}

// ------------------------------------------------------------------------------------------
// A real browser
// ------------------------------------------------------------------------------------------

/// Debian's chromium, driven by `playwright-core` (`tests/browser/login.mjs`), opens the login
/// page, signs in, approves and lands on the client's redirect with a code, which is then
/// redeemed here. Screenshots go to `target/tmp/browser/`. Runs when `UAA_BROWSER_TESTS=1`
/// (`.ci/run` installs chromium and the npm package and sets it).
#[tokio::test]
async fn a_real_browser_signs_in_approves_and_lands_on_the_client_with_a_code() {
    if std::env::var("UAA_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "\n*** SKIPPED a_real_browser_signs_in_approves_and_lands_on_the_client_with_a_code: \
             set UAA_BROWSER_TESTS=1 (with /usr/bin/chromium and `npm ci` in \
             crates/uaa-server/tests/browser; .ci/run does both) to run it ***\n"
        );
        return;
    }
    // The client application: a real HTTP endpoint the browser lands on.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let callback = format!(
        "http://127.0.0.1:{}/callback",
        listener.local_addr().expect("addr").port()
    );
    let app = axum::Router::new().route(
        "/callback",
        axum::routing::get(|axum::extract::RawQuery(q): axum::extract::RawQuery| async move {
            axum::response::Html(format!(
                "<!DOCTYPE html><html lang=\"en\"><title>Client</title><h1>Client received the code</h1><p><code>?{}</code></p></html>",
                q.unwrap_or_default().replace('&', "&amp;").replace('<', "&lt;")
            ))
        }),
    );
    let client_task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let s = TestServer::with_yaml(&YAML.replace(
        "redirect-uri: https://app.example.com/callback,",
        &format!("redirect-uri: {callback},https://app.example.com/callback,"),
    ))
    .await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        dir.join("node_modules/playwright-core").is_dir(),
        "run `npm ci` in {}",
        dir.display()
    );
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let base = s.base.clone();
    let redirect = callback.clone();
    let run = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg("login.mjs")
            .current_dir(&dir)
            .env("UAA_URL", base)
            .env("UAA_REDIRECT_URI", redirect)
            .env("UAA_BROWSER_OUT", &out)
            .output()
            .expect("node runs")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "login.mjs failed:\n{stdout}\n{stderr}"
    );
    let result: Value = serde_json::from_str(stdout.lines().last().expect("a JSON line"))
        .expect("JSON from login.mjs");
    eprintln!("browser screenshots: {}", result["screenshots"]);
    assert!(
        result["url"]
            .as_str()
            .expect("url")
            .starts_with(&format!("{callback}?code=")),
        "{result}"
    );
    assert_eq!(result["state"], result["expected_state"]);
    let t = token(
        &s,
        Some(("webapp", "websecret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", result["code"].as_str().expect("code")),
            ("redirect_uri", &callback),
            (
                "code_verifier",
                result["verifier"].as_str().expect("verifier"),
            ),
        ],
    )
    .await;
    assert_eq!(t.status, 200, "{}", t.body);
    let c = verify_rs256(
        t.json()["access_token"].as_str().expect("token"),
        &s.jwks().await,
    )
    .expect("verifies");
    assert_eq!(c["user_name"], "marissa");
    assert_eq!(c["scope"], json!(["openid", "cloud_controller.read"]));
    client_task.abort();
}
