//! SCIM users, `/Users…` and `/ids/Users` (reference §4.1–4.3, §4.5, §6.1, §6.2, §6.6): the
//! gates and the "self" rules, the user JSON, ETags and `If-Match`, validation, the list query
//! (every filter operator, sorting, paging, attribute projection), password changes and their
//! token revocation, account status, verification, lockout and audit.
//!
//! Bodies are pinned with insta snapshots; ids, timestamps and logon times are redacted
//! wherever they occur, and ids inside messages are replaced by `[id]`. Every test starts its
//! own server.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use uaa_testkit::TestServer;

use crate::common::{admin, json as read};

/// A snapshot of a body with the volatile user fields redacted at any depth.
macro_rules! snap {
    ($name:expr, $body:expr) => {
        insta::assert_json_snapshot!($name, $body, {
            ".**.id" => "[id]",
            ".**.created" => "[time]",
            ".**.lastModified" => "[time]",
            ".**.passwordLastModified" => "[time]",
            ".**.lastLogonTime" => "[ms]",
            ".**.previousLogonTime" => "[ms]",
            ".**.groups[].value" => "[group-id]",
        })
    };
}

/// A request with an optional bearer token, JSON body and `If-Match`; returns the status, the
/// headers and the body (`Value::Null` when empty).
async fn call(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    if_match: Option<&str>,
) -> (u16, HeaderMap, Value) {
    let mut rb = s.http.request(method, s.url(path));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.json(b);
    }
    if let Some(m) = if_match {
        rb = rb.header("If-Match", m);
    }
    let r = rb.send().await.expect("request");
    let headers = r.headers().clone();
    let (status, body) = read(r).await;
    (status, headers, body)
}

async fn get(s: &TestServer, token: &str, path: &str) -> (u16, Value) {
    let (st, _, b) = call(s, Method::GET, path, Some(token), None, None).await;
    (st, b)
}

/// A body sent as is, with `Content-Type: application/json`.
async fn raw(s: &TestServer, method: Method, token: &str, path: &str, body: &str) -> (u16, Value) {
    read(
        s.http
            .request(method, s.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .header("If-Match", "*")
            .body(body.to_owned())
            .send()
            .await
            .expect("request"),
    )
    .await
}

/// `GET /Users` with query parameters.
async fn list(s: &TestServer, token: &str, query: &[(&str, &str)]) -> (u16, Value) {
    read(
        s.http
            .get(s.url("/Users"))
            .query(query)
            .bearer_auth(token)
            .send()
            .await
            .expect("request"),
    )
    .await
}

/// The body of a new user `name` with password `Secret1!` and address `name@example.com`.
fn new_user(name: &str) -> Value {
    json!({
        "userName": name,
        "password": "Secret1!",
        "name": {"givenName": format!("{name}-given"), "familyName": format!("{name}-family")},
        "emails": [{"value": format!("{name}@example.com"), "primary": true}],
    })
}

/// Creates a user; panics unless the server answers 201.
async fn create(s: &TestServer, token: &str, body: Value) -> Value {
    let (status, _, created) =
        call(s, Method::POST, "/Users", Some(token), Some(&body), None).await;
    assert_eq!(status, 201, "create {body}: {created}");
    created
}

fn id_of(u: &Value) -> String {
    u["id"].as_str().expect("id").to_owned()
}

/// Replaces `id` in every string of `v` by `[id]`, so messages that name a user snapshot well.
fn scrub(v: Value, id: &str) -> Value {
    serde_json::from_str(&v.to_string().replace(id, "[id]")).expect("json")
}

/// Registers a client with `grants`, `scope` and `authorities` (secret `s3cret`).
async fn register(s: &TestServer, id: &str, grants: &str, scope: &str, authorities: &str) {
    let token = admin(s).await;
    let (status, _, body) = call(
        s,
        Method::POST,
        "/oauth/clients",
        Some(&token),
        Some(&json!({
            "client_id": id,
            "client_secret": "s3cret",
            "authorized_grant_types": grants.split(',').collect::<Vec<_>>(),
            "scope": scope,
            "authorities": authorities,
        })),
        None,
    )
    .await;
    assert_eq!(status, 201, "register {id}: {body}");
}

/// A client_credentials token carrying exactly `authorities`.
async fn client_with(s: &TestServer, authorities: &str) -> String {
    let id = format!("c-{}", authorities.replace(['.', ',', ' '], "-"));
    register(s, &id, "client_credentials", "uaa.none", authorities).await;
    s.client_token(&id, "s3cret").await
}

/// A password-grant token of `user` through the dev client `cf` (scopes: the user's groups
/// among `cf`'s, e.g. `openid password.write scim.userids uaa.user` for marissa).
async fn user_token(s: &TestServer, user: &str, password: &str) -> String {
    s.password_token("cf", "", user, password).await
}

/// Status and body of a password grant through `cf`.
async fn login(s: &TestServer, user: &str, password: &str) -> (u16, Value) {
    read(
        s.token_request(
            "cf",
            "",
            &[
                ("grant_type", "password"),
                ("username", user),
                ("password", password),
            ],
        )
        .await,
    )
    .await
}

/// The id of a user by name, through an admin list.
async fn id_by_name(s: &TestServer, name: &str) -> String {
    let token = admin(s).await;
    let (status, body) = list(s, &token, &[("filter", &format!("userName eq \"{name}\""))]).await;
    assert_eq!(status, 200, "{body}");
    id_of(&body["resources"][0])
}

/// `sec_audit` rows of a principal: (event code, data).
async fn audit_rows(s: &TestServer, principal: &str) -> Vec<(i64, String)> {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", s.db_path.display()))
        .await
        .expect("open db");
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT event_type, COALESCE(event_data, '') FROM sec_audit WHERE principal_id = $1 ORDER BY id",
    )
    .bind(principal)
    .fetch_all(&pool)
    .await
    .expect("audit rows");
    pool.close().await;
    rows
}

/// A count of rows in a table (for "nothing was written" checks).
async fn count_rows(s: &TestServer, sql: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", s.db_path.display()))
        .await
        .expect("open db");
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&pool)
        .await
        .expect("count");
    pool.close().await;
    n
}

/// A server with a password policy and a lockout after two failures.
const POLICY_YAML: &str = r#"
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,scim.read,scim.write,clients.write
    cf:
      secret: ""
      authorized-grant-types: password
      scope: openid,password.write,uaa.user
scim:
  users:
    - marissa|Koala123|marissa@test.org|Marissa|Bloggs|uaa.user
password:
  policy:
    minLength: 8
    requireDigit: 1
    requireUpperCaseCharacter: 1
authentication:
  policy:
    lockoutAfterFailures: 2
"#;

// ---------------------------------------------------------------------------------------------
// Create, read, the user JSON

#[tokio::test]
async fn create_returns_201_with_the_user_json_an_etag_and_the_default_groups() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let mut body = new_user("alice");
    body["phoneNumbers"] = json!([{"value": "555-1234"}]);
    body["externalId"] = json!("ext-alice");
    let (status, headers, created) =
        call(&s, Method::POST, "/Users", Some(&token), Some(&body), None).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(headers["etag"], "\"0\"");
    assert!(created.get("password").is_none());
    assert_eq!(created["meta"]["created"].as_str().map(str::len), Some(24));
    snap!("create_user", created);
    // GET answers the same user and ETag.
    let id = id_of(&created);
    let (status, headers, got) = call(
        &s,
        Method::GET,
        &format!("/Users/{id}"),
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["etag"], "\"0\"");
    assert_eq!(got, created);
}

#[tokio::test]
async fn get_of_an_unknown_user_is_404_scim_resource_not_found() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let (status, body) = get(&s, &token, "/Users/no-such-user").await;
    assert_eq!(status, 404);
    snap!("get_unknown", body);
}

#[tokio::test]
async fn a_duplicate_username_is_409_scim_resource_already_exists_whatever_its_case() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    create(&s, &token, new_user("dup")).await;
    let (status, _, body) = call(
        &s,
        Method::POST,
        "/Users",
        Some(&token),
        Some(&new_user("DUP")),
        None,
    )
    .await;
    assert_eq!(status, 409);
    snap!("create_duplicate", body);
}

#[tokio::test]
async fn create_validates_the_username_the_single_email_and_the_password_policy() {
    let s = TestServer::with_yaml(POLICY_YAML).await;
    let token = admin(&s).await;
    let cases = [
        (
            "no_username",
            json!({"emails": [{"value": "a@b.c"}], "password": "Secret12"}),
        ),
        (
            "bad_username",
            json!({"userName": "a b", "emails": [{"value": "a@b.c"}], "password": "Secret12"}),
        ),
        (
            "no_email",
            json!({"userName": "ab", "password": "Secret12"}),
        ),
        (
            "two_emails",
            json!({"userName": "ab", "emails": [{"value": "a@b.c"}, {"value": "d@e.f"}], "password": "Secret12"}),
        ),
        (
            "empty_email",
            json!({"userName": "ab", "emails": [{"value": ""}], "password": "Secret12"}),
        ),
        (
            "weak_password",
            json!({"userName": "ab", "emails": [{"value": "a@b.c"}], "password": "short"}),
        ),
        (
            "no_password",
            json!({"userName": "ab", "emails": [{"value": "a@b.c"}]}),
        ),
    ];
    let mut out = serde_json::Map::new();
    for (name, body) in cases {
        let (status, _, b) =
            call(&s, Method::POST, "/Users", Some(&token), Some(&body), None).await;
        out.insert(name.into(), json!({"status": status, "body": b}));
    }
    snap!("create_validation", Value::Object(out));
    // Nothing was stored.
    assert_eq!(count_rows(&s, "SELECT COUNT(*) FROM users").await, 1);
    // A strong password is accepted.
    create(
        &s,
        &token,
        json!({"userName": "ab", "emails": [{"value": "a@b.c"}], "password": "Secret12"}),
    )
    .await;
}

#[tokio::test]
async fn users_of_another_origin_may_use_any_username_and_get_no_password() {
    let s = TestServer::with_yaml(POLICY_YAML).await;
    let token = admin(&s).await;
    let u = create(
        &s,
        &token,
        json!({"userName": "cn=Ann Lee,dc=x", "origin": "ldap", "password": "weak",
               "emails": [{"value": "ann@x.org"}]}),
    )
    .await;
    assert_eq!(u["origin"], "ldap");
    // The password was not stored: the user cannot log in with it.
    let (status, _) = login(&s, "cn=Ann Lee,dc=x", "weak").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn malformed_bodies_get_a_400_json_error_and_store_nothing() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let before = count_rows(&s, "SELECT COUNT(*) FROM users").await;
    let mut out = serde_json::Map::new();
    for (name, body) in [
        ("not_json", "{\"userName\": "),
        ("array", "[]"),
        (
            "unknown_field",
            r#"{"userName":"x","emails":[{"value":"x@y"}],"bogus":1}"#,
        ),
        (
            "wrong_type",
            r#"{"userName":["x"],"emails":[{"value":"x@y"}]}"#,
        ),
        (
            "wrong_schema",
            r#"{"userName":"x","emails":[{"value":"x@y"}],"schemas":["urn:x"]}"#,
        ),
    ] {
        let (status, b) = raw(&s, Method::POST, &token, "/Users", body).await;
        assert_eq!(status, 400, "{name}: {b}");
        let mut b = b;
        // serde's position details are not UAA's; keep the stable head of the message.
        for k in ["message", "error_description"] {
            if let Some(m) = b[k].as_str() {
                b[k] = json!(m.split(" at line").next().unwrap_or(m));
            }
        }
        out.insert(name.into(), b);
    }
    snap!("malformed_bodies", Value::Object(out));
    assert_eq!(count_rows(&s, "SELECT COUNT(*) FROM users").await, before);
    // PUT with a broken body changes nothing either.
    let marissa = id_by_name(&s, "marissa").await;
    let (status, _) = raw(&s, Method::PUT, &token, &format!("/Users/{marissa}"), "{").await;
    assert_eq!(status, 400);
    let (_, m) = get(&s, &token, &format!("/Users/{marissa}")).await;
    assert_eq!(m["meta"]["version"], 0);
}

// ---------------------------------------------------------------------------------------------
// Gates and the self rules (§4.1)

#[tokio::test]
async fn each_user_gate_opens_for_its_scopes_and_refuses_others_with_403() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let target = id_of(&create(&s, &token, new_user("target")).await);
    let none = client_with(&s, "uaa.none").await;
    let reader = client_with(&s, "scim.read").await;
    let creator = client_with(&s, "scim.create").await;
    let status_writer = client_with(&s, "uaa.account_status.write").await;
    let mut out = serde_json::Map::new();
    let probes: Vec<(&str, Method, String, &str, Option<Value>)> = vec![
        (
            "list_without_scim_read",
            Method::GET,
            "/Users".into(),
            none.as_str(),
            None,
        ),
        (
            "get_without_scim_read",
            Method::GET,
            format!("/Users/{target}"),
            none.as_str(),
            None,
        ),
        (
            "create_without_scim_write_or_create",
            Method::POST,
            "/Users".into(),
            reader.as_str(),
            Some(new_user("nope")),
        ),
        (
            "delete_with_scim_create",
            Method::DELETE,
            format!("/Users/{target}"),
            creator.as_str(),
            None,
        ),
        (
            "status_with_scim_read",
            Method::PATCH,
            format!("/Users/{target}/status"),
            reader.as_str(),
            Some(json!({"locked": false})),
        ),
        (
            "verify_with_scim_read",
            Method::GET,
            format!("/Users/{target}/verify"),
            reader.as_str(),
            None,
        ),
        (
            "ids_with_uaa_admin",
            Method::GET,
            "/ids/Users?filter=userName%20eq%20%22x%22".into(),
            token.as_str(),
            None,
        ),
        (
            "password_with_uaa_admin",
            Method::PUT,
            format!("/Users/{target}/password"),
            token.as_str(),
            Some(json!({"password": "x"})),
        ),
    ];
    for (name, method, path, tok, body) in probes {
        let (status, headers, b) = call(&s, method, &path, Some(tok), body.as_ref(), None).await;
        assert_eq!(status, 403, "{name}: {b}");
        assert!(
            headers["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("insufficient_scope")
        );
        out.insert(name.into(), b);
    }
    snap!("gates_refused", Value::Object(out));
    // The narrower scopes open their own endpoints.
    assert_eq!(list(&s, &reader, &[]).await.0, 200);
    create(&s, &creator, new_user("bycreator")).await;
    let (status, _, _) = call(
        &s,
        Method::GET,
        &format!("/Users/{target}/verify"),
        Some(&creator),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = call(
        &s,
        Method::PATCH,
        &format!("/Users/{target}/status"),
        Some(&status_writer),
        Some(&json!({"locked": false})),
        None,
    )
    .await;
    assert_eq!(status, 200);
    // No token at all: 401 with the bearer challenge.
    let (status, headers, body) = call(&s, Method::GET, "/Users", None, None, None).await;
    assert_eq!(status, 401);
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer realm=\"UAA/oauth\"")
    );
    snap!("no_token", body);
}

#[tokio::test]
async fn a_user_reads_their_own_record_but_not_another_users_nor_the_list() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let other = id_of(&create(&s, &token, new_user("other")).await);
    let marissa = id_by_name(&s, "marissa").await;
    let mine = user_token(&s, "marissa", "koala").await;
    let (status, me) = get(&s, &mine, &format!("/Users/{marissa}")).await;
    assert_eq!(status, 200);
    assert_eq!(me["userName"], "marissa");
    snap!("self_read", me);
    let (status, body) = get(&s, &mine, &format!("/Users/{other}")).await;
    assert_eq!(status, 403);
    snap!("read_other", body);
    assert_eq!(list(&s, &mine, &[]).await.0, 403);
}

#[tokio::test]
async fn a_user_may_change_only_their_own_name_without_scim_write() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let other = id_of(&create(&s, &token, new_user("other")).await);
    let marissa = id_by_name(&s, "marissa").await;
    let mine = user_token(&s, "marissa", "koala").await;
    let (_, me) = get(&s, &mine, &format!("/Users/{marissa}")).await;
    // PUT of the same record with a new name: allowed.
    let mut renamed = me.clone();
    renamed["name"] = json!({"givenName": "Mari", "familyName": "Bloggs-Smith"});
    let path = format!("/Users/{marissa}");
    let (status, headers, updated) = call(
        &s,
        Method::PUT,
        &path,
        Some(&mine),
        Some(&renamed),
        Some("\"0\""),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(headers["etag"], "\"1\"");
    assert_eq!(updated["name"]["givenName"], "Mari");
    // PATCH of the name only: allowed.
    let (status, _, patched) = call(
        &s,
        Method::PATCH,
        &path,
        Some(&mine),
        Some(&json!({"name": {"familyName": "B"}})),
        Some("1"),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["name"]["familyName"], "B");
    // Anything else: 403 invalid_self_edit.
    let mut emailed = patched.clone();
    emailed["emails"] = json!([{"value": "new@test.org"}]);
    let (status, _, body) = call(
        &s,
        Method::PUT,
        &path,
        Some(&mine),
        Some(&emailed),
        Some("*"),
    )
    .await;
    assert_eq!(status, 403);
    snap!("invalid_self_edit", body);
    let (status, _, _) = call(
        &s,
        Method::PATCH,
        &path,
        Some(&mine),
        Some(&json!({"userName": "marissa2"})),
        Some("*"),
    )
    .await;
    assert_eq!(status, 403);
    // Another user's record: the gate refuses.
    let (status, _, body) = call(
        &s,
        Method::PUT,
        &format!("/Users/{other}"),
        Some(&mine),
        Some(&renamed),
        Some("*"),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"], "insufficient_scope");
    // Delete has no self rule.
    let (status, _, _) = call(&s, Method::DELETE, &path, Some(&mine), None, None).await;
    assert_eq!(status, 403);
}

// ---------------------------------------------------------------------------------------------
// PUT, PATCH, DELETE, If-Match

#[tokio::test]
async fn put_and_patch_require_if_match_and_refuse_stale_or_non_numeric_versions() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let u = create(&s, &token, new_user("versioned")).await;
    let id = id_of(&u);
    let path = format!("/Users/{id}");
    let mut out = serde_json::Map::new();
    for (name, method, m) in [
        ("put_missing", Method::PUT, None),
        ("patch_missing", Method::PATCH, None),
        ("put_not_a_number", Method::PUT, Some("\"abc\"")),
        ("put_stale", Method::PUT, Some("\"7\"")),
        ("patch_stale", Method::PATCH, Some("7")),
    ] {
        let (status, _, b) = call(&s, method, &path, Some(&token), Some(&u), m).await;
        out.insert(
            name.into(),
            json!({"status": status, "body": scrub(b, &id)}),
        );
    }
    snap!("if_match_errors", Value::Object(out));
    // Nothing changed.
    let (_, now) = get(&s, &token, &path).await;
    assert_eq!(now, u);
    // Quoted, bare and `*` versions all work.
    for (m, expected) in [("\"0\"", "\"1\""), ("1", "\"2\""), ("*", "\"3\"")] {
        let (status, headers, b) =
            call(&s, Method::PUT, &path, Some(&token), Some(&u), Some(m)).await;
        assert_eq!(status, 200, "{m}: {b}");
        assert_eq!(headers["etag"], expected);
    }
    // If-Match on an unknown user with `*`: 404.
    let (status, _, _) = call(
        &s,
        Method::PUT,
        "/Users/nobody",
        Some(&token),
        Some(&u),
        Some("*"),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn put_replaces_the_editable_fields_and_keeps_the_origin() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let u = create(&s, &token, new_user("putme")).await;
    let id = id_of(&u);
    let path = format!("/Users/{id}");
    let body = json!({
        "userName": "putme2",
        "name": {"givenName": "P", "familyName": "Q"},
        "emails": [{"value": "p@q.r"}],
        "phoneNumbers": [{"value": "42"}],
        "active": false,
        "verified": false,
        "externalId": "ext",
    });
    let (status, headers, updated) =
        call(&s, Method::PUT, &path, Some(&token), Some(&body), Some("0")).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(headers["etag"], "\"1\"");
    snap!("put_updated", updated);
    let (status, _, body) = call(
        &s,
        Method::PUT,
        &path,
        Some(&token),
        Some(&json!({"userName": "putme2", "origin": "ldap", "emails": [{"value": "p@q.r"}]})),
        Some("*"),
    )
    .await;
    assert_eq!(status, 400);
    snap!("put_origin_change", body);
    // Renaming onto a taken username is a conflict.
    let (status, _, body) = call(
        &s,
        Method::PUT,
        &path,
        Some(&token),
        Some(&json!({"userName": "marissa", "emails": [{"value": "p@q.r"}]})),
        Some("*"),
    )
    .await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test]
async fn patch_merges_the_given_fields_into_the_stored_user() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let mut body = new_user("patchme");
    body["phoneNumbers"] = json!([{"value": "1"}]);
    let u = create(&s, &token, body).await;
    let id = id_of(&u);
    let path = format!("/Users/{id}");
    let (status, _, patched) = call(
        &s,
        Method::PATCH,
        &path,
        Some(&token),
        Some(&json!({
            "name": {"givenName": "Patched"},
            "emails": [{"value": "patched@example.com", "primary": true}],
            "phoneNumbers": [{"value": "2"}],
        })),
        Some("0"),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    snap!("patch_merged", patched);
    // meta.attributes removes fields; an unknown one is refused.
    let (status, _, patched) = call(
        &s,
        Method::PATCH,
        &path,
        Some(&token),
        Some(&json!({"meta": {"attributes": ["name.familyName", "phoneNumbers"]}})),
        Some("1"),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert!(patched["name"].get("familyName").is_none());
    assert!(patched.get("phoneNumbers").is_none());
    let mut out = serde_json::Map::new();
    for (name, body) in [
        (
            "unknown_attribute",
            json!({"meta": {"attributes": ["bogus"]}}),
        ),
        (
            "drop_username",
            json!({"meta": {"attributes": ["userName"]}}),
        ),
        ("change_origin", json!({"origin": "ldap"})),
        ("drop_emails", json!({"meta": {"attributes": ["emails"]}})),
    ] {
        let (status, _, b) = call(
            &s,
            Method::PATCH,
            &path,
            Some(&token),
            Some(&body),
            Some("*"),
        )
        .await;
        out.insert(name.into(), json!({"status": status, "body": b}));
    }
    snap!("patch_refused", Value::Object(out));
}

#[tokio::test]
async fn delete_returns_the_user_removes_its_memberships_and_revokes_its_tokens() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let u = create(&s, &token, new_user("gone")).await;
    let id = id_of(&u);
    let theirs = user_token(&s, "gone", "Secret1!").await;
    let memberships = format!("SELECT COUNT(*) FROM group_membership WHERE member_id = '{id}'");
    assert!(count_rows(&s, &memberships).await > 0);
    // A stale If-Match deletes nothing (UAA: 422, an optimistic-locking DataAccessException).
    let (status, _, body) = call(
        &s,
        Method::DELETE,
        &format!("/Users/{id}"),
        Some(&token),
        None,
        Some("5"),
    )
    .await;
    assert_eq!(status, 422);
    snap!("delete_stale", scrub(body, &id));
    assert!(count_rows(&s, &memberships).await > 0);
    let (_, before) = get(&s, &token, &format!("/Users/{id}")).await;
    assert!(before["lastLogonTime"].is_i64());
    let (status, headers, deleted) = call(
        &s,
        Method::DELETE,
        &format!("/Users/{id}"),
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["etag"], "\"0\"");
    assert_eq!(deleted, before);
    assert_eq!(deleted["userName"], u["userName"]);
    assert_eq!(count_rows(&s, &memberships).await, 0);
    assert_eq!(get(&s, &token, &format!("/Users/{id}")).await.0, 404);
    let (status, _, _) = call(
        &s,
        Method::DELETE,
        &format!("/Users/{id}"),
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(status, 404);
    // The deleted user's token is refused.
    let (status, body) = get(&s, &theirs, &format!("/Users/{id}")).await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn a_users_groups_show_direct_and_nested_memberships() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let u = create(&s, &token, new_user("grouped")).await;
    let id = id_of(&u);
    // uaa.user is a direct default group; make it a member of a parent group.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", s.db_path.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO groups (id, displayname, created, lastmodified, version, identity_zone_id) \
         VALUES ('parent-id', 'parent.group', 0, 0, 0, 'uaa')",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO group_membership (group_id, member_id, member_type, authorities, added, origin, identity_zone_id) \
         SELECT 'parent-id', id, 'GROUP', 'READ', 0, 'uaa', 'uaa' FROM groups WHERE displayname = 'uaa.user'",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let (_, got) = get(&s, &token, &format!("/Users/{id}")).await;
    let kinds: Vec<(String, String)> = got["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["display"].as_str().unwrap().into(),
                g["type"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(kinds.contains(&("uaa.user".into(), "DIRECT".into())));
    assert!(kinds.contains(&("parent.group".into(), "INDIRECT".into())));
}

// ---------------------------------------------------------------------------------------------
// Lists: filters, sorting, paging, projection (§4.5)

/// Three users besides the bootstrap ones: alice (phone, unverified), bob, carol (inactive).
async fn people(s: &TestServer, token: &str) {
    let mut alice = new_user("alice");
    alice["phoneNumbers"] = json!([{"value": "555"}]);
    alice["verified"] = json!(false);
    alice["externalId"] = json!("ext-a");
    create(s, token, alice).await;
    create(s, token, new_user("bob")).await;
    let mut carol = new_user("carol");
    carol["active"] = json!(false);
    create(s, token, carol).await;
}

/// The usernames a filter selects, sorted by username.
async fn names(s: &TestServer, token: &str, filter: &str) -> Vec<String> {
    let (status, body) = list(s, token, &[("filter", filter), ("sortBy", "userName")]).await;
    assert_eq!(status, 200, "{filter}: {body}");
    body["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userName"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_filters_with_every_operator_case_insensitively() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    people(&s, &token).await;
    let cases: &[(&str, &[&str])] = &[
        ("userName eq \"ALICE\"", &["alice"]),
        ("USERNAME EQ 'bob'", &["bob"]),
        ("userName co \"AR\"", &["carol", "marissa"]),
        ("userName sw \"a\"", &["admin", "alice"]),
        ("userName gt \"bob\"", &["carol", "marissa"]),
        ("userName ge \"bob\"", &["bob", "carol", "marissa"]),
        ("userName lt \"alice\"", &["admin"]),
        ("userName le \"alice\"", &["admin", "alice"]),
        ("phoneNumbers.value pr", &["alice"]),
        (
            "phoneNumbers.value eq null",
            &["admin", "bob", "carol", "marissa"],
        ),
        (
            "emails.value co \"example.com\"",
            &["alice", "bob", "carol"],
        ),
        ("email eq \"MARISSA@test.org\"", &["marissa"]),
        ("name.familyName sw \"bob\"", &["bob"]),
        ("givenName eq \"carol-given\"", &["carol"]),
        ("active eq false", &["carol"]),
        ("verified eq false", &["alice"]),
        ("origin eq \"uaa\" and userName sw \"c\"", &["carol"]),
        (
            "userName eq \"bob\" or userName eq \"carol\"",
            &["bob", "carol"],
        ),
        (
            "(userName eq \"bob\" or userName eq \"carol\") and active eq true",
            &["bob"],
        ),
        ("external_id eq \"ext-a\"", &["alice"]),
        (
            "meta.created gt \"2000-01-01T00:00:00.000Z\" and userName sw \"b\"",
            &["bob"],
        ),
        ("meta.lastModified lt \"2000-01-01T00:00:00.000Z\"", &[]),
        ("meta.version eq 0 and userName eq \"bob\"", &["bob"]),
        ("password eq \"Secret1!\"", &[]),
        ("userName co \"%\"", &[]),
    ];
    for (filter, expected) in cases {
        assert_eq!(names(&s, &token, filter).await, *expected, "{filter}");
    }
    // The id filter finds exactly one user.
    let bob = id_by_name(&s, "bob").await;
    assert_eq!(
        names(&s, &token, &format!("id eq \"{bob}\"")).await,
        ["bob"]
    );
}

#[tokio::test]
async fn list_defaults_to_every_user_by_creation_with_the_scim_schema() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    people(&s, &token).await;
    let (status, body) = list(&s, &token, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body["totalResults"], 5);
    assert_eq!(body["itemsPerPage"], 100);
    assert_eq!(body["startIndex"], 1);
    assert_eq!(body["schemas"], json!(["urn:scim:schemas:core:1.0"]));
    let created: Vec<String> = body["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["meta"]["created"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = created.clone();
    sorted.sort();
    assert_eq!(created, sorted);
    // Full users carry their groups and approvals.
    assert!(body["resources"][0]["groups"].is_array());
    assert_eq!(body["resources"][0]["approvals"], json!([]));
    // Descending with any other sortOrder.
    let (_, desc) = list(
        &s,
        &token,
        &[("sortBy", "userName"), ("sortOrder", "descending")],
    )
    .await;
    let first: Vec<&str> = desc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userName"].as_str().unwrap())
        .collect();
    assert_eq!(first, ["marissa", "carol", "bob", "alice", "admin"]);
}

#[tokio::test]
async fn list_pages_with_start_index_and_count_capped_at_500() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    people(&s, &token).await;
    let page = |start: &'static str, count: &'static str| {
        let s = &s;
        let token = &token;
        async move {
            let (status, body) = list(
                s,
                token,
                &[
                    ("sortBy", "userName"),
                    ("startIndex", start),
                    ("count", count),
                    ("attributes", "userName"),
                ],
            )
            .await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    snap!("page_2_of_2", page("2", "2").await);
    let past = page("9", "2").await;
    assert_eq!(
        (
            past["resources"].as_array().unwrap().len(),
            past["totalResults"].as_u64()
        ),
        (0, Some(5))
    );
    let zero = page("0", "1").await;
    assert_eq!(zero["startIndex"], 1);
    assert_eq!(zero["resources"][0]["userName"], "admin");
    let big = page("1", "100000").await;
    assert_eq!(big["itemsPerPage"], 500);
    let (status, body) = list(&s, &token, &[("count", "lots")]).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn list_projects_the_requested_attributes_with_uaas_shortcuts() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    people(&s, &token).await;
    let (status, body) = list(
        &s,
        &token,
        &[
            ("filter", "userName sw \"a\""),
            ("sortBy", "userName"),
            (
                "attributes",
                "userName,emails.value,familyName,givenName,meta.version,active,nothing",
            ),
        ],
    )
    .await;
    assert_eq!(status, 200);
    snap!("projection", body);
    let (_, body) = list(
        &s,
        &token,
        &[
            ("filter", "userName eq \"bob\""),
            ("attributes", "id,groups"),
        ],
    )
    .await;
    assert!(
        body["resources"][0]["groups"]
            .as_array()
            .is_some_and(|g| !g.is_empty())
    );
}

#[tokio::test]
async fn bad_filters_and_sort_keys_are_400_invalid_filter_expression_html_escaped() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let mut out = serde_json::Map::new();
    for (name, query) in [
        ("syntax", vec![("filter", "userName eq \"bob")]),
        ("unknown_operator", vec![("filter", "userName ne \"<b>\"")]),
        ("unknown_attribute", vec![("filter", "secret eq \"x\"")]),
        ("bad_sort", vec![("sortBy", "nope")]),
        (
            "bad_value",
            vec![("filter", "active co true"), ("sortBy", "userName")],
        ),
    ] {
        let (status, body) = list(&s, &token, &query).await;
        assert_eq!(status, 400, "{name}: {body}");
        out.insert(name.into(), body);
    }
    snap!("bad_filters", Value::Object(out));
}

// ---------------------------------------------------------------------------------------------
// /ids/Users

#[tokio::test]
async fn ids_users_translates_names_to_ids_under_scope_scim_userids_only() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    people(&s, &token).await;
    let ids_token = client_with(&s, "scim.userids").await;
    let get_ids = |filter: &'static str| {
        let s = &s;
        let t = &ids_token;
        async move {
            read(
                s.http
                    .get(s.url("/ids/Users"))
                    .query(&[("filter", filter)])
                    .bearer_auth(t)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, body) = get_ids("userName eq \"bob\" or userName eq \"alice\"").await;
    assert_eq!(status, 200);
    snap!("ids_found", body);
    let mut out = serde_json::Map::new();
    for (name, f) in [
        ("empty", ""),
        ("syntax", "userName eq \"<x>"),
        ("wildcard", "userName sw \"a\""),
        ("presence", "id pr"),
        ("operator", "userName gt \"a\""),
        ("attribute", "email eq \"a\""),
        ("origin_only", "origin eq \"uaa\""),
    ] {
        let (status, b) = get_ids(f).await;
        assert_eq!(status, 400, "{name}: {b}");
        out.insert(name.into(), b);
    }
    snap!("ids_refused", Value::Object(out));
    // A user token with scim.userids works too.
    let mine = user_token(&s, "marissa", "koala").await;
    let (status, _, _) = call(
        &s,
        Method::GET,
        "/ids/Users?filter=id%20eq%20%22x%22",
        Some(&mine),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
}

// ---------------------------------------------------------------------------------------------
// PUT /Users/{id}/password (§4.3)

async fn change_password(s: &TestServer, token: &str, id: &str, body: Value) -> (u16, Value) {
    let (status, _, b) = call(
        s,
        Method::PUT,
        &format!("/Users/{id}/password"),
        Some(token),
        Some(&body),
        None,
    )
    .await;
    (status, b)
}

#[tokio::test]
async fn a_client_token_with_password_write_changes_any_password_without_the_old_one() {
    let s = TestServer::spawn().await;
    let trusted = client_with(&s, "password.write").await;
    let marissa = id_by_name(&s, "marissa").await;
    let (status, body) =
        change_password(&s, &trusted, &marissa, json!({"password": "newkoala"})).await;
    assert_eq!(status, 200);
    snap!("password_updated", body);
    assert_eq!(login(&s, "marissa", "koala").await.0, 401);
    assert_eq!(login(&s, "marissa", "newkoala").await.0, 200);
    // A given but wrong old password is still checked.
    let (status, body) = change_password(
        &s,
        &trusted,
        &marissa,
        json!({"oldPassword": "wrong", "password": "other"}),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["error_description"], "Old password is incorrect");
    // An unknown user.
    let (status, body) = change_password(&s, &trusted, "nobody", json!({"password": "x"})).await;
    assert_eq!(status, 401);
    snap!("password_unknown_user", body);
}

#[tokio::test]
async fn a_user_changes_only_their_own_password_and_must_give_the_old_one() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let other = id_of(&create(&s, &token, new_user("other")).await);
    let marissa = id_by_name(&s, "marissa").await;
    let mine = user_token(&s, "marissa", "koala").await;
    let mut out = serde_json::Map::new();
    for (name, id, body) in [
        (
            "another_users",
            other.as_str(),
            json!({"oldPassword": "koala", "password": "x1"}),
        ),
        (
            "no_old_password",
            marissa.as_str(),
            json!({"password": "x1"}),
        ),
        (
            "wrong_old_password",
            marissa.as_str(),
            json!({"oldPassword": "nope", "password": "x1"}),
        ),
        (
            "same_password",
            marissa.as_str(),
            json!({"oldPassword": "koala", "password": "koala"}),
        ),
    ] {
        let (status, b) = change_password(&s, &mine, id, body).await;
        out.insert(name.into(), json!({"status": status, "body": b}));
    }
    snap!("user_password_refusals", Value::Object(out));
    // Every refusal is audited, none changed anything.
    let events: Vec<i64> = audit_rows(&s, &marissa)
        .await
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(events.iter().filter(|t| **t == 7).count(), 3, "{events:?}");
    assert_eq!(login(&s, "marissa", "koala").await.0, 200);
    // The right old password: success, and the old token is revoked through rev_sig.
    let (status, _) = change_password(
        &s,
        &mine,
        &marissa,
        json!({"oldPassword": "koala", "password": "koala2"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = get(&s, &mine, &format!("/Users/{marissa}")).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(login(&s, "marissa", "koala2").await.0, 200);
    let rows = audit_rows(&s, &marissa).await;
    assert_eq!(rows.iter().filter(|(t, _)| *t == 3).count(), 1);
    assert!(rows.iter().all(|(_, d)| !d.contains("koala")), "{rows:?}");
}

#[tokio::test]
async fn an_admin_user_needs_the_old_password_for_their_own_but_not_for_others() {
    let s = TestServer::spawn().await;
    register(
        &s,
        "pwadmin",
        "password",
        "uaa.admin,password.write,openid",
        "uaa.none",
    )
    .await;
    let admin_token = s
        .password_token("pwadmin", "s3cret", "admin", "admin")
        .await;
    let admin_id = id_by_name(&s, "admin").await;
    let marissa = id_by_name(&s, "marissa").await;
    let (status, body) =
        change_password(&s, &admin_token, &admin_id, json!({"password": "x"})).await;
    assert_eq!(status, 400);
    snap!("admin_own_without_old", body);
    let (status, _) =
        change_password(&s, &admin_token, &marissa, json!({"password": "bykoala"})).await;
    assert_eq!(status, 200);
    assert_eq!(login(&s, "marissa", "bykoala").await.0, 200);
    let (status, _) = change_password(
        &s,
        &admin_token,
        &admin_id,
        json!({"oldPassword": "admin", "password": "admin2"}),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_new_password_must_satisfy_the_password_policy() {
    let s = TestServer::with_yaml(POLICY_YAML).await;
    let marissa = id_by_name(&s, "marissa").await;
    let mine = s.password_token("cf", "", "marissa", "Koala123").await;
    let (status, body) = change_password(
        &s,
        &mine,
        &marissa,
        json!({"oldPassword": "Koala123", "password": "weak"}),
    )
    .await;
    assert_eq!(status, 400);
    snap!("password_policy", body);
    let (status, _) = change_password(
        &s,
        &mine,
        &marissa,
        json!({"oldPassword": "Koala123", "password": "Stronger1"}),
    )
    .await;
    assert_eq!(status, 200);
}

// ---------------------------------------------------------------------------------------------
// Status, verify, lockout (§6.2)

#[tokio::test]
async fn status_unlocks_or_forces_a_password_change_and_refuses_the_rest() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let marissa = id_by_name(&s, "marissa").await;
    let ldap = id_of(
        &create(
            &s,
            &token,
            json!({"userName": "ldapuser", "origin": "ldap", "emails": [{"value": "l@x"}]}),
        )
        .await,
    );
    let path = format!("/Users/{marissa}/status");
    let mut out = serde_json::Map::new();
    for (name, p, body) in [
        ("unlock", path.clone(), json!({"locked": false})),
        (
            "force_change",
            path.clone(),
            json!({"passwordChangeRequired": true}),
        ),
        ("lock", path.clone(), json!({"locked": true})),
        (
            "unforce",
            path.clone(),
            json!({"passwordChangeRequired": false}),
        ),
        (
            "other_origin",
            format!("/Users/{ldap}/status"),
            json!({"locked": false}),
        ),
        (
            "unknown_user",
            "/Users/nobody/status".to_owned(),
            json!({"locked": false}),
        ),
    ] {
        let (status, _, b) = call(&s, Method::PATCH, &p, Some(&token), Some(&body), None).await;
        out.insert(name.into(), json!({"status": status, "body": b}));
    }
    snap!("status", Value::Object(out));
    let flag = count_rows(
        &s,
        &format!("SELECT passwd_change_required FROM users WHERE id = '{marissa}'"),
    )
    .await;
    assert_eq!(flag, 1);
}

#[tokio::test]
async fn verify_sets_verified_without_bumping_the_version() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let mut body = new_user("unverified");
    body["verified"] = json!(false);
    let id = id_of(&create(&s, &token, body).await);
    let path = format!("/Users/{id}/verify");
    let (status, _, stale) = call(&s, Method::GET, &path, Some(&token), None, Some("3")).await;
    assert_eq!(status, 422);
    snap!("verify_stale", scrub(stale, &id));
    let (status, headers, verified) =
        call(&s, Method::GET, &path, Some(&token), None, Some("\"0\"")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["etag"], "\"0\"");
    snap!("verified", verified);
    let rows = audit_rows(&s, &id).await;
    assert!(rows.iter().any(|(t, _)| *t == 21), "{rows:?}");
}

#[tokio::test]
async fn five_bad_passwords_lock_the_account_until_an_unlock_through_status() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let marissa = id_by_name(&s, "marissa").await;
    for _ in 0..5 {
        let (status, body) = login(&s, "marissa", "wrong").await;
        assert_eq!(status, 401);
        assert_eq!(body["error"], "invalid_client");
    }
    // Locked: even the right password is refused, with UAA's message.
    let (status, locked) = login(&s, "marissa", "koala").await;
    assert_eq!(status, 401);
    snap!("locked", locked);
    let (status, _, unlocked) = call(
        &s,
        Method::PATCH,
        &format!("/Users/{marissa}/status"),
        Some(&token),
        Some(&json!({"locked": false})),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(unlocked, json!({"locked": false}));
    assert_eq!(login(&s, "marissa", "koala").await.0, 200);
    let events: Vec<i64> = audit_rows(&s, &marissa)
        .await
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(events.iter().filter(|t| **t == 1).count(), 5);
    assert!(events.contains(&5) && events.contains(&35), "{events:?}");
}

#[tokio::test]
async fn a_successful_login_resets_the_failure_count() {
    let s = TestServer::spawn().await;
    for _ in 0..4 {
        assert_eq!(login(&s, "marissa", "wrong").await.0, 401);
    }
    assert_eq!(login(&s, "marissa", "koala").await.0, 200);
    for _ in 0..4 {
        assert_eq!(login(&s, "marissa", "wrong").await.0, 401);
    }
    assert_eq!(login(&s, "marissa", "koala").await.0, 200);
}

#[tokio::test]
async fn the_lockout_threshold_comes_from_authentication_policy() {
    let s = TestServer::with_yaml(POLICY_YAML).await;
    for _ in 0..2 {
        assert_eq!(login(&s, "marissa", "wrong").await.0, 401);
    }
    let (status, body) = login(&s, "marissa", "Koala123").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthorized");
}

// ---------------------------------------------------------------------------------------------
// Audit (§6.6)

#[tokio::test]
async fn user_writes_are_audited_with_uaa_event_codes_and_no_password() {
    let s = TestServer::spawn().await;
    let token = admin(&s).await;
    let u = create(&s, &token, new_user("audited")).await;
    let id = id_of(&u);
    let path = format!("/Users/{id}");
    call(&s, Method::PUT, &path, Some(&token), Some(&u), Some("*")).await;
    call(
        &s,
        Method::GET,
        &format!("{path}/verify"),
        Some(&token),
        None,
        None,
    )
    .await;
    call(&s, Method::DELETE, &path, Some(&token), None, None).await;
    let rows = audit_rows(&s, &id).await;
    let codes: Vec<i64> = rows.iter().map(|(t, _)| *t).collect();
    assert_eq!(codes, [18, 19, 21, 20]);
    assert_eq!(
        rows[0].1,
        format!("[\"user_id={id}\",\"username=audited\"]")
    );
    assert!(rows.iter().all(|(_, d)| !d.contains("Secret1")));
}
