//! SCIM users (`/Users`, `/ids/Users`, reference §4.1–4.3). Each handler extracts, calls one
//! use case in `uaa_core::service::users`, and renders UAA's JSON with the user's `ETag`.
//! Gates that depend on the path id (the "self" rules) are checked in the use case.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, put};
use serde_json::Value;
use uaa_core::authz::{
    AccountStatusWrite, Authenticated, PasswordWrite, ScimCreate, ScimRead, ScimUserIds, ScimWrite,
};
use uaa_core::error::Error;
use uaa_core::service::users::{self as svc, ListParams};
use uaa_types::{PasswordChangeRequest, ScimUser, UserAccountStatus};

use crate::error::{ApiResult, json_response};
use crate::extract::{Auth, BodyErrorCode, JsonBody, ScimBody};
use crate::state::AppState;

/// SCIM bodies fail as UAA's SCIM handler reports them: 400 `scim` (see `extract::ScimBody`).
type Body<T> = JsonBody<T, ScimBody>;

/// `PasswordChangeEndpoint` maps only its own exceptions, so a body that is not JSON gets
/// Spring's 415; a malformed one is reported as SCIM's 400.
pub struct PasswordBody;
impl BodyErrorCode for PasswordBody {
    fn error(msg: String) -> Error {
        ScimBody::error(msg)
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/Users", get(list).post(create))
        .route(
            "/Users/{id}",
            get(get_user).put(update).patch(patch_user).delete(delete),
        )
        .route("/Users/{id}/password", put(change_password))
        .route("/Users/{id}/status", patch(set_status))
        .route("/Users/{id}/verify", get(verify))
        .route("/ids/Users", get(ids))
}

fn to_json<T: serde::Serialize>(v: &T) -> ApiResult<Value> {
    serde_json::to_value(v).map_err(|e| Error::Internal(e.to_string()).into())
}

fn if_match(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}

/// The user as JSON with `ETag: "<version>"`.
fn with_etag(status: StatusCode, u: &ScimUser) -> ApiResult<Response> {
    let mut r = (status, json_response(to_json(u)?)).into_response();
    if let Ok(v) = HeaderValue::from_str(&svc::etag(u)) {
        r.headers_mut().insert(header::ETAG, v);
    }
    Ok(r)
}

async fn list(
    State(s): State<AppState>,
    Auth(a): Auth<ScimRead>,
    Query(p): Query<ListParams>,
) -> ApiResult<Response> {
    let page = svc::list(&s.deps, &a.zone, &p).await?;
    Ok(json_response(to_json(&page)?))
}

async fn get_user(
    State(s): State<AppState>,
    Auth(a): Auth<Authenticated>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let u = svc::get(&s.deps, &a.caller, &a.zone, &id).await?;
    with_etag(StatusCode::OK, &u)
}

async fn create(
    State(s): State<AppState>,
    Auth(a): Auth<ScimCreate>,
    JsonBody(body, _): Body<Value>,
) -> ApiResult<Response> {
    let u = svc::create(&s.deps, &a.caller, &a.zone, body).await?;
    with_etag(StatusCode::CREATED, &u)
}

async fn update(
    State(s): State<AppState>,
    Auth(a): Auth<Authenticated>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body, _): Body<Value>,
) -> ApiResult<Response> {
    let u = svc::update(&s.deps, &a.caller, &a.zone, &id, if_match(&headers), body).await?;
    with_etag(StatusCode::OK, &u)
}

async fn patch_user(
    State(s): State<AppState>,
    Auth(a): Auth<Authenticated>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body, _): Body<Value>,
) -> ApiResult<Response> {
    let u = svc::patch(&s.deps, &a.caller, &a.zone, &id, if_match(&headers), body).await?;
    with_etag(StatusCode::OK, &u)
}

async fn delete(
    State(s): State<AppState>,
    Auth(a): Auth<ScimWrite>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let u = svc::delete(&s.deps, &a.caller, &a.zone, &id, if_match(&headers)).await?;
    with_etag(StatusCode::OK, &u)
}

async fn change_password(
    State(s): State<AppState>,
    Auth(a): Auth<PasswordWrite>,
    Path(id): Path<String>,
    JsonBody(body, _): JsonBody<PasswordChangeRequest, PasswordBody>,
) -> ApiResult<Response> {
    let r = svc::change_password(&s.deps, &a.caller, &a.zone, &id, body).await?;
    Ok(json_response(to_json(&r)?))
}

async fn set_status(
    State(s): State<AppState>,
    Auth(a): Auth<AccountStatusWrite>,
    Path(id): Path<String>,
    JsonBody(body, _): Body<UserAccountStatus>,
) -> ApiResult<Response> {
    let st = svc::set_status(&s.deps, &a.caller, &a.zone, &id, body).await?;
    Ok(json_response(to_json(&st)?))
}

async fn verify(
    State(s): State<AppState>,
    Auth(a): Auth<ScimCreate>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let u = svc::verify(&s.deps, &a.caller, &a.zone, &id, if_match(&headers)).await?;
    with_etag(StatusCode::OK, &u)
}

async fn ids(
    State(s): State<AppState>,
    Auth(a): Auth<ScimUserIds>,
    Query(p): Query<ListParams>,
) -> ApiResult<Response> {
    let page = svc::ids(&s.deps, &a.zone, &p).await?;
    Ok(json_response(to_json(&page)?))
}
