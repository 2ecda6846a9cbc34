//! `ApiError`: the one place where a domain error becomes HTTP. OAuth endpoints answer RFC 6749
//! §5.2 bodies, SCIM/admin reports answer UAA's `ExceptionReport`, unknown clients answer 404
//! with an empty body, and 401s carry the `WWW-Authenticate` challenge of their realm
//! (`Basic realm="UAA/client"` at the token endpoint, `Bearer realm="UAA/oauth"` on resource
//! APIs). Internal errors are logged here, once, and answered with a generic body.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uaa_core::error::Error;

/// Which challenge a 401 carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realm {
    /// Client authentication (`/oauth/token`, `/check_token`).
    Client,
    /// Bearer-protected resource APIs.
    OAuth,
}

#[derive(Debug)]
pub struct ApiError {
    pub error: Error,
    pub realm: Realm,
}

impl ApiError {
    pub fn client(error: Error) -> Self {
        Self {
            error,
            realm: Realm::Client,
        }
    }
    pub fn oauth(error: Error) -> Self {
        Self {
            error,
            realm: Realm::OAuth,
        }
    }
    /// A 400 `invalid_request` for malformed input (bodies, parameters, headers).
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self::oauth(Error::InvalidRequest(msg.into()))
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        Self::oauth(error)
    }
}

/// Header-safe text: quotes and control characters would break the challenge syntax.
fn quoted(s: &str) -> String {
    s.chars()
        .map(|c| if c == '"' || c.is_control() { '\'' } else { c })
        .collect()
}

fn challenge(realm: Realm, error: &str, description: &str) -> String {
    match realm {
        Realm::Client => format!(
            "Basic realm=\"UAA/client\", error=\"{error}\", error_description=\"{}\"",
            quoted(description)
        ),
        Realm::OAuth => format!(
            "Bearer realm=\"UAA/oauth\", error=\"{error}\", error_description=\"{}\"",
            quoted(description)
        ),
    }
}

fn oauth_body(
    status: StatusCode,
    error: &str,
    description: &str,
) -> (StatusCode, serde_json::Value) {
    (
        status,
        json!({"error": error, "error_description": description}),
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        let mut www: Option<String> = None;
        let (status, body) = match &self.error {
            Error::InvalidClientDetails(m) => {
                oauth_body(StatusCode::BAD_REQUEST, "invalid_client", m)
            }
            Error::BadClientCredentials => {
                // UAA ≥ 76.26: the body says invalid_client, the challenge says unauthorized.
                www = Some(challenge(Realm::Client, "unauthorized", "Bad credentials"));
                oauth_body(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "Bad credentials",
                )
            }
            Error::InvalidClient(m) => {
                www = Some(challenge(self.realm, "invalid_client", m));
                oauth_body(StatusCode::UNAUTHORIZED, "invalid_client", m)
            }
            Error::Unauthorized(m) => {
                www = Some(challenge(self.realm, "unauthorized", m));
                oauth_body(StatusCode::UNAUTHORIZED, "unauthorized", m)
            }
            Error::InvalidGrant(m) => oauth_body(StatusCode::BAD_REQUEST, "invalid_grant", m),
            Error::InvalidRequest(m) => oauth_body(StatusCode::BAD_REQUEST, "invalid_request", m),
            Error::InvalidScope { description, scope } => {
                let mut b = json!({"error": "invalid_scope", "error_description": description});
                if let Some(s) = scope {
                    b["scope"] = json!(s);
                }
                (StatusCode::BAD_REQUEST, b)
            }
            Error::UnsupportedGrantType(m) => {
                oauth_body(StatusCode::BAD_REQUEST, "unsupported_grant_type", m)
            }
            Error::InvalidToken(m) => {
                www = Some(challenge(Realm::OAuth, "invalid_token", m));
                oauth_body(StatusCode::UNAUTHORIZED, "invalid_token", m)
            }
            Error::InsufficientScope { scopes } => {
                let d = "Insufficient scope for this resource";
                let s = scopes.to_space_string();
                www = Some(format!(
                    "Bearer error=\"insufficient_scope\", error_description=\"{d}\", scope=\"{s}\""
                ));
                (
                    StatusCode::FORBIDDEN,
                    json!({"error": "insufficient_scope", "error_description": d, "scope": s}),
                )
            }
            Error::AccessDenied(m) => oauth_body(StatusCode::FORBIDDEN, "access_denied", m),
            Error::NoSuchClient => return StatusCode::NOT_FOUND.into_response(),
            Error::ClientAlreadyExists(id) => oauth_body(
                StatusCode::CONFLICT,
                "invalid_client",
                &format!("Client already exists: {id}"),
            ),
            Error::Uaa {
                status,
                error,
                description,
            } => oauth_body(
                StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST),
                error,
                description,
            ),
            Error::Report {
                status,
                error,
                message,
            } => (
                StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST),
                json!({"error": error, "message": message, "error_description": message}),
            ),
            Error::Unavailable(detail) => {
                tracing::error!(error = %detail, "database unavailable");
                oauth_body(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "service_unavailable",
                    "The database is unavailable; try again shortly.",
                )
            }
            Error::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                oauth_body(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "Internal Server Error",
                )
            }
        };
        if let Some(w) = www.and_then(|w| HeaderValue::from_str(&w).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, w);
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        }
        (status, headers, json_response(body)).into_response()
    }
}

/// A JSON body with UAA's content type.
pub fn json_response(body: serde_json::Value) -> Response {
    let mut r = body.to_string().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    r
}

/// A plain error body with a status, for the few failures outside the domain (unknown route,
/// wrong method, oversized or malformed bodies).
pub fn plain_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        json_response(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

pub type ApiResult<T> = Result<T, ApiError>;
