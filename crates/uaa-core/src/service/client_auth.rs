//! Client authentication (RFC 6749 §2.3): a client's secret, by Basic or `client_secret_post`,
//! checked against its bcrypt hashes (through the verification cache), and UAA's public
//! clients (§2.2), which present `client_id` alone in the few requests that allow it. Every
//! attempt is audited; unknown client and wrong secret look the same to the caller.

use super::{Deps, Params};
use crate::audit::AuditEventType;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::pkce;
use crate::secret::Secret;

/// How the client presented its credentials (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Basic,
    Post,
    /// `client_id` alone: a public client (§2.2), accepted only by the token endpoint for the
    /// requests `authenticate_public_client` allows.
    None,
}

/// Client credentials as presented, already decoded.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub secret: Secret,
    pub method: AuthMethod,
}

const FULL_AUTH: &str = "Full authentication is required to access this resource";

/// Authenticates a client by its secret (Basic or `client_secret_post`). Unknown client and
/// wrong secret look the same to the caller (401 `invalid_client` "Bad credentials").
pub async fn authenticate_client(
    deps: &Deps,
    zone: &ZoneId,
    creds: Option<&ClientCredentials>,
) -> Result<Client> {
    let Some(creds) = creds else {
        return Err(Error::Unauthorized(FULL_AUTH.into()));
    };
    if creds.method == AuthMethod::None {
        return Err(Error::BadClientCredentials);
    }
    let client = deps.clients.get_client(zone, &creds.client_id).await?;
    let ok = match &client {
        Some(c) if !c.secrets.is_empty() => {
            deps.hasher
                .verify_client_secret(&creds.secret, &c.secrets)
                .await
        }
        _ => false,
    };
    match client {
        Some(c) if ok => {
            deps.audit(
                zone,
                AuditEventType::ClientAuthenticationSuccess,
                &creds.client_id,
                "client authentication",
                format!("method={:?}", creds.method),
            )
            .await;
            Ok(c)
        }
        found => {
            let event = if found.is_some() {
                AuditEventType::ClientAuthenticationFailure
            } else {
                AuditEventType::PrincipalNotFound
            };
            deps.audit(
                zone,
                event,
                &creds.client_id,
                "client authentication",
                "Bad credentials".into(),
            )
            .await;
            Err(Error::BadClientCredentials)
        }
    }
}

/// §2.2 public clients: `client_id` without a secret passes client authentication only for a
/// client with `allowpublic`, and only for `authorization_code` with `code`, `redirect_uri` and
/// a well-formed `code_verifier`, or for `refresh_token` with a `refresh_token`. Anything else
/// is the usual 401 "Bad credentials".
pub async fn authenticate_public_client(
    deps: &Deps,
    zone: &ZoneId,
    creds: &ClientCredentials,
    params: &Params,
) -> Result<Client> {
    let has = |k: &str| params.get(k).is_some_and(|v| !v.is_empty());
    let allowed = match params.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            has("code")
                && has("redirect_uri")
                && params
                    .get("code_verifier")
                    .is_some_and(|v| pkce::is_valid_parameter(v))
        }
        Some("refresh_token") => has("refresh_token"),
        _ => false,
    };
    let client = deps.clients.get_client(zone, &creds.client_id).await?;
    let (event, result) = match client {
        Some(c) if c.allow_public && allowed => {
            (AuditEventType::ClientAuthenticationSuccess, Ok(c))
        }
        Some(_) => (
            AuditEventType::ClientAuthenticationFailure,
            Err(Error::BadClientCredentials),
        ),
        None => (
            AuditEventType::PrincipalNotFound,
            Err(Error::BadClientCredentials),
        ),
    };
    deps.audit(
        zone,
        event,
        &creds.client_id,
        "client authentication",
        "method=none".into(),
    )
    .await;
    result
}
