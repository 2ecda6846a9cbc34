//! The client registry, `/oauth/clients…` (reference §1): the scope gates of every route (§1.1),
//! CRUD, the validation rules and their exact messages (§1.4), the list query (filter, sort,
//! paging, attributes), client metadata and the all-or-nothing `tx` batch endpoints.
//!
//! Bodies are pinned with insta snapshots; `lastModified` and `token_salt` are redacted
//! wherever they occur. Every test starts its own server.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use uaa_testkit::TestServer;

use crate::common::{admin, get, json as read, send};

/// The scopes a refusal lists for each gate of §1.1 (`uaa.admin` first, the zone admin last).
const READ_GATE: &str = "uaa.admin clients.read clients.admin zones.uaa.admin";
const WRITE_GATE: &str = "uaa.admin clients.write clients.admin zones.uaa.admin";
const SECRET_GATE: &str = "uaa.admin clients.secret clients.admin zones.uaa.admin";
const ADMIN_GATE: &str = "uaa.admin clients.admin zones.uaa.admin";

/// A snapshot of a body with the volatile client fields redacted at any depth.
macro_rules! snap {
    ($body:expr) => {
        insta::assert_json_snapshot!($body, {
            ".**.lastModified" => "[ms]",
            ".**.token_salt" => "[salt]",
        })
    };
    ($name:expr, $body:expr) => {
        insta::assert_json_snapshot!($name, $body, {
            ".**.lastModified" => "[ms]",
            ".**.token_salt" => "[salt]",
        })
    };
}

/// A request with an optional bearer token and an optional JSON body; returns the status, the
/// headers and the body (`Value::Null` when the body is empty).
async fn call(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, HeaderMap, Value) {
    let mut rb = s.http.request(method, s.url(path));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let r = sent(rb.send().await);
    let headers = r.headers().clone();
    let (status, body) = read(r).await;
    (status, headers, body)
}

/// A request whose body is sent as is, with `Content-Type: application/json`.
async fn send_raw(
    s: &TestServer,
    method: Method,
    token: &str,
    path: &str,
    body: &str,
) -> (u16, Value) {
    read(sent(
        s.http
            .request(method, s.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await,
    ))
    .await
}

/// The response of a request that reached the server; panics on a transport error.
fn sent(r: reqwest::Result<reqwest::Response>) -> reqwest::Response {
    match r {
        Ok(r) => r,
        Err(e) => panic!("request failed: {e}"),
    }
}

async fn delete(s: &TestServer, token: &str, path: &str) -> (u16, Value) {
    let (status, _, body) = call(s, Method::DELETE, path, Some(token), None).await;
    (status, body)
}

/// `GET /oauth/clients` with query parameters.
async fn list(s: &TestServer, token: &str, query: &[(&str, &str)]) -> (u16, Value) {
    read(sent(
        s.http
            .get(s.url("/oauth/clients"))
            .query(query)
            .bearer_auth(token)
            .send()
            .await,
    ))
    .await
}

/// Creates a client as the caller of `token`; panics unless the server answers 201.
async fn create_ok(s: &TestServer, token: &str, body: Value) -> Value {
    let (status, created) = send(s, Method::POST, token, "/oauth/clients", &body).await;
    assert_eq!(status, 201, "create {body}: {created}");
    created
}

/// Registers a client_credentials client whose token carries exactly `authorities` (its
/// OAuth2 request scope, §0 conventions) and returns such a token.
async fn token_with(s: &TestServer, authorities: &str) -> String {
    let id = format!("caller-{}", authorities.replace(['.', ',', ' '], "-"));
    let token = admin(s).await;
    create_ok(
        s,
        &token,
        json!({
            "client_id": id,
            "client_secret": "callersecret",
            "authorized_grant_types": ["client_credentials"],
            "authorities": authorities,
        }),
    )
    .await;
    s.client_token(&id, "callersecret").await
}

/// Status and body of a client_credentials token request.
async fn token_status(s: &TestServer, client: &str, secret: &str) -> (u16, Value) {
    read(
        s.token_request(client, secret, &[("grant_type", "client_credentials")])
            .await,
    )
    .await
}

/// Whether `GET /oauth/clients/{id}` finds the client (200) or not (404, with an empty body).
async fn exists(s: &TestServer, token: &str, id: &str) -> bool {
    let (status, body) = get(s, token, &format!("/oauth/clients/{id}")).await;
    match status {
        200 => true,
        404 => {
            assert_eq!(body, Value::Null, "404 must have an empty body");
            false
        }
        other => panic!("GET /oauth/clients/{id} answered {other}: {body}"),
    }
}

/// The `client_id`s of a list response, in order.
fn ids(list_body: &Value) -> Vec<String> {
    let Some(resources) = list_body["resources"].as_array() else {
        panic!("not a list response: {list_body}");
    };
    resources
        .iter()
        .map(|c| match c["client_id"].as_str() {
            Some(id) => id.to_owned(),
            None => panic!("no client_id in {c}"),
        })
        .collect()
}

/// A valid client_credentials client.
fn cc_client(id: &str, secret: &str) -> Value {
    json!({
        "client_id": id,
        "client_secret": secret,
        "authorized_grant_types": ["client_credentials"],
        "scope": ["uaa.none"],
        "authorities": ["uaa.resource"],
    })
}

/// A server whose only clients are `admin` and `writer`, which holds nothing but
/// `clients.write` and so is a non-admin caller for §1.4 rule 6.
const WRITER_YAML: &str = "\
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,clients.read,clients.write,clients.secret,clients.admin
    writer:
      secret: writersecret
      authorized-grant-types: client_credentials
      scope: writer.own,shared.read
      authorities: clients.write
";

/// A server with a client-secret policy (§1.4, "Client secret policy").
const POLICY_YAML: &str = "\
oauth:
  client:
    secret:
      policy:
        minLength: 8
        maxLength: 20
        requireUpperCaseCharacter: 1
        requireDigit: 1
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,clients.read,clients.write,clients.secret,clients.admin
";

// ---------------------------------------------------------------------------------------------
// §1.1 gates
// ---------------------------------------------------------------------------------------------

/// Every route with a request that, once past the gate, gets a deterministic answer.
fn routes() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/oauth/clients", None),
        (Method::GET, "/oauth/clients/nope", None),
        (Method::POST, "/oauth/clients", Some(json!({}))),
        (Method::PUT, "/oauth/clients/nope", Some(json!({}))),
        (Method::DELETE, "/oauth/clients/nope", None),
        (
            Method::PUT,
            "/oauth/clients/nope/secret",
            Some(json!({"secret": "x"})),
        ),
        (Method::POST, "/oauth/clients/tx", Some(json!([]))),
        (Method::PUT, "/oauth/clients/tx", Some(json!([]))),
        (
            Method::POST,
            "/oauth/clients/tx/delete",
            Some(json!([{"client_id": "nope"}])),
        ),
        (
            Method::POST,
            "/oauth/clients/tx/secret",
            Some(json!([{"clientId": "nope", "secret": "x"}])),
        ),
        (
            Method::POST,
            "/oauth/clients/tx/modify",
            Some(json!([{"client_id": "nope", "action": "bogus"}])),
        ),
        (Method::GET, "/oauth/clients/restricted", None),
        (Method::POST, "/oauth/clients/restricted", Some(json!({}))),
        (
            Method::PUT,
            "/oauth/clients/restricted/nope",
            Some(json!({})),
        ),
        (Method::GET, "/oauth/clients/nope/meta", None),
        (Method::GET, "/oauth/clients/meta", None),
        (
            Method::PUT,
            "/oauth/clients/nope/meta",
            Some(json!({"clientId": "nope"})),
        ),
    ]
}

#[tokio::test]
async fn every_route_answers_401_unauthorized_with_a_bearer_challenge_without_a_token() {
    let s = TestServer::spawn().await;
    for (method, path, body) in routes() {
        let (status, headers, body) = call(&s, method.clone(), path, None, body.as_ref()).await;
        let route = format!("{method} {path}");
        assert_eq!(status, 401, "{route}");
        assert_eq!(
            body,
            json!({
                "error": "unauthorized",
                "error_description": "Full authentication is required to access this resource"
            }),
            "{route}"
        );
        assert_eq!(
            headers["www-authenticate"],
            "Bearer realm=\"UAA/oauth\", error=\"unauthorized\", \
             error_description=\"Full authentication is required to access this resource\"",
            "{route}"
        );
        assert_eq!(headers["cache-control"], "no-store", "{route}");
        assert_eq!(headers["pragma"], "no-cache", "{route}");
    }
}

#[tokio::test]
async fn an_invalid_token_gets_401_invalid_token_with_a_bearer_challenge() {
    let s = TestServer::spawn().await;
    let (status, headers, body) =
        call(&s, Method::GET, "/oauth/clients", Some("not-a-token"), None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_token");
    let challenge = headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with("Bearer realm=\"UAA/oauth\", error=\"invalid_token\""),
        "{challenge}"
    );
    snap!(body);
}

#[tokio::test]
async fn a_token_without_the_scope_gets_403_insufficient_scope_listing_the_routes_gate() {
    let s = TestServer::spawn().await;
    let token = token_with(&s, "scim.read").await;
    let expected_gate = |method: &Method, path: &str| -> Option<&'static str> {
        if path.ends_with("/meta") && *method == Method::GET {
            None
        } else if path.starts_with("/oauth/clients/tx") {
            Some(ADMIN_GATE)
        } else if path.ends_with("/secret") {
            Some(SECRET_GATE)
        } else if *method == Method::GET {
            Some(READ_GATE)
        } else {
            Some(WRITE_GATE)
        }
    };
    for (method, path, body) in routes() {
        let route = format!("{method} {path}");
        let (status, headers, body) =
            call(&s, method.clone(), path, Some(&token), body.as_ref()).await;
        match expected_gate(&method, path) {
            Some(gate) => {
                assert_eq!(status, 403, "{route}: {body}");
                assert_eq!(
                    body,
                    json!({
                        "error": "insufficient_scope",
                        "error_description": "Insufficient scope for this resource",
                        "scope": gate,
                    }),
                    "{route}"
                );
                let challenge = headers["www-authenticate"].to_str().unwrap();
                assert!(
                    challenge.starts_with("Bearer error=\"insufficient_scope\""),
                    "{route}: {challenge}"
                );
            }
            // GET …/meta: any fully authenticated token.
            None => assert_ne!(status, 403, "{route}: {body}"),
        }
    }
}

/// Which token passes which gate: the status each route answers to a token carrying only the
/// named scope (403 = refused by the gate; anything else = the gate let it through).
#[tokio::test]
async fn each_gate_opens_for_its_scopes_and_uaa_admin_opens_every_gate() {
    let s = TestServer::spawn().await;
    let scopes = [
        "scim.read",
        "clients.read",
        "clients.write",
        "clients.secret",
        "clients.admin",
        "zones.uaa.admin",
        "uaa.admin",
    ];
    let mut tokens = Vec::new();
    for sc in scopes {
        tokens.push((sc, token_with(&s, sc).await));
    }
    let mut matrix = serde_json::Map::new();
    for (method, path, body) in routes() {
        let mut row = serde_json::Map::new();
        for (sc, token) in &tokens {
            let (status, _, _) = call(&s, method.clone(), path, Some(token), body.as_ref()).await;
            row.insert((*sc).to_owned(), json!(status));
        }
        matrix.insert(format!("{method} {path}"), Value::Object(row));
    }
    snap!(Value::Object(matrix));
}

#[tokio::test]
async fn clients_write_is_not_enough_to_change_a_secret() {
    let s = TestServer::spawn().await;
    let token = token_with(&s, "clients.write").await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/admin/secret",
        &json!({"secret": "changed"}),
    )
    .await;
    assert_eq!(status, 403);
    snap!(body);
    // The secret is unchanged.
    s.client_token("admin", "adminsecret").await;
}

#[tokio::test]
async fn clients_read_and_clients_write_are_not_enough_for_the_tx_endpoints() {
    let s = TestServer::spawn().await;
    let token = token_with(&s, "clients.read,clients.write").await;
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients/tx",
        &json!([cc_client("tx-denied", "s")]),
    )
    .await;
    assert_eq!(status, 403);
    snap!(body);
    assert!(!exists(&s, &admin(&s).await, "tx-denied").await);
}

// ---------------------------------------------------------------------------------------------
// CRUD
// ---------------------------------------------------------------------------------------------

/// A client using every field of §1.3 that a create accepts.
fn full_client() -> Value {
    json!({
        "client_id": "full",
        "client_secret": "fullsecret",
        "authorized_grant_types": ["client_credentials", "authorization_code"],
        "redirect_uri": ["http://example.com/cb", "https://*.example.com/**"],
        "scope": ["full.read", "full.write"],
        "authorities": ["uaa.resource"],
        "resource_ids": ["ignored"],
        "autoapprove": ["full.read"],
        "access_token_validity": 600,
        "refresh_token_validity": 3600,
        "name": "Full Client",
        "allowedproviders": ["uaa"],
        "required_user_groups": ["g1"],
        "custom": "kept",
    })
}

#[tokio::test]
async fn create_returns_201_with_the_client_json_and_no_secret_anywhere() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let r = s
        .http
        .post(s.url("/oauth/clients"))
        .bearer_auth(&token)
        .json(&full_client())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let text = r.text().await.unwrap();
    assert!(!text.contains("client_secret"), "{text}");
    assert!(!text.contains("fullsecret"), "{text}");
    let created: Value = serde_json::from_str(&text).unwrap();
    snap!(created.clone());

    let (status, fetched) = get(&s, &token, "/oauth/clients/full").await;
    assert_eq!(status, 200);
    assert_eq!(fetched, created);
    assert!(!fetched.to_string().contains("client_secret"));
    // The secret was stored: the client authenticates with it.
    s.client_token("full", "fullsecret").await;
}

#[tokio::test]
async fn create_accepts_comma_separated_strings_for_list_fields() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let created = create_ok(
        &s,
        &token,
        json!({
            "client_id": "commas",
            "client_secret": "s",
            "authorized_grant_types": "client_credentials,password",
            "scope": "a.read,a.write",
            "authorities": "uaa.resource",
            "autoapprove": true,
        }),
    )
    .await;
    snap!(created);
}

#[tokio::test]
async fn create_with_a_secondary_secret_lets_both_secrets_authenticate() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let mut body = cc_client("two-secrets", "first");
    body["secondary_client_secret"] = json!("second");
    let created = create_ok(&s, &token, body).await;
    assert!(created.get("secondary_client_secret").is_none());
    assert!(created.get("client_secret").is_none());
    s.client_token("two-secrets", "first").await;
    s.client_token("two-secrets", "second").await;
    assert_eq!(token_status(&s, "two-secrets", "third").await.0, 401);
}

#[tokio::test]
async fn get_returns_404_with_an_empty_body_for_an_unknown_id() {
    let s = TestServer::spawn().await;
    let r = s
        .http
        .get(s.url("/oauth/clients/nope"))
        .bearer_auth(admin(&s).await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), "");
}

#[tokio::test]
async fn get_returns_the_stored_client_without_its_secret() {
    let s = TestServer::spawn().await;
    let (status, body) = get(&s, &admin(&s).await, "/oauth/clients/app").await;
    assert_eq!(status, 200);
    snap!(body);
}

#[tokio::test]
async fn create_returns_409_invalid_client_for_a_duplicate_id() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("dup", "first")).await;
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients",
        &cc_client("dup", "second"),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        body,
        json!({"error": "invalid_client", "error_description": "Client already exists: dup"})
    );
    snap!(body);
    // The stored client is the first one.
    s.client_token("dup", "first").await;
    assert_eq!(token_status(&s, "dup", "second").await.0, 401);
}

#[tokio::test]
async fn update_never_changes_the_secret() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("keeps-secret", "oldsecret")).await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/keeps-secret",
        &json!({
            "client_id": "keeps-secret",
            "client_secret": "newsecret",
            "secondary_client_secret": "othersecret",
            "authorized_grant_types": ["client_credentials"],
            "name": "Renamed",
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("client_secret").is_none(), "{body}");
    assert!(body.get("secondary_client_secret").is_none(), "{body}");
    s.client_token("keeps-secret", "oldsecret").await;
    assert_eq!(token_status(&s, "keeps-secret", "newsecret").await.0, 401);
    assert_eq!(token_status(&s, "keeps-secret", "othersecret").await.0, 401);
}

#[tokio::test]
async fn update_merges_missing_fields_from_the_stored_client() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let mut body = full_client();
    body["client_id"] = json!("merge-me");
    body["drop-me"] = json!("x");
    let created = create_ok(&s, &token, body).await;
    let (status, updated) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/merge-me",
        &json!({
            "client_id": "merge-me",
            "name": "Renamed",
            "drop-me": null,
            "added": 1,
        }),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    snap!(updated.clone());
    // The server-managed salt survives an update.
    assert_eq!(updated["token_salt"], created["token_salt"]);
    let (_, fetched) = get(&s, &token, "/oauth/clients/merge-me").await;
    assert_eq!(fetched, updated);
}

#[tokio::test]
async fn update_replaces_the_fields_it_is_given() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let mut body = full_client();
    body["client_id"] = json!("replace-me");
    create_ok(&s, &token, body).await;
    let (status, updated) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/replace-me",
        &json!({
            "client_id": "replace-me",
            "authorized_grant_types": ["password"],
            "scope": ["other.read"],
            "authorities": ["uaa.none"],
            "autoapprove": true,
            "access_token_validity": 60,
        }),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    snap!(updated);
}

#[tokio::test]
async fn update_with_a_body_client_id_that_differs_from_the_path_is_refused() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("path-id", "s")).await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/path-id",
        &json!({"client_id": "body-id", "name": "x"}),
    )
    .await;
    // §1.1: UAA's `Assert.state` message; its status is not pinned by UAA's tests.
    assert_eq!(status, 400);
    snap!(body);
    let (_, fetched) = get(&s, &token, "/oauth/clients/path-id").await;
    assert!(fetched.get("name").is_none(), "{fetched}");
    assert!(!exists(&s, &token, "body-id").await);
}

#[tokio::test]
async fn update_of_an_unknown_client_returns_404_with_an_empty_body() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/nope",
        &cc_client("nope", "s"),
    )
    .await;
    assert_eq!((status, body), (404, Value::Null));
    assert!(!exists(&s, &token, "nope").await);
}

#[tokio::test]
async fn delete_returns_the_deleted_client_and_the_client_can_no_longer_get_a_token() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("doomed", "doomedsecret")).await;
    s.client_token("doomed", "doomedsecret").await;

    let (status, body) = delete(&s, &token, "/oauth/clients/doomed").await;
    assert_eq!(status, 200);
    assert!(!body.to_string().contains("client_secret"));
    snap!("delete_returns_the_deleted_client", body);

    assert!(!exists(&s, &token, "doomed").await);
    let (status, body) = token_status(&s, "doomed", "doomedsecret").await;
    assert_eq!(status, 401);
    snap!("deleted_client_token_request", body);
    // A second delete finds nothing.
    assert_eq!(
        delete(&s, &token, "/oauth/clients/doomed").await,
        (404, Value::Null)
    );
}

// ---------------------------------------------------------------------------------------------
// §1.4 validation
// ---------------------------------------------------------------------------------------------

/// POSTs `body` as `token`, expects 400 and that no client `id` exists afterwards; returns the
/// error body.
async fn refused(s: &TestServer, token: &str, id: &str, body: Value) -> Value {
    let (status, err) = send(s, Method::POST, token, "/oauth/clients", &body).await;
    assert_eq!(status, 400, "{body} → {err}");
    assert_eq!(err["error"], "invalid_client", "{err}");
    assert!(!exists(s, &admin(s).await, id).await, "{id} was stored");
    err
}

#[tokio::test]
async fn create_refuses_the_reserved_client_id_uaa() {
    let s = TestServer::spawn().await;
    let body = refused(
        &s,
        &admin(&s).await,
        "uaa",
        json!({"client_id": "uaa", "authorized_grant_types": ["password"]}),
    )
    .await;
    snap!(body);
}

#[tokio::test]
async fn create_refuses_a_slash_or_backslash_in_the_client_id() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let slash = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients",
        &json!({"client_id": "a/b", "authorized_grant_types": ["password"]}),
    )
    .await;
    let backslash = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients",
        &json!({"client_id": "a\\b", "authorized_grant_types": ["password"]}),
    )
    .await;
    assert_eq!((slash.0, backslash.0), (400, 400));
    snap!(json!({"slash": slash.1, "backslash": backslash.1}));
    let (_, all) = list(&s, &token, &[("filter", "client_id co \"a\"")]).await;
    assert!(
        !ids(&all).iter().any(|id| id == "a/b" || id == "a\\b"),
        "{all}"
    );
}

#[tokio::test]
async fn create_refuses_a_missing_or_empty_grant_type_list() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let missing = refused(&s, &token, "nogrant", json!({"client_id": "nogrant"})).await;
    let empty = refused(
        &s,
        &token,
        "nogrant",
        json!({"client_id": "nogrant", "authorized_grant_types": []}),
    )
    .await;
    assert_eq!(missing, empty);
    snap!(missing);
}

#[tokio::test]
async fn create_refuses_an_unknown_grant_type_and_lists_the_valid_ones() {
    let s = TestServer::spawn().await;
    let body = refused(
        &s,
        &admin(&s).await,
        "magic",
        json!({"client_id": "magic", "client_secret": "s", "authorized_grant_types": ["client_credentials", "magic"]}),
    )
    .await;
    snap!(body);
}

#[tokio::test]
async fn every_valid_grant_type_is_accepted() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let created = create_ok(
        &s,
        &token,
        json!({
            "client_id": "all-grants",
            "client_secret": "s",
            "authorized_grant_types": [
                "password",
                "client_credentials",
                "authorization_code",
                "refresh_token",
                "user_token",
                "urn:ietf:params:oauth:grant-type:saml2-bearer",
                "urn:ietf:params:oauth:grant-type:jwt-bearer",
            ],
            "redirect_uri": ["http://example.com/cb"],
            "scope": ["openid"],
        }),
    )
    .await;
    snap!(created);
}

#[tokio::test]
async fn password_and_authorization_code_clients_get_refresh_token_added_silently() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let password = create_ok(
        &s,
        &token,
        json!({"client_id": "pw", "client_secret": "", "authorized_grant_types": ["password"]}),
    )
    .await;
    let code = create_ok(
        &s,
        &token,
        json!({
            "client_id": "code",
            "client_secret": "s",
            "authorized_grant_types": ["authorization_code"],
            "redirect_uri": "http://example.com/cb",
        }),
    )
    .await;
    assert_eq!(
        password["authorized_grant_types"],
        json!(["password", "refresh_token"])
    );
    assert_eq!(
        code["authorized_grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    // Rule 7: empty scope and authorities become uaa.none; resource_ids are always "none".
    assert_eq!(password["scope"], json!(["uaa.none"]));
    assert_eq!(password["authorities"], json!(["uaa.none"]));
    assert_eq!(password["resource_ids"], json!(["none"]));
}

#[tokio::test]
async fn authorization_code_and_implicit_clients_require_a_redirect_uri() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let code = refused(
        &s,
        &token,
        "noredirect",
        json!({"client_id": "noredirect", "client_secret": "s", "authorized_grant_types": ["authorization_code"]}),
    )
    .await;
    let implicit = refused(
        &s,
        &token,
        "noredirect",
        json!({"client_id": "noredirect", "authorized_grant_types": ["implicit"], "redirect_uri": []}),
    )
    .await;
    snap!(json!({"authorization_code": code, "implicit": implicit}));
}

#[tokio::test]
async fn an_invalid_redirect_uri_is_refused() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let mut out = serde_json::Map::new();
    for uri in ["not a url", "http://a.example.com/x,y", "http:///nohost"] {
        let body = refused(
            &s,
            &token,
            "badredirect",
            json!({
                "client_id": "badredirect",
                "client_secret": "s",
                "authorized_grant_types": ["authorization_code"],
                "redirect_uri": ["http://ok.example.com/cb", uri],
            }),
        )
        .await;
        out.insert(uri.to_owned(), body);
    }
    snap!(Value::Object(out));
}

#[tokio::test]
async fn ant_style_and_custom_scheme_redirect_uris_are_accepted() {
    let s = TestServer::spawn().await;
    let created = create_ok(
        &s,
        &admin(&s).await,
        json!({
            "client_id": "patterns",
            "authorized_grant_types": ["implicit"],
            "redirect_uri": ["https://*.example.com/**", "myapp://callback", "http://localhost:8080/app/*"],
        }),
    )
    .await;
    assert_eq!(
        created["redirect_uri"],
        json!([
            "https://*.example.com/**",
            "myapp://callback",
            "http://localhost:8080/app/*"
        ])
    );
}

#[tokio::test]
async fn jwt_bearer_clients_need_a_scope_and_a_secret() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    let no_scope = refused(
        &s,
        &token,
        "jwt",
        json!({"client_id": "jwt", "client_secret": "s", "authorized_grant_types": [grant]}),
    )
    .await;
    let no_secret = refused(
        &s,
        &token,
        "jwt",
        json!({"client_id": "jwt", "authorized_grant_types": [grant], "scope": ["openid"]}),
    )
    .await;
    let empty_secret = refused(
        &s,
        &token,
        "jwt",
        json!({"client_id": "jwt", "client_secret": "", "authorized_grant_types": [grant], "scope": ["openid"]}),
    )
    .await;
    assert_eq!(no_secret, empty_secret);
    snap!(json!({"no_scope": no_scope, "no_secret": no_secret}));
    create_ok(
        &s,
        &token,
        json!({"client_id": "jwt", "client_secret": "s", "authorized_grant_types": [grant], "scope": ["openid"]}),
    )
    .await;
}

#[tokio::test]
async fn an_implicit_client_may_not_have_a_secret() {
    let s = TestServer::spawn().await;
    let body = refused(
        &s,
        &admin(&s).await,
        "implicit-secret",
        json!({
            "client_id": "implicit-secret",
            "client_secret": "s",
            "authorized_grant_types": ["implicit"],
            "redirect_uri": ["http://example.com/cb"],
        }),
    )
    .await;
    snap!(body);
}

#[tokio::test]
async fn a_client_credentials_client_needs_a_secret_on_create() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let missing = refused(
        &s,
        &token,
        "cc",
        json!({"client_id": "cc", "authorized_grant_types": ["client_credentials"]}),
    )
    .await;
    let empty = refused(
        &s,
        &token,
        "cc",
        json!({"client_id": "cc", "client_secret": "", "authorized_grant_types": ["client_credentials"]}),
    )
    .await;
    assert_eq!(missing, empty);
    snap!(missing);
}

#[tokio::test]
async fn an_empty_secret_is_accepted_for_a_password_client() {
    // UAA integration test `createClientWithEmptySecret`.
    let s = TestServer::spawn().await;
    let created = create_ok(
        &s,
        &admin(&s).await,
        json!({"client_id": "empty-secret", "client_secret": "", "authorized_grant_types": ["password"], "scope": ["openid"]}),
    )
    .await;
    snap!(created);
    // The empty secret authenticates the client at the token endpoint.
    s.password_token("empty-secret", "", "marissa", "koala")
        .await;
}

#[tokio::test]
async fn an_empty_secret_is_accepted_for_an_authorization_code_client() {
    let s = TestServer::spawn().await;
    create_ok(
        &s,
        &admin(&s).await,
        json!({
            "client_id": "code-no-secret",
            "client_secret": "",
            "authorized_grant_types": ["authorization_code"],
            "redirect_uri": ["http://example.com/cb"],
        }),
    )
    .await;
}

#[tokio::test]
async fn a_missing_client_id_is_refused_without_storing_anything() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let (_, before) = list(&s, &token, &[]).await;
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients",
        &json!({"client_secret": "s", "authorized_grant_types": ["client_credentials"]}),
    )
    .await;
    assert_eq!(status, 400);
    snap!(body);
    let (_, after) = list(&s, &token, &[]).await;
    assert_eq!(ids(&before), ids(&after));
}

// §1.4 rule 6: non-admin callers.

#[tokio::test]
async fn a_non_admin_caller_may_not_create_a_password_client() {
    let s = TestServer::with_yaml(WRITER_YAML).await;
    let writer = s.client_token("writer", "writersecret").await;
    let body = refused(
        &s,
        &writer,
        "pw",
        json!({"client_id": "pw", "authorized_grant_types": ["password"]}),
    )
    .await;
    snap!(body);
}

#[tokio::test]
async fn a_non_admin_caller_may_not_combine_implicit_and_authorization_code() {
    let s = TestServer::with_yaml(WRITER_YAML).await;
    let writer = s.client_token("writer", "writersecret").await;
    let body = refused(
        &s,
        &writer,
        "both",
        json!({
            "client_id": "both",
            "authorized_grant_types": ["implicit", "authorization_code"],
            "redirect_uri": ["http://example.com/cb"],
        }),
    )
    .await;
    snap!(body);
}

#[tokio::test]
async fn a_non_admin_caller_may_only_grant_its_own_scopes_or_scopes_with_its_prefix() {
    let s = TestServer::with_yaml(WRITER_YAML).await;
    let writer = s.client_token("writer", "writersecret").await;
    let body = refused(
        &s,
        &writer,
        "scoped",
        json!({
            "client_id": "scoped",
            "client_secret": "s",
            "authorized_grant_types": ["client_credentials"],
            "scope": ["writer.anything", "shared.read", "other.read"],
        }),
    )
    .await;
    snap!(body);
    let created = create_ok(
        &s,
        &writer,
        json!({
            "client_id": "scoped",
            "client_secret": "s",
            "authorized_grant_types": ["client_credentials"],
            "scope": ["writer.anything", "shared.read"],
        }),
    )
    .await;
    assert_eq!(created["scope"], json!(["writer.anything", "shared.read"]));
}

#[tokio::test]
async fn a_non_admin_caller_may_create_a_client_without_scopes_which_get_uaa_none() {
    // UAA checks the requested scopes before it defaults an empty list to uaa.none, so a caller
    // that does not hold uaa.none itself may still create a client without scopes.
    let s = TestServer::with_yaml(WRITER_YAML).await;
    let writer = s.client_token("writer", "writersecret").await;
    let created = create_ok(
        &s,
        &writer,
        json!({"client_id": "noscope", "client_secret": "s", "authorized_grant_types": ["client_credentials"]}),
    )
    .await;
    assert_eq!(created["scope"], json!(["uaa.none"]));
    assert_eq!(created["authorities"], json!(["uaa.none"]));
}

#[tokio::test]
async fn a_non_admin_caller_may_only_grant_uaa_none_or_uaa_resource_as_authorities() {
    let s = TestServer::with_yaml(WRITER_YAML).await;
    let writer = s.client_token("writer", "writersecret").await;
    let with_cc = refused(
        &s,
        &writer,
        "authz",
        json!({
            "client_id": "authz",
            "client_secret": "s",
            "authorized_grant_types": ["client_credentials"],
            "authorities": ["uaa.resource", "scim.read"],
        }),
    )
    .await;
    // Without client_credentials, uaa.resource is not allowed either.
    let without_cc = refused(
        &s,
        &writer,
        "authz",
        json!({
            "client_id": "authz",
            "client_secret": "s",
            "authorized_grant_types": ["authorization_code"],
            "redirect_uri": ["http://example.com/cb"],
            "authorities": ["uaa.resource"],
        }),
    )
    .await;
    snap!(json!({"client_credentials": with_cc, "authorization_code": without_cc}));
    let created = create_ok(
        &s,
        &writer,
        json!({
            "client_id": "authz",
            "client_secret": "s",
            "authorized_grant_types": ["client_credentials"],
            "authorities": ["uaa.resource"],
        }),
    )
    .await;
    assert_eq!(created["authorities"], json!(["uaa.resource"]));
}

#[tokio::test]
async fn a_non_admin_caller_is_held_to_the_same_rules_on_update() {
    let s = TestServer::with_yaml(WRITER_YAML).await;
    let writer = s.client_token("writer", "writersecret").await;
    // A scope the writer may grant, so that only the authority is refused.
    create_ok(
        &s,
        &admin(&s).await,
        json!({
            "client_id": "upd",
            "client_secret": "s",
            "authorized_grant_types": ["client_credentials"],
            "scope": ["writer.x"],
            "authorities": ["uaa.resource"],
        }),
    )
    .await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &writer,
        "/oauth/clients/upd",
        &json!({"client_id": "upd", "authorities": ["clients.admin"]}),
    )
    .await;
    assert_eq!(status, 400);
    snap!(body);
    let (_, stored) = get(&s, &admin(&s).await, "/oauth/clients/upd").await;
    assert_eq!(stored["authorities"], json!(["uaa.resource"]));
}

#[tokio::test]
async fn a_clients_admin_caller_counts_as_admin_for_validation() {
    let s = TestServer::spawn().await;
    let token = token_with(&s, "clients.admin").await;
    let created = create_ok(
        &s,
        &token,
        json!({
            "client_id": "by-clients-admin",
            "client_secret": "s",
            "authorized_grant_types": ["password", "client_credentials"],
            "scope": ["anything.read"],
            "authorities": ["scim.read"],
        }),
    )
    .await;
    assert_eq!(created["authorities"], json!(["scim.read"]));
}

// Client secret policy.

#[tokio::test]
async fn create_refuses_a_secret_that_violates_the_policy_with_every_message_sorted() {
    let s = TestServer::with_yaml(POLICY_YAML).await;
    let token = admin(&s).await;
    let short = refused(&s, &token, "weak", cc_client("weak", "short")).await;
    let long = refused(
        &s,
        &token,
        "weak",
        cc_client("weak", "Abcdefghij1234567890X"),
    )
    .await;
    snap!(json!({"short": short, "long": long}));
    create_ok(&s, &token, cc_client("weak", "Abcdefg1")).await;
}

#[tokio::test]
async fn the_secondary_secret_is_checked_against_the_policy_too() {
    let s = TestServer::with_yaml(POLICY_YAML).await;
    let token = admin(&s).await;
    let mut body = cc_client("weak2", "Abcdefg1");
    body["secondary_client_secret"] = json!("weak");
    let err = refused(&s, &token, "weak2", body).await;
    snap!(err);
}

#[tokio::test]
async fn an_empty_secret_skips_the_policy() {
    let s = TestServer::with_yaml(POLICY_YAML).await;
    create_ok(
        &s,
        &admin(&s).await,
        json!({"client_id": "nosecret", "client_secret": "", "authorized_grant_types": ["password"]}),
    )
    .await;
}

// Malformed bodies.

#[tokio::test]
async fn malformed_json_and_wrong_field_types_get_a_400_json_error_and_change_nothing() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("victim", "victimsecret")).await;
    let (_, before) = list(&s, &token, &[]).await;
    let cases: &[(Method, &str, &str)] = &[
        (Method::POST, "/oauth/clients", "{\"client_id\":"),
        (Method::POST, "/oauth/clients", "not json"),
        (Method::POST, "/oauth/clients", ""),
        (Method::POST, "/oauth/clients", "[]"),
        (
            Method::POST,
            "/oauth/clients",
            r#"{"client_id":"bad","client_secret":"s","authorized_grant_types":"client_credentials","scope":5}"#,
        ),
        (
            Method::POST,
            "/oauth/clients",
            r#"{"client_id":"bad","client_secret":"s","authorized_grant_types":"client_credentials","access_token_validity":"ten"}"#,
        ),
        (
            Method::POST,
            "/oauth/clients",
            r#"{"client_id":5,"authorized_grant_types":"password"}"#,
        ),
        (
            Method::POST,
            "/oauth/clients",
            r#"{"client_id":"bad","authorized_grant_types":[1]}"#,
        ),
        (Method::PUT, "/oauth/clients/victim", "{\"client_id\":"),
        (
            Method::PUT,
            "/oauth/clients/victim",
            r#"{"client_id":"victim","authorities":{"a":1}}"#,
        ),
        (Method::POST, "/oauth/clients/tx", r#"{"client_id":"bad"}"#),
        (Method::PUT, "/oauth/clients/tx", "[{"),
        (Method::POST, "/oauth/clients/tx/delete", "\"victim\""),
        (
            Method::POST,
            "/oauth/clients/tx/secret",
            r#"[{"clientId":1}]"#,
        ),
        (Method::POST, "/oauth/clients/tx/modify", "{}"),
        (
            Method::PUT,
            "/oauth/clients/victim/meta",
            r#"{"showOnHomePage":"yes"}"#,
        ),
    ];
    let mut out = Vec::new();
    for (method, path, body) in cases {
        let (status, err) = send_raw(&s, method.clone(), &token, path, body).await;
        assert_eq!(status, 400, "{method} {path} {body}: {err}");
        assert!(err["error"].is_string(), "{method} {path} {body}: {err}");
        out.push(json!({"request": format!("{method} {path} {body}"), "response": err}));
    }
    snap!(Value::Array(out));
    let (_, after) = list(&s, &token, &[]).await;
    assert_eq!(before, after);
    s.client_token("victim", "victimsecret").await;
}

// ---------------------------------------------------------------------------------------------
// GET /oauth/clients: filter, sort, paging, attributes
// ---------------------------------------------------------------------------------------------

/// A server with four extra clients whose ids start with `list-`.
async fn list_server() -> (TestServer, String) {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let clients = [
        json!({"client_id": "list-gamma", "client_secret": "s", "authorized_grant_types": ["client_credentials"], "scope": ["g.read"], "access_token_validity": 100}),
        json!({"client_id": "list-alpha", "client_secret": "s", "authorized_grant_types": ["client_credentials"], "scope": ["a.read"], "access_token_validity": 300}),
        json!({"client_id": "list-beta", "client_secret": "", "authorized_grant_types": ["password"], "scope": ["b.read"], "access_token_validity": 200}),
        json!({"client_id": "list-alphabet", "client_secret": "", "authorized_grant_types": ["password"], "scope": ["ab.read"], "access_token_validity": 400}),
    ];
    for c in clients {
        create_ok(&s, &token, c).await;
    }
    (s, token)
}

#[tokio::test]
async fn list_returns_search_results_with_the_client_schema() {
    let (s, token) = list_server().await;
    let (status, body) = list(&s, &token, &[("filter", "client_id sw \"list-alpha\"")]).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["schemas"],
        json!(["http://cloudfoundry.org/schema/scim/oauth-clients-1.0"])
    );
    assert!(!body.to_string().contains("client_secret"));
    snap!(body);
}

#[tokio::test]
async fn list_defaults_to_every_client_sorted_by_client_id_ascending() {
    let (s, token) = list_server().await;
    let (status, body) = list(&s, &token, &[]).await;
    assert_eq!(status, 200);
    snap!(json!({
        "ids": ids(&body),
        "startIndex": body["startIndex"],
        "itemsPerPage": body["itemsPerPage"],
        "totalResults": body["totalResults"],
    }));
}

#[tokio::test]
async fn list_filters_with_eq_sw_co_pr_and_or() {
    let (s, token) = list_server().await;
    let filters = [
        "client_id eq \"list-alpha\"",
        "client_id eq \"LIST-ALPHA\"",
        "client_id eq 'list-beta'",
        "client_id sw \"list-alpha\"",
        "client_id co \"alpha\"",
        "client_id co \"ST-BE\"",
        "client_id pr and client_id sw \"list-\"",
        "client_id eq \"list-alpha\" or client_id eq \"list-gamma\"",
        "client_id sw \"list-\" and authorized_grant_types co \"password\"",
        "client_id sw \"list-\" and (scope eq \"a.read\" or scope eq \"g.read\")",
        "client_id sw \"list-\" and access_token_validity gt 200",
        "client_id eq \"nobody\"",
    ];
    let mut out = serde_json::Map::new();
    for f in filters {
        let (status, body) = list(&s, &token, &[("filter", f)]).await;
        assert_eq!(status, 200, "{f}: {body}");
        assert_eq!(
            body["totalResults"].as_u64().unwrap(),
            ids(&body).len() as u64,
            "{f}"
        );
        out.insert(f.to_owned(), json!(ids(&body)));
    }
    snap!(Value::Object(out));
}

#[tokio::test]
async fn list_sorts_by_sort_by_in_sort_order() {
    let (s, token) = list_server().await;
    let filter = ("filter", "client_id sw \"list-\"");
    let mut out = serde_json::Map::new();
    for q in [
        vec![filter],
        vec![filter, ("sortOrder", "descending")],
        vec![filter, ("sortBy", "access_token_validity")],
        vec![
            filter,
            ("sortBy", "access_token_validity"),
            ("sortOrder", "descending"),
        ],
    ] {
        let (status, body) = list(&s, &token, &q).await;
        assert_eq!(status, 200, "{q:?}: {body}");
        let key = q[1..]
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        out.insert(key, json!(ids(&body)));
    }
    snap!(Value::Object(out));
}

#[tokio::test]
async fn list_pages_with_start_index_and_count() {
    let (s, token) = list_server().await;
    let (status, body) = list(
        &s,
        &token,
        &[
            ("filter", "client_id sw \"list-\""),
            ("startIndex", "2"),
            ("count", "2"),
            ("attributes", "client_id"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    snap!(body);
}

#[tokio::test]
async fn list_projects_the_requested_attributes() {
    let (s, token) = list_server().await;
    let (status, body) = list(
        &s,
        &token,
        &[
            ("filter", "client_id sw \"list-a\""),
            ("attributes", "client_id,scope,access_token_validity"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    for c in body["resources"].as_array().unwrap() {
        let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["access_token_validity", "client_id", "scope"], "{c}");
    }
    snap!(body);
}

#[tokio::test]
async fn list_attributes_that_no_client_has_are_400_invalid_attributes_naming_the_list() {
    let (s, token) = list_server().await;
    for raw in ["id", "client_id,foo", "client_id, nope ,scope"] {
        let (status, body) = list(&s, &token, &[("attributes", raw)]).await;
        assert_eq!(status, 400, "{raw}: {body}");
        assert_eq!(
            body,
            json!({
                "error": "unknown_error",
                "error_description": format!("Invalid attributes: [{raw}]"),
            }),
            "{raw}"
        );
    }
    // Field names match without regard to case; additional information counts as a field.
    create_ok(
        &s,
        &token,
        json!({"client_id": "list-extra", "authorized_grant_types": ["password"], "team": "blue"}),
    )
    .await;
    let (status, body) = list(
        &s,
        &token,
        &[
            ("filter", "client_id sw \"list-\""),
            ("attributes", "CLIENT_ID,team"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let extra = body["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == "list-extra")
        .cloned();
    assert_eq!(
        extra,
        Some(json!({"client_id": "list-extra", "team": "blue"}))
    );
}

#[tokio::test]
async fn list_count_defaults_to_100_and_is_capped_at_500() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    // 501 clients in one transaction (password clients need no secret, so nothing is hashed).
    let many: Vec<Value> = (0..501)
        .map(|i| {
            json!({"client_id": format!("bulk-{i:03}"), "authorized_grant_types": ["password"]})
        })
        .collect();
    let (status, body) = send(&s, Method::POST, &token, "/oauth/clients/tx", &json!(many)).await;
    assert_eq!(status, 201, "{body}");
    let mut out = serde_json::Map::new();
    for count in [None, Some("1000"), Some("500"), Some("7")] {
        let mut q = vec![
            ("filter", "client_id sw \"bulk-\""),
            ("attributes", "client_id"),
        ];
        if let Some(c) = count {
            q.push(("count", c));
        }
        let (status, body) = list(&s, &token, &q).await;
        assert_eq!(status, 200);
        out.insert(
            format!("count={}", count.unwrap_or("(default)")),
            json!({
                "resources": body["resources"].as_array().unwrap().len(),
                "itemsPerPage": body["itemsPerPage"],
                "totalResults": body["totalResults"],
                "startIndex": body["startIndex"],
            }),
        );
    }
    snap!(Value::Object(out));
}

#[tokio::test]
async fn list_refuses_a_bad_filter_with_400_invalid_filter_expression() {
    let (s, token) = list_server().await;
    let mut out = serde_json::Map::new();
    for q in [
        vec![("filter", "client_id eq")],
        vec![("filter", "client_id xx \"a\"")],
        vec![("filter", "client_id eq unquoted")],
        vec![("filter", "client_id eq"), ("sortBy", "")],
        vec![
            ("filter", "(client_id eq \"a\""),
            ("sortBy", "access_token_validity"),
        ],
    ] {
        let (status, body) = list(&s, &token, &q).await;
        assert_eq!(status, 400, "{q:?}: {body}");
        let key = q
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        out.insert(key, uaa_exception_fields(&body));
    }
    snap!(Value::Object(out));
}

#[tokio::test]
async fn list_refuses_an_unknown_filter_attribute_as_an_invalid_filter_expression() {
    // ClientAdminEndpoints catches the converter's IllegalArgumentException ("Invalid filter
    // attributes:…") and reports the whole filter, as for a syntax error.
    let (s, token) = list_server().await;
    let (status, body) = list(&s, &token, &[("filter", "secret_word eq \"x\"")]).await;
    assert_eq!(status, 400);
    snap!(uaa_exception_fields(&body));
}

/// The fields of a `UaaException` body (§0); the exact body is pinned by
/// `a_bad_filter_is_reported_as_a_uaa_exception_with_error_and_error_description_only`.
fn uaa_exception_fields(body: &Value) -> Value {
    json!({"error": body["error"], "error_description": body["error_description"]})
}

#[tokio::test]

async fn a_bad_filter_is_reported_as_a_uaa_exception_with_error_and_error_description_only() {
    let s = TestServer::spawn().await;
    let (status, body) = list(&s, &admin(&s).await, &[("filter", "client_id eq")]).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "error": "unknown_error",
            "error_description": "Invalid filter expression: [client_id eq] [client_id]",
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Client metadata
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn client_metadata_is_readable_with_any_token_even_a_user_token() {
    let s = TestServer::spawn().await;
    let user = s.password_token("cf", "", "marissa", "koala").await;
    let (status, one) = get(&s, &user, "/oauth/clients/app/meta").await;
    assert_eq!(status, 200, "{one}");
    snap!("client_metadata_of_app", one);
    let nobody = token_with(&s, "uaa.none").await;
    let (status, all) = get(&s, &nobody, "/oauth/clients/meta").await;
    assert_eq!(status, 200, "{all}");
    snap!("client_metadata_of_every_client", all);
}

#[tokio::test]
async fn client_metadata_of_an_unknown_client_is_404_no_client_metadata_found() {
    let s = TestServer::spawn().await;
    let (status, body) = get(&s, &admin(&s).await, "/oauth/clients/nope/meta").await;
    assert_eq!(status, 404);
    snap!(body);
}

#[tokio::test]
async fn put_client_metadata_stores_it_and_returns_it() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let meta = json!({
        "clientId": "app",
        "showOnHomePage": true,
        "appLaunchUrl": "http://app.example.com/launch",
        "appIcon": "aWNvbg==",
    });
    let (status, body) = send(&s, Method::PUT, &token, "/oauth/clients/app/meta", &meta).await;
    assert_eq!(status, 200, "{body}");
    snap!(body.clone());
    let (_, fetched) = get(&s, &token, "/oauth/clients/app/meta").await;
    assert_eq!(fetched, body);
    // Without clientId in the body, the path names the client.
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/app/meta",
        &json!({"showOnHomePage": false}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["clientId"], "app");
    assert_eq!(body["showOnHomePage"], false);
}

#[tokio::test]

async fn put_client_metadata_with_a_client_name_renames_the_client() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/app/meta",
        &json!({"clientId": "app", "clientName": "Renamed App"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["clientName"], "Renamed App");
    let (_, client) = get(&s, &token, "/oauth/clients/app").await;
    assert_eq!(client["name"], "Renamed App");
}

#[tokio::test]
async fn put_client_metadata_refuses_a_body_client_id_that_differs_from_the_path() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/app/meta",
        &json!({"clientId": "cf", "showOnHomePage": true}),
    )
    .await;
    assert_eq!(status, 400);
    snap!(body);
    let (_, app) = get(&s, &token, "/oauth/clients/app/meta").await;
    let (_, cf) = get(&s, &token, "/oauth/clients/cf/meta").await;
    assert_eq!(
        (&app["showOnHomePage"], &cf["showOnHomePage"]),
        (&json!(false), &json!(false))
    );
}

#[tokio::test]
async fn put_client_metadata_of_an_unknown_client_is_404() {
    let s = TestServer::spawn().await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &admin(&s).await,
        "/oauth/clients/nope/meta",
        &json!({"showOnHomePage": true}),
    )
    .await;
    assert_eq!(status, 404);
    snap!(body);
}

// ---------------------------------------------------------------------------------------------
// tx endpoints
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn tx_create_creates_every_client_and_returns_201() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients/tx",
        &json!([cc_client("tx-a", "secret-a"), cc_client("tx-b", "secret-b")]),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert!(!body.to_string().contains("client_secret"));
    snap!(body);
    s.client_token("tx-a", "secret-a").await;
    s.client_token("tx-b", "secret-b").await;
}

#[tokio::test]
async fn tx_create_creates_nothing_when_one_client_is_invalid() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients/tx",
        &json!([
            cc_client("tx-ok", "s"),
            {"client_id": "tx-bad", "authorized_grant_types": ["magic"]},
        ]),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_client");
    assert!(!exists(&s, &token, "tx-ok").await);
    assert!(!exists(&s, &token, "tx-bad").await);
}

#[tokio::test]
async fn tx_create_creates_nothing_when_one_client_already_exists() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients/tx",
        &json!([cc_client("tx-new", "s"), cc_client("admin", "s")]),
    )
    .await;
    assert_eq!(status, 409);
    snap!(body);
    assert!(!exists(&s, &token, "tx-new").await);
    s.client_token("admin", "adminsecret").await;
}

#[tokio::test]
async fn tx_create_with_an_empty_array_is_404_with_an_empty_body() {
    let s = TestServer::spawn().await;
    let (status, body) = send(
        &s,
        Method::POST,
        &admin(&s).await,
        "/oauth/clients/tx",
        &json!([]),
    )
    .await;
    assert_eq!((status, body), (404, Value::Null));
}

#[tokio::test]
async fn tx_update_updates_every_client_and_keeps_their_secrets() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("up-a", "secret-a")).await;
    create_ok(&s, &token, cc_client("up-b", "secret-b")).await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/tx",
        &json!([
            {"client_id": "up-a", "name": "A", "client_secret": "changed"},
            {"client_id": "up-b", "scope": ["b.read"]},
        ]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    snap!(body);
    s.client_token("up-a", "secret-a").await;
    s.client_token("up-b", "secret-b").await;
}

#[tokio::test]
async fn tx_update_with_an_unknown_id_is_404_and_changes_nothing() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("up-known", "s")).await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/tx",
        &json!([
            {"client_id": "up-known", "name": "Changed"},
            {"client_id": "up-unknown", "name": "Ghost"},
        ]),
    )
    .await;
    assert_eq!((status, body), (404, Value::Null));
    let (_, known) = get(&s, &token, "/oauth/clients/up-known").await;
    assert!(known.get("name").is_none(), "{known}");
    assert!(!exists(&s, &token, "up-unknown").await);
}

#[tokio::test]
async fn tx_update_with_an_empty_array_is_400_no_clients_specified() {
    let s = TestServer::spawn().await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &admin(&s).await,
        "/oauth/clients/tx",
        &json!([]),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": "invalid_client", "error_description": "No clients specified for update."})
    );
    snap!(body);
}

#[tokio::test]
async fn tx_delete_deletes_every_client_and_reports_approvals_deleted() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("del-a", "s")).await;
    create_ok(&s, &token, cc_client("del-b", "s")).await;
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients/tx/delete",
        &json!([{"client_id": "del-a"}, {"client_id": "del-b"}]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for item in body.as_array().unwrap() {
        assert_eq!(item["approvals_deleted"], true, "{item}");
    }
    snap!(body);
    assert!(!exists(&s, &token, "del-a").await);
    assert!(!exists(&s, &token, "del-b").await);
}

#[tokio::test]
async fn tx_delete_with_an_unknown_id_is_404_and_deletes_nothing() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("del-kept", "s")).await;
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients/tx/delete",
        &json!([{"client_id": "del-kept"}, {"client_id": "del-unknown"}]),
    )
    .await;
    assert_eq!((status, body), (404, Value::Null));
    assert!(exists(&s, &token, "del-kept").await);
}

#[tokio::test]
async fn tx_secret_sets_the_secret_even_with_a_wrong_old_secret_and_reports_approvals_deleted() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("sec-right", "old-right")).await;
    create_ok(&s, &token, cc_client("sec-wrong", "old-wrong")).await;
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients/tx/secret",
        &json!([
            {"clientId": "sec-right", "oldSecret": "old-right", "secret": "new-right"},
            {"clientId": "sec-wrong", "oldSecret": "not-it", "secret": "new-wrong"},
        ]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.to_string().contains("client_secret"), "{body}");
    // Only the item whose old secret did not authenticate reports deleted approvals.
    assert!(body[0].get("approvals_deleted").is_none(), "{body}");
    assert_eq!(body[1]["approvals_deleted"], true, "{body}");
    snap!(body);
    for (id, old, new) in [
        ("sec-right", "old-right", "new-right"),
        ("sec-wrong", "old-wrong", "new-wrong"),
    ] {
        s.client_token(id, new).await;
        assert_eq!(token_status(&s, id, old).await.0, 401, "{id}");
    }
}

#[tokio::test]
async fn tx_secret_with_an_unknown_id_is_404_and_changes_nothing() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("sec-kept", "kept")).await;
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients/tx/secret",
        &json!([
            {"clientId": "sec-kept", "secret": "changed"},
            {"clientId": "sec-unknown", "secret": "changed"},
        ]),
    )
    .await;
    assert_eq!((status, body), (404, Value::Null));
    s.client_token("sec-kept", "kept").await;
}

#[tokio::test]
async fn tx_modify_applies_add_update_update_secret_delete_and_secret() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    for id in ["m-update", "m-update-secret", "m-delete", "m-secret"] {
        create_ok(&s, &token, cc_client(id, "old")).await;
    }
    let mut add = cc_client("m-add", "added");
    add["action"] = json!("add");
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients/tx/modify",
        &json!([
            add,
            {"client_id": "m-update", "name": "Updated", "action": "update"},
            {"client_id": "m-update-secret", "name": "Updated too", "client_secret": "new", "action": "update,secret"},
            {"client_id": "m-delete", "action": "delete"},
            {"client_id": "m-secret", "client_secret": "new", "action": "secret"},
        ]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.to_string().contains("client_secret"), "{body}");
    // `action` and `approvals_deleted` in the items are pinned by
    // `tx_modify_items_echo_their_action_and_a_delete_reports_approvals_deleted`.
    let mut items = body.clone();
    for item in items.as_array_mut().unwrap() {
        let item = item.as_object_mut().unwrap();
        item.remove("action");
        item.remove("approvals_deleted");
    }
    snap!(items);

    s.client_token("m-add", "added").await;
    let (_, updated) = get(&s, &token, "/oauth/clients/m-update").await;
    assert_eq!(updated["name"], "Updated");
    s.client_token("m-update", "old").await;
    let (_, updated) = get(&s, &token, "/oauth/clients/m-update-secret").await;
    assert_eq!(updated["name"], "Updated too");
    s.client_token("m-update-secret", "new").await;
    assert_eq!(token_status(&s, "m-update-secret", "old").await.0, 401);
    assert!(!exists(&s, &token, "m-delete").await);
    s.client_token("m-secret", "new").await;
    assert_eq!(token_status(&s, "m-secret", "old").await.0, 401);
}

#[tokio::test]
async fn tx_modify_refuses_an_unknown_action_and_applies_nothing() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("m-kept", "s")).await;
    let mut add = cc_client("m-added", "s");
    add["action"] = json!("add");
    for bad in [json!("bogus"), json!("UPDATE"), Value::Null] {
        let mut item = json!({"client_id": "m-kept", "name": "x"});
        if !bad.is_null() {
            item["action"] = bad.clone();
        }
        let (status, body) = send(
            &s,
            Method::POST,
            &token,
            "/oauth/clients/tx/modify",
            &json!([add, {"client_id": "m-kept", "action": "delete"}, item]),
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(
            body,
            json!({"error": "invalid_client", "error_description": "Invalid action."}),
            "{bad}"
        );
        assert!(!exists(&s, &token, "m-added").await, "{bad}");
        assert!(exists(&s, &token, "m-kept").await, "{bad}");
    }
}

#[tokio::test]

async fn tx_modify_items_echo_their_action_and_a_delete_reports_approvals_deleted() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    for id in ["m-update", "m-delete"] {
        create_ok(&s, &token, cc_client(id, "old")).await;
    }
    let mut add = cc_client("m-add", "added");
    add["action"] = json!("add");
    let (status, body) = send(
        &s,
        Method::POST,
        &token,
        "/oauth/clients/tx/modify",
        &json!([
            add,
            {"client_id": "m-update", "name": "Updated", "action": "update"},
            {"client_id": "m-delete", "action": "delete"},
        ]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[0]["action"], "add", "{body}");
    assert_eq!(body[1]["action"], "update", "{body}");
    assert_eq!(body[2]["action"], "delete", "{body}");
    assert_eq!(body[2]["approvals_deleted"], true, "{body}");
}

// ---------------------------------------------------------------------------------------------
// created_by (MultitenantJdbcClientDetailsService.getUserId) and the restricted endpoints
// ---------------------------------------------------------------------------------------------

/// `boss` holds `clients.admin` through the `console` client; `admin` is a bootstrap client,
/// which has no `created_by` of its own.
const CHAIN_YAML: &str = "\
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,clients.read,clients.write,clients.secret,clients.admin
    console:
      secret: consolesecret
      authorized-grant-types: password
      scope: clients.admin,clients.read,clients.write
scim:
  users:
    - boss|bosspw|boss@example.com|Boss|B|clients.admin,clients.read,clients.write
";

/// A client that may create clients with its own client token.
fn creator_client(id: &str) -> Value {
    json!({
        "client_id": id,
        "client_secret": format!("{id}-secret"),
        "authorized_grant_types": ["client_credentials"],
        "authorities": ["clients.admin", "clients.read", "clients.write"],
    })
}

/// `createdBy` of a client's metadata (`Value::Null` when it has none).
async fn created_by(s: &TestServer, token: &str, id: &str) -> Value {
    let (status, meta) = get(s, token, &format!("/oauth/clients/{id}/meta")).await;
    assert_eq!(status, 200, "{id}: {meta}");
    meta.get("createdBy").cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_client_created_by_a_client_records_the_user_who_created_the_creating_client() {
    let s = TestServer::with_yaml(CHAIN_YAML).await;
    let boss = s
        .password_token("console", "consolesecret", "boss", "bosspw")
        .await;
    let boss_id = uaa_testkit::claims(&boss)["user_id"].clone();
    assert!(boss_id.is_string());

    // user → client A: A names the user.
    create_ok(&s, &boss, creator_client("chain-a")).await;
    assert_eq!(created_by(&s, &boss, "chain-a").await, boss_id);

    // client A → client B, by every way a client is created: B names A's creator.
    let a = s.client_token("chain-a", "chain-a-secret").await;
    create_ok(&s, &a, creator_client("chain-b")).await;
    let (status, body) = send(
        &s,
        Method::POST,
        &a,
        "/oauth/clients/tx",
        &json!([cc_client("chain-tx", "s")]),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let mut add = cc_client("chain-modify", "s");
    add["action"] = json!("add");
    let (status, body) = send(
        &s,
        Method::POST,
        &a,
        "/oauth/clients/tx/modify",
        &json!([add]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        &s,
        Method::POST,
        &a,
        "/oauth/clients/restricted",
        &cc_client("chain-restricted", "s"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    for id in ["chain-b", "chain-tx", "chain-modify", "chain-restricted"] {
        assert_eq!(created_by(&s, &a, id).await, boss_id, "{id}");
    }

    // client B → client C: still the user, two links up.
    let b = s.client_token("chain-b", "chain-b-secret").await;
    create_ok(&s, &b, cc_client("chain-c", "s")).await;
    assert_eq!(created_by(&s, &b, "chain-c").await, boss_id);

    // A bootstrap client has no creator, and neither have the clients it creates.
    let root = admin(&s).await;
    create_ok(&s, &root, cc_client("by-bootstrap", "s")).await;
    assert_eq!(created_by(&s, &root, "by-bootstrap").await, Value::Null);
    assert_eq!(created_by(&s, &root, "admin").await, Value::Null);

    // An update keeps the creator whoever updates.
    let (status, _) = send(
        &s,
        Method::PUT,
        &root,
        "/oauth/clients/chain-b",
        &json!({"client_id": "chain-b", "name": "renamed"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(created_by(&s, &root, "chain-b").await, boss_id);
}

#[tokio::test]
async fn the_restricted_list_is_uaas_reserved_scopes() {
    let s = TestServer::spawn().await;
    let (status, body) = get(&s, &admin(&s).await, "/oauth/clients/restricted").await;
    assert_eq!(status, 200);
    snap!(body);
}

#[tokio::test]
async fn the_restricted_create_refuses_uaa_scopes_then_uaa_authorities_and_stores_nothing() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let cases = [
        (
            json!(["openid", "zones.z1.admin"]),
            json!(["uaa.none"]),
            "zones.z1.admin is a restricted scope.",
        ),
        (
            json!(["openid"]),
            json!(["uaa.resource", "scim.read"]),
            "scim.read is a restricted authority.",
        ),
        (
            json!(["clients.secret"]),
            json!(["uaa.admin"]),
            "clients.secret is a restricted scope.",
        ),
        (
            json!("openid,idps.write"),
            json!([]),
            "idps.write is a restricted scope.",
        ),
    ];
    for (scope, authorities, message) in cases {
        let body = json!({
            "client_id": "restricted-app",
            "client_secret": "s",
            "authorized_grant_types": ["client_credentials"],
            "scope": scope,
            "authorities": authorities,
        });
        let (status, answer) =
            send(&s, Method::POST, &token, "/oauth/clients/restricted", &body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            answer,
            json!({"error": "invalid_client", "error_description": message})
        );
        assert!(!exists(&s, &token, "restricted-app").await);
    }
    // `zones.*.admin` matches one zone-id segment only, as UAA's wildcard does.
    let mut ok = cc_client("restricted-app", "s");
    ok["scope"] = json!(["openid", "zones.a.b.admin"]);
    let (status, created) = send(&s, Method::POST, &token, "/oauth/clients/restricted", &ok).await;
    assert_eq!(status, 201, "{created}");
    snap!(created);
}

#[tokio::test]
async fn the_restricted_update_refuses_uaa_scopes_and_keeps_the_client() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create_ok(&s, &token, cc_client("r-upd", "s")).await;
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/restricted/r-upd",
        &json!({"client_id": "r-upd", "authorities": ["clients.write"]}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": "invalid_client", "error_description": "clients.write is a restricted authority."})
    );
    let (_, stored) = get(&s, &token, "/oauth/clients/r-upd").await;
    assert_eq!(stored["authorities"], json!(["uaa.resource"]));
    let (status, body) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/restricted/r-upd",
        &json!({"client_id": "r-upd", "name": "Renamed", "scope": ["openid"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Renamed");
    assert_eq!(body["scope"], json!(["openid"]));
    let (status, _) = send(
        &s,
        Method::PUT,
        &token,
        "/oauth/clients/restricted/nope",
        &json!({"client_id": "nope", "scope": ["openid"]}),
    )
    .await;
    assert_eq!(status, 404);
}
