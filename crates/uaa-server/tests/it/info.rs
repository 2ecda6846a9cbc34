//! `/healthz`, `/info`, `/login`, unknown routes and methods.

use crate::common::json;
use uaa_testkit::TestServer;

#[tokio::test]
async fn healthz_answers_ok() {
    let s = TestServer::spawn().await;
    let r = s.http.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "ok\n");
}

#[tokio::test]
async fn login_json_has_the_prompts_uaac_needs() {
    let s = TestServer::spawn().await;
    let r = s
        .http
        .get(s.url("/login"))
        .header("accept", "application/json;charset=utf-8")
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let (status, body) = json(r).await;
    assert_eq!(status, 200);
    assert_eq!(body["prompts"]["username"][0], "text");
    assert_eq!(body["prompts"]["password"][0], "password");
    assert_eq!(body["zone_name"], "uaa");
}

#[tokio::test]
async fn unknown_routes_get_a_json_404() {
    let s = TestServer::spawn().await;
    let (status, body) = json(s.http.get(s.url("/nope")).send().await.unwrap()).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn wrong_methods_get_a_json_405() {
    let s = TestServer::spawn().await;
    let (status, body) = json(s.http.delete(s.url("/oauth/token")).send().await.unwrap()).await;
    assert_eq!(status, 405);
    assert_eq!(body["error"], "method_not_allowed");
}

#[tokio::test]
async fn rejections_from_the_framework_are_json_too() {
    let s = TestServer::spawn().await;
    let token = crate::common::admin(&s).await;
    // A repeated query parameter the list endpoint cannot take, and a path that is not UTF-8.
    for path in ["/oauth/clients?filter=a&filter=b", "/oauth/clients/%FF%FE"] {
        let r = s
            .http
            .get(s.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        let (status, body) = json(r).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(ct.starts_with("application/json"), "{path}: {ct}");
        assert_eq!(body["error"], "invalid_request", "{path}: {body}");
    }
}

#[tokio::test]
async fn every_response_says_nosniff_and_pages_keep_their_own_policies() {
    let s = TestServer::spawn().await;
    let get = |path: &'static str, accept: &'static str| {
        s.http.get(s.url(path)).header("accept", accept).send()
    };
    let responses = [
        ("/info", get("/info", "application/json").await.unwrap()),
        ("/login", get("/login", "text/html").await.unwrap()),
        ("/healthz", get("/healthz", "*/*").await.unwrap()),
        ("/token_keys", get("/token_keys", "*/*").await.unwrap()),
        ("/nope", get("/nope", "*/*").await.unwrap()),
        (
            "/oauth/clients",
            get("/oauth/clients", "*/*").await.unwrap(),
        ),
        (
            "POST /oauth/token",
            s.http
                .post(s.url("/oauth/token"))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap(),
        ),
    ];
    for (what, r) in &responses {
        assert_eq!(
            r.headers()
                .get("x-content-type-options")
                .and_then(|v| v.to_str().ok()),
            Some("nosniff"),
            "{what} ({})",
            r.status()
        );
    }
    let page = &responses[1].1;
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
}

async fn links(yaml: Option<&str>) -> serde_json::Value {
    let s = match yaml {
        Some(y) => TestServer::with_yaml(y).await,
        None => TestServer::spawn().await,
    };
    let (status, body) = json(s.http.get(s.url("/info")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(body.get("showLoginLinks").is_none(), "{body}");
    body["links"].clone()
}

#[tokio::test]
async fn info_links_only_the_self_service_pages_that_exist() {
    // No sign-up or reset page here, and none configured: UAA's links are left out.
    let l = links(None).await;
    let mut keys: Vec<&String> = l.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["login", "uaa"], "{l}");
    assert_eq!(l["uaa"], l["login"]);
    // Configured external pages are linked (the zone's keys over `links.global`).
    let l = links(Some(
        "links:\n  signup: https://accounts.example.com/signup\n  global:\n    signup: https://ignored.example.com\n    passwd: https://accounts.example.com/reset\n",
    ))
    .await;
    assert_eq!(l["register"], "https://accounts.example.com/signup");
    assert_eq!(l["passwd"], "https://accounts.example.com/reset");
    // …unless self-service links are switched off, or a link is empty.
    let l = links(Some(
        "login:\n  selfServiceLinksEnabled: false\nlinks:\n  signup: https://accounts.example.com/signup\n",
    ))
    .await;
    assert!(l.get("register").is_none(), "{l}");
    let l = links(Some(
        "links:\n  signup: ''\n  global:\n    signup: https://accounts.example.com/signup\n",
    ))
    .await;
    assert!(l.get("register").is_none(), "{l}");
}

#[tokio::test]
async fn discovery_lists_only_the_client_authentication_methods_the_token_endpoint_has() {
    let s = TestServer::spawn().await;
    let (_, body) = json(
        s.http
            .get(s.url("/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        body["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post"])
    );
    assert!(
        body.get("token_endpoint_auth_signing_alg_values_supported")
            .is_none()
    );
    // And the token endpoint indeed refuses a client assertion in place of a secret.
    let r = s
        .http
        .post(s.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "admin"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
