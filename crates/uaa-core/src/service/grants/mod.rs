//! The token endpoint's grants, one module each, every one with the same entry point
//! `grant(deps, zone, &TokenRequest) -> TokenResponse`: `request` holds the checks every
//! request passes first, `user` what the grants that authenticate a user share, and
//! `super::mint` signs what a grant decides. `implicit` is issued through `/oauth/authorize`.
//!
//! A new grant is one new module here and one arm of [`issue_token`] (and its name in
//! `client::VALID_GRANTS`, so clients may register it).

pub mod authorization_code;
pub mod client_credentials;
pub mod implicit;
pub mod jwt_bearer;
pub mod password;
pub mod refresh_token;
pub mod request;
mod user;
pub mod user_token;

use uaa_types::TokenResponse;

use super::client_auth::ClientCredentials;
use super::{Deps, Params};
use crate::error::Result;
use crate::ids::ZoneId;
use request::TokenRequest;

/// `POST /oauth/token` (reference §2): the common checks, then the grant.
pub async fn issue_token(
    deps: &Deps,
    zone: &ZoneId,
    creds: Option<&ClientCredentials>,
    params: &Params,
) -> Result<TokenResponse> {
    let req = TokenRequest::check(deps, zone, creds, params).await?;
    match req.grant_type {
        client_credentials::GRANT_TYPE => client_credentials::grant(deps, zone, &req).await,
        password::GRANT_TYPE => password::grant(deps, zone, &req).await,
        authorization_code::GRANT_TYPE => authorization_code::grant(deps, zone, &req).await,
        refresh_token::GRANT_TYPE => refresh_token::grant(deps, zone, &req).await,
        user_token::GRANT_TYPE => user_token::grant(deps, zone, &req).await,
        jwt_bearer::GRANT_TYPE => jwt_bearer::grant(deps, zone, &req).await,
        _ => Err(request::unsupported_grant_type()),
    }
}
