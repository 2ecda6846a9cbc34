//! Request content types, endpoint family by endpoint family, as UAA answers them (read from
//! UAA's controllers at 13dc87a60e, Spring 5.3). Spring reads a `@RequestBody` only as
//! `application/json` or `application/*+json`; another type, or no type with a body
//! (`application/octet-stream`), raises `HttpMediaTypeNotSupportedException`, and no type with
//! no body `HttpMessageNotReadableException`. Each controller's exception handlers decide what
//! the client sees:
//!
//! | family | UAA's handler | non-JSON type | no type, no body |
//! |---|---|---|---|
//! | `/Users`, `/Users/{id}`, `/Users/{id}/status`, `/Groups…` | `ScimUserEndpoints` / `ScimGroupEndpoints.handleException`: `HttpMediaTypeException` → 400 `ScimException` | 400 `scim` "Content type 'X' not supported" | 400 `scim` "Required request body is missing" |
//! | `/Users/{id}/password` | `PasswordChangeEndpoint`: none for these | 415 | 400 |
//! | `/oauth/clients…` (incl. tx, restricted, secret), `/oauth/clients/{id}/meta` | `ClientAdminEndpoints` / `ClientMetadataAdminEndpoints`: none for these | 415 | 400 |
//! | `/approvals` | `ApprovalsAdminEndpoints.handleException` | 400 `uaa` "Error accessing user's approvals" | same |
//! | form endpoints (`/oauth/token`, `/check_token`) | servlet parameters only | the body is ignored: "Missing grant type", "Token parameter must be set" | – |
//!
//! UAA renders Spring's own 415/400 as its HTML error page (or `{}` for JSON clients); here they
//! carry UAA's `error`/`error_description` pair, as every 4xx of this server does.

use reqwest::Method;
use serde_json::{Value, json};
use uaa_testkit::TestServer;

use crate::common::{admin, json as read};

/// `admin` passes every gate the table's routes have; `cf` gives marissa `oauth.approvals`.
const YAML: &str = "
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,clients.admin,clients.secret,scim.read,scim.write,password.write,uaa.resource
    app:
      secret: appsecret
      authorized-grant-types: password
      scope: openid
    cf:
      secret: ''
      authorized-grant-types: password
      scope: openid,oauth.approvals
scim:
  users:
    - marissa|koala|marissa@test.org|Marissa|Bloggs|oauth.approvals
";

async fn server() -> TestServer {
    TestServer::with_yaml(YAML).await
}

/// A request with a raw body and an optional `Content-Type`.
async fn raw(
    s: &TestServer,
    method: Method,
    token: &str,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let mut rb = s
        .http
        .request(method, s.url(path))
        .bearer_auth(token)
        .body(body.to_owned());
    if let Some(ct) = content_type {
        rb = rb.header("content-type", ct);
    }
    read(rb.send().await.expect("request")).await
}

fn scim(message: &str) -> Value {
    json!({"error": "scim", "error_description": message, "message": message})
}

fn spring_415(content_type: &str) -> Value {
    json!({
        "error": "unsupported_media_type",
        "error_description": format!("Content type '{content_type}' not supported"),
    })
}

fn spring_400() -> Value {
    json!({"error": "invalid_request", "error_description": "Required request body is missing"})
}

/// The body of each family's route; valid JSON, so only the content type is wrong.
const USER: &str =
    r#"{"userName":"ct-user","emails":[{"value":"ct@example.com"}],"password":"Secret-1"}"#;
const CLIENT: &str = r#"{"client_id":"ct-client","authorized_grant_types":["password"]}"#;

#[tokio::test]
async fn scim_endpoints_refuse_a_body_that_is_not_json_with_400_scim() {
    let s = server().await;
    let token = admin(&s).await;
    for (method, path, body) in [
        (Method::POST, "/Users", USER),
        (Method::POST, "/Groups", r#"{"displayName":"ct.group"}"#),
    ] {
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "text/plain; charset=UTF-8",
        ] {
            let (status, answer) = raw(&s, method.clone(), &token, path, Some(ct), body).await;
            assert_eq!(status, 400, "{path} {ct}: {answer}");
            let printed = ct.replace("; ", ";");
            assert_eq!(
                answer,
                scim(&format!("Content type '{printed}' not supported")),
                "{path} {ct}"
            );
        }
        let (status, answer) = raw(&s, method.clone(), &token, path, None, body).await;
        assert_eq!(status, 400, "{path}: {answer}");
        assert_eq!(
            answer,
            scim("Content type 'application/octet-stream' not supported")
        );
        let (status, answer) = raw(&s, method.clone(), &token, path, None, "").await;
        assert_eq!(status, 400, "{path}: {answer}");
        assert_eq!(answer, scim("Required request body is missing"));
    }
    // Nothing was created; `application/*+json` is JSON.
    let (status, _) = raw(
        &s,
        Method::POST,
        &token,
        "/Users",
        Some("application/scim+json"),
        USER,
    )
    .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn client_and_password_endpoints_answer_springs_415_or_400() {
    let s = server().await;
    let token = admin(&s).await;
    let routes = [
        (Method::POST, "/oauth/clients", CLIENT),
        (Method::PUT, "/oauth/clients/app", CLIENT),
        (
            Method::PUT,
            "/oauth/clients/app/secret",
            r#"{"secret":"x"}"#,
        ),
        (Method::POST, "/oauth/clients/tx", "[]"),
        (Method::POST, "/oauth/clients/restricted", CLIENT),
        (
            Method::PUT,
            "/oauth/clients/app/meta",
            r#"{"clientId":"app"}"#,
        ),
        (Method::PUT, "/Users/nobody/password", r#"{"password":"x"}"#),
    ];
    for (method, path, body) in routes {
        let (status, answer) =
            raw(&s, method.clone(), &token, path, Some("text/plain"), body).await;
        assert_eq!(status, 415, "{method} {path}: {answer}");
        assert_eq!(answer, spring_415("text/plain"), "{method} {path}");
        let (status, answer) = raw(&s, method.clone(), &token, path, None, body).await;
        assert_eq!(status, 415, "{method} {path}: {answer}");
        assert_eq!(answer, spring_415("application/octet-stream"));
        let (status, answer) = raw(&s, method.clone(), &token, path, None, "").await;
        assert_eq!(status, 400, "{method} {path}: {answer}");
        assert_eq!(answer, spring_400(), "{method} {path}");
    }
    let (status, _) = crate::common::get(&s, &token, "/oauth/clients/ct-client").await;
    assert_eq!(status, 404, "nothing was created");
}

#[tokio::test]
async fn approvals_refuse_any_other_body_with_400_error_accessing_approvals() {
    let s = server().await;
    let user = s.password_token("cf", "", "marissa", "koala").await;
    let expected = json!({
        "error": "uaa",
        "error_description": "Error accessing user's approvals",
        "message": "Error accessing user's approvals",
    });
    for (ct, body) in [
        (Some("text/plain"), "[]"),
        (None, "[]"),
        (None, ""),
        (Some("application/json"), "{not json"),
    ] {
        let (status, answer) = raw(&s, Method::PUT, &user, "/approvals", ct, body).await;
        assert_eq!((status, &answer), (400, &expected), "{ct:?} {body}");
    }
}

#[tokio::test]
async fn form_endpoints_ignore_a_json_body_as_a_servlet_does() {
    let s = server().await;
    let r = s
        .http
        .post(s.url("/oauth/token"))
        .basic_auth("admin", Some("adminsecret"))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .expect("token");
    let (status, body) = read(r).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body,
        json!({"error": "invalid_request", "error_description": "Missing grant type"})
    );
    let token = admin(&s).await;
    let r = s
        .http
        .post(s.url("/check_token"))
        .basic_auth("admin", Some("adminsecret"))
        .json(&json!({"token": token}))
        .send()
        .await
        .expect("check_token");
    let (status, body) = read(r).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body,
        json!({"error": "invalid_token", "error_description": "Token parameter must be set"})
    );
}
