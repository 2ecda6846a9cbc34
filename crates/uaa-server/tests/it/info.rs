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
