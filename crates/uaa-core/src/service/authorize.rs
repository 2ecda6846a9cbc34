//! `/oauth/authorize` (reference §3), after UAA's `UaaAuthorizationEndpoint`,
//! `UaaAuthorizationRequestManager` and `UserManagedAuthzApprovalHandler`: the request, the
//! sign-in and consent steps, and what an approved request gets (a code from
//! `grants::authorization_code`, tokens from `grants::implicit`).
//!
//! An authorization request is checked in two stages. Problems the client cannot be told about
//! safely (unknown client, a redirect URI that matches no registration) are errors for the
//! user's eyes (`Err`, rendered as a page). Every later problem goes back to the client's
//! redirect URI as `error`/`error_description` (RFC 6749 §4.1.2.1), in the query for
//! `response_type=code` and in the fragment otherwise (OIDC Core §5 default response modes).
//! The redirect is checked before the user is asked to sign in, so the login page is never
//! shown on behalf of a redirect that will be refused.

use serde::{Deserialize, Serialize};
use uaa_types::TokenResponse;

use super::grants::authorization_code::{self, CodeGrant};
use super::grants::implicit::{self, ImplicitRequest};
use super::login::{Session, SignInError};
use super::user_auth::{SignedIn, refuse_pending_password_change, user_authorities};
use super::{Deps, Params};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::pkce;
use crate::ports::{Approval, ApprovalStatus};
use crate::redirect::{RedirectError, resolve_redirect};
use crate::scim::users::LOCKED_MESSAGE;
use crate::scope::ScopeSet;
use crate::secret::Secret;
use crate::user::User;

/// How long a recorded approval or denial lasts (UAA: one month).
pub const APPROVAL_VALIDITY_MS: i64 = 30 * 24 * 3600 * 1000;

const RESPONSE_TYPES: &[&str] = &["code", "token", "id_token"];

/// An authorization request after the client and the redirect URI were checked; with the
/// granted scopes filled in, it is also what a consent page waits on (kept in the session).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    /// `code`, `token`, `id_token`, as requested (duplicates removed).
    pub response_types: Vec<String>,
    /// The resolved redirect URI.
    pub redirect_uri: String,
    /// `redirect_uri` as sent; when sent, the token request must repeat it.
    pub requested_redirect: Option<String>,
    /// `scope` as sent.
    pub requested_scope: Option<String>,
    /// The scopes the user may grant (after the user's groups are applied).
    #[serde(default)]
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
}

impl AuthorizationRequest {
    fn wants(&self, t: &str) -> bool {
        self.response_types.iter().any(|r| r == t)
    }

    /// Responses carrying a token answer in the fragment (RFC 6749 §4.2.2, OIDC Core §5: also
    /// `id_token` and the hybrid types); `code` alone, and unknown types as UAA does, in the
    /// query.
    pub fn uses_fragment(&self) -> bool {
        self.wants("token") || self.wants("id_token")
    }

    /// `deriveGrantTypeFromResponseType`.
    fn grant_type(&self) -> &'static str {
        if self.wants("token") || (self.response_types.len() == 1 && self.wants("id_token")) {
            "implicit"
        } else {
            "authorization_code"
        }
    }
}

/// Who is asking, and whether a consent page can be shown to them.
pub enum Via<'a> {
    /// A browser, with its login session if it has one.
    Browser(Option<&'a Session>),
    /// The stateless variants (`source=credentials`, a bearer token): no page can be shown.
    Stateless(&'a SignedIn),
}

/// What the server does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// 302 to this URL (the client's redirect URI with a code, tokens or an error).
    Redirect(String),
    /// The user must sign in first; `force` (`prompt=login`) means the current session, if
    /// any, has been ended and `prompt` is not to be repeated on the way back.
    Login {
        force: bool,
        login_hint: Option<String>,
    },
    /// Ask the user; the request waits in the session.
    Consent(ConsentPage),
    /// The signed-in user must choose a new password first (`PasswordChangeUiRequiredFilter`);
    /// the request is taken up again afterwards.
    ChangePassword,
}

/// What the approval page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentPage {
    pub client_id: String,
    pub client_name: String,
    pub user_name: String,
    /// The scopes to decide on, each checked unless the user denied it before.
    pub scopes: Vec<(String, bool)>,
    pub csrf_token: String,
}

/// An error for the client, sent to its redirect URI.
#[derive(Debug, Clone, PartialEq)]
struct Refusal {
    error: &'static str,
    description: String,
    extra: Vec<(&'static str, String)>,
}

fn refuse(error: &'static str, description: impl Into<String>) -> Refusal {
    Refusal {
        error,
        description: description.into(),
        extra: Vec::new(),
    }
}

/// `GET|POST /oauth/authorize` without `user_oauth_approval`.
pub async fn authorize(deps: &Deps, zone: &ZoneId, params: &Params, via: Via<'_>) -> Result<Step> {
    let client = load_client(deps, zone, params.get("client_id")).await?;
    let mut req = resolve(&client, params)?;
    if let Err(r) = precheck(&client, &req, params) {
        return Ok(Step::Redirect(error_redirect(&req, &r)));
    }
    let (who, session) = match via {
        Via::Browser(None) if req.prompt.as_deref() == Some("none") => {
            return Ok(Step::Redirect(error_redirect(
                &req,
                &refuse("login_required", "User must be signed in"),
            )));
        }
        // Without a session `prompt=login` is satisfied by the sign-in that follows: it is
        // dropped from the request to come back to (else the return would ask again, forever).
        Via::Browser(None) => {
            return Ok(login_step(req.prompt.as_deref() == Some("login"), params));
        }
        Via::Browser(Some(s)) if req.prompt.as_deref() == Some("login") => {
            deps.sessions
                .delete_session(zone, &s.record.session_hash)
                .await?;
            return Ok(login_step(true, params));
        }
        // uaa-accounts §5: no authorization while the password must change; `prompt=none`
        // cannot show the page, so it is an authorization error.
        Via::Browser(Some(s)) if s.user.passwd_change_required => {
            if req.prompt.as_deref() == Some("none") {
                return Ok(Step::Redirect(error_redirect(
                    &req,
                    &refuse("interaction_required", "User must change their password"),
                )));
            }
            return Ok(Step::ChangePassword);
        }
        Via::Browser(Some(s)) => (s.signed_in(), Some(s)),
        Via::Stateless(who) => (who.clone(), None),
    };
    match grantable_scopes(deps, zone, &client, &who.user, &req).await? {
        Ok(scopes) => req.scopes = scopes,
        Err(r) => return Ok(Step::Redirect(error_redirect(&req, &r))),
    }
    let (decided, approved) = approval_state(deps, zone, &client, &who.user, &req.scopes).await?;
    if decided {
        req.scopes.retain(|s| approved.contains(s));
        return finish(deps, zone, &client, &req, &who).await;
    }
    let Some(session) = session.filter(|_| req.prompt.as_deref() != Some("none")) else {
        return Ok(Step::Redirect(error_redirect(
            &req,
            &refuse(
                "interaction_required",
                "User must approve the requested scopes",
            ),
        )));
    };
    consent(deps, zone, &client, session, req, &approved).await
}

/// The stateless variant uaac's `token get` uses: `source=credentials` with `username` and
/// `password` posted (`AuthzAuthenticationFilter`), then the request as above without a page.
pub async fn authorize_with_password(deps: &Deps, zone: &ZoneId, params: &Params) -> Result<Step> {
    let (Some(username), Some(password)) = (params.get("username"), params.get("password")) else {
        return Err(Error::Unauthorized(
            "Request does not contain credentials.".into(),
        ));
    };
    let who = super::login::authenticate(deps, zone, username, &Secret::new(password.clone()))
        .await
        .map_err(|e| match e {
            SignInError::BadCredentials => Error::Unauthorized("Bad credentials".into()),
            SignInError::Locked => Error::Unauthorized(LOCKED_MESSAGE.into()),
            SignInError::Other(e) => e,
        })?;
    refuse_pending_password_change(&who.user)?;
    authorize(deps, zone, params, Via::Stateless(&who)).await
}

/// The stateless variant the cf CLI uses: a bearer user token with `uaa.user`
/// (`oauthAuthorizeApiSecurity`, a strict scope gate), typically with `response_type=code`.
pub async fn authorize_with_token(
    deps: &Deps,
    zone: &ZoneId,
    token: &str,
    params: &Params,
) -> Result<Step> {
    let valid = super::token::validate_token(deps, zone, token).await?;
    if !valid.facts.scopes.contains("uaa.user") {
        return Err(Error::InsufficientScope {
            scopes: ScopeSet::parse("uaa.user"),
        });
    }
    let Some(user) = valid.user.filter(|_| valid.facts.is_user_token()) else {
        return Err(Error::AccessDenied("A user token is required".into()));
    };
    let auth_time = valid
        .claims
        .get("auth_time")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or_else(|| deps.clock.now_secs());
    authorize(
        deps,
        zone,
        params,
        Via::Stateless(&SignedIn { user, auth_time }),
    )
    .await
}

fn login_step(force: bool, params: &Params) -> Step {
    Step::Login {
        force,
        login_hint: params.get("login_hint").filter(|h| !h.is_empty()).cloned(),
    }
}

async fn load_client(deps: &Deps, zone: &ZoneId, id: Option<&String>) -> Result<Client> {
    let id = id.map_or("null", String::as_str);
    deps.clients
        .get_client(zone, id)
        .await?
        .ok_or_else(|| Error::InvalidClient(format!("No client with requested id: {id}")))
}

/// The client's redirect URI for this request, or the error page's error.
fn resolve(client: &Client, params: &Params) -> Result<AuthorizationRequest> {
    let requested = params.get("redirect_uri").filter(|r| !r.is_empty());
    let redirect = resolve_redirect(
        requested.map(String::as_str),
        &client.redirect_uris,
        &client.grant_types,
    )
    .map_err(|e| match e {
        RedirectError::Mismatch => Error::InvalidGrant(format!(
            "Invalid redirect {} did not match one of the registered values",
            requested.map_or("null", String::as_str)
        )),
        RedirectError::InvalidGrant(m) => Error::InvalidGrant(m),
    })?;
    let mut response_types: Vec<String> = Vec::new();
    for t in params
        .get("response_type")
        .map(String::as_str)
        .unwrap_or("")
        .split([' ', ','])
        .filter(|t| !t.is_empty())
    {
        if !response_types.iter().any(|r| r == t) {
            response_types.push(t.to_owned());
        }
    }
    let get = |k: &str| params.get(k).filter(|v| !v.is_empty()).cloned();
    Ok(AuthorizationRequest {
        client_id: client.client_id.to_string(),
        response_types,
        redirect_uri: redirect,
        requested_redirect: requested.cloned(),
        requested_scope: params.get("scope").cloned(),
        scopes: Vec::new(),
        state: get("state"),
        nonce: get("nonce"),
        code_challenge: params.get("code_challenge").cloned(),
        code_challenge_method: params.get("code_challenge_method").cloned(),
        prompt: get("prompt"),
    })
}

/// The checks that do not need the user, in UAA's order; each failure goes to the client.
fn precheck(client: &Client, req: &AuthorizationRequest, params: &Params) -> Result<(), Refusal> {
    if !req
        .response_types
        .iter()
        .all(|t| RESPONSE_TYPES.contains(&t.as_str()))
    {
        return Err(refuse(
            "unsupported_response_type",
            "Unsupported response types",
        ));
    }
    if req.response_types.is_empty() {
        return Err(refuse(
            "invalid_request",
            "Missing response_type in authorization request",
        ));
    }
    pkce::check_challenge(
        req.code_challenge.as_deref(),
        req.code_challenge_method.as_deref(),
    )
    .map_err(|m| refuse("invalid_request", m))?;
    if params.contains_key("scope") {
        for s in ScopeSet::parse(req.requested_scope.as_deref().unwrap_or("")).iter() {
            if !client.scope.matches(s) {
                let mut r = refuse(
                    "invalid_scope",
                    format!(
                        "Invalid scope: {s}. Did you know that you can get default requested scopes by simply sending no value?"
                    ),
                );
                r.extra.push(("scope", client.scope.to_space_string()));
                return Err(r);
            }
        }
    }
    let grant = req.grant_type();
    if !client.has_grant(grant) {
        // UAA's ImplicitTokenGranter answers `invalid_client`; for codes RFC 6749 §4.1.2.1's
        // `unauthorized_client` (UAA would only fail later, at the token endpoint).
        let error = if grant == "implicit" {
            "invalid_client"
        } else {
            "unauthorized_client"
        };
        return Err(refuse(error, format!("Unauthorized grant type: {grant}")));
    }
    Ok(())
}

/// `checkClientIdpAuthorization` and `checkUserScopes`: the requested scopes (default: the
/// client's) that the user holds, within the client's scopes. An identity-provider refusal is
/// an error page (`unauthorized_client`, 401); a scope refusal goes to the client.
async fn grantable_scopes(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: &User,
    req: &AuthorizationRequest,
) -> Result<Result<Vec<String>, Refusal>> {
    let idp_refusal = |m: &str| Error::Uaa {
        status: 401,
        error: "unauthorized_client".into(),
        description: m.into(),
    };
    match &client.allowed_providers {
        Some(list) if list.is_empty() => {
            return Err(idp_refusal(
                "Client is not authorized for any identity providers.",
            ));
        }
        Some(list) if !list.contains(&user.origin) => {
            return Err(idp_refusal(
                "Client is not authorized for specified user's identity provider.",
            ));
        }
        _ => {}
    }
    let held = user_authorities(deps, zone, &user.id).await?;
    if !client.required_user_groups.iter().all(|g| held.contains(g)) {
        return Ok(Err(refuse(
            "invalid_scope",
            "User does not meet the client's required group criteria.",
        )));
    }
    let requested = match req.requested_scope.as_deref().map(ScopeSet::parse) {
        Some(s) if !s.is_empty() => s,
        _ => client.scope.clone(),
    };
    let mut granted = ScopeSet::new();
    for pattern in requested.iter() {
        let one: ScopeSet = [pattern].into_iter().collect();
        for s in held.iter() {
            if one.matches(s) && client.scope.matches(s) {
                granted.insert(s);
            }
        }
    }
    if granted.is_empty() && !client.scope.is_empty() {
        let mut r = refuse(
            "invalid_scope",
            format!(
                "Invalid scope (empty) - this user is not allowed any of the requested scopes: {} (either you requested a scope that was not allowed or client '{}' is not allowed to act on behalf of this user)",
                requested.to_java_string(),
                client.client_id
            ),
        );
        r.extra.push(("scope", held.to_space_string()));
        return Ok(Err(r));
    }
    Ok(Ok(granted.to_vec()))
}

/// `autoapprove`: `true` approves every scope; otherwise the listed scopes (or patterns).
fn auto_approved(client: &Client, scope: &str) -> bool {
    client.autoapprove.iter().any(|a| a == "true")
        || client
            .autoapprove
            .iter()
            .any(|a| crate::scope::wildcard_matches(a, scope))
}

/// `UserManagedAuthzApprovalHandler.isApproved` without a decision: whether every scope was
/// auto-approved or decided by the user before (and not expired), and the approved ones.
async fn approval_state(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: &User,
    scopes: &[String],
) -> Result<(bool, Vec<String>)> {
    let now = deps.clock.now_millis();
    let stored = deps
        .approvals
        .approvals(zone, user.id.as_str(), Some(client.client_id.as_str()))
        .await?;
    let live: Vec<&Approval> = stored.iter().filter(|a| a.expires_ms > now).collect();
    let mut decided = true;
    let mut approved = Vec::new();
    for s in scopes {
        if auto_approved(client, s) {
            approved.push(s.clone());
            continue;
        }
        match live.iter().find(|a| &a.scope == s) {
            Some(a) if a.status == ApprovalStatus::Approved => approved.push(s.clone()),
            Some(_) => {}
            None => decided = false,
        }
    }
    Ok((decided, approved))
}

/// Keeps the request in the session and describes the approval page.
async fn consent(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    session: &Session,
    req: AuthorizationRequest,
    approved: &[String],
) -> Result<Step> {
    let stored = deps
        .approvals
        .approvals(
            zone,
            session.user.id.as_str(),
            Some(client.client_id.as_str()),
        )
        .await?;
    let denied_before = |s: &str| {
        stored
            .iter()
            .any(|a| a.scope == s && a.status == ApprovalStatus::Denied)
    };
    let scopes = req
        .scopes
        .iter()
        .filter(|s| !auto_approved(client, s))
        .map(|s| (s.clone(), approved.contains(s) || !denied_before(s)))
        .collect();
    let pending = serde_json::to_string(&req).map_err(|e| Error::Internal(e.to_string()))?;
    super::login::set_pending(deps, session, Some(pending)).await?;
    Ok(Step::Consent(ConsentPage {
        client_id: client.client_id.to_string(),
        client_name: client
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| client.client_id.to_string()),
        user_name: session.user.username.clone(),
        scopes,
        csrf_token: session.record.csrf_token.clone(),
    }))
}

/// `POST /oauth/authorize` with `user_oauth_approval` (`approveOrDeny`): the user's decision
/// on the request waiting in the session. The caller has checked the form's CSRF token.
pub async fn approve(deps: &Deps, zone: &ZoneId, session: &Session, form: &Params) -> Result<Step> {
    let Some(pending) = session.record.pending.as_deref() else {
        return Err(Error::InvalidRequest(
            "Cannot approve uninitialized authorization request.".into(),
        ));
    };
    let mut req: AuthorizationRequest =
        serde_json::from_str(pending).map_err(|e| Error::Internal(e.to_string()))?;
    super::login::set_pending(deps, session, None).await?;
    let client = load_client(deps, zone, Some(&req.client_id)).await?;
    let mut chosen = Vec::new();
    for (k, v) in form {
        if k.starts_with("scope.") {
            match v.strip_prefix("scope.") {
                Some(s) if req.scopes.iter().any(|x| x == s) => chosen.push(s.to_owned()),
                _ => {
                    return Ok(Step::Redirect(error_redirect(
                        &req,
                        &refuse(
                            "invalid_scope",
                            "The requested scopes are invalid. Please use valid scope names in the request.",
                        ),
                    )));
                }
            }
        }
    }
    let yes = form
        .get("user_oauth_approval")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !yes {
        return Ok(Step::Redirect(error_redirect(
            &req,
            &refuse("access_denied", "User denied access"),
        )));
    }
    let now = deps.clock.now_millis();
    let mut granted = Vec::new();
    for s in &req.scopes {
        let auto = auto_approved(&client, s);
        let ok = auto || chosen.contains(s);
        if ok {
            granted.push(s.clone());
        }
        if !auto {
            let status = if ok {
                ApprovalStatus::Approved
            } else {
                ApprovalStatus::Denied
            };
            deps.approvals
                .put_approval(
                    zone,
                    &Approval {
                        user_id: session.user.id.to_string(),
                        client_id: client.client_id.to_string(),
                        scope: s.clone(),
                        status,
                        expires_ms: now + APPROVAL_VALIDITY_MS,
                        last_modified_ms: now,
                    },
                )
                .await?;
        }
    }
    if !granted.is_empty() {
        deps.audit(
            zone,
            crate::audit::AuditEventType::ApprovalModifiedEvent,
            session.user.id.as_str(),
            client.client_id.as_str(),
            format!("approved={}", granted.join(" ")),
        )
        .await;
    }
    req.scopes = granted;
    finish(deps, zone, &client, &req, &session.signed_in()).await
}

/// Issues what the approved request asks for: a code, tokens in the fragment, or both.
async fn finish(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    req: &AuthorizationRequest,
    who: &SignedIn,
) -> Result<Step> {
    if req.scopes.is_empty() {
        return Ok(Step::Redirect(error_redirect(
            req,
            &refuse("access_denied", "User denied access"),
        )));
    }
    let code = if req.wants("code") {
        let grant = CodeGrant {
            scopes: req.scopes.clone(),
            redirect_uri: req.redirect_uri.clone(),
            requested_redirect: req.requested_redirect.clone(),
            code_challenge: req.code_challenge.clone(),
            code_challenge_method: req.code_challenge_method.clone(),
            nonce: req.nonce.clone(),
            auth_time: who.auth_time,
        };
        let user_id = who.user.id.as_str();
        Some(
            authorization_code::issue_code(deps, zone, client.client_id.as_str(), user_id, &grant)
                .await?,
        )
    } else {
        None
    };
    if !req.uses_fragment() {
        let mut q = vec![("code", code.unwrap_or_default())];
        q.extend(req.state.clone().map(|s| ("state", s)));
        return Ok(Step::Redirect(with_params(&req.redirect_uri, &q, false)));
    }
    let scopes: ScopeSet = req.scopes.iter().map(String::as_str).collect();
    let tokens = implicit::grant(
        deps,
        zone,
        &ImplicitRequest {
            client,
            user: who,
            grant_type: req.grant_type(),
            scopes: scopes.clone(),
            nonce: req.nonce.as_deref(),
        },
    )
    .await?;
    Ok(Step::Redirect(implicit_redirect(
        req, &tokens, code, &scopes,
    )))
}

/// `buildRedirectURI`: the fragment of an implicit or hybrid response.
fn implicit_redirect(
    req: &AuthorizationRequest,
    tokens: &TokenResponse,
    code: Option<String>,
    scopes: &ScopeSet,
) -> String {
    let mut f: Vec<(&str, String)> = vec![("token_type", tokens.token_type.clone())];
    if req.wants("token") {
        f.extend(tokens.access_token.clone().map(|t| ("access_token", t)));
    }
    if req.wants("id_token") {
        f.extend(tokens.id_token.clone().map(|t| ("id_token", t)));
    }
    f.extend(code.map(|c| ("code", c)));
    f.extend(req.state.clone().map(|s| ("state", s)));
    f.push(("expires_in", tokens.expires_in.to_string()));
    let same_scope = req.requested_scope.as_deref().is_some_and(|r| {
        let asked = ScopeSet::parse(r);
        asked.len() == scopes.len() && asked.iter().all(|s| scopes.contains(s))
    });
    if !same_scope {
        f.push(("scope", scopes.to_space_string()));
    }
    f.push(("jti", tokens.jti.clone()));
    with_params(&req.redirect_uri, &f, true)
}

/// `getUnsuccessfulRedirect`: `error`, `error_description`, `state` and any extra fields.
fn error_redirect(req: &AuthorizationRequest, r: &Refusal) -> String {
    let mut p: Vec<(&str, String)> = vec![
        ("error", r.error.to_owned()),
        ("error_description", r.description.clone()),
    ];
    p.extend(req.state.clone().map(|s| ("state", s)));
    p.extend(r.extra.iter().cloned());
    if req.uses_fragment() {
        let base = req.redirect_uri.split('#').next().unwrap_or_default();
        format!("{base}#{}", encode_pairs(&p))
    } else {
        with_params(&req.redirect_uri, &p, false)
    }
}

/// Adds `pairs` to the query of `url` (before any fragment), or to its fragment.
pub fn with_params(url: &str, pairs: &[(&str, String)], fragment: bool) -> String {
    let (base, frag) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let encoded = encode_pairs(pairs);
    if fragment {
        return match frag.filter(|f| !f.is_empty()) {
            Some(f) => format!("{base}#{f}&{encoded}"),
            None => format!("{base}#{encoded}"),
        };
    }
    let sep = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    match frag {
        Some(f) => format!("{base}{sep}{encoded}#{f}"),
        None => format!("{base}{sep}{encoded}"),
    }
}

fn encode_pairs(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(types: &[&str], redirect: &str) -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: "c".into(),
            response_types: types.iter().map(|t| (*t).to_owned()).collect(),
            redirect_uri: redirect.into(),
            requested_redirect: Some(redirect.into()),
            requested_scope: None,
            scopes: Vec::new(),
            state: Some("s t".into()),
            nonce: None,
            code_challenge: None,
            code_challenge_method: None,
            prompt: None,
        }
    }

    #[test]
    fn query_parameters_join_an_existing_query_and_keep_the_fragment() {
        let p = [("code", "a b".to_owned())];
        assert_eq!(
            with_params("http://x/cb", &p, false),
            "http://x/cb?code=a%20b"
        );
        assert_eq!(
            with_params("http://x/cb?y=1", &p, false),
            "http://x/cb?y=1&code=a%20b"
        );
        assert_eq!(
            with_params("http://x/cb?", &p, false),
            "http://x/cb?code=a%20b"
        );
        assert_eq!(
            with_params("http://x/cb#frag", &p, false),
            "http://x/cb?code=a%20b#frag"
        );
        assert_eq!(
            with_params("http://x/cb#frag", &p, true),
            "http://x/cb#frag&code=a%20b"
        );
    }

    #[test]
    fn errors_go_to_the_query_for_code_and_to_the_fragment_otherwise() {
        let r = refuse("access_denied", "User denied access");
        assert_eq!(
            error_redirect(&req(&["code"], "http://x/cb?a=1"), &r),
            "http://x/cb?a=1&error=access_denied&error_description=User%20denied%20access&state=s%20t"
        );
        assert_eq!(
            error_redirect(&req(&["token"], "http://x/cb#old"), &r),
            "http://x/cb#error=access_denied&error_description=User%20denied%20access&state=s%20t"
        );
        assert_eq!(
            error_redirect(&req(&["code", "id_token"], "http://x/cb"), &r),
            "http://x/cb#error=access_denied&error_description=User%20denied%20access&state=s%20t"
        );
    }

    #[test]
    fn grant_types_follow_the_response_types() {
        assert_eq!(req(&["code"], "x").grant_type(), "authorization_code");
        assert_eq!(req(&["token"], "x").grant_type(), "implicit");
        assert_eq!(req(&["id_token"], "x").grant_type(), "implicit");
        assert_eq!(req(&["token", "id_token"], "x").grant_type(), "implicit");
        assert_eq!(
            req(&["code", "id_token"], "x").grant_type(),
            "authorization_code"
        );
        assert_eq!(req(&["code", "token"], "x").grant_type(), "implicit");
    }

    #[test]
    fn components_are_percent_encoded_except_unreserved_characters() {
        assert_eq!(encode_component("aZ09-._~"), "aZ09-._~");
        assert_eq!(encode_component("a+b&c=d/é"), "a%2Bb%26c%3Dd%2F%C3%A9");
    }
}
