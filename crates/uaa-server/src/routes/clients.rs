//! The client registry (`/oauth/clients`, reference §1). Each handler extracts, calls one
//! use case in `uaa_core::service::clients`, and renders UAA's JSON.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uaa_core::authz::{Authenticated, ClientsAdmin, ClientsRead, ClientsSecret, ClientsWrite};
use uaa_core::client::Client;
use uaa_core::error::Error;
use uaa_core::service::clients::{self as svc, ListParams};
use uaa_types::{CLIENT_SCHEMA, ClientDetails, ClientMetadata, SecretChangeRequest};

use crate::error::{ApiResult, json_response};
use crate::extract::{Auth, InvalidClientBody, JsonBody};
use crate::state::AppState;

type ClientBody<T> = JsonBody<T, InvalidClientBody>;

fn to_json<T: serde::Serialize>(v: &T) -> ApiResult<Value> {
    serde_json::to_value(v).map_err(|e| Error::Internal(e.to_string()).into())
}

fn client_json(c: &Client) -> ApiResult<Value> {
    to_json(&c.to_details())
}

fn clients_json(cs: &[Client]) -> ApiResult<Response> {
    let items = cs.iter().map(client_json).collect::<ApiResult<Vec<_>>>()?;
    Ok(json_response(Value::Array(items)))
}

/// Keeps only the requested attributes (`attributes=client_id,scope`); a field this client
/// lacks (an unset validity, another client's additional information) is `null`, as UAA's
/// projection returns it.
fn project(v: Value, attributes: &[&str]) -> Value {
    match v {
        Value::Object(m) if !attributes.is_empty() => Value::Object(
            attributes
                .iter()
                .map(|a| {
                    let found = m.iter().find(|(k, _)| a.eq_ignore_ascii_case(k));
                    match found {
                        Some((k, v)) => (k.clone(), v.clone()),
                        None => ((*a).to_owned(), Value::Null),
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

pub async fn list(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsRead>,
    Query(p): Query<ListParams>,
) -> ApiResult<Response> {
    let page = svc::list(&s.deps, &a.zone, &p).await?;
    let attrs: Vec<&str> = page.attributes.iter().map(String::as_str).collect();
    let resources = page
        .clients
        .iter()
        .map(|c| client_json(c).map(|v| project(v, &attrs)))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(json_response(json!({
        "resources": resources,
        "startIndex": page.start_index,
        "itemsPerPage": page.items_per_page,
        "totalResults": page.total,
        "schemas": [CLIENT_SCHEMA],
    })))
}

pub async fn get(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsRead>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let c = svc::get(&s.deps, &a.zone, &id).await?;
    Ok(json_response(client_json(&c)?))
}

pub async fn create(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsWrite>,
    JsonBody(body, _): ClientBody<ClientDetails>,
) -> ApiResult<Response> {
    let c = svc::create(&s.deps, &a.caller, &a.zone, body).await?;
    Ok((StatusCode::CREATED, json_response(client_json(&c)?)).into_response())
}

/// `GET /oauth/clients/restricted`: the scopes the restricted endpoints refuse.
pub async fn restricted_scopes(Auth(_): Auth<ClientsRead>) -> Response {
    json_response(json!(svc::UAA_SCOPES))
}

pub async fn create_restricted(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsWrite>,
    JsonBody(body, _): ClientBody<ClientDetails>,
) -> ApiResult<Response> {
    let c = svc::create_restricted(&s.deps, &a.caller, &a.zone, body).await?;
    Ok((StatusCode::CREATED, json_response(client_json(&c)?)).into_response())
}

pub async fn update_restricted(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsWrite>,
    Path(id): Path<String>,
    JsonBody(body, _): ClientBody<ClientDetails>,
) -> ApiResult<Response> {
    let c = svc::update_restricted(&s.deps, &a.caller, &a.zone, &id, body).await?;
    Ok(json_response(client_json(&c)?))
}

pub async fn update(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsWrite>,
    Path(id): Path<String>,
    JsonBody(body, _): ClientBody<ClientDetails>,
) -> ApiResult<Response> {
    let c = svc::update(&s.deps, &a.caller, &a.zone, &id, body).await?;
    Ok(json_response(client_json(&c)?))
}

pub async fn delete(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsWrite>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let c = svc::delete(&s.deps, &a.caller, &a.zone, &id).await?;
    Ok(json_response(client_json(&c)?))
}

pub async fn change_secret(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsSecret>,
    Path(id): Path<String>,
    JsonBody(body, _): ClientBody<SecretChangeRequest>,
) -> ApiResult<Response> {
    let r = svc::change_secret(&s.deps, &a.caller, &a.zone, &id, body).await?;
    Ok(json_response(to_json(&r)?))
}

pub async fn tx_create(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsAdmin>,
    JsonBody(body, _): ClientBody<Vec<ClientDetails>>,
) -> ApiResult<Response> {
    let cs = svc::tx_create(&s.deps, &a.caller, &a.zone, body).await?;
    Ok((StatusCode::CREATED, clients_json(&cs)?).into_response())
}

pub async fn tx_update(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsAdmin>,
    JsonBody(body, _): ClientBody<Vec<ClientDetails>>,
) -> ApiResult<Response> {
    let cs = svc::tx_update(&s.deps, &a.caller, &a.zone, body).await?;
    clients_json(&cs)
}

/// Items of the tx delete and secret responses carry `approvals_deleted: true` when approvals
/// were deleted; UAA sets the flag only then, so it is absent otherwise.
fn with_approvals_deleted(c: &Client, deleted: bool) -> ApiResult<Value> {
    let mut d = c.to_details();
    d.approvals_deleted = deleted.then_some(true);
    to_json(&d)
}

pub async fn tx_delete(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsAdmin>,
    JsonBody(body, _): ClientBody<Vec<ClientDetails>>,
) -> ApiResult<Response> {
    let cs = svc::tx_delete(&s.deps, &a.caller, &a.zone, body).await?;
    let items = cs
        .iter()
        .map(|c| with_approvals_deleted(c, true))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(json_response(Value::Array(items)))
}

pub async fn tx_secret(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsAdmin>,
    JsonBody(body, _): ClientBody<Vec<SecretChangeRequest>>,
) -> ApiResult<Response> {
    let cs = svc::tx_secret(&s.deps, &a.caller, &a.zone, body).await?;
    let items = cs
        .iter()
        .map(|(c, d)| with_approvals_deleted(c, *d))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(json_response(Value::Array(items)))
}

pub async fn tx_modify(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsAdmin>,
    JsonBody(body, _): ClientBody<Vec<ClientDetails>>,
) -> ApiResult<Response> {
    let cs = svc::tx_modify(&s.deps, &a.caller, &a.zone, body).await?;
    let items = cs
        .into_iter()
        .map(|(c, action)| {
            let mut d = c.to_details();
            // A deleted client's approvals go with it (UAA reports it on delete items).
            d.approvals_deleted = (action == "delete").then_some(true);
            d.action = Some(action);
            to_json(&d)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(json_response(Value::Array(items)))
}

pub async fn get_meta(
    State(s): State<AppState>,
    Auth(a): Auth<Authenticated>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let m = svc::get_meta(&s.deps, &a.zone, &id).await?;
    Ok(json_response(to_json(&m)?))
}

pub async fn list_meta(
    State(s): State<AppState>,
    Auth(a): Auth<Authenticated>,
) -> ApiResult<Response> {
    let m = svc::list_meta(&s.deps, &a.zone).await?;
    Ok(json_response(to_json(&m)?))
}

pub async fn put_meta(
    State(s): State<AppState>,
    Auth(a): Auth<ClientsWrite>,
    Path(id): Path<String>,
    JsonBody(body, _): JsonBody<ClientMetadata>,
) -> ApiResult<Response> {
    let m = svc::put_meta(&s.deps, &a.zone, &id, body).await?;
    Ok(json_response(to_json(&m)?))
}
