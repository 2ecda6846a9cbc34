//! `/oauth/token`, `/check_token`, `/introspect` (reference §2–3).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use uaa_core::authz::{Authorized, UaaUser};
use uaa_core::error::Error;
use uaa_core::secret::Secret;
use uaa_core::service::client_auth::{AuthMethod, ClientCredentials, authenticate_client};
use uaa_core::service::grants::issue_token;
use uaa_core::service::grants::user_token::user_token_for_bearer;
use uaa_core::service::token::{check_token as check, introspect as inspect};

use crate::error::{ApiError, ApiResult, json_response, plain_error};
use crate::extract::{FormParams, Zone, basic_credentials, bearer_token, caller_from_headers};
use crate::state::AppState;

/// Client credentials from Basic or from the body (`client_secret_post`); both at once is
/// refused (RFC 6749 §2.3: a client must not use more than one method).
pub(crate) fn client_credentials(
    state: &AppState,
    headers: &HeaderMap,
    params: &std::collections::BTreeMap<String, String>,
) -> ApiResult<Option<ClientCredentials>> {
    let basic = basic_credentials(headers, state.uri_encoding_compat_mode)?;
    let post = params.get("client_id").map(|id| ClientCredentials {
        client_id: id.clone(),
        secret: Secret::new(params.get("client_secret").cloned().unwrap_or_default()),
        method: AuthMethod::Post,
    });
    match (basic, post) {
        (Some(_), Some(_)) if params.contains_key("client_secret") => Err(ApiError::client(
            Error::InvalidClient("Only one client authentication method is allowed".into()),
        )),
        (Some(b), _) => Ok(Some(b)),
        // `client_id` without `client_secret` is a null credential, which UAA's
        // DaoAuthenticationProvider refuses (even for a client with an empty secret), except
        // from a public client in the requests §2.2 allows (`AuthMethod::None`).
        (None, Some(p)) if !params.contains_key("client_secret") => Ok(Some(ClientCredentials {
            method: AuthMethod::None,
            ..p
        })),
        (None, p) => Ok(p),
    }
}

fn no_store(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// `POST /oauth/token` (GET too while `jwt.token.queryString.enabled`).
pub async fn token(
    State(state): State<AppState>,
    Zone(zone): Zone,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    FormParams(params): FormParams,
) -> ApiResult<Response> {
    if !state.query_string_enabled && method == Method::GET {
        // Only POST is mapped then; the text is the one TokenMvcMockTests pins.
        return Ok(plain_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Request method 'GET' not supported",
        ));
    }
    if !state.query_string_enabled && uri.query().is_some_and(|q| !q.is_empty()) {
        return Ok(plain_error(
            StatusCode::NOT_ACCEPTABLE,
            "query_string_not_allowed",
            "Parameters must be passed in the body of the request",
        ));
    }
    // §2.1 `statelessTokenApiSecurity`: a bearer token and `client_id` (the user_token grant).
    let resp = if bearer_token(&headers).is_some() && params.contains_key("client_id") {
        let caller = caller_from_headers(&state, &headers, &zone).await?;
        let auth = Authorized::<UaaUser>::check(caller, zone).map_err(ApiError::oauth)?;
        user_token_for_bearer(&state.deps, &auth, &params).await?
    } else {
        let creds = client_credentials(&state, &headers, &params)?;
        issue_token(&state.deps, &zone, creds.as_ref(), &params)
            .await
            .map_err(ApiError::client)?
    };
    let body = serde_json::to_value(&resp).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(no_store(json_response(body)))
}

/// `/check_token`: Basic client auth with `uaa.resource`; token problems are 400.
pub async fn check_token(
    State(state): State<AppState>,
    Zone(zone): Zone,
    headers: HeaderMap,
    FormParams(params): FormParams,
) -> ApiResult<Response> {
    let creds = client_credentials(&state, &headers, &params)?;
    let result = check(
        &state.deps,
        &zone,
        creds.as_ref(),
        params.get("token").map(String::as_str),
        params.get("scopes").map(String::as_str),
    )
    .await;
    match result {
        Ok(claims) => Ok(json_response(claims)),
        Err(Error::InvalidToken(m)) => {
            Ok(plain_error(StatusCode::BAD_REQUEST, "invalid_token", &m))
        }
        Err(e) => Err(ApiError::client(e)),
    }
}

/// `POST /introspect` (RFC 7662): Basic client auth with `uaa.resource`, or a bearer token
/// whose authorities include it.
pub async fn introspect(
    State(state): State<AppState>,
    Zone(zone): Zone,
    headers: HeaderMap,
    FormParams(params): FormParams,
) -> ApiResult<Response> {
    let authorized = if crate::extract::bearer_token(&headers).is_some() {
        let caller = caller_from_headers(&state, &headers, &zone).await?;
        caller.scopes.contains("uaa.resource")
    } else {
        let creds = client_credentials(&state, &headers, &params)?;
        let client = authenticate_client(&state.deps, &zone, creds.as_ref())
            .await
            .map_err(ApiError::client)?;
        client.authorities.contains("uaa.resource")
    };
    if !authorized {
        return Err(ApiError::oauth(Error::AccessDenied(
            "Access is denied".into(),
        )));
    }
    let token = params.get("token").map(String::as_str).unwrap_or("");
    Ok(json_response(inspect(&state.deps, &zone, token).await).into_response())
}
