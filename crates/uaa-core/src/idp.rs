//! External identity providers (`login.oauth.providers.<alias>` in `uaa.yml`, UAA's
//! `OIDCIdentityProviderDefinition` / `RawExternalOAuthIdentityProviderDefinition`): what the
//! `jwt-bearer` grant needs to trust an assertion and map it to a (shadow) user.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::error::Result;

/// The port that checks an assertion's signature against a provider's configured keys
/// (`config.tokenKey`: a PEM public key, an HMAC secret, or a JWK / JWK Set). Returns the
/// claims; does not look at `iss`, `aud`, `exp` or `nbf`. Any failure is reported as an error
/// whose message is for logs only: the use case answers UAA's fixed message.
pub trait AssertionVerifier: Send + Sync {
    fn verify(&self, token: &str) -> Result<Value>;
}

/// `type` of a provider: `oidc1.0` or `oauth2.0` (UAA's `OriginKeys.OIDC10` / `OAUTH20`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdpType {
    Oidc10,
    Oauth20,
}

impl IdpType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oidc10 => "oidc1.0",
            Self::Oauth20 => "oauth2.0",
        }
    }
}

/// `config.attributeMappings`: which claim feeds which user attribute. `None` means UAA's
/// default claim (`sub` for the username, `email`, `given_name`, `family_name`,
/// `email_verified`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeMappings {
    pub user_name: Option<String>,
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email_verified: Option<String>,
}

/// One external OAuth2 / OIDC identity provider of the zone.
#[derive(Clone)]
pub struct ExternalIdp {
    /// The origin key: users it authenticates have `origin` = this alias.
    pub alias: String,
    pub kind: IdpType,
    /// `config.issuer`: an assertion is routed to the provider whose issuer equals its `iss`.
    pub issuer: String,
    /// `config.relyingPartyId`: must be in the assertion's `aud` (UAA `checkAudience`).
    pub relying_party_id: Option<String>,
    pub mappings: AttributeMappings,
    /// `config.addShadowUserOnLogin` (default true).
    pub add_shadow_user: bool,
    /// The keys of `config.tokenKey`; `None` when only `tokenKeyUrl` is configured (not
    /// fetched), so every assertion fails signature verification.
    pub verifier: Option<Arc<dyn AssertionVerifier>>,
}

impl fmt::Debug for ExternalIdp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalIdp")
            .field("alias", &self.alias)
            .field("kind", &self.kind)
            .field("issuer", &self.issuer)
            .field("relying_party_id", &self.relying_party_id)
            .field("mappings", &self.mappings)
            .field("add_shadow_user", &self.add_shadow_user)
            .field("verifier", &self.verifier.as_ref().map(|_| "…"))
            .finish()
    }
}

/// UAA `ExternalLoginAuthenticationManager.generateEmailIfNullOrEmpty`: a username that looks
/// like an address is the email; otherwise `<name>@user.from.<origin>.cf`.
pub fn generated_email(name: &str, origin: &str) -> String {
    if name.contains('@') {
        let parts = name.split('@').count();
        if parts == 2 && !name.starts_with('@') && !name.ends_with('@') {
            return name.to_owned();
        }
        return format!("{}@user.from.{origin}.cf", name.replace('@', ""));
    }
    format!("{name}@user.from.{origin}.cf")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_emails_follow_uaa() {
        assert_eq!(generated_email("a@b.c", "okta"), "a@b.c");
        assert_eq!(generated_email("bob", "okta"), "bob@user.from.okta.cf");
        assert_eq!(generated_email("@bob", "okta"), "bob@user.from.okta.cf");
        assert_eq!(generated_email("a@b@c", "x"), "abc@user.from.x.cf");
    }
}
