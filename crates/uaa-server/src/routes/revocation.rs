//! Token revocation and listing (`/oauth/token/revoke/…`, `/oauth/token/list/…`, reference §3)
//! and RFC 7009 `POST /oauth/revoke`. Each handler calls one use case of
//! `uaa_core::service::revocation`; self rules that need the path or the stored token are
//! checked there, so most handlers only require a valid token here.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use uaa_core::authz::{Authenticated, TokensList, TokensRevoke};
use uaa_core::error::Error;
use uaa_core::service::revocation as svc;
use uaa_types::RevocableTokenInfo;

use crate::error::{ApiError, ApiResult, json_response};
use crate::extract::{Auth, FormParams, Zone};
use crate::routes::token::client_credentials;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth/token/revoke/user/{user_id}", get(revoke_user))
        .route(
            "/oauth/token/revoke/user/{user_id}/client/{client_id}",
            get(revoke_user_client),
        )
        .route("/oauth/token/revoke/client/{client_id}", get(revoke_client))
        .route("/oauth/token/revoke/{token_id}", delete(revoke_token))
        .route("/oauth/token/list/user/{user_id}", get(list_user))
        .route("/oauth/token/list/client/{client_id}", get(list_client))
        .route("/oauth/revoke", post(revoke))
}

pub async fn revoke_user(
    State(s): State<AppState>,
    Auth(a): Auth<Authenticated>,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    svc::revoke_user(&s.deps, &a, &user_id).await?;
    Ok(StatusCode::OK)
}

pub async fn revoke_user_client(
    State(s): State<AppState>,
    Auth(a): Auth<Authenticated>,
    Path((user_id, client_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    svc::revoke_user_client(&s.deps, &a, &user_id, &client_id).await?;
    Ok(StatusCode::OK)
}

pub async fn revoke_client(
    State(s): State<AppState>,
    Auth(a): Auth<TokensRevoke>,
    Path(client_id): Path<String>,
) -> ApiResult<StatusCode> {
    svc::revoke_client(&s.deps, &a, &client_id).await?;
    Ok(StatusCode::OK)
}

pub async fn revoke_token(
    State(s): State<AppState>,
    Auth(a): Auth<Authenticated>,
    Path(token_id): Path<String>,
) -> ApiResult<StatusCode> {
    svc::revoke_token(&s.deps, &a, &token_id).await?;
    Ok(StatusCode::OK)
}

fn list(tokens: &[RevocableTokenInfo]) -> ApiResult<Response> {
    let body = serde_json::to_value(tokens).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(json_response(body))
}

pub async fn list_user(
    State(s): State<AppState>,
    Auth(a): Auth<TokensList>,
    Path(user_id): Path<String>,
) -> ApiResult<Response> {
    list(&svc::list_user_tokens(&s.deps, &a, &user_id).await?)
}

pub async fn list_client(
    State(s): State<AppState>,
    Auth(a): Auth<TokensList>,
    Path(client_id): Path<String>,
) -> ApiResult<Response> {
    list(&svc::list_client_tokens(&s.deps, &a, &client_id).await?)
}

/// RFC 7009 §2.1: client authentication as at the token endpoint, form parameter `token`
/// (`token_type_hint` is optional and not needed: every token is looked up the same way).
pub async fn revoke(
    State(s): State<AppState>,
    Zone(zone): Zone,
    headers: HeaderMap,
    FormParams(params): FormParams,
) -> ApiResult<Response> {
    let creds = client_credentials(&s, &headers, &params)?;
    let token = params.get("token").map(String::as_str);
    svc::revoke_rfc7009(&s.deps, &zone, creds.as_ref(), token)
        .await
        .map_err(ApiError::client)?;
    Ok(StatusCode::OK.into_response())
}
