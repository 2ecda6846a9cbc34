//! SCIM groups (`/Groups…`, reference §4.4): each handler extracts, calls one use case in
//! `uaa_core::service::groups`, and renders UAA's JSON (with `ETag: "<version>"` on a group).
//! Gates (`scim-endpoints.xml`): reading is `ScimRead`; creating and changing groups and adding
//! members is `GroupsUpdate` (`scim.write` or `groups.update`); deleting groups and members and
//! creating or deleting external mappings is `ScimWrite`.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde_json::Value;
use uaa_core::authz::{GroupsUpdate, ScimRead, ScimWrite};
use uaa_core::error::Error;
use uaa_core::scim::groups::{MemberEntity, member_to_wire};
use uaa_core::scim::users::{Extras, to_wire as user_to_wire};
use uaa_core::service::groups::{
    self as svc, ExternalParams, GroupRef, GroupView, ListParams, parse_return_entities,
};
use uaa_types::{SCIM_SCHEMA, ScimGroup, ScimGroupExternalMember, ScimGroupMember, SearchResults};

use crate::error::{ApiResult, json_response};
use crate::extract::{Auth, JsonBody, ScimBody};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/Groups", get(list).post(create))
        .route("/Groups/External", get(list_external).post(map_external))
        .route("/Groups/External/list", get(list_external_deprecated))
        .route(
            "/Groups/External/groupId/{group_id}/externalGroup/{external_group}",
            delete(unmap_by_id),
        )
        .route(
            "/Groups/External/groupId/{group_id}/externalGroup/{external_group}/origin/{origin}",
            delete(unmap_by_id_and_origin),
        )
        .route(
            "/Groups/External/displayName/{name}/externalGroup/{external_group}",
            delete(unmap_by_name),
        )
        .route(
            "/Groups/External/displayName/{name}/externalGroup/{external_group}/origin/{origin}",
            delete(unmap_by_name_and_origin),
        )
        .route(
            "/Groups/External/id/{group_id}/{external_group}",
            delete(unmap_by_id),
        )
        .route(
            "/Groups/External/{name}/{external_group}",
            delete(unmap_by_name),
        )
        .route(
            "/Groups/{id}",
            get(get_group).put(update).patch(patch).delete(delete_group),
        )
        .route("/Groups/{id}/members", get(list_members).post(add_member))
        .route(
            "/Groups/{id}/members/{member_id}",
            get(get_member).delete(remove_member),
        )
}

/// SCIM bodies fail as UAA's SCIM handler reports them: 400 `scim` (see `extract::ScimBody`).
type Body<T> = JsonBody<T, ScimBody>;

fn to_json<T: serde::Serialize>(v: &T) -> ApiResult<Value> {
    serde_json::to_value(v).map_err(|e| Error::Internal(e.to_string()).into())
}

fn if_match(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}

/// A group with its members and `ETag: "<version>"`.
fn group_response(status: StatusCode, v: &GroupView) -> ApiResult<Response> {
    let body = to_json(&v.group.to_wire(Some(&v.members)))?;
    let mut r = (status, json_response(body)).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", v.group.version)) {
        r.headers_mut().insert(header::ETAG, etag);
    }
    Ok(r)
}

/// `SearchResultsFactory.buildSearchResultFrom`: each requested attribute, keyed as written,
/// read as the JSON path `$.<attribute>` (case-sensitive, dots descend into objects); a path
/// that finds nothing gives `null`.
fn project(v: &Value, attributes: &[&str]) -> Value {
    Value::Object(
        attributes
            .iter()
            .map(|a| {
                let found = a
                    .split('.')
                    .try_fold(v, |cur, key| cur.as_object().and_then(|o| o.get(key)));
                ((*a).to_owned(), found.cloned().unwrap_or(Value::Null))
            })
            .collect(),
    )
}

fn search_results(
    resources: Vec<Value>,
    start: u64,
    per_page: u64,
    total: u64,
) -> ApiResult<Response> {
    Ok(json_response(to_json(&SearchResults {
        resources,
        start_index: start,
        items_per_page: per_page,
        total_results: total,
        schemas: vec![SCIM_SCHEMA.to_owned()],
    })?))
}

pub async fn list(
    State(s): State<AppState>,
    Auth(a): Auth<ScimRead>,
    Query(p): Query<ListParams>,
) -> ApiResult<Response> {
    let page = svc::list(&s.deps, &a.zone, &p).await?;
    let attributes = p.attribute_list();
    let resources = page
        .groups
        .iter()
        .map(|(g, members)| {
            let v = to_json(&g.to_wire(members.as_deref()))?;
            Ok(if attributes.is_empty() {
                v
            } else {
                project(&v, &attributes)
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    search_results(resources, page.start_index, page.items_per_page, page.total)
}

pub async fn get_group(
    State(s): State<AppState>,
    Auth(a): Auth<ScimRead>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let v = svc::get(&s.deps, &a.zone, &id).await?;
    group_response(StatusCode::OK, &v)
}

pub async fn create(
    State(s): State<AppState>,
    Auth(a): Auth<GroupsUpdate>,
    JsonBody(body, _): Body<ScimGroup>,
) -> ApiResult<Response> {
    let v = svc::create(&s.deps, &a.caller, &a.zone, body).await?;
    group_response(StatusCode::CREATED, &v)
}

pub async fn update(
    State(s): State<AppState>,
    Auth(a): Auth<GroupsUpdate>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body, _): Body<ScimGroup>,
) -> ApiResult<Response> {
    let v = svc::update(&s.deps, &a.caller, &a.zone, &id, if_match(&headers), body).await?;
    group_response(StatusCode::OK, &v)
}

pub async fn patch(
    State(s): State<AppState>,
    Auth(a): Auth<GroupsUpdate>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body, _): Body<ScimGroup>,
) -> ApiResult<Response> {
    let v = svc::patch(&s.deps, &a.caller, &a.zone, &id, if_match(&headers), body).await?;
    group_response(StatusCode::OK, &v)
}

pub async fn delete_group(
    State(s): State<AppState>,
    Auth(a): Auth<ScimWrite>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let v = svc::delete(&s.deps, &a.caller, &a.zone, &id, if_match(&headers)).await?;
    group_response(StatusCode::OK, &v)
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembersParams {
    return_entities: Option<String>,
}

fn entity_json(e: &MemberEntity) -> ApiResult<Value> {
    match e {
        // `ScimUserProvisioning.retrieve`: no groups or approvals.
        MemberEntity::User(u) => to_json(&user_to_wire(u, Extras::default())),
        MemberEntity::Group(g) => to_json(&g.to_wire(None)),
    }
}

pub async fn list_members(
    State(s): State<AppState>,
    Auth(a): Auth<ScimRead>,
    Path(id): Path<String>,
    Query(p): Query<MembersParams>,
) -> ApiResult<Response> {
    let entities = parse_return_entities(p.return_entities.as_deref())?;
    let members = svc::list_members(&s.deps, &a.zone, &id, entities).await?;
    let items = members
        .iter()
        .map(|(m, e)| {
            let entity = e.as_ref().map(entity_json).transpose()?;
            to_json(&ScimGroupMember {
                entity,
                ..member_to_wire(m)
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(json_response(Value::Array(items)))
}

pub async fn get_member(
    State(s): State<AppState>,
    Auth(a): Auth<ScimRead>,
    Path((id, member_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let m = svc::get_member(&s.deps, &a.zone, &id, &member_id).await?;
    Ok(json_response(to_json(&member_to_wire(&m))?))
}

pub async fn add_member(
    State(s): State<AppState>,
    Auth(a): Auth<GroupsUpdate>,
    Path(id): Path<String>,
    JsonBody(body, _): Body<ScimGroupMember>,
) -> ApiResult<Response> {
    let m = svc::add_member(&s.deps, &a.caller, &a.zone, &id, body).await?;
    let body = json_response(to_json(&member_to_wire(&m))?);
    Ok((StatusCode::CREATED, body).into_response())
}

pub async fn remove_member(
    State(s): State<AppState>,
    Auth(a): Auth<ScimWrite>,
    Path((id, member_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let m = svc::remove_member(&s.deps, &a.caller, &a.zone, &id, &member_id).await?;
    Ok(json_response(to_json(&member_to_wire(&m))?))
}

async fn external_page(
    s: &AppState,
    zone: &uaa_core::ids::ZoneId,
    p: &ExternalParams,
    deprecated: bool,
) -> ApiResult<Response> {
    let page = svc::list_external(&s.deps, zone, p, deprecated).await?;
    let items = page.mappings.iter().map(|m| m.to_list_item()).collect();
    search_results(items, page.start_index, page.items_per_page, page.total)
}

pub async fn list_external(
    State(s): State<AppState>,
    Auth(a): Auth<ScimRead>,
    Query(p): Query<ExternalParams>,
) -> ApiResult<Response> {
    external_page(&s, &a.zone, &p, false).await
}

/// `GET /Groups/External/list` (deprecated): `origin` and `externalGroup` are not read.
pub async fn list_external_deprecated(
    State(s): State<AppState>,
    Auth(a): Auth<ScimRead>,
    Query(p): Query<ExternalParams>,
) -> ApiResult<Response> {
    external_page(&s, &a.zone, &p, true).await
}

pub async fn map_external(
    State(s): State<AppState>,
    Auth(a): Auth<ScimWrite>,
    JsonBody(body, _): Body<ScimGroupExternalMember>,
) -> ApiResult<Response> {
    let m = svc::map_external(&s.deps, &a.zone, body).await?;
    let body = json_response(to_json(&m.to_wire())?);
    Ok((StatusCode::CREATED, body).into_response())
}

async fn unmap(
    s: &AppState,
    zone: &uaa_core::ids::ZoneId,
    group: GroupRef<'_>,
    external_group: &str,
    origin: Option<&str>,
) -> ApiResult<Response> {
    let m = svc::unmap_external(&s.deps, zone, group, external_group, origin).await?;
    Ok(json_response(to_json(&m.to_wire())?))
}

pub async fn unmap_by_id(
    State(s): State<AppState>,
    Auth(a): Auth<ScimWrite>,
    Path((group_id, external_group)): Path<(String, String)>,
) -> ApiResult<Response> {
    unmap(&s, &a.zone, GroupRef::Id(&group_id), &external_group, None).await
}

pub async fn unmap_by_id_and_origin(
    State(s): State<AppState>,
    Auth(a): Auth<ScimWrite>,
    Path((group_id, external_group, origin)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let group = GroupRef::Id(&group_id);
    unmap(&s, &a.zone, group, &external_group, Some(&origin)).await
}

pub async fn unmap_by_name(
    State(s): State<AppState>,
    Auth(a): Auth<ScimWrite>,
    Path((name, external_group)): Path<(String, String)>,
) -> ApiResult<Response> {
    unmap(
        &s,
        &a.zone,
        GroupRef::DisplayName(&name),
        &external_group,
        None,
    )
    .await
}

pub async fn unmap_by_name_and_origin(
    State(s): State<AppState>,
    Auth(a): Auth<ScimWrite>,
    Path((name, external_group, origin)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let group = GroupRef::DisplayName(&name);
    unmap(&s, &a.zone, group, &external_group, Some(&origin)).await
}
