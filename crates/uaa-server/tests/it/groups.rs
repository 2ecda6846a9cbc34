//! SCIM groups, `/Groups…` (reference §4.4): CRUD with `ETag`/`If-Match`, duplicate names,
//! members of type USER and GROUP, `returnEntities`, PATCH member deletion and `meta.attributes`,
//! nested groups in password-grant tokens, external group mappings, the filter language on
//! `/Groups` (§4.5), paging, the scope gates, malformed bodies and the audit trail (§6.6).
//!
//! Bodies are pinned with insta snapshots; ids, member values and timestamps are redacted
//! wherever they occur. Every test starts its own server.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use uaa_testkit::{TestServer, claims};

use crate::common::{admin, get, json as read};

/// The scopes a refusal lists for each gate of §4.4 (`uaa.admin` first, the zone admin last).
const READ_GATE: &str = "uaa.admin scim.read zones.uaa.admin";
const UPDATE_GATE: &str = "uaa.admin scim.write groups.update zones.uaa.admin";
const WRITE_GATE: &str = "uaa.admin scim.write zones.uaa.admin";

/// A snapshot of a body with ids, member values and timestamps redacted at any depth.
macro_rules! snap {
    ($name:expr, $body:expr) => {
        insta::assert_json_snapshot!($name, $body, {
            ".**.id" => "[id]",
            ".**.value" => "[id]",
            ".**.groupId" => "[id]",
            ".**.created" => "[ts]",
            ".**.lastModified" => "[ts]",
            ".**.passwordLastModified" => "[ts]",
            ".**.lastLogonTime" => "[ms]",
            ".**.previousLogonTime" => "[ms]",
        })
    };
}

/// A request with optional token, JSON body and extra headers; status, headers and body.
async fn call(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> (u16, HeaderMap, Value) {
    let mut rb = s.http.request(method, s.url(path));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.json(b);
    }
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    let r = match rb.send().await {
        Ok(r) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    let h = r.headers().clone();
    let (status, body) = read(r).await;
    (status, h, body)
}

/// Status and body of a request with a JSON body and extra headers.
async fn send(
    s: &TestServer,
    method: Method,
    token: &str,
    path: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let (st, _, b) = call(s, method, path, Some(token), Some(body), headers).await;
    (st, b)
}

/// Status and body of a bodyless DELETE.
async fn delete(s: &TestServer, token: &str, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let (st, _, b) = call(s, Method::DELETE, path, Some(token), None, headers).await;
    (st, b)
}

/// A request whose body is sent as is, with `Content-Type: application/json`.
async fn send_raw(
    s: &TestServer,
    method: Method,
    token: &str,
    path: &str,
    body: &str,
) -> (u16, Value) {
    let r = s
        .http
        .request(method, s.url(path))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("if-match", "*")
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    read(r).await
}

/// Creates a group; panics unless the server answers 201. Returns the body.
async fn create(s: &TestServer, token: &str, body: Value) -> Value {
    let (st, b) = send(s, Method::POST, token, "/Groups", &body, &[]).await;
    assert_eq!(st, 201, "create {body}: {b}");
    b
}

/// Creates a group with only a name and returns its id.
async fn create_named(s: &TestServer, token: &str, name: &str) -> String {
    id(&create(s, token, json!({"displayName": name})).await)
}

fn id(v: &Value) -> String {
    match v["id"].as_str() {
        Some(id) => id.to_owned(),
        None => panic!("no id in {v}"),
    }
}

/// `GET /Groups` with query parameters.
async fn list(s: &TestServer, token: &str, query: &[(&str, &str)]) -> (u16, Value) {
    let r = s
        .http
        .get(s.url("/Groups"))
        .query(query)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    read(r).await
}

/// The display names of a list response, in order.
fn names(list_body: &Value) -> Vec<String> {
    let Some(resources) = list_body["resources"].as_array() else {
        panic!("not a list response: {list_body}");
    };
    resources
        .iter()
        .map(|g| g["displayName"].as_str().unwrap_or("?").to_owned())
        .collect()
}

/// The display names a filter finds, sorted by name.
async fn found(s: &TestServer, token: &str, filter: &str) -> Vec<String> {
    let (st, b) = list(s, token, &[("filter", filter), ("sortBy", "displayName")]).await;
    assert_eq!(st, 200, "{filter}: {b}");
    names(&b)
}

/// Member ids of a group body or a member list, sorted (UAA promises no order).
fn member_ids(v: &Value) -> Vec<String> {
    let items = v["members"]
        .as_array()
        .or(v.as_array())
        .cloned()
        .unwrap_or_default();
    let mut ids: Vec<String> = items
        .iter()
        .map(|m| m["value"].as_str().unwrap_or("?").to_owned())
        .collect();
    ids.sort();
    ids
}

/// `ids`, sorted.
fn sorted<const N: usize>(ids: [&String; N]) -> Vec<String> {
    let mut v: Vec<String> = ids.into_iter().cloned().collect();
    v.sort();
    v
}

/// The id of a user, from a password-grant token of dev mode's `cf` client.
async fn user_id(s: &TestServer, user: &str, password: &str) -> String {
    let token = s.password_token("cf", "", user, password).await;
    claims(&token)["user_id"]
        .as_str()
        .expect("user_id")
        .to_owned()
}

/// Registers a client_credentials client whose token carries exactly `authorities`, and
/// returns such a token.
async fn token_with(s: &TestServer, authorities: &str) -> String {
    let id = format!("caller-{}", authorities.replace(['.', ',', ' '], "-"));
    let admin = admin(s).await;
    let client = json!({
        "client_id": id,
        "client_secret": "callersecret",
        "authorized_grant_types": ["client_credentials"],
        "authorities": authorities,
    });
    let (st, b) = send(s, Method::POST, &admin, "/oauth/clients", &client, &[]).await;
    assert_eq!(st, 201, "{b}");
    s.client_token(&id, "callersecret").await
}

/// `v` with each id replaced by a stable placeholder (ids inside messages escape redactions).
fn scrub(v: &Value, ids: &[(&str, &str)]) -> Value {
    let mut text = v.to_string();
    for (id, placeholder) in ids {
        text = text.replace(id, placeholder);
    }
    serde_json::from_str(&text).expect("json")
}

fn etag(h: &HeaderMap) -> &str {
    h.get("etag").and_then(|v| v.to_str().ok()).unwrap_or("")
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

#[tokio::test]
async fn a_group_is_created_read_replaced_patched_and_deleted_with_etags() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let (st, h, created) = call(
        &s,
        Method::POST,
        "/Groups",
        Some(&t),
        Some(&json!({"displayName": "crud.group", "description": "A group"})),
        &[],
    )
    .await;
    assert_eq!((st, etag(&h)), (201, "\"0\""));
    assert_eq!(created["zoneId"], "uaa");
    snap!("crud_created", &created);
    let gid = id(&created);
    let path = format!("/Groups/{gid}");

    let (st, h, got) = call(&s, Method::GET, &path, Some(&t), None, &[]).await;
    assert_eq!((st, etag(&h)), (200, "\"0\""));
    assert_eq!(got, created);

    let renamed = json!({"displayName": "crud.renamed", "description": "Renamed"});
    let (st, h, put) = call(
        &s,
        Method::PUT,
        &path,
        Some(&t),
        Some(&renamed),
        &[("if-match", "\"0\"")],
    )
    .await;
    assert_eq!((st, etag(&h)), (200, "\"1\""));
    snap!("crud_replaced", &put);

    let patch = json!({"description": "Patched"});
    let (st, h, patched) = call(
        &s,
        Method::PATCH,
        &path,
        Some(&t),
        Some(&patch),
        &[("if-match", "1")],
    )
    .await;
    assert_eq!((st, etag(&h)), (200, "\"2\""));
    assert_eq!(
        (
            &patched["displayName"],
            &patched["description"],
            &patched["meta"]["version"]
        ),
        (&json!("crud.renamed"), &json!("Patched"), &json!(2))
    );

    // DELETE without If-Match deletes whatever the version; the answer is the group as it was.
    let (st, h, deleted) = call(&s, Method::DELETE, &path, Some(&t), None, &[]).await;
    assert_eq!((st, etag(&h)), (200, "\"2\""));
    assert_eq!(deleted, patched);
    let (st, gone) = get(&s, &t, &path).await;
    assert_eq!(st, 404);
    assert_eq!(
        gone,
        json!({
            "error": "scim_resource_not_found",
            "message": format!("Group {gid} does not exist"),
            "error_description": format!("Group {gid} does not exist"),
        })
    );
}

#[tokio::test]
async fn put_and_patch_need_if_match_and_a_stale_version_changes_nothing() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let gid = create_named(&s, &t, "etag.group").await;
    let path = format!("/Groups/{gid}");
    let body = json!({"displayName": "etag.changed"});
    let mut cases = Vec::new();
    for (method, headers) in [
        (Method::PUT, vec![]),
        (Method::PATCH, vec![]),
        (Method::PUT, vec![("if-match", "abc")]),
        (Method::PUT, vec![("if-match", "\"7\"")]),
        (Method::PATCH, vec![("if-match", "7")]),
    ] {
        let (st, b) = send(&s, method.clone(), &t, &path, &body, &headers).await;
        cases.push(json!({"request": format!("{method} {headers:?}"), "status": st, "body": b}));
    }
    let (st, b) = delete(&s, &t, &path, &[("if-match", "\"7\"")]).await;
    assert_eq!(
        (st, &b["error"], b["message"].as_str()),
        (
            409,
            &json!("scim"),
            Some(format!("error deleting group: {gid}").as_str())
        )
    );
    let (st, b) = delete(&s, &t, &path, &[("if-match", "x")]).await;
    cases.push(json!({"request": "DELETE If-Match x", "status": st, "body": b}));
    snap!("if_match_errors", &cases);
    let (_, now) = get(&s, &t, &path).await;
    assert_eq!(
        (&now["displayName"], &now["meta"]["version"]),
        (&json!("etag.group"), &json!(0))
    );
    // `*` matches any version.
    let (st, b) = send(&s, Method::PUT, &t, &path, &body, &[("if-match", "*")]).await;
    assert_eq!((st, &b["meta"]["version"]), (200, &json!(1)));
    let (st, _) = delete(&s, &t, &path, &[("if-match", "\"1\"")]).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn display_names_are_unique_per_zone_regardless_of_case() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    create_named(&s, &t, "dup.group").await;
    let (st, b) = send(
        &s,
        Method::POST,
        &t,
        "/Groups",
        &json!({"displayName": "DUP.Group"}),
        &[],
    )
    .await;
    assert_eq!(st, 409);
    snap!("duplicate_on_create", &b);
    // Renaming onto a taken name is UAA's InvalidScimResourceException: 400.
    let other = create_named(&s, &t, "other.group").await;
    let (st, b) = send(
        &s,
        Method::PUT,
        &t,
        &format!("/Groups/{other}"),
        &json!({"displayName": "dup.group"}),
        &[("if-match", "0")],
    )
    .await;
    assert_eq!(st, 400);
    snap!("duplicate_on_rename", &b);
    // A group keeps its own name in another case.
    let (st, b) = send(
        &s,
        Method::PUT,
        &t,
        &format!("/Groups/{other}"),
        &json!({"displayName": "OTHER.group"}),
        &[("if-match", "0")],
    )
    .await;
    assert_eq!((st, &b["displayName"]), (200, &json!("OTHER.group")));
}

#[tokio::test]
async fn users_and_groups_are_added_listed_and_removed_as_members() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let marissa = user_id(&s, "marissa", "koala").await;
    let club = create(
        &s,
        &t,
        json!({"displayName": "club.members", "members": [{"value": marissa, "type": "USER"}]}),
    )
    .await;
    snap!("created_with_a_user_member", &club);
    let club = id(&club);
    let inner = create_named(&s, &t, "club.inner").await;
    let members = format!("/Groups/{club}/members");

    let (st, added) = send(
        &s,
        Method::POST,
        &t,
        &members,
        &json!({"value": inner, "type": "GROUP"}),
        &[],
    )
    .await;
    assert_eq!(st, 201);
    snap!("added_group_member", &added);

    let (st, listed) = get(&s, &t, &members).await;
    assert_eq!(st, 200);
    assert_eq!(member_ids(&listed), sorted([&marissa, &inner]));
    let types: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["type"])
        .collect();
    assert!(types.contains(&&json!("GROUP")) && types.contains(&&json!("USER")));
    let (st, one) = get(&s, &t, &format!("{members}/{marissa}")).await;
    assert_eq!(
        (st, &one["value"], &one["type"]),
        (200, &json!(marissa), &json!("USER"))
    );

    let (st, removed) = delete(&s, &t, &format!("{members}/{marissa}"), &[]).await;
    assert_eq!((st, &removed["value"]), (200, &json!(marissa)));
    let (st, again) = delete(&s, &t, &format!("{members}/{marissa}"), &[]).await;
    assert_eq!(st, 404);
    assert_eq!(
        again["message"],
        format!("Member {marissa} does not exist in group {club}")
    );
    let (_, group) = get(&s, &t, &format!("/Groups/{club}")).await;
    assert_eq!(member_ids(&group), [inner]);
}

#[tokio::test]
async fn member_additions_are_refused_as_uaa_refuses_them() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let marissa = user_id(&s, "marissa", "koala").await;
    let gid = create_named(&s, &t, "strict.group").await;
    let members = format!("/Groups/{gid}/members");
    let (st, _) = send(
        &s,
        Method::POST,
        &t,
        &members,
        &json!({"value": marissa}),
        &[],
    )
    .await;
    assert_eq!(st, 201);
    let (_, found) = list(&s, &t, &[("filter", "displayName eq \"uaa.user\"")]).await;
    let default_group = id(&found["resources"][0]);
    let mut cases = Vec::new();
    for (label, path, body) in [
        (
            "twice",
            members.clone(),
            json!({"value": marissa, "type": "USER"}),
        ),
        (
            "unknown user",
            members.clone(),
            json!({"value": "no-such-user"}),
        ),
        (
            "unknown group",
            members.clone(),
            json!({"value": "no-such-group", "type": "GROUP"}),
        ),
        (
            "itself",
            members.clone(),
            json!({"value": gid, "type": "GROUP"}),
        ),
        ("no value", members.clone(), json!({"type": "USER"})),
        (
            "blank origin",
            members.clone(),
            json!({"value": marissa, "origin": ""}),
        ),
        (
            "default group",
            format!("/Groups/{default_group}/members"),
            json!({"value": marissa}),
        ),
        (
            "unknown target",
            "/Groups/no-such-target/members".to_owned(),
            json!({"value": marissa}),
        ),
    ] {
        let (st, b) = send(&s, Method::POST, &t, &path, &body, &[]).await;
        let b = scrub(&b, &[(&marissa, "[marissa]"), (&gid, "[group]")]);
        cases.push(json!({"case": label, "status": st, "body": b}));
    }
    snap!("member_refusals", &cases);
    let (st, b) = get(&s, &t, &format!("/Groups/{gid}/members/no-such-user")).await;
    assert_eq!(st, 404);
    snap!("member_not_found", &scrub(&b, &[(&gid, "[group]")]));
    let (_, group) = get(&s, &t, &format!("/Groups/{gid}")).await;
    assert_eq!(member_ids(&group), [marissa]);
}

#[tokio::test]
async fn return_entities_embeds_each_members_user_or_group() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let marissa = user_id(&s, "marissa", "koala").await;
    let inner = create(
        &s,
        &t,
        json!({"displayName": "entity.inner", "description": "Inner"}),
    )
    .await;
    let outer = create(
        &s,
        &t,
        json!({"displayName": "entity.outer", "members": [
            {"value": marissa, "type": "USER"},
            {"value": id(&inner), "type": "GROUP"},
        ]}),
    )
    .await;
    let path = format!("/Groups/{}/members", id(&outer));
    let (st, plain) = get(&s, &t, &path).await;
    assert_eq!(st, 200);
    assert!(
        plain
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m.get("entity").is_none())
    );
    let (st, mut with) = get(&s, &t, &format!("{path}?returnEntities=true")).await;
    assert_eq!(st, 200);
    if let Some(items) = with.as_array_mut() {
        items.sort_by_key(|m| m["type"].to_string());
    }
    snap!("members_with_entities", &with);
}

#[tokio::test]
async fn nested_groups_reach_password_grant_tokens_transitively() {
    let s = TestServer::with_yaml(
        "
scim:
  groups:
    team.inner: The inner team
  users:
    - alice|alicepw|alice@example.com|Alice|Liddell|team.inner
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: scim.read,scim.write
    teamapp:
      secret: teamsecret
      authorized-grant-types: password
      scope: openid,team.inner,team.middle,team.outer
      authorities: uaa.resource
",
    )
    .await;
    let t = s.client_token("admin", "adminsecret").await;
    let scopes = || async {
        let token = s
            .password_token("teamapp", "teamsecret", "alice", "alicepw")
            .await;
        let mut v: Vec<String> = claims(&token)["scope"]
            .as_array()
            .expect("scope")
            .iter()
            .map(|x| x.as_str().unwrap_or_default().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(scopes().await, ["openid", "team.inner"]);
    let (_, found) = list(&s, &t, &[("filter", "displayName eq \"team.inner\"")]).await;
    let inner = id(&found["resources"][0]);
    let middle = id(&create(
        &s,
        &t,
        json!({"displayName": "team.middle", "members": [{"value": inner, "type": "GROUP"}]}),
    )
    .await);
    let outer = id(&create(
        &s,
        &t,
        json!({"displayName": "team.outer", "members": [{"value": middle, "type": "GROUP"}]}),
    )
    .await);
    assert_eq!(
        scopes().await,
        ["openid", "team.inner", "team.middle", "team.outer"]
    );
    // A cycle (outer inside inner) changes nothing and does not loop.
    let (st, _) = send(
        &s,
        Method::POST,
        &t,
        &format!("/Groups/{inner}/members"),
        &json!({"value": outer, "type": "GROUP"}),
        &[],
    )
    .await;
    assert_eq!(st, 201);
    assert_eq!(
        scopes().await,
        ["openid", "team.inner", "team.middle", "team.outer"]
    );
    // Cutting the chain takes the outer scopes away from new tokens.
    let (st, _) = delete(&s, &t, &format!("/Groups/{middle}/members/{inner}"), &[]).await;
    assert_eq!(st, 200);
    assert_eq!(scopes().await, ["openid", "team.inner"]);
}

#[tokio::test]
async fn patch_deletes_members_and_removes_meta_attributes_as_uaa_does() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let marissa = user_id(&s, "marissa", "koala").await;
    let admin_user = user_id(&s, "admin", "admin").await;
    let inner = create_named(&s, &t, "patch.inner").await;
    let gid = id(&create(
        &s,
        &t,
        json!({"displayName": "patch.me", "description": "To remove", "members": [
            {"value": marissa}, {"value": inner, "type": "GROUP"},
        ]}),
    )
    .await);
    let path = format!("/Groups/{gid}");
    let patch = json!({
        "meta": {"attributes": ["description"]},
        "members": [
            {"value": marissa, "operation": "delete"},
            {"value": admin_user, "type": "USER", "origin": "uaa"},
        ],
        "displayName": "patch.renamed",
    });
    let (st, b) = send(&s, Method::PATCH, &t, &path, &patch, &[("if-match", "0")]).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["displayName"], "patch.renamed");
    assert!(b.get("description").is_none(), "{b}");
    assert_eq!(member_ids(&b), sorted([&inner, &admin_user]));

    let mut refusals = Vec::new();
    for attr in ["id", "zoneId", "schemas"] {
        let body = json!({"meta": {"attributes": [attr]}});
        let (st, b) = send(&s, Method::PATCH, &t, &path, &body, &[("if-match", "*")]).await;
        refusals.push(json!({"attribute": attr, "status": st, "body": b}));
    }
    snap!("patch_attribute_refusals", &refusals);

    let body = json!({"meta": {"attributes": ["members"]}});
    let (st, b) = send(&s, Method::PATCH, &t, &path, &body, &[("if-match", "1")]).await;
    assert_eq!(
        (st, member_ids(&b).len(), &b["meta"]["version"]),
        (200, 0, &json!(2))
    );
    // Removing the name without giving another leaves the group without one: refused.
    let body = json!({"meta": {"attributes": ["displayName"]}});
    let (st, b) = send(&s, Method::PATCH, &t, &path, &body, &[("if-match", "2")]).await;
    assert_eq!((st, &b["error"]), (400, &json!("invalid_scim_resource")));
}

#[tokio::test]
async fn put_replaces_the_members_and_refuses_unknown_ones_without_changing_anything() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let marissa = user_id(&s, "marissa", "koala").await;
    let gid = id(&create(
        &s,
        &t,
        json!({"displayName": "put.group", "members": [{"value": marissa}]}),
    )
    .await);
    let path = format!("/Groups/{gid}");
    let body =
        json!({"displayName": "put.group", "members": [{"value": marissa}, {"value": "ghost"}]});
    let (st, b) = send(&s, Method::PUT, &t, &path, &body, &[("if-match", "0")]).await;
    assert_eq!(st, 400);
    snap!("put_with_unknown_member", &b);
    let (_, now) = get(&s, &t, &path).await;
    assert_eq!(
        (member_ids(&now), &now["meta"]["version"]),
        (vec![marissa.clone()], &json!(0))
    );
    let body =
        json!({"displayName": "put.group", "members": [{"value": marissa}, {"value": marissa}]});
    let (st, b) = send(&s, Method::PUT, &t, &path, &body, &[("if-match", "0")]).await;
    assert_eq!(
        (st, &b["error"]),
        (200, &Value::Null),
        "a kept member listed twice is kept once: {b}"
    );
    // No members in a PUT removes them all (UAA's removeMembersByGroupId).
    let (st, b) = send(
        &s,
        Method::PUT,
        &t,
        &path,
        &json!({"displayName": "put.group"}),
        &[("if-match", "1")],
    )
    .await;
    assert_eq!((st, member_ids(&b).len()), (200, 0));
}

#[tokio::test]
async fn creating_a_group_with_a_bad_member_answers_400_and_writes_nothing() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let marissa = user_id(&s, "marissa", "koala").await;
    let mut cases = Vec::new();
    for members in [
        json!([{"value": marissa}, {"value": "ghost"}]),
        json!([{"value": "no-such-group", "type": "GROUP"}]),
        json!([{"value": marissa}, {"value": marissa}]),
        json!([{"type": "USER"}]),
    ] {
        let body = json!({"displayName": "half.written", "members": members});
        let (st, b) = send(&s, Method::POST, &t, "/Groups", &body, &[]).await;
        cases.push(json!({"status": st, "body": scrub(&b, &[(&marissa, "[marissa]")])}));
        assert!(
            found(&s, &t, "displayName eq \"half.written\"")
                .await
                .is_empty()
        );
    }
    snap!("create_with_bad_members", &cases);
}

#[tokio::test]
async fn malformed_bodies_answer_400_json_and_write_nothing() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let gid = create_named(&s, &t, "body.group").await;
    let group = format!("/Groups/{gid}");
    let members = format!("/Groups/{gid}/members");
    let mut cases = Vec::new();
    for (method, path, body) in [
        (Method::POST, "/Groups", "{not json"),
        (Method::POST, "/Groups", r#"{"displayName": 5}"#),
        (
            Method::POST,
            "/Groups",
            r#"{"displayName": "bad.type", "members": [{"value": "x", "type": "FOO"}]}"#,
        ),
        (Method::POST, "/Groups", r#"{"description": "no name"}"#),
        (Method::POST, "/Groups", r#"{"displayName": "  "}"#),
        (
            Method::POST,
            "/Groups",
            r#"{"displayName": "bad.schema", "schemas": ["urn:other"]}"#,
        ),
        (Method::PUT, group.as_str(), "[]"),
        (Method::PATCH, group.as_str(), r#"{"members": "all"}"#),
        (Method::POST, members.as_str(), r#"{"value": ["x"]}"#),
        (Method::POST, "/Groups/External", "nope"),
    ] {
        let (st, b) = send_raw(&s, method.clone(), &t, path, body).await;
        let path = path.replace(&gid, "{id}");
        cases.push(json!({"request": format!("{method} {path} {body}"), "status": st, "body": b}));
    }
    snap!("malformed_bodies", &cases);
    let (st, b) = list(&s, &t, &[("filter", "displayName sw \"b\"")]).await;
    assert_eq!((st, names(&b)), (200, vec!["body.group".to_owned()]));
    let (_, g) = get(&s, &t, &group).await;
    assert_eq!(
        (&g["meta"]["version"], member_ids(&g).len()),
        (&json!(0), 0)
    );
}

#[tokio::test]
async fn group_lists_filter_with_every_operator() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let alpha = id(&create(
        &s,
        &t,
        json!({"displayName": "ops.alpha", "description": "first"}),
    )
    .await);
    create(
        &s,
        &t,
        json!({"displayName": "ops.beta", "description": "second"}),
    )
    .await;
    let gamma = create_named(&s, &t, "ops.gamma").await;
    let (st, _) = send(
        &s,
        Method::PUT,
        &t,
        &format!("/Groups/{gamma}"),
        &json!({"displayName": "ops.gamma"}),
        &[("if-match", "0")],
    )
    .await;
    assert_eq!(st, 200);
    let ops = "displayName sw \"ops.\"";
    let all = ["ops.alpha", "ops.beta", "ops.gamma"];
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("displayName eq \"OPS.ALPHA\"".into(), vec!["ops.alpha"]),
        (format!("{ops} and displayName co \"ET\""), vec!["ops.beta"]),
        (ops.into(), all.to_vec()),
        (
            format!("{ops} and description pr"),
            vec!["ops.alpha", "ops.beta"],
        ),
        (
            format!("{ops} and displayName gt \"ops.beta\""),
            vec!["ops.gamma"],
        ),
        (
            format!("{ops} and displayName ge \"ops.beta\""),
            vec!["ops.beta", "ops.gamma"],
        ),
        (
            format!("{ops} and displayName lt \"ops.beta\""),
            vec!["ops.alpha"],
        ),
        (
            format!("{ops} and displayName le \"ops.beta\""),
            vec!["ops.alpha", "ops.beta"],
        ),
        (
            "displayName eq \"ops.alpha\" or displayName eq \"ops.gamma\"".into(),
            vec!["ops.alpha", "ops.gamma"],
        ),
        (
            format!("({ops}) and (description eq \"first\" or description eq \"second\")"),
            vec!["ops.alpha", "ops.beta"],
        ),
        (format!("{ops} and description eq null"), vec!["ops.gamma"]),
        (format!("{ops} and version eq 1"), vec!["ops.gamma"]),
        (
            format!("{ops} and meta.version lt 1"),
            vec!["ops.alpha", "ops.beta"],
        ),
        (
            format!("{ops} and meta.created gt \"2000-01-01T00:00:00.000Z\""),
            all.to_vec(),
        ),
        (
            format!("{ops} and created le \"2000-01-01T00:00:00.000Z\""),
            vec![],
        ),
        (
            format!("{ops} and meta.lastModified ge \"2000-01-01T00:00:00.000Z\""),
            all.to_vec(),
        ),
        (format!("id eq \"{alpha}\""), vec!["ops.alpha"]),
        ("displayName eq 'ops.beta'".into(), vec!["ops.beta"]),
        ("DISPLAYNAME EQ \"ops.beta\"".into(), vec!["ops.beta"]),
        (
            format!("{ops} and identity_zone_id eq \"uaa\""),
            all.to_vec(),
        ),
        ("displayName co \"%\"".into(), vec![]),
    ];
    for (filter, expected) in cases {
        assert_eq!(found(&s, &t, &filter).await, expected, "{filter}");
    }
}

#[tokio::test]
async fn bad_filters_and_sort_keys_answer_400_with_uaas_message() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let mut cases = Vec::new();
    for query in [
        vec![("filter", "displayName eq <b>")],
        vec![("filter", "userName eq \"marissa\"")],
        vec![("filter", "displayName xx \"a\"")],
        vec![("filter", "meta.location pr")],
        vec![("sortBy", "meta.created")],
        vec![("filter", "displayName pr"), ("sortBy", "nosuch")],
        vec![("count", "many")],
    ] {
        let (st, b) = list(&s, &t, &query).await;
        cases.push(json!({"query": format!("{query:?}"), "status": st, "body": b}));
    }
    snap!("bad_filters", &cases);
}

#[tokio::test]
async fn group_lists_page_sort_and_cap_the_count() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    for n in ["page.05", "page.02", "page.04", "page.01", "page.03"] {
        create_named(&s, &t, n).await;
    }
    let f = ("filter", "displayName sw \"page.\"");
    let by_name = ("sortBy", "displayName");
    let (st, b) = list(&s, &t, &[f, by_name, ("startIndex", "2"), ("count", "2")]).await;
    assert_eq!(st, 200);
    assert_eq!(names(&b), ["page.02", "page.03"]);
    assert_eq!(
        (
            &b["startIndex"],
            &b["itemsPerPage"],
            &b["totalResults"],
            &b["schemas"]
        ),
        (
            &json!(2),
            &json!(2),
            &json!(5),
            &json!(["urn:scim:schemas:core:1.0"])
        )
    );
    // UAA reports the requested page size, even on a short last page.
    let (_, b) = list(&s, &t, &[f, by_name, ("startIndex", "5"), ("count", "2")]).await;
    assert_eq!(
        (names(&b), &b["itemsPerPage"]),
        (vec!["page.05".to_owned()], &json!(2))
    );
    let (_, b) = list(
        &s,
        &t,
        &[f, by_name, ("sortOrder", "descending"), ("count", "2")],
    )
    .await;
    assert_eq!(names(&b), ["page.05", "page.04"]);
    // The default sort is by creation time (then id), ascending.
    let (_, asc) = list(&s, &t, &[f]).await;
    let (_, desc) = list(
        &s,
        &t,
        &[f, ("sortBy", "created"), ("sortOrder", "DESCENDING")],
    )
    .await;
    let mut reversed = names(&desc);
    reversed.reverse();
    assert_eq!(names(&asc), reversed);
    let (_, b) = list(
        &s,
        &t,
        &[
            f,
            ("sortBy", "lastModified,displayName"),
            ("startIndex", "0"),
        ],
    )
    .await;
    assert_eq!((&b["startIndex"], names(&b).len()), (&json!(1), 5));
    let (_, b) = list(&s, &t, &[("count", "1000")]).await;
    assert_eq!(b["itemsPerPage"], 500);
    let (_, b) = list(&s, &t, &[f, ("count", "0")]).await;
    assert_eq!((names(&b).len(), &b["totalResults"]), (0, &json!(5)));
}

#[tokio::test]
async fn group_lists_project_the_requested_attributes() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let marissa = user_id(&s, "marissa", "koala").await;
    create(
        &s,
        &t,
        json!({"displayName": "attr.group", "members": [{"value": marissa}]}),
    )
    .await;
    let (st, b) = list(
        &s,
        &t,
        &[
            ("filter", "displayName eq \"attr.group\""),
            (
                "attributes",
                "displayName,meta.version,members,zoneid,noSuch",
            ),
        ],
    )
    .await;
    assert_eq!(st, 200);
    snap!("projected_list", &b);
    // Without attributes every group comes whole, members included.
    let (_, b) = list(&s, &t, &[("filter", "displayName eq \"attr.group\"")]).await;
    assert_eq!(member_ids(&b["resources"][0]), [marissa]);
}

#[tokio::test]
async fn external_group_mappings_are_created_listed_and_deleted() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let gid = create_named(&s, &t, "ext.readers").await;
    let post = |body: Value| {
        let (s, t) = (&s, &t);
        async move { send(s, Method::POST, t, "/Groups/External", &body, &[]).await }
    };
    let (st, by_id) =
        post(json!({"groupId": gid, "externalGroup": " CN=Readers,OU=Groups ", "origin": "ldap"}))
            .await;
    assert_eq!(st, 201);
    snap!("external_created", &by_id);
    let (st, by_name) =
        post(json!({"displayName": "ext.readers", "externalGroup": "cn=admins"})).await;
    assert_eq!((st, &by_name["origin"]), (201, &json!("ldap")));
    let (st, again) =
        post(json!({"displayName": "ext.readers", "externalGroup": "CN=admins"})).await;
    assert_eq!(
        (st, &again),
        (201, &by_name),
        "mapping twice keeps the first"
    );
    let (st, _) = post(json!({"groupId": gid, "externalGroup": "team-x", "origin": "oidc"})).await;
    assert_eq!(st, 201);

    let ext = |query: Vec<(&'static str, &'static str)>, path: &'static str| {
        let (s, t) = (&s, &t);
        async move {
            let r = s
                .http
                .get(s.url(path))
                .query(&query)
                .bearer_auth(t)
                .send()
                .await
                .expect("request");
            let (st, b) = read(r).await;
            assert_eq!(st, 200, "{query:?}: {b}");
            b
        }
    };
    let all = ext(vec![], "/Groups/External").await;
    snap!("external_list", &all);
    let count = |b: &Value| b["resources"].as_array().map_or(0, Vec::len);
    for (query, n) in [
        (vec![("origin", "oidc")], 1),
        (vec![("externalGroup", "cn=admins")], 1),
        (vec![("origin", "ldap"), ("externalGroup", "team-x")], 0),
        (vec![("filter", "origin eq \"ldap\"")], 2),
        (
            vec![(
                "filter",
                "externalGroup eq \"team-x\" and origin eq \"oidc\"",
            )],
            1,
        ),
        (
            vec![(
                "filter",
                "gm.origin eq \"oidc\" and g.displayName eq \"ext.readers\"",
            )],
            1,
        ),
        (vec![("startIndex", "2"), ("count", "1")], 1),
    ] {
        assert_eq!(
            count(&ext(query.clone(), "/Groups/External").await),
            n,
            "{query:?}"
        );
    }
    let page = ext(
        vec![("startIndex", "3"), ("count", "5")],
        "/Groups/External",
    )
    .await;
    assert_eq!(
        (&page["itemsPerPage"], &page["totalResults"], count(&page)),
        (&json!(1), &json!(3), 1)
    );
    // The deprecated list does not read `origin`.
    assert_eq!(
        count(&ext(vec![("origin", "oidc")], "/Groups/External/list").await),
        3
    );

    let (st, removed) = delete(
        &s,
        &t,
        &format!("/Groups/External/groupId/{gid}/externalGroup/team-x/origin/oidc"),
        &[],
    )
    .await;
    assert_eq!(st, 200);
    snap!("external_deleted", &removed);
    let (st, b) = delete(
        &s,
        &t,
        "/Groups/External/displayName/ext.readers/externalGroup/CN=admins",
        &[],
    )
    .await;
    assert_eq!(
        (st, &b["externalGroup"], &b["origin"]),
        (200, &json!("cn=admins"), &json!("ldap"))
    );
    let (st, _) = delete(
        &s,
        &t,
        &format!("/Groups/External/id/{gid}/cn=readers,ou=groups"),
        &[],
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(count(&ext(vec![], "/Groups/External").await), 0);
    let (st, b) = delete(
        &s,
        &t,
        &format!("/Groups/External/groupId/{gid}/externalGroup/team-x/origin/oidc"),
        &[],
    )
    .await;
    assert_eq!(st, 404);
    assert_eq!(
        b["message"],
        format!("The mapping between groupId {gid} and external group team-x does not exist")
    );
}

#[tokio::test]
async fn external_mapping_requests_are_refused_as_uaa_refuses_them() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let known = create_named(&s, &t, "ext.known").await;
    let mut cases = Vec::new();
    for body in [
        json!({"displayName": "ext.unknown", "externalGroup": "x"}),
        json!({"externalGroup": "x"}),
        json!({"groupId": "no-such-group", "externalGroup": "x"}),
        json!({"displayName": "ext.known"}),
        json!({"displayName": "ext.known", "externalGroup": "  "}),
    ] {
        let (st, b) = send(&s, Method::POST, &t, "/Groups/External", &body, &[]).await;
        cases.push(json!({"request": body, "status": st, "body": b}));
    }
    for query in [
        "filter=origin%20eq%20%22ldap%22&origin=ldap",
        "filter=origin%20co%20%22ldap%22",
        "filter=origin%20eq%20%22a%22%20or%20origin%20eq%20%22b%22",
        "filter=displayName%20eq%20%22x%22",
    ] {
        let (st, b) = get(&s, &t, &format!("/Groups/External?{query}")).await;
        cases.push(json!({"request": query, "status": st, "body": b}));
    }
    let (st, b) = delete(
        &s,
        &t,
        "/Groups/External/displayName/ext.unknown/externalGroup/x/origin/ldap",
        &[],
    )
    .await;
    cases.push(json!({"request": "DELETE by unknown name", "status": st, "body": b}));
    let (st, b) = delete(
        &s,
        &t,
        "/Groups/External/displayName/ext.known/externalGroup/unmapped",
        &[],
    )
    .await;
    let b = scrub(&b, &[(&known, "[group]")]);
    cases.push(json!({"request": "DELETE unmapped", "status": st, "body": b}));
    snap!("external_refusals", &cases);
}

#[tokio::test]
async fn deleting_a_group_removes_its_memberships_and_mappings() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let marissa = user_id(&s, "marissa", "koala").await;
    let inner = id(&create(
        &s,
        &t,
        json!({"displayName": "gone.inner", "members": [{"value": marissa}]}),
    )
    .await);
    let outer = id(&create(
        &s,
        &t,
        json!({"displayName": "gone.outer", "members": [{"value": inner, "type": "GROUP"}]}),
    )
    .await);
    let (st, _) = send(
        &s,
        Method::POST,
        &t,
        "/Groups/External",
        &json!({"groupId": inner, "externalGroup": "cn=x"}),
        &[],
    )
    .await;
    assert_eq!(st, 201);
    let (st, _) = delete(
        &s,
        &t,
        &format!("/Groups/{inner}"),
        &[("if-match", "\"0\"")],
    )
    .await;
    assert_eq!(st, 200);
    let (_, o) = get(&s, &t, &format!("/Groups/{outer}")).await;
    assert_eq!(member_ids(&o).len(), 0);
    let (_, ext) = get(&s, &t, "/Groups/External").await;
    assert_eq!(ext["totalResults"], 0);
    // The same name can be used again.
    create_named(&s, &t, "gone.inner").await;
}

#[tokio::test]
async fn group_endpoints_check_uaas_scopes_and_list_them_when_refusing() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let gid = create_named(&s, &t, "gated.group").await;
    let group = format!("/Groups/{gid}");
    let none = token_with(&s, "clients.read").await;
    let updater = token_with(&s, "groups.update").await;
    let reader = token_with(&s, "scim.read").await;
    let zone_admin = token_with(&s, "zones.uaa.admin").await;
    let body = json!({"displayName": "gated.other"});
    let mut refusals = Vec::new();
    for (method, path, expected) in [
        (Method::GET, "/Groups".to_owned(), READ_GATE),
        (Method::GET, group.clone(), READ_GATE),
        (Method::GET, format!("{group}/members"), READ_GATE),
        (Method::GET, "/Groups/External".to_owned(), READ_GATE),
        (Method::POST, "/Groups".to_owned(), UPDATE_GATE),
        (Method::PUT, group.clone(), UPDATE_GATE),
        (Method::PATCH, group.clone(), UPDATE_GATE),
        (Method::POST, format!("{group}/members"), UPDATE_GATE),
        (Method::DELETE, group.clone(), WRITE_GATE),
        (Method::DELETE, format!("{group}/members/x"), WRITE_GATE),
        (Method::POST, "/Groups/External".to_owned(), WRITE_GATE),
        (
            Method::DELETE,
            "/Groups/External/groupId/x/externalGroup/y".to_owned(),
            WRITE_GATE,
        ),
    ] {
        let (st, _, b) = call(&s, method.clone(), &path, Some(&none), Some(&body), &[]).await;
        assert_eq!(
            (st, b["scope"].as_str()),
            (403, Some(expected)),
            "{method} {path}"
        );
        if refusals.len() < 3 && !refusals.iter().any(|r: &Value| r["scope"] == expected) {
            refusals.push(b);
        }
    }
    snap!("gate_refusals", &refusals);
    let (st, _, b) = call(&s, Method::GET, "/Groups", None, None, &[]).await;
    assert_eq!((st, &b["error"]), (401, &json!("unauthorized")));

    // groups.update creates and changes groups but neither deletes nor maps them.
    let (st, created) = send(&s, Method::POST, &updater, "/Groups", &body, &[]).await;
    assert_eq!(st, 201);
    let other = format!("/Groups/{}", id(&created));
    let (st, _) = send(
        &s,
        Method::PUT,
        &updater,
        &other,
        &body,
        &[("if-match", "0")],
    )
    .await;
    assert_eq!(st, 200);
    let (st, _) = delete(&s, &updater, &other, &[]).await;
    assert_eq!(st, 403);
    let (st, _) = send(
        &s,
        Method::POST,
        &updater,
        "/Groups/External",
        &json!({"groupId": gid, "externalGroup": "x"}),
        &[],
    )
    .await;
    assert_eq!(st, 403);
    // scim.read reads only.
    assert_eq!(get(&s, &reader, &group).await.0, 200);
    assert_eq!(get(&s, &reader, "/Groups/External").await.0, 200);
    assert_eq!(
        send(&s, Method::POST, &reader, "/Groups", &body, &[])
            .await
            .0,
        403
    );
    // The zone admin does everything.
    assert_eq!(get(&s, &zone_admin, &group).await.0, 200);
    assert_eq!(delete(&s, &zone_admin, &other, &[]).await.0, 200);
}

#[tokio::test]
async fn group_changes_are_audited_with_uaas_event_codes() {
    let s = TestServer::spawn().await;
    let t = admin(&s).await;
    let marissa = user_id(&s, "marissa", "koala").await;
    let gid = id(&create(
        &s,
        &t,
        json!({"displayName": "audited.group", "members": [{"value": marissa}]}),
    )
    .await);
    let path = format!("/Groups/{gid}");
    let (st, _) = send(
        &s,
        Method::PUT,
        &t,
        &path,
        &json!({"displayName": "audited.renamed"}),
        &[("if-match", "0")],
    )
    .await;
    assert_eq!(st, 200);
    let (st, _) = delete(&s, &t, &path, &[]).await;
    assert_eq!(st, 200);
    let rows = audit_rows(&s, &gid).await;
    let codes: Vec<i64> = rows.iter().map(|(c, _)| *c).collect();
    // 23 GroupCreatedEvent, 24 GroupModifiedEvent, 25 GroupDeletedEvent.
    assert_eq!(codes, [23, 24, 25]);
    let data: Vec<Value> = rows
        .iter()
        .map(|(_, d)| serde_json::from_str(d).expect("json data"))
        .collect();
    assert_eq!(
        data,
        [
            json!({"group_name": "audited.group", "members": [marissa]}),
            json!({"group_name": "audited.renamed", "members": []}),
            json!({"group_name": "audited.renamed", "members": []}),
        ]
    );
}
