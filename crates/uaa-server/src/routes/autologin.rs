//! `/autologin` (uaa-accounts §7): `POST` trades a client's and a user's credentials for a
//! one-time code; `GET ?code=…&client_id=…` signs the browser in with it and goes `home`. The
//! same code also signs the browser in on `/oauth/authorize` (see `routes::authorize`).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde_json::json;
use std::collections::BTreeMap;
use uaa_core::ids::ZoneId;
use uaa_core::service::autologin::{self, AUTOLOGIN_PATH};
use uaa_core::service::login;

use super::login::found;
use crate::error::{ApiError, ApiResult, json_response};
use crate::extract::{FormOrJson, Zone, basic_credentials};
use crate::session::{CSRF_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/autologin", axum::routing::get(sign_in).post(generate))
}

/// `POST /autologin` (`generateAutologinCode`): stateless, Basic client authentication, the
/// user's `username` and `password` as a form or JSON. Refusals are in the client realm.
async fn generate(
    State(state): State<AppState>,
    Zone(zone): Zone,
    headers: HeaderMap,
    FormOrJson(body): FormOrJson,
) -> ApiResult<Response> {
    let creds = basic_credentials(&headers, state.uri_encoding_compat_mode)?;
    let code = autologin::generate(
        &state.deps,
        &zone,
        creds.as_ref(),
        body.get("username").map(String::as_str),
        body.get("password").map(String::as_str),
    )
    .await
    .map_err(ApiError::client)?;
    Ok(json_response(json!({"code": code, "path": AUTOLOGIN_PATH})))
}

/// `GET /autologin?code=…&client_id=…` (`performAutologin`): redeems the code, opens a login
/// session and redirects to the relative `home`, as UAA does. Without a code there is nothing
/// to sign in with, and the browser just goes `home`.
async fn sign_in(
    State(state): State<AppState>,
    Zone(zone): Zone,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let Some(code) = q.get("code") else {
        return Ok(found("home"));
    };
    let cookies = open_session_with_code(
        &state,
        &zone,
        &headers,
        code,
        q.get("client_id").map(String::as_str),
    )
    .await?;
    let mut r = found("home");
    cookies.apply(&mut r);
    Ok(r)
}

/// The cookies of a session opened with an autologin code, to add to whatever answers next.
pub(crate) struct NewSession {
    pub session: login::Session,
    session_cookie: header::HeaderValue,
    csrf_cookie: header::HeaderValue,
}

impl NewSession {
    pub fn apply(&self, r: &mut Response) {
        let h = r.headers_mut();
        h.append(header::SET_COOKIE, self.session_cookie.clone());
        h.append(header::SET_COOKIE, self.csrf_cookie.clone());
    }
}

/// Redeems `code` for `client_id` and opens a new session for its user, ending the one the
/// browser had (no session fixation). UAA sets the session and a fresh CSRF cookie.
pub(crate) async fn open_session_with_code(
    state: &AppState,
    zone: &ZoneId,
    headers: &HeaderMap,
    code: &str,
    client_id: Option<&str>,
) -> Result<NewSession, uaa_core::error::Error> {
    let user = autologin::redeem(&state.deps, zone, code, client_id).await?;
    if let Some(old) = cookie(headers, SESSION_COOKIE) {
        login::sign_out(&state.deps, zone, &old).await?;
    }
    let (value, session) = login::open_session(&state.deps, zone, user).await?;
    let csrf = state.deps.random.alphanumeric(32);
    Ok(NewSession {
        session,
        session_cookie: set_cookie(state, SESSION_COOKIE, &value, None),
        csrf_cookie: set_cookie(state, CSRF_COOKIE, &csrf, Some(86_400)),
    })
}
