//! OpenID Connect endpoints (reference §3): `/userinfo` for a user token with scope `openid`,
//! and the discovery document at `/.well-known/openid-configuration` and under the issuer
//! (`/oauth/token/.well-known/openid-configuration`, where an OIDC client looks for it since
//! the issuer is the token endpoint).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use uaa_core::authz::OpenId;
use uaa_core::service::oidc;

use crate::error::{ApiError, ApiResult, json_response};
use crate::extract::Auth;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/userinfo", get(userinfo).post(userinfo))
        .route("/.well-known/openid-configuration", get(configuration))
        .route(
            "/oauth/token/.well-known/openid-configuration",
            get(configuration),
        )
}

/// `GET|POST /userinfo`: the strict `openid` gate, then the user's claims.
async fn userinfo(State(state): State<AppState>, Auth(auth): Auth<OpenId>) -> ApiResult<Response> {
    let body = oidc::user_info(&state.deps, &auth)
        .await
        .map_err(ApiError::oauth)?;
    Ok(json_response(body))
}

/// The discovery document, with the algorithms of the configured keys.
async fn configuration(State(state): State<AppState>) -> Response {
    let algs: Vec<&str> = state.keys.keys().iter().map(|k| k.alg().as_str()).collect();
    json_response(oidc::openid_configuration(
        &state.deps.settings.token,
        &algs,
    ))
}
