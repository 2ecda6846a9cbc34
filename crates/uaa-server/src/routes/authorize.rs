//! `/oauth/authorize` (reference §3) and the `/approvals` API. The authorization endpoint takes
//! four shapes, each one use case: the browser flow (login session), the approval form
//! (`user_oauth_approval`), posted credentials (`source=credentials`, uaac `token get`) and a
//! bearer user token. Errors meant for the user are an HTML page for browsers and UAA's JSON
//! otherwise; everything else is a redirect to the client.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use uaa_core::authz::OAuthApprovals;
use uaa_core::error::Error;
use uaa_core::ids::ZoneId;
use uaa_core::service::authorize::{self as svc, Step, Via, encode_component};
use uaa_core::service::login::Session;
use uaa_core::service::{approvals, login};
use uaa_types::ApprovalJson;

use super::autologin::open_session_with_code;
use super::login::{force_password_change_url, found, login_url};
use crate::error::{ApiError, ApiResult, json_response};
use crate::extract::{ApprovalsBody, Auth, FormParams, JsonBody, Zone, bearer_token};
use crate::pages::{self, html};
use crate::session::{BrowserSession, CSRF_FIELD, SESSION_COOKIE, set_cookie, wants_html};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth/authorize", get(authorize).post(authorize))
        .route(
            "/approvals",
            get(list_approvals)
                .put(put_approvals)
                .delete(revoke_approvals),
        )
        .route(
            "/approvals/{client_id}",
            axum::routing::put(put_client_approvals),
        )
}

/// `GET|POST /oauth/authorize`.
async fn authorize(
    State(state): State<AppState>,
    Zone(zone): Zone,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    BrowserSession(session): BrowserSession,
    FormParams(params): FormParams,
) -> Response {
    // `secFilterAutologinAuthorize`: a `response_type=code…` request carrying an autologin
    // `code` (cf-uaa-lib's `autologin_uri`) signs the browser in first, then goes on as usual.
    let mut autologin = None;
    if let Some(code) = params.get("code").filter(|_| {
        params
            .get("response_type")
            .is_some_and(|t| t.starts_with("code"))
    }) {
        let client_id = params.get("client_id").map(String::as_str);
        match open_session_with_code(&state, &zone, &headers, code, client_id).await {
            Ok(s) => autologin = Some(s),
            Err(e) => return error_response(&headers, e).await,
        }
    }
    let session = autologin.as_ref().map(|a| &a.session).or(session.as_ref());
    let step = run(&state, &zone, &method, &headers, session, &params).await;
    let mut r = match step {
        Ok(step) => render(&state, &return_query(&method, &uri, &params), step),
        Err(e) => error_response(&headers, e).await,
    };
    if let Some(a) = &autologin {
        a.apply(&mut r);
    }
    r
}

/// Which shape of the request this is, and its one use case.
async fn run(
    state: &AppState,
    zone: &ZoneId,
    method: &Method,
    headers: &HeaderMap,
    session: Option<&Session>,
    params: &BTreeMap<String, String>,
) -> Result<Step, Error> {
    let deps = &state.deps;
    let post = *method == Method::POST;
    if post && params.contains_key("user_oauth_approval") {
        let Some(s) = session else {
            return Err(Error::Unauthorized(
                "User must be authenticated with Spring Security before authorizing an access token."
                    .into(),
            ));
        };
        login::check_csrf(s, params.get(CSRF_FIELD).map(String::as_str))?;
        return svc::approve(deps, zone, s, params).await;
    }
    if let Some(token) = bearer_token(headers) {
        return svc::authorize_with_token(deps, zone, token, params).await;
    }
    if params.get("source").is_some_and(|s| s == "credentials") {
        if !post {
            return Err(Error::Unauthorized(
                "Credentials must be sent by (one of methods): [POST]".into(),
            ));
        }
        return svc::authorize_with_password(deps, zone, params).await;
    }
    svc::authorize(deps, zone, params, Via::Browser(session)).await
}

/// The request again, as query pairs to come back to after signing in: the original query of a
/// GET, or the posted parameters. An autologin `code` is spent by then and is left out.
fn return_query(method: &Method, uri: &Uri, params: &BTreeMap<String, String>) -> Vec<String> {
    let pairs: Vec<String> = match uri.query() {
        Some(q) if *method == Method::GET => q.split('&').map(str::to_owned).collect(),
        _ => params
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect(),
    };
    pairs
        .into_iter()
        .filter(|p| p.split('=').next() != Some("code"))
        .collect()
}

fn render(state: &AppState, query: &[String], step: Step) -> Response {
    match step {
        Step::Redirect(url) => found(&url),
        Step::Login { force, login_hint } => {
            // Come back to the same request; `prompt=login` is spent once the user signs in.
            let query: Vec<&str> = query
                .iter()
                .map(String::as_str)
                .filter(|p| !(force && (p.starts_with("prompt=") || *p == "prompt")))
                .collect();
            let back = format!("/oauth/authorize?{}", query.join("&"));
            let mut r = found(&login_url(None, Some(&back), login_hint.as_deref()));
            if force {
                // The use case ended the session; the browser forgets its cookie.
                r.headers_mut().append(
                    axum::http::header::SET_COOKIE,
                    set_cookie(state, SESSION_COOKIE, "", Some(0)),
                );
            }
            r
        }
        Step::Consent(page) => html(StatusCode::OK, pages::consent_page("uaa", &page)),
        Step::ChangePassword => {
            let back = format!("/oauth/authorize?{}", query.join("&"));
            found(&force_password_change_url(Some(&back)))
        }
    }
}

/// An error for the user: UAA's JSON body, or the same as an HTML page for a browser.
async fn error_response(headers: &HeaderMap, e: Error) -> Response {
    let resp = ApiError::oauth(e).into_response();
    if !wants_html(headers) {
        return resp;
    }
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    html(
        status,
        pages::error_page("uaa", &text("error"), &text("error_description")),
    )
}

/// `GET /approvals` query parameters (UAA's defaults: `user_id pr`, 1, 100).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    filter: Option<String>,
    start_index: Option<u64>,
    count: Option<u64>,
}

async fn list_approvals(
    State(state): State<AppState>,
    Auth(auth): Auth<OAuthApprovals>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let list = approvals::list(
        &state.deps,
        &auth.zone,
        &auth.caller,
        q.filter.as_deref(),
        q.start_index.unwrap_or(1),
        q.count.unwrap_or(100),
    )
    .await?;
    Ok(json_response(serde_json::json!(list)))
}

async fn put_approvals(
    State(state): State<AppState>,
    Auth(auth): Auth<OAuthApprovals>,
    JsonBody(body, _): JsonBody<Vec<ApprovalJson>, ApprovalsBody>,
) -> ApiResult<Response> {
    let list = approvals::replace(&state.deps, &auth.zone, &auth.caller, None, body).await?;
    Ok(json_response(serde_json::json!(list)))
}

async fn put_client_approvals(
    State(state): State<AppState>,
    Auth(auth): Auth<OAuthApprovals>,
    Path(client_id): Path<String>,
    JsonBody(body, _): JsonBody<Vec<ApprovalJson>, ApprovalsBody>,
) -> ApiResult<Response> {
    let list = approvals::replace(
        &state.deps,
        &auth.zone,
        &auth.caller,
        Some(&client_id),
        body,
    )
    .await?;
    Ok(json_response(serde_json::json!(list)))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokeQuery {
    client_id: Option<String>,
}

async fn revoke_approvals(
    State(state): State<AppState>,
    Auth(auth): Auth<OAuthApprovals>,
    Query(q): Query<RevokeQuery>,
) -> ApiResult<Response> {
    let result = approvals::revoke(
        &state.deps,
        &auth.zone,
        &auth.caller,
        q.client_id.as_deref(),
    )
    .await?;
    Ok(json_response(serde_json::json!(result)))
}
