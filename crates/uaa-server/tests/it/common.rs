//! Helpers shared by the test modules.

#![allow(dead_code)]

use serde_json::Value;
use uaa_testkit::TestServer;

/// Status and JSON body (or `Value::Null` for an empty body).
pub async fn json(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// GET with a bearer token.
pub async fn get(s: &TestServer, token: &str, path: &str) -> (u16, Value) {
    json(
        s.http
            .get(s.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request"),
    )
    .await
}

/// A request with a JSON body and a bearer token.
pub async fn send(
    s: &TestServer,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    json(
        s.http
            .request(method, s.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request"),
    )
    .await
}

/// An admin client token (dev mode's `admin`/`adminsecret`).
pub async fn admin(s: &TestServer) -> String {
    s.client_token("admin", "adminsecret").await
}
