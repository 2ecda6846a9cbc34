//! `/healthz`, `/info` and `/login` as JSON: what load balancers and `uaac target` read.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::json_response;
use crate::state::AppState;

/// `GET /healthz`: `ok`, or 503 with UAA's texts when stopping or when the database is gone.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let text = |status, body: &'static str| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
            body,
        )
            .into_response()
    };
    if state
        .shutting_down
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        return text(StatusCode::SERVICE_UNAVAILABLE, "stopping\n");
    }
    // A health check must answer quickly: a database that does not answer within a second
    // counts as down (requests themselves wait up to `database.maxwait`).
    let up = tokio::time::timeout(std::time::Duration::from_secs(1), state.store.ping())
        .await
        .unwrap_or(false);
    if !up {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "Database Connection failed.\n",
        );
    }
    text(StatusCode::OK, "ok\n")
}

/// `GET /info` and `GET /login` with `Accept: application/json`: uaac needs `prompts`.
/// `LoginInfoEndpoint.getLinksInfo`: `links` has `uaa` and `login`, plus `register` and
/// `passwd` only where there is a page to link (here: the configured `links.signup` /
/// `links.passwd`, since this server has no sign-up or reset page of its own yet).
/// `showLoginLinks` is only ever sent as `true`, when an identity provider shows a link on the
/// login page; none does.
pub async fn info(State(state): State<AppState>) -> Response {
    let issuer = state.issuer.trim_end_matches('/');
    let mut links = serde_json::Map::new();
    links.insert("uaa".into(), json!(issuer));
    links.insert("login".into(), json!(issuer));
    if let Some(signup) = &state.links.signup {
        links.insert("register".into(), json!(signup));
    }
    if let Some(passwd) = &state.links.passwd {
        links.insert("passwd".into(), json!(passwd));
    }
    json_response(json!({
        "app": {"version": env!("CARGO_PKG_VERSION")},
        "links": links,
        "zone_name": "uaa",
        "entityID": "cloudfoundry-saml-login",
        "commit_id": option_env!("UAA_COMMIT_ID").unwrap_or("unknown"),
        "idpDefinitions": {},
        "prompts": {
            "username": ["text", "Email"],
            "password": ["password", "Password"]
        },
        "timestamp": option_env!("UAA_BUILD_TIMESTAMP").unwrap_or("unknown")
    }))
}
