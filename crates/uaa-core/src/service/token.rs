//! The token endpoint (`/oauth/token`, reference §2) and the validation of presented tokens
//! (§2.8) shared by bearer-protected APIs, `/check_token` and `/introspect`.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uaa_types::TokenResponse;

use super::refresh::Reissue;
use super::{Deps, oidc};
use crate::audit::AuditEventType;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{ORIGIN_UAA, UserId, ZoneId};
use crate::ports::StoredToken;
use crate::scope::ScopeSet;
use crate::secret::Secret;
use crate::token::{
    AccessTokenSpec, TokenFacts, access_token_claims, check_issuer_and_expiry, check_rev_sig,
};
use crate::user::User;

/// How the client presented its credentials (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Basic,
    Post,
    /// `client_id` alone: a public client (§2.2), accepted only by [`issue_token`] for the
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

/// The body of a token request (form parameters).
pub type Params = BTreeMap<String, String>;

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

/// `POST /oauth/token`: checks in UAA's order, then dispatches on `grant_type`.
pub async fn issue_token(
    deps: &Deps,
    zone: &ZoneId,
    creds: Option<&ClientCredentials>,
    params: &Params,
) -> Result<TokenResponse> {
    let client = match creds {
        Some(c) if c.method == AuthMethod::None => {
            super::authorize::authenticate_public_client(deps, zone, c, params).await?
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
    let implemented = [
        "client_credentials",
        "password",
        "refresh_token",
        "authorization_code",
        "user_token",
        super::jwt_bearer::GRANT_TYPE,
    ];
    if !crate::client::VALID_GRANTS.contains(&grant.as_str())
        || !implemented.contains(&grant.as_str())
    {
        if crate::client::VALID_GRANTS.contains(&grant.as_str()) && !client.has_grant(grant) {
            return Err(unauthorized_grant(grant));
        }
        return Err(Error::UnsupportedGrantType("Unsupported grant type".into()));
    }
    if !client.has_grant(grant) {
        return Err(unauthorized_grant(grant));
    }
    let opaque = params.get("token_format").is_some_and(|f| f == "opaque");
    // §2.2: an empty secret is recorded as `empty` and emitted as `client_auth_method: none`;
    // secret-based authentication adds no claim.
    let auth_method = creds
        .filter(|c| c.secret.expose().is_empty())
        .map(|_| "none");
    match grant.as_str() {
        "client_credentials" => {
            let scopes = requested.unwrap_or_else(|| client.authorities.clone());
            let grant = Grant {
                name: grant,
                opaque,
                auth_time: None,
                auth_method,
            };
            mint(deps, zone, &client, None, &grant, scopes).await
        }
        "refresh_token" => super::refresh::refresh_grant(deps, zone, &client, params, creds).await,
        "user_token" => super::refresh::user_token_grant(deps, zone, &client, params).await,
        "authorization_code" => {
            super::authorize::code_grant(deps, zone, &client, params, auth_method).await
        }
        super::jwt_bearer::GRANT_TYPE => {
            super::jwt_bearer::jwt_bearer_grant(
                deps,
                zone,
                &client,
                params,
                requested,
                opaque,
                auth_method,
            )
            .await
        }
        _ => password_grant(deps, zone, &client, params, requested, opaque, auth_method).await,
    }
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

async fn password_grant(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    params: &Params,
    requested: Option<ScopeSet>,
    opaque: bool,
    auth_method: Option<&str>,
) -> Result<TokenResponse> {
    let username = params.get("username").map(String::as_str).unwrap_or("");
    let password = Secret::new(params.get("password").cloned().unwrap_or_default());
    let origin = login_hint_origin(params.get("login_hint"))?;
    let user = authenticate_user(deps, zone, username, &password, &origin).await?;
    refuse_pending_password_change(&user)?;
    issue_for_user(
        deps,
        zone,
        client,
        &user,
        params,
        requested,
        "password",
        opaque,
        auth_method,
    )
    .await
}

/// What every grant that authenticated a user does next (password, jwt-bearer): the client
/// must accept the user's identity provider, the user must hold the client's required groups,
/// the scopes are those the user holds, the logon is recorded, and the tokens are minted.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn issue_for_user(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: &User,
    params: &Params,
    requested: Option<ScopeSet>,
    grant_type: &str,
    opaque: bool,
    auth_method: Option<&str>,
) -> Result<TokenResponse> {
    if let Some(allowed) = &client.allowed_providers
        && !allowed.contains(&user.origin)
    {
        return Err(Error::Unauthorized(
            "Client is not authorized for specified user's identity provider.".into(),
        ));
    }
    let user_scopes = held_authorities(deps, zone, client, user).await?;
    let requested = requested.unwrap_or_else(|| client.scope.clone());
    let scopes = check_user_scopes(&requested, client, &user_scopes)?;
    let now = deps.clock.now_secs();
    deps.users
        .record_logon(zone, &user.id, deps.clock.now_millis())
        .await?;
    let grant = Grant {
        name: grant_type,
        opaque,
        auth_time: Some(now),
        auth_method,
    };
    let extras = IdTokenExtras {
        nonce: params.get("nonce").map(String::as_str),
    };
    mint_with(deps, zone, client, Some(user), &grant, scopes, &extras).await
}

/// The user's authorities, provided the user holds every group the client requires
/// (`required_user_groups`; UAA: "User does not meet the client's required group criteria.").
pub(crate) async fn held_authorities(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: &User,
) -> Result<ScopeSet> {
    let held = user_authorities(deps, zone, &user.id).await?;
    if !client.required_user_groups.iter().all(|g| held.contains(g)) {
        return Err(Error::invalid_scope(
            "User does not meet the client's required group criteria.",
            None,
        ));
    }
    Ok(held)
}

/// `login_hint` is URL-encoded JSON `{"origin":"<key>"}`; the default origin is `uaa`.
fn login_hint_origin(hint: Option<&String>) -> Result<String> {
    let Some(hint) = hint.filter(|h| !h.is_empty()) else {
        return Ok(ORIGIN_UAA.into());
    };
    let v: Value = serde_json::from_str(hint)
        .map_err(|_| Error::InvalidRequest("Invalid login_hint".into()))?;
    Ok(v.get("origin")
        .and_then(Value::as_str)
        .unwrap_or(ORIGIN_UAA)
        .to_owned())
}

/// uaa-accounts §5: a user flagged for a password change authenticates (the success is
/// audited), but gets no token from a stateless grant until the password is changed in the
/// browser: 401 `unauthorized` "password change required".
pub(crate) fn refuse_pending_password_change(user: &User) -> Result<()> {
    if user.passwd_change_required {
        return Err(Error::Unauthorized(PASSWORD_CHANGE_REQUIRED.into()));
    }
    Ok(())
}

/// The description UAA's `PasswordChangeRequiredException` carries on the token endpoint.
pub const PASSWORD_CHANGE_REQUIRED: &str = "password change required";

/// Password check of the internal identity provider. Every failure is the same 401 for the
/// caller (UAA's quirk: `invalid_client` "Bad credentials"), but audited distinctly.
pub(crate) async fn authenticate_user(
    deps: &Deps,
    zone: &ZoneId,
    username: &str,
    password: &Secret,
    origin: &str,
) -> Result<User> {
    let Some(user) = deps.users.find_user(zone, username, origin).await? else {
        deps.audit(
            zone,
            AuditEventType::UserNotFound,
            username,
            "password grant",
            String::new(),
        )
        .await;
        return Err(Error::BadClientCredentials);
    };
    // §6.2 (`AuthzAuthenticationManager`): the lockout policy is asked before the password is
    // checked, so a locked account stays locked even for the right password.
    let now = deps.clock.now_millis();
    let policy = &deps.settings.lockout;
    let failures = deps
        .scim_users
        .login_failures(
            zone,
            user.id.as_str(),
            crate::scim::users::failure_window_start(policy, now),
        )
        .await?;
    if crate::scim::users::is_locked(policy, &failures, now) {
        deps.audit(
            zone,
            AuditEventType::PrincipalAuthenticationFailure,
            user.id.as_str(),
            "password grant",
            format!(
                "user_name={} locked failures={}",
                user.username, failures.count
            ),
        )
        .await;
        return Err(Error::Unauthorized(
            crate::scim::users::LOCKED_MESSAGE.into(),
        ));
    }
    if !user.active || !deps.hasher.verify(password, &user.password_hash).await {
        deps.audit(
            zone,
            AuditEventType::UserAuthenticationFailure,
            user.id.as_str(),
            "password grant",
            format!("user_name={}", user.username),
        )
        .await;
        return Err(Error::BadClientCredentials);
    }
    deps.audit(
        zone,
        AuditEventType::UserAuthenticationSuccess,
        user.id.as_str(),
        "password grant",
        format!("user_name={}", user.username),
    )
    .await;
    Ok(user)
}

/// A user's authorities: their groups plus the zone's default groups.
pub async fn user_authorities(deps: &Deps, zone: &ZoneId, user: &UserId) -> Result<ScopeSet> {
    let mut all = deps.users.user_groups(zone, user).await?;
    for g in deps.settings.default_user_groups.iter() {
        all.insert(g);
    }
    Ok(all)
}

/// `UaaAuthorizationRequestManager.checkUserScopes`: keep the requested scopes the user
/// holds (a wildcard request matches the user's scopes it covers, within the client's).
pub(crate) fn check_user_scopes(
    requested: &ScopeSet,
    client: &Client,
    user: &ScopeSet,
) -> Result<ScopeSet> {
    let mut result = ScopeSet::new();
    for r in requested.iter() {
        if r.contains('*') {
            let pattern: ScopeSet = [r].into_iter().collect();
            for u in user.iter() {
                if pattern.matches(u) && client.scope.matches(u) {
                    result.insert(u);
                }
            }
        } else if user.contains(r) {
            result.insert(r);
        }
    }
    if result.is_empty() {
        return Err(Error::invalid_scope(
            format!(
                "{} is invalid. This user is not allowed any of the requested scopes",
                requested.to_java_string()
            ),
            None,
        ));
    }
    Ok(result)
}

/// How a token is being granted: the grant type, `token_format=opaque`, the user's
/// authentication time and the client authentication method claim.
pub(crate) struct Grant<'a> {
    pub(crate) name: &'a str,
    pub(crate) opaque: bool,
    pub(crate) auth_time: Option<i64>,
    pub(crate) auth_method: Option<&'a str>,
}

/// What only the request knows about an ID token (OIDC Core §3.1.2.1 `nonce`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdTokenExtras<'a> {
    pub(crate) nonce: Option<&'a str>,
}

/// Signs (and, when revocable, stores) an access token, plus a refresh token for user grants
/// of clients that hold `refresh_token`, plus an ID token when OpenID Connect applies.
pub(crate) async fn mint(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: Option<&User>,
    grant: &Grant<'_>,
    scopes: ScopeSet,
) -> Result<TokenResponse> {
    let extras = IdTokenExtras::default();
    mint_with(deps, zone, client, user, grant, scopes, &extras).await
}

/// [`mint`] with the request's `nonce` for the ID token.
pub(crate) async fn mint_with(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: Option<&User>,
    grant: &Grant<'_>,
    scopes: ScopeSet,
    extras: &IdTokenExtras<'_>,
) -> Result<TokenResponse> {
    mint_full(deps, zone, client, user, grant, scopes, extras, None).await
}

/// [`mint_with`], or for the refresh grant an access token beside an existing refresh token
/// (`UaaTokenServices.refreshAccessToken`): no new refresh token, revocable when the refresh
/// token is, and the refresh token's `aud`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn mint_full(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: Option<&User>,
    grant: &Grant<'_>,
    scopes: ScopeSet,
    extras: &IdTokenExtras<'_>,
    reissue: Option<&Reissue>,
) -> Result<TokenResponse> {
    let Grant {
        name: grant,
        opaque,
        auth_time,
        auth_method,
    } = *grant;
    let policy = &deps.settings.token;
    let now = deps.clock.now_secs();
    let validity = policy.access_validity(client);
    let jti = deps.random.hex32();
    let revocable = opaque || policy.jwt_revocable || reissue.is_some_and(|r| r.revocable);
    let spec = AccessTokenSpec {
        jti: jti.clone(),
        client,
        user,
        grant_type: grant,
        scopes: scopes.clone(),
        issued_at: now,
        expires_at: now + validity,
        revocable,
        auth_time,
        zone_id: zone.as_str(),
        client_auth_method: auth_method,
    };
    let mut claims = access_token_claims(&spec, policy);
    if let Some(r) = reissue
        && claims.contains_key("aud")
    {
        claims.insert("aud".into(), r.aud.clone());
    }
    let claims = Value::Object(claims);
    let jwt = deps.signer.sign(zone, &claims)?;
    if revocable {
        deps.tokens
            .put_token(stored(
                zone,
                &jti,
                client,
                user,
                &spec,
                "ACCESS_TOKEN",
                &jwt,
                opaque,
            ))
            .await?;
    }
    let refresh_token = match (reissue, user) {
        (Some(r), _) => Some(r.refresh_token.clone()),
        // UAA never issues a refresh token to an implicit grant (it could not be delivered).
        (None, Some(u)) if client.has_grant("refresh_token") && grant != "implicit" => {
            let g = Grant {
                name: grant,
                opaque,
                auth_time,
                auth_method,
            };
            super::refresh::mint_refresh(deps, zone, client, u, &g, &scopes, revocable).await?
        }
        _ => None,
    };
    // §2.6: the ID token shares the access token's jti and is signed like it.
    let id_token = match user {
        Some(u) if oidc::id_token_applies(client, grant, &scopes) => {
            let req = oidc::IdTokenRequest {
                grant_type: grant,
                scopes: scopes.clone(),
                auth_time,
                amr: vec!["pwd".into()],
                acr: Vec::new(),
                nonce: extras.nonce,
                jti: &jti,
            };
            Some(oidc::id_token(deps, zone, client, u, &req).await?)
        }
        _ => None,
    };
    deps.audit(
        zone,
        AuditEventType::TokenIssuedEvent,
        user.map_or(client.client_id.as_str(), |u| u.id.as_str()),
        client.client_id.as_str(),
        format!("grant_type={grant} scope={}", scopes.to_space_string()),
    )
    .await;
    // §2.5: `expires_in` is computed when the response is written, `(exp - now) / 1000` in
    // milliseconds, so it is normally one less than the validity.
    let expires_in = (spec.expires_at * 1000 - deps.clock.now_millis()).max(0) / 1000;
    Ok(TokenResponse {
        access_token: Some(if opaque { jti.clone() } else { jwt }),
        token_type: "bearer".into(),
        id_token,
        refresh_token,
        expires_in,
        scope: scopes.to_space_string(),
        jti,
    })
}

#[allow(clippy::too_many_arguments)]
fn stored(
    zone: &ZoneId,
    token_id: &str,
    client: &Client,
    user: Option<&User>,
    spec: &AccessTokenSpec<'_>,
    response_type: &str,
    jwt: &str,
    opaque: bool,
) -> StoredToken {
    StoredToken {
        token_id: token_id.to_owned(),
        client_id: client.client_id.to_string(),
        user_id: user.map(|u| u.id.to_string()),
        // UAA's `TokenFormat.getStringValue()`.
        format: if opaque { "opaque" } else { "jwt" }.into(),
        response_type: response_type.into(),
        issued_at_ms: spec.issued_at * 1000,
        expires_at_ms: spec.expires_at * 1000,
        scope: spec.scopes.to_space_string(),
        value: jwt.to_owned(),
        zone_id: zone.clone(),
    }
}

/// A token that passed every check of §2.8.
#[derive(Debug, Clone)]
pub struct ValidToken {
    pub claims: Value,
    pub facts: TokenFacts,
    pub client: Client,
    pub user: Option<User>,
}

/// `TokenValidationService.validateToken`: resolves opaque tokens, verifies the signature,
/// issuer and expiry, that a revocable token is still stored, that client and user exist, and
/// that `rev_sig` still matches.
pub async fn validate_token(deps: &Deps, zone: &ZoneId, token: &str) -> Result<ValidToken> {
    let invalid = |m: &str| Error::InvalidToken(m.into());
    let jwt = if looks_like_jwt(token) {
        token.to_owned()
    } else {
        deps.tokens
            .get_token(zone, token)
            .await?
            .ok_or_else(|| {
                invalid("The token expired, was revoked, or the token ID is incorrect.")
            })?
            .value
    };
    let claims = deps.signer.verify(zone, &jwt)?;
    check_issuer_and_expiry(&claims, &deps.settings.token, deps.clock.now_secs())?;
    let facts = TokenFacts::from_claims(&claims)?;
    if facts.revocable && deps.tokens.get_token(zone, &facts.jti).await?.is_none() {
        return Err(invalid(
            "The token expired, was revoked, or the token ID is incorrect.",
        ));
    }
    let client = deps
        .clients
        .get_client(zone, &facts.client_id)
        .await?
        .ok_or_else(|| Error::InvalidToken(format!("Invalid client ID {}", facts.client_id)))?;
    let user = match &facts.user_id {
        Some(id) => Some(
            deps.users
                .get_user(zone, &UserId::new(id.clone()))
                .await?
                .ok_or_else(|| {
                    Error::InvalidToken(format!("Token bears a non-existent user ID: {id}"))
                })?,
        ),
        None => None,
    };
    check_rev_sig(&facts, &client, user.as_ref())?;
    // `AccessTokenValidation.validateJtiValue`: a refresh token is not a bearer token.
    if facts.jti.ends_with("-r") {
        return Err(invalid("Invalid access token."));
    }
    Ok(ValidToken {
        claims,
        facts,
        client,
        user,
    })
}

/// UAA `UaaTokenUtils.jwtPattern`: three dot-separated base64url segments.
pub fn looks_like_jwt(t: &str) -> bool {
    let parts: Vec<&str> = t.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=' | b'\\'))
        })
}

/// `/check_token` (§3): the client must hold `uaa.resource`; returns the claims with
/// `revocable` always present. All token problems are 400 `invalid_token`.
pub async fn check_token(
    deps: &Deps,
    zone: &ZoneId,
    creds: Option<&ClientCredentials>,
    token: Option<&str>,
    scopes: Option<&str>,
) -> Result<Value> {
    let client = authenticate_client(deps, zone, creds).await?;
    if !client.authorities.contains("uaa.resource") {
        return Err(Error::AccessDenied("Access is denied".into()));
    }
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(Error::InvalidToken("Token parameter must be set".into()));
    };
    let valid = validate_token(deps, zone, token)
        .await
        .map_err(|e| match e {
            Error::InvalidToken(m) if m.contains("expired at") => {
                Error::InvalidToken("Token has expired".into())
            }
            other => other,
        })?;
    if let Some(wanted) = scopes.filter(|s| !s.is_empty()) {
        let missing: Vec<&str> = wanted
            .split(',')
            .map(str::trim)
            .filter(|s| {
                !s.is_empty()
                    && !valid
                        .facts
                        .scopes
                        .iter()
                        .any(|have| have.eq_ignore_ascii_case(s))
            })
            .collect();
        if !missing.is_empty() {
            return Err(Error::invalid_scope(
                format!("Some requested scopes are missing: {}", missing.join(",")),
                None,
            ));
        }
    }
    let mut claims = valid.claims;
    if let Some(map) = claims.as_object_mut() {
        map.entry("revocable").or_insert(Value::Bool(false));
    }
    Ok(claims)
}

/// RFC 7662 introspection: `{"active":true, …claims}` or `{"active":false}`, never an error
/// for a bad token.
pub async fn introspect(deps: &Deps, zone: &ZoneId, token: &str) -> Value {
    match validate_token(deps, zone, token).await {
        Ok(v) => {
            let mut out = serde_json::Map::new();
            out.insert("active".into(), Value::Bool(true));
            if let Value::Object(m) = v.claims {
                out.extend(m);
            }
            Value::Object(out)
        }
        Err(_) => json!({"active": false}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_shape_is_three_base64url_segments() {
        assert!(looks_like_jwt("a.b.c"));
        assert!(looks_like_jwt("eyJ.eyJ.sig-_"));
        assert!(!looks_like_jwt("0123456789abcdef"));
        assert!(!looks_like_jwt("a.b"));
        assert!(!looks_like_jwt("a.b.c d"));
    }
}
