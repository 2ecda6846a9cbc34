//! `login.oauth.providers.<alias>`: external OAuth 2.0 / OpenID Connect identity providers, as
//! UAA's `OauthIDPWrapperFactoryBean` reads them (the definition's keys sit directly under the
//! alias; a `config:` mapping holding them, the shape of UAA's identity-provider API, is
//! accepted too). Only what the `jwt-bearer` grant needs is used; UAA's other keys are
//! reported as not supported yet. The rest of `login.*` is not supported yet either.

use std::fmt;
use std::sync::Arc;

use uaa_core::idp::{AttributeMappings, ExternalIdp, IdpType};
use uaa_crypto::VerificationKeys;

use super::{Config, ConfigError, Field, Parser, Redacted, Section};

/// Keys of a provider definition UAA knows and this server ignores.
const KNOWN_PROVIDER_KEYS: &[&str] = &[
    "additionalAuthzParameters",
    "authMethod",
    "authUrl",
    "cacheJwks",
    "checkTokenUrl",
    "clientAuthInBody",
    "discoveryUrl",
    "emailDomain",
    "externalGroupsWhitelist",
    "groupMappingMode",
    "jwtClientAuthentication",
    "linkText",
    "logoutUrl",
    "passwordGrantEnabled",
    "performRpInitiatedLogout",
    "pkce",
    "prompts",
    "relyingPartySecret",
    "responseType",
    "scopes",
    "setForwardHeader",
    "showLinkText",
    "storeCustomAttributes",
    "tokenUrl",
    "userInfoUrl",
    "userPropagationParameter",
];

/// `attributeMappings` keys UAA knows that are not used here.
const KNOWN_MAPPINGS: &[&str] = &["external_groups", "phone_number", "user.attribute"];

/// One `login.oauth.providers.<alias>` entry.
#[derive(Clone, PartialEq)]
pub struct IdpConfig {
    pub alias: String,
    pub kind: IdpType,
    pub issuer: Option<String>,
    /// `tokenKey`: a PEM public key, an HMAC secret, or a JWK / JWK Set (JSON). Checked when the
    /// file is read.
    pub token_key: Option<String>,
    pub token_key_url: Option<String>,
    pub relying_party_id: Option<String>,
    pub mappings: AttributeMappings,
    pub add_shadow_user_on_login: bool,
    pub skip_ssl_validation: bool,
}

impl fmt::Debug for IdpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdpConfig")
            .field("alias", &self.alias)
            .field("kind", &self.kind)
            .field("issuer", &self.issuer)
            .field("token_key", &self.token_key.as_ref().map(|_| Redacted))
            .field("token_key_url", &self.token_key_url)
            .field("relying_party_id", &self.relying_party_id)
            .field("mappings", &self.mappings)
            .field("add_shadow_user_on_login", &self.add_shadow_user_on_login)
            .field("skip_ssl_validation", &self.skip_ssl_validation)
            .finish()
    }
}

/// What `login` holds that this server implements.
pub(super) struct LoginParts {
    pub providers: Vec<IdpConfig>,
    /// `login.selfServiceLinksEnabled` (default true): whether `/info` links the sign-up and
    /// password-reset pages.
    pub self_service_links: bool,
}

/// Reads `login`: the providers, the self-service switch, and one "not supported yet"
/// warning per other key.
pub(super) fn parse_login(
    p: &mut Parser<'_>,
    root: &mut Section<'_>,
) -> Result<LoginParts, ConfigError> {
    let mut login = root.section(p, "login")?;
    let self_service_links = login
        .get("selfServiceLinksEnabled", |f| p.boolean(f))?
        .unwrap_or(true);
    let mut oauth = login.section(p, "oauth")?;
    let mut providers = oauth.section(p, "providers")?;
    let mut out = Vec::new();
    for field in providers.rest() {
        if field.key.trim().is_empty() {
            return Err(p.err(&field.path, "a provider alias must not be empty"));
        }
        out.push(parse_provider(p, &field)?);
    }
    oauth.finish(p, &[]);
    for field in login.rest() {
        p.unsupported(&field.path);
    }
    Ok(LoginParts {
        providers: out,
        self_service_links,
    })
}

fn parse_provider(p: &mut Parser<'_>, field: &Field<'_>) -> Result<IdpConfig, ConfigError> {
    let mut provider = Section::new(p, &field.path, field.value)?;
    let type_path = provider.child_path("type");
    let kind = match provider.get("type", |f| p.string(f))? {
        Some(t) if t.eq_ignore_ascii_case("oidc1.0") => IdpType::Oidc10,
        Some(t) if t.eq_ignore_ascii_case("oauth2.0") => IdpType::Oauth20,
        // UAA: "Unknown type for provider. Type must be oauth2.0 or oidc1.0."
        Some(t) => {
            return Err(p.err(
                &type_path,
                format!(
                    "must be oauth2.0 or oidc1.0, found {}",
                    super::describe_str(&t)
                ),
            ));
        }
        None => return Err(p.err(&type_path, "is required (oauth2.0 or oidc1.0)")),
    };
    let _ = provider.get("override", |f| p.boolean(f))?;
    let mut nested = provider.section(p, "config")?;
    let has_nested = !nested.entries.is_empty();
    let def = if has_nested {
        &mut nested
    } else {
        &mut provider
    };
    let idp = parse_definition(p, def, &field.key, kind)?;
    nested.finish(p, KNOWN_PROVIDER_KEYS);
    provider.finish(p, KNOWN_PROVIDER_KEYS);
    Ok(idp)
}

fn parse_definition(
    p: &mut Parser<'_>,
    def: &mut Section<'_>,
    alias: &str,
    kind: IdpType,
) -> Result<IdpConfig, ConfigError> {
    let issuer = def.get("issuer", |f| p.string(f))?;
    let token_key_path = def.child_path("tokenKey");
    let token_key = def.get("tokenKey", |f| p.secret_string(&f.path, f.value))?;
    if let Some(key) = &token_key {
        VerificationKeys::from_config(key).map_err(|e| {
            let message = match e {
                uaa_crypto::CryptoError::InvalidKey { reason, .. } => reason,
                other => other.to_string(),
            };
            p.err(&token_key_path, message)
        })?;
    }
    let token_key_url_path = def.child_path("tokenKeyUrl");
    let token_key_url = def.get("tokenKeyUrl", |f| {
        p.string(f).and_then(|s| p.http_url(f, s))
    })?;
    let relying_party_id = def.get("relyingPartyId", |f| p.string(f))?;
    let add_shadow_user_on_login = def
        .get("addShadowUserOnLogin", |f| p.boolean(f))?
        .unwrap_or(true);
    let skip_ssl_validation = def
        .get("skipSslValidation", |f| p.boolean(f))?
        .unwrap_or(false);
    let mut maps = def.section(p, "attributeMappings")?;
    let mut one = |key: &str| maps.get(key, |f| p.string(f));
    let mappings = AttributeMappings {
        user_name: one("user_name")?,
        email: one("email")?,
        given_name: one("given_name")?,
        family_name: one("family_name")?,
        email_verified: one("email_verified")?,
    };
    for field in maps.rest() {
        if KNOWN_MAPPINGS.contains(&field.key.as_str()) || field.key.starts_with("user.attribute.")
        {
            p.unsupported(&field.path);
        } else {
            p.unknown(&field.path);
        }
    }
    let file = p.file.display().to_string();
    if token_key.is_none() && token_key_url.is_some() {
        p.warnings.push(format!(
            "{file}: {token_key_url_path} is not supported yet (keys are not fetched): \
             set tokenKey for the provider to verify jwt-bearer assertions"
        ));
    }
    if issuer.is_none() {
        let path = def.child_path("issuer");
        p.warnings.push(format!(
            "{file}: {path} is not set: jwt-bearer assertions are matched to a provider by \
             issuer, so none will be accepted from this one"
        ));
    }
    Ok(IdpConfig {
        alias: alias.to_owned(),
        kind,
        issuer,
        token_key,
        token_key_url,
        relying_party_id,
        mappings,
        add_shadow_user_on_login,
        skip_ssl_validation,
    })
}

/// The providers as the domain sees them, with their keys parsed (the file was checked when
/// it was read, so a failure here names the provider and stops the server).
pub fn identity_providers(config: &Config) -> anyhow::Result<Vec<ExternalIdp>> {
    config
        .identity_providers
        .iter()
        .filter_map(|c| c.issuer.clone().map(|issuer| (c, issuer)))
        .map(|(c, issuer)| {
            let verifier = c
                .token_key
                .as_deref()
                .map(VerificationKeys::from_config)
                .transpose()
                .map_err(|e| anyhow::anyhow!("login.oauth.providers.{}.tokenKey: {e}", c.alias))?
                .map(|k| Arc::new(k) as Arc<dyn uaa_core::idp::AssertionVerifier>);
            Ok(ExternalIdp {
                alias: c.alias.clone(),
                kind: c.kind,
                issuer,
                relying_party_id: c.relying_party_id.clone(),
                mappings: c.mappings.clone(),
                add_shadow_user: c.add_shadow_user_on_login,
                verifier,
            })
        })
        .collect()
}
