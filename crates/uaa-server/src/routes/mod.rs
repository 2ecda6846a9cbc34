//! The router: every UAA path this server answers, plus JSON answers for unknown routes and
//! wrong methods (UAA-style bodies instead of empty responses).

mod authorize;
mod autologin;
mod clients;
mod groups;
mod info;
mod keys;
mod login;
mod oidc;
mod revocation;
mod token;
mod users;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post, put};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::plain_error;
use crate::state::AppState;

/// Request bodies larger than this are refused with 413 before any parsing.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(info::healthz))
        .route("/info", get(info::info))
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
            "/oauth/clients/restricted",
            get(clients::restricted_scopes).post(clients::create_restricted),
        )
        .route(
            "/oauth/clients/restricted/{id}",
            put(clients::update_restricted),
        )
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
        .merge(users::routes())
        .merge(groups::routes())
        .merge(authorize::routes())
        .merge(autologin::routes())
        .merge(login::routes())
        .merge(oidc::routes())
        .merge(revocation::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(CatchPanicLayer::custom(panic_response))
        // Spring Security's default headers: UAA sends `X-Content-Type-Options: nosniff` on
        // every response, JSON and pages alike (the pages add their own CSP and framing rules).
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
}

/// Rejections raised by axum itself (an undecodable path or query string, say) come as plain
/// text; UAA clients expect JSON. Any error response with a non-JSON body is rewritten as
/// `{"error":"invalid_request","error_description":<text>}` with its status kept. Empty bodies
/// (UAA's 404 for an unknown client) and `/healthz`'s plain-text answers stay as they are.
async fn json_errors(req: Request, next: Next) -> Response {
    let healthz = req.uri().path() == "/healthz";
    let resp = next.run(req).await;
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    // JSON bodies, and the HTML pages written for browsers, are left alone.
    let is_json = content_type.contains("json") || content_type.starts_with("text/html");
    if healthz || is_json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    if bytes.is_empty() {
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    let text = String::from_utf8_lossy(&bytes);
    let error = if status.is_server_error() {
        "server_error"
    } else {
        "invalid_request"
    };
    plain_error(status, error, text.trim())
}

/// A handler panic is a bug; the caller still gets UAA's generic 500 JSON, and the panic is
/// logged once.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    plain_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "Internal Server Error",
    )
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
