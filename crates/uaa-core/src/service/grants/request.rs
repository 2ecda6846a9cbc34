//! The checks every token request passes before its grant runs, in UAA's order
//! (`TokenEndpoint.postAccessToken`, `UaaOauth2RequestValidator`, `AbstractTokenGranter`):
//! client authentication, a `client_id` that matches it, a grant type, requested scopes the
//! client may have, and a grant type the client holds.

use super::super::client_auth::{
    AuthMethod, ClientCredentials, authenticate_client, authenticate_public_client,
};
use super::super::{Deps, Params};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::scope::ScopeSet;

/// A token request that passed the common checks: what each grant's entry point receives.
pub struct TokenRequest<'a> {
    /// The authenticated client.
    pub client: Client,
    /// `grant_type`, which the client holds.
    pub grant_type: &'a str,
    /// Every parameter of the request (form body and query).
    pub params: &'a Params,
    /// The credentials the client presented (`AuthMethod::None` for a public client).
    pub creds: Option<&'a ClientCredentials>,
    /// `scope`, when sent, already checked against the client's scopes or authorities.
    pub requested: Option<ScopeSet>,
    /// `token_format=opaque`.
    pub opaque: bool,
    /// The `client_auth_method` claim: `none` for an empty secret or a public client (§2.2);
    /// secret-based authentication adds no claim.
    pub auth_method: Option<&'static str>,
}

impl TokenRequest<'_> {
    /// Whether the client authenticated without a secret (a public client, §2.2).
    pub fn is_public(&self) -> bool {
        self.creds.is_some_and(|c| c.method == AuthMethod::None)
    }
}

impl<'a> TokenRequest<'a> {
    /// `POST /oauth/token` up to the grant, in UAA's order. A grant type the client does not
    /// hold is refused here when UAA knows it (`invalid_client` "Unauthorized grant type"); one
    /// UAA does not know is left to the dispatcher, which answers `unsupported_grant_type`.
    pub async fn check(
        deps: &Deps,
        zone: &ZoneId,
        creds: Option<&'a ClientCredentials>,
        params: &'a Params,
    ) -> Result<Self> {
        let client = match creds {
            Some(c) if c.method == AuthMethod::None => {
                authenticate_public_client(deps, zone, c, params).await?
            }
            _ => authenticate_client(deps, zone, creds).await?,
        };
        if let Some(id) = params.get("client_id")
            && id != client.client_id.as_str()
        {
            return Err(Error::InvalidClient(
                "Given client ID does not match authenticated client".into(),
            ));
        }
        let Some(grant) = params.get("grant_type").filter(|g| !g.is_empty()) else {
            return Err(Error::InvalidRequest("Missing grant type".into()));
        };
        let requested = params.get("scope").map(|s| ScopeSet::parse(s));
        if let Some(req) = &requested {
            validate_requested_scope(&client, grant, req)?;
        }
        if grant == "implicit" {
            return Err(Error::InvalidGrant(
                "Implicit grant type not supported from token endpoint".into(),
            ));
        }
        if crate::client::VALID_GRANTS.contains(&grant.as_str()) && !client.has_grant(grant) {
            return Err(unauthorized_grant(grant));
        }
        let auth_method = creds
            .filter(|c| c.secret.expose().is_empty())
            .map(|_| "none");
        Ok(Self {
            client,
            grant_type: grant,
            params,
            creds,
            requested,
            opaque: params.get("token_format").is_some_and(|f| f == "opaque"),
            auth_method,
        })
    }
}

/// A grant type the token endpoint does not issue.
pub fn unsupported_grant_type() -> Error {
    Error::UnsupportedGrantType("Unsupported grant type".into())
}

pub(crate) fn unauthorized_grant(_grant: &str) -> Error {
    // UAA's AbstractTokenGranter.validateGrantType, as RefreshTokenMockMvcTests and
    // UserTokenMockMvcTests pin it (no ": <grant>" suffix, unlike Spring OAuth's).
    Error::InvalidClient("Unauthorized grant type".into())
}

/// `UaaOauth2RequestValidator.validateScope`: client_credentials requests must name exact
/// authorities; other grants must match the client's scopes (wildcards allowed).
pub(crate) fn validate_requested_scope(
    client: &Client,
    grant: &str,
    requested: &ScopeSet,
) -> Result<()> {
    let (allowed, wildcard) = if grant == "client_credentials" {
        (&client.authorities, false)
    } else {
        (&client.scope, true)
    };
    if allowed.is_empty() {
        return Err(Error::invalid_scope(
            "Empty scope (client has no registered scopes)",
            None,
        ));
    }
    for s in requested.iter() {
        let ok = if wildcard {
            allowed.matches(s)
        } else {
            allowed.contains(s)
        };
        if !ok {
            return Err(Error::invalid_scope(
                format!("Invalid scope: {s}"),
                Some(allowed.to_space_string()),
            ));
        }
    }
    Ok(())
}
