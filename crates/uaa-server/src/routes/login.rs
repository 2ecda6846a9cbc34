//! The browser's sign-in and sign-out: `GET /login` (HTML, or UAA's JSON for
//! `Accept: application/json`, which uaac reads), `POST /login.do`, `GET|POST /logout.do`, and a
//! small signed-in home page at `/`. Failures redirect back to `/login?error=…` as UAA does
//! (post/redirect/get), so reloading never re-posts a password.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::BTreeMap;
use uaa_core::error::Error;
use uaa_core::redirect::redirect_matches;
use uaa_core::secret::{Secret, ct_eq};
use uaa_core::service::authorize::encode_component;
use uaa_core::service::login::{self, SignInError};

use crate::error::{ApiError, ApiResult};
use crate::extract::{FormParams, Zone};
use crate::pages::{self, LoginMessage, html};
use crate::session::{
    BrowserSession, CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE, cookie, local_path, set_cookie,
    wants_json,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/home", get(home))
        .route("/login", get(login_page))
        .route(
            "/force_password_change",
            get(force_password_change_page).post(force_password_change),
        )
        .route(
            "/force_password_change_completed",
            get(force_password_change_completed),
        )
        .route("/login.do", axum::routing::post(login_do))
        .route("/logout.do", get(logout).post(logout))
}

/// 302 to a path on this server (or, for sign-out, a vetted client URL).
pub(crate) fn found(location: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = header::HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

/// `/login?…` carrying where to return after signing in.
pub(crate) fn login_url(
    message: Option<LoginMessage>,
    return_to: Option<&str>,
    hint: Option<&str>,
) -> String {
    let mut q: Vec<String> = Vec::new();
    if let Some(m) = message {
        q.push(format!("error={}", m.param()));
    }
    if let Some(r) = return_to {
        q.push(format!("form_redirect_uri={}", encode_component(r)));
    }
    if let Some(h) = hint {
        q.push(format!("login_hint={}", encode_component(h)));
    }
    if q.is_empty() {
        "/login".into()
    } else {
        format!("/login?{}", q.join("&"))
    }
}

/// `GET /login`: UAA's JSON for uaac, else the sign-in form with a fresh (or the current)
/// double-submit CSRF cookie.
async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if wants_json(&headers) {
        return super::info::info(State(state)).await;
    }
    let csrf = cookie(&headers, CSRF_COOKIE)
        .filter(|c| c.len() >= 16 && c.chars().all(|ch| ch.is_ascii_alphanumeric()))
        .unwrap_or_else(|| state.deps.random.alphanumeric(32));
    let message = match q.get("error").map(String::as_str) {
        Some("logged_out") => Some(LoginMessage::SignedOut),
        Some(e) => LoginMessage::from_param(e),
        None => None,
    };
    // `login_hint` is a username, or UAA's `{"origin":…}` JSON naming an identity provider
    // (only the internal one exists here, so that form selects nothing).
    let username = q
        .get("login_hint")
        .filter(|h| !h.trim_start().starts_with('{'));
    let body = pages::login_page(
        "uaa",
        &csrf,
        local_path(q.get("form_redirect_uri").map(String::as_str)),
        username.map(String::as_str),
        message,
    );
    let mut r = html(StatusCode::OK, body);
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, CSRF_COOKIE, &csrf, None),
    );
    r
}

/// `POST /login.do`: checks the CSRF pair, signs in, replaces any previous session (no
/// session fixation) and returns to `form_redirect_uri` (a local path) or `/`.
async fn login_do(
    State(state): State<AppState>,
    Zone(zone): Zone,
    headers: HeaderMap,
    FormParams(form): FormParams,
) -> ApiResult<Response> {
    let return_to = local_path(form.get("form_redirect_uri").map(String::as_str));
    let csrf_ok = match (cookie(&headers, CSRF_COOKIE), form.get(CSRF_FIELD)) {
        (Some(c), Some(f)) => !c.is_empty() && ct_eq(c.as_bytes(), f.as_bytes()),
        _ => false,
    };
    if !csrf_ok {
        return Ok(found(&login_url(
            Some(LoginMessage::FormExpired),
            return_to,
            None,
        )));
    }
    let username = form.get("username").map(String::as_str).unwrap_or("");
    let password = Secret::new(form.get("password").cloned().unwrap_or_default());
    let (value, _) = match login::sign_in(&state.deps, &zone, username, &password).await {
        Ok(s) => s,
        Err(SignInError::BadCredentials) => {
            return Ok(found(&login_url(
                Some(LoginMessage::BadCredentials),
                return_to,
                None,
            )));
        }
        Err(SignInError::Locked) => {
            return Ok(found(&login_url(
                Some(LoginMessage::Locked),
                return_to,
                None,
            )));
        }
        Err(SignInError::Other(e)) => return Err(ApiError::oauth(e)),
    };
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        login::sign_out(&state.deps, &zone, &old).await?;
    }
    let mut r = found(return_to.unwrap_or("/"));
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, &value, None),
    );
    Ok(r)
}

/// `GET|POST /logout.do[?redirect=…&client_id=…]`: ends the session and returns to `/login`, or
/// to `redirect` when it is a local path or matches a registered redirect URI of `client_id`
/// (UAA's `ZoneAwareWhitelistLogoutHandler`). A POST from within a session must carry its CSRF
/// token; UAA's GET form needs none.
async fn logout(
    State(state): State<AppState>,
    Zone(zone): Zone,
    method: Method,
    headers: HeaderMap,
    BrowserSession(session): BrowserSession,
    FormParams(params): FormParams,
) -> ApiResult<Response> {
    if method == Method::POST
        && let Some(s) = &session
    {
        login::check_csrf(s, params.get(CSRF_FIELD).map(String::as_str))?;
    }
    if let Some(value) = cookie(&headers, SESSION_COOKIE) {
        login::sign_out(&state.deps, &zone, &value).await?;
    }
    let target = logout_target(&state, &zone, &params).await?;
    let mut r = found(&target);
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", Some(0)),
    );
    Ok(r)
}

async fn logout_target(
    state: &AppState,
    zone: &uaa_core::ids::ZoneId,
    params: &BTreeMap<String, String>,
) -> Result<String, Error> {
    let signed_out = login_url(Some(LoginMessage::SignedOut), None, None);
    let Some(redirect) = params.get("redirect").filter(|r| !r.is_empty()) else {
        return Ok(signed_out);
    };
    if let Some(p) = local_path(Some(redirect)) {
        return Ok(p.to_owned());
    }
    let Some(client_id) = params.get("client_id") else {
        return Ok(signed_out);
    };
    let allowed = state
        .deps
        .clients
        .get_client(zone, client_id)
        .await?
        .is_some_and(|c| {
            c.redirect_uris
                .iter()
                .any(|r| redirect_matches(redirect, r))
        });
    Ok(if allowed {
        redirect.clone()
    } else {
        signed_out
    })
}

/// `/force_password_change?form_redirect_uri=…`: where a signed-in user who must change their
/// password is sent, with the request to take up again afterwards.
pub(crate) fn force_password_change_url(return_to: Option<&str>) -> String {
    with_return_to("/force_password_change", return_to)
}

/// `path`, carrying `form_redirect_uri` when there is a local path to return to.
fn with_return_to(path: &str, return_to: Option<&str>) -> String {
    match local_path(return_to) {
        Some(r) => format!("{path}?form_redirect_uri={}", encode_component(r)),
        None => path.to_owned(),
    }
}

/// `GET /force_password_change` (`ForcePasswordChangeController`, fully authenticated): the
/// form, for a user flagged for a change; anyone else goes on to `/`.
async fn force_password_change_page(
    BrowserSession(session): BrowserSession,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let return_to = local_path(q.get("form_redirect_uri").map(String::as_str));
    match session {
        None => found(&login_url(
            None,
            Some(&force_password_change_url(return_to)),
            None,
        )),
        Some(s) if !s.user.passwd_change_required => found("/"),
        Some(s) => html(
            StatusCode::OK,
            pages::force_password_change_page(
                "uaa",
                &s.user.email,
                &s.record.csrf_token,
                return_to,
                None,
            ),
        ),
    }
}

/// `POST /force_password_change`: `password` and `password_confirmation` with the session's
/// CSRF token. A refusal re-renders the form with 422 and UAA's message; success replaces the
/// session (the new password ends the old one) and goes to
/// `/force_password_change_completed`, which takes up the request that was under way.
async fn force_password_change(
    State(state): State<AppState>,
    Zone(zone): Zone,
    BrowserSession(session): BrowserSession,
    FormParams(form): FormParams,
) -> ApiResult<Response> {
    let return_to = local_path(form.get("form_redirect_uri").map(String::as_str));
    let Some(s) = session else {
        return Ok(found(&login_url(
            None,
            Some(&force_password_change_url(return_to)),
            None,
        )));
    };
    login::check_csrf(&s, form.get(CSRF_FIELD).map(String::as_str))?;
    if !s.user.passwd_change_required {
        return Ok(found("/"));
    }
    let secret = |k: &str| Secret::new(form.get(k).cloned().unwrap_or_default());
    let outcome = login::change_forced_password(
        &state.deps,
        &zone,
        &s,
        &secret("password"),
        &secret("password_confirmation"),
    )
    .await?;
    match outcome {
        Err(message) => Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::force_password_change_page(
                "uaa",
                &s.user.email,
                &s.record.csrf_token,
                return_to,
                Some(&message),
            ),
        )),
        Ok((value, _)) => {
            let mut r = found(&with_return_to(
                "/force_password_change_completed",
                return_to,
            ));
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, SESSION_COOKIE, &value, None),
            );
            Ok(r)
        }
    }
}

/// `GET /force_password_change_completed`: on to the request that was under way, or `/`.
async fn force_password_change_completed(Query(q): Query<BTreeMap<String, String>>) -> Response {
    found(local_path(q.get("form_redirect_uri").map(String::as_str)).unwrap_or("/"))
}

/// `GET /` and `/home`: who is signed in, with a sign-out button; otherwise the sign-in page.
/// A user who must change their password is sent to do that first.
async fn home(BrowserSession(session): BrowserSession) -> Response {
    match session {
        Some(s) if s.user.passwd_change_required => found(&force_password_change_url(None)),
        Some(s) => html(
            StatusCode::OK,
            pages::home_page("uaa", &s.user.username, &s.record.csrf_token),
        ),
        None => found("/login"),
    }
}
