//! `/token_key` and `/token_keys`: the verification keys, with UAA's `value` PEM field and an
//! ETag so clients can poll cheaply. Symmetric (HS256) keys are shown only to clients holding
//! `uaa.resource`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uaa_core::error::Error;
use uaa_core::service::client_auth::authenticate_client;

use crate::error::{ApiError, ApiResult, json_response};
use crate::extract::{Zone, basic_credentials};
use crate::state::AppState;

/// True when the request carries Basic credentials of a client holding `uaa.resource`.
async fn is_resource_server(state: &AppState, zone: &Zone, headers: &HeaderMap) -> ApiResult<bool> {
    let Some(creds) = basic_credentials(headers, state.uri_encoding_compat_mode)? else {
        return Ok(false);
    };
    let client = authenticate_client(&state.deps, &zone.0, Some(&creds))
        .await
        .map_err(ApiError::client)?;
    Ok(client.authorities.contains("uaa.resource"))
}

fn not_modified(state: &AppState, headers: &HeaderMap) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_matches('"') == state.keys_etag)
        })
}

fn with_etag(state: &AppState, mut r: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", state.keys_etag)) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

pub async fn token_key(
    State(state): State<AppState>,
    zone: Zone,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if not_modified(&state, &headers) {
        return Ok(with_etag(&state, StatusCode::NOT_MODIFIED.into_response()));
    }
    let active = state.keys.active();
    // Presented credentials are checked whatever the key (tokenKeySecurity's client filter).
    let resource_server = is_resource_server(&state, &zone, &headers).await?;
    if active.is_symmetric() && !resource_server {
        // TokenKeyEndpoint.getKey's AccessDeniedException.
        return Err(ApiError::oauth(Error::AccessDenied(
            "You need to authenticate to see a shared key".into(),
        )));
    }
    let body = serde_json::to_value(active.jwk()).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(with_etag(&state, json_response(body)))
}

pub async fn token_keys(
    State(state): State<AppState>,
    zone: Zone,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if not_modified(&state, &headers) {
        return Ok(with_etag(&state, StatusCode::NOT_MODIFIED.into_response()));
    }
    // Presented credentials are checked whatever the keys (tokenKeySecurity's client filter).
    let include = is_resource_server(&state, &zone, &headers).await?;
    let body = serde_json::to_value(state.keys.jwks(include))
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(with_etag(&state, json_response(body)))
}
