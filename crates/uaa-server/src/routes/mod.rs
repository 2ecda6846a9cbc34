//! The router: every UAA path this server answers, plus JSON answers for unknown routes and
//! wrong methods (UAA-style bodies instead of empty responses).

mod clients;
mod info;
mod keys;
mod token;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post, put};

use crate::error::plain_error;
use crate::state::AppState;

/// Request bodies larger than this are refused with 413 before any parsing.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(info::healthz))
        .route("/info", get(info::info))
        .route("/login", get(info::info))
        .route("/oauth/token", get(token::token).post(token::token))
        .route("/token_key", get(keys::token_key))
        .route("/token_keys", get(keys::token_keys))
        .route(
            "/check_token",
            get(token::check_token).post(token::check_token),
        )
        .route("/introspect", post(token::introspect))
        .route("/oauth/clients", get(clients::list).post(clients::create))
        .route("/oauth/clients/meta", get(clients::list_meta))
        .route(
            "/oauth/clients/tx",
            post(clients::tx_create).put(clients::tx_update),
        )
        .route("/oauth/clients/tx/delete", post(clients::tx_delete))
        .route("/oauth/clients/tx/secret", post(clients::tx_secret))
        .route("/oauth/clients/tx/modify", post(clients::tx_modify))
        .route(
            "/oauth/clients/{id}",
            get(clients::get)
                .put(clients::update)
                .delete(clients::delete),
        )
        .route("/oauth/clients/{id}/secret", put(clients::change_secret))
        .route(
            "/oauth/clients/{id}/meta",
            get(clients::get_meta).put(clients::put_meta),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn not_found(method: Method, uri: Uri) -> Response {
    plain_error(
        StatusCode::NOT_FOUND,
        "not_found",
        &format!("No handler found for {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method) -> Response {
    plain_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        &format!("Request method '{method}' not supported"),
    )
}
