//! The domain's one error type. Each variant names a UAA failure by meaning; the HTTP layer
//! (`uaa-server::error`) is the only place that turns them into status codes, bodies and
//! `WWW-Authenticate` headers.

use crate::scope::ScopeSet;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// 400 `invalid_client`: client-admin validation and secret-change refusals
    /// (`InvalidClientDetailsException`).
    #[error("invalid_client: {0}")]
    InvalidClientDetails(String),
    /// 401 `invalid_client` "Bad credentials" (RFC 6749 §5.2; UAA ≥ 76.26).
    #[error("bad client credentials")]
    BadClientCredentials,
    /// 401 `invalid_client` with another description ("Unauthorized grant type", …).
    #[error("invalid_client: {0}")]
    InvalidClient(String),
    /// 401 `unauthorized` at the token endpoint (no client credentials, locked account).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// 400 `invalid_grant`.
    #[error("invalid_grant: {0}")]
    InvalidGrant(String),
    /// 400 `invalid_request`.
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    /// 400 `invalid_scope`, with the client's scopes in `scope` when UAA adds them.
    #[error("invalid_scope: {description}")]
    InvalidScope {
        description: String,
        scope: Option<String>,
    },
    /// 400 `unsupported_grant_type`.
    #[error("unsupported_grant_type: {0}")]
    UnsupportedGrantType(String),
    /// 401 `invalid_token` on resource APIs (400 on `/check_token`).
    #[error("invalid_token: {0}")]
    InvalidToken(String),
    /// 403 `insufficient_scope`; `scopes` are the ones that were checked.
    #[error("insufficient_scope")]
    InsufficientScope { scopes: ScopeSet },
    /// 403 `access_denied`.
    #[error("access_denied: {0}")]
    AccessDenied(String),
    /// 404 with an empty body (UAA `NoSuchClientException`).
    #[error("no such client")]
    NoSuchClient,
    /// 409 `invalid_client` "Client already exists: X".
    #[error("client already exists: {0}")]
    ClientAlreadyExists(String),
    /// A `UaaException` with its own status: `{"error","error_description"}` (rendered by
    /// `OAuth2ExceptionJackson2Serializer`, §0), e.g. an invalid client-list filter.
    #[error("{error}: {description}")]
    Uaa {
        status: u16,
        error: String,
        description: String,
    },
    /// A UAA `ExceptionReport`: `{"error","message","error_description"}` with a status.
    #[error("{error}: {message}")]
    Report {
        status: u16,
        error: String,
        message: String,
    },
    /// The database cannot be reached (connection refused or lost, pool exhausted): 503, the
    /// request may be retried; nothing was acknowledged.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The store or another dependency failed; the caller sees a generic 500.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid_scope(description: impl Into<String>, scope: Option<String>) -> Self {
        Self::InvalidScope {
            description: description.into(),
            scope,
        }
    }
    pub fn report(status: u16, error: &str, message: impl Into<String>) -> Self {
        Self::Report {
            status,
            error: error.to_owned(),
            message: message.into(),
        }
    }
}
