//! `/oauth/authorize` and the `authorization_code` grant (reference §2.4, §3) — being written.

use uaa_types::TokenResponse;

use super::Deps;
use super::token::Params;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ZoneId;

pub async fn code_grant(
    _deps: &Deps,
    _zone: &ZoneId,
    _client: &Client,
    _params: &Params,
) -> Result<TokenResponse> {
    Err(Error::UnsupportedGrantType("Unsupported grant type".into()))
}
