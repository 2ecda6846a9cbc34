//! Access-token claims (`UaaTokenServices.createJWTAccessToken`, reference §2.6) and the checks a
//! presented token must pass (`TokenValidationService`, §2.8). Pure functions over JSON: signing
//! and storage happen behind ports.

use serde_json::{Map, Value, json};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::revsig::RevSigInput;
use crate::scope::ScopeSet;
use crate::user::User;

/// Token-issuing settings of a zone (`jwt.token.*`).
#[derive(Debug, Clone)]
pub struct TokenPolicy {
    /// `issuer.uri`; `iss` is this plus `/oauth/token`.
    pub issuer: String,
    pub access_token_validity: i64,
    pub refresh_token_validity: i64,
    /// `jwt.token.revocable`: every JWT is also stored and must stay stored to be valid.
    pub jwt_revocable: bool,
    /// `jwt.token.claims.exclude`.
    pub claims_exclude: Vec<String>,
    /// `jwt.token.refresh.*`.
    pub refresh: RefreshPolicy,
}

/// `jwt.token.refresh.format` (the zone's `tokenPolicy.refreshTokenFormat`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RefreshFormat {
    /// `<32 hex>-r`, the JWT kept in `revocable_tokens` (UAA's default).
    #[default]
    Opaque,
    /// The signed JWT itself, stored only when revocable.
    Jwt,
}

/// `jwt.token.refresh.*` (reference §2.4). UAA's defaults are all off and opaque.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefreshPolicy {
    pub format: RefreshFormat,
    /// `rotate`: each refresh grant issues a new refresh token and revokes the presented one.
    pub rotate: bool,
    /// `unique`: a new refresh token deletes the older ones of the same client and user.
    pub unique: bool,
    /// `restrict_grant`: refresh tokens only for requests holding `uaa.offline_token`.
    pub restrict_grant: bool,
}

impl TokenPolicy {
    /// `iss`: the issuer URI plus `/oauth/token` (`UaaTokenUtils.constructTokenEndpointUrl`).
    pub fn token_endpoint(&self) -> String {
        format!("{}/oauth/token", self.issuer.trim_end_matches('/'))
    }

    /// Validity precedence: client `access_token_validity` > zone/global (§2.7).
    pub fn access_validity(&self, client: &Client) -> i64 {
        client
            .access_token_validity
            .filter(|v| *v > 0)
            .unwrap_or(self.access_token_validity)
    }
}

/// `aud`: the client id plus, for each scope with a `.`, the part before the last `.`; of the
/// scopes without a dot only `openid` counts (UAA's `scopeToResource`); `uaa.none` is ignored
/// (§2.3, `UaaAuthorizationRequestManager.getResourceIds`).
pub fn audience(client_id: &str, scopes: &ScopeSet) -> Vec<String> {
    let mut aud = ScopeSet::new();
    for s in scopes.iter() {
        if s == "uaa.none" || s.ends_with('.') {
            continue;
        }
        match s.rfind('.') {
            Some(i) => aud.insert(&s[..i]),
            None if s == "openid" => aud.insert(s),
            None => {}
        }
    }
    aud.insert(client_id);
    aud.to_vec()
}

/// Everything an access token says, before it is rendered as claims.
#[derive(Debug, Clone)]
pub struct AccessTokenSpec<'a> {
    pub jti: String,
    pub client: &'a Client,
    pub user: Option<&'a User>,
    pub grant_type: &'a str,
    pub scopes: ScopeSet,
    pub issued_at: i64,
    pub expires_at: i64,
    pub revocable: bool,
    pub auth_time: Option<i64>,
    pub zone_id: &'a str,
    /// `client_auth_method` (`none` for an empty secret); absent for secret authentication.
    pub client_auth_method: Option<&'a str>,
}

/// `rev_sig` for a client and an optional user.
pub fn rev_sig(client: &Client, secret_hash: Option<&str>, user: Option<&User>) -> String {
    RevSigInput {
        client_id: client.client_id.as_str(),
        client_secret_hash: secret_hash,
        client_token_salt: client.token_salt.as_deref(),
        user_id: user.map(|u| u.id.as_str()),
        user_password_hash: user.map(|u| u.password_hash.as_str()),
        user_salt: user.and_then(|u| u.salt.as_deref()),
        user_email: user.map(|u| u.email.as_str()),
        user_name: user.map(|u| u.username.as_str()),
    }
    .compute()
}

/// The claims of an access token, in UAA's insertion order.
pub fn access_token_claims(spec: &AccessTokenSpec<'_>, policy: &TokenPolicy) -> Map<String, Value> {
    let client_id = spec.client.client_id.as_str();
    let mut c = Map::new();
    c.insert("jti".into(), json!(spec.jti));
    if let Some(m) = spec.client_auth_method {
        c.insert("client_auth_method".into(), json!(m));
    }
    match spec.user {
        Some(u) => c.insert("sub".into(), json!(u.id.as_str())),
        None => c.insert("sub".into(), json!(client_id)),
    };
    if spec.user.is_none() {
        // The client's authorities, whatever narrower scope was requested.
        c.insert(
            "authorities".into(),
            json!(spec.client.authorities.to_vec()),
        );
    }
    c.insert("scope".into(), json!(spec.scopes.to_vec()));
    c.insert("client_id".into(), json!(client_id));
    c.insert("cid".into(), json!(client_id));
    c.insert("azp".into(), json!(client_id));
    if spec.revocable {
        c.insert("revocable".into(), json!(true));
    }
    c.insert("grant_type".into(), json!(spec.grant_type));
    if let Some(u) = spec.user {
        c.insert("user_id".into(), json!(u.id.as_str()));
        c.insert("origin".into(), json!(u.origin));
        c.insert("user_name".into(), json!(u.username));
        c.insert("email".into(), json!(u.email));
        if let Some(t) = spec.auth_time {
            c.insert("auth_time".into(), json!(t));
        }
    }
    c.insert(
        "rev_sig".into(),
        json!(rev_sig(
            spec.client,
            spec.client.rev_sig_secret(),
            spec.user
        )),
    );
    c.insert("iat".into(), json!(spec.issued_at));
    c.insert("exp".into(), json!(spec.expires_at));
    c.insert("iss".into(), json!(policy.token_endpoint()));
    c.insert("zid".into(), json!(spec.zone_id));
    c.insert("aud".into(), json!(audience(client_id, &spec.scopes)));
    for k in &policy.claims_exclude {
        c.remove(k);
    }
    c
}

/// The parts of verified claims that the checks below and the callers need.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenFacts {
    pub jti: String,
    pub client_id: String,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub grant_type: String,
    pub scopes: ScopeSet,
    pub zid: String,
    pub exp: i64,
    pub revocable: bool,
    pub rev_sig: Option<String>,
}

fn invalid(m: impl Into<String>) -> Error {
    Error::InvalidToken(m.into())
}

impl TokenFacts {
    /// Reads the claims a UAA token must have.
    pub fn from_claims(claims: &Value) -> Result<Self> {
        let s = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_owned);
        let client_id = s("cid")
            .or_else(|| s("client_id"))
            .ok_or_else(|| invalid("Token has no client_id"))?;
        let scopes = match claims.get("scope") {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(v)) => ScopeSet::parse(v),
            _ => ScopeSet::new(),
        };
        Ok(Self {
            jti: s("jti").unwrap_or_default(),
            client_id,
            user_id: s("user_id"),
            user_name: s("user_name"),
            grant_type: s("grant_type").unwrap_or_default(),
            scopes,
            zid: s("zid").unwrap_or_else(|| crate::ids::DEFAULT_ZONE.into()),
            exp: claims.get("exp").and_then(Value::as_i64).unwrap_or(0),
            revocable: claims.get("revocable").and_then(Value::as_bool) == Some(true),
            rev_sig: s("rev_sig"),
        })
    }

    /// UAA `UaaTokenUtils.isUserToken`: any grant but `client_credentials`.
    pub fn is_user_token(&self) -> bool {
        self.grant_type != "client_credentials" && self.user_id.is_some()
    }
}

/// The issuer and expiry checks of §2.8.
pub fn check_issuer_and_expiry(claims: &Value, policy: &TokenPolicy, now_secs: i64) -> Result<()> {
    let expected = policy.token_endpoint();
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if iss != expected {
        return Err(invalid(format!(
            "Invalid issuer ({iss}) for token did not match expected: {expected}"
        )));
    }
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if exp <= now_secs {
        return Err(invalid(format!(
            "Invalid access token: expired at {}",
            exp_display(exp)
        )));
    }
    Ok(())
}

fn exp_display(exp: i64) -> String {
    // UAA prints a java.util.Date; an epoch-seconds value is unambiguous and locale-free.
    format!("{exp} (epoch seconds)")
}

/// `rev_sig` must match the client's (any of its secrets) and the user's current values.
pub fn check_rev_sig(facts: &TokenFacts, client: &Client, user: Option<&User>) -> Result<()> {
    let Some(presented) = facts.rev_sig.as_deref() else {
        return Ok(());
    };
    let candidates: Vec<Option<&str>> = if client.secrets.is_empty() {
        vec![None]
    } else {
        client.secrets.iter().map(|h| Some(h.as_str())).collect()
    };
    if candidates
        .into_iter()
        .any(|h| rev_sig(client, h, user) == presented)
    {
        Ok(())
    } else {
        Err(invalid("revocable signature mismatch"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_takes_resource_prefixes_and_skips_uaa_none() {
        let aud = audience(
            "admin",
            &ScopeSet::parse("clients.read clients.write scim.read uaa.none openid"),
        );
        assert_eq!(aud, vec!["clients", "scim", "openid", "admin"]);
    }
}
