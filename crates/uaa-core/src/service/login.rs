//! Browser sign-in (`POST /login.do`), login sessions and their CSRF tokens. A session lives in
//! the database (`SessionStore`), keyed by the SHA-256 of the cookie value, so every instance on
//! one database sees it and a database dump holds no usable cookie. Sessions expire after 30
//! idle minutes (UAA's `servlet.session-timeout` default), and end when the user is
//! deactivated or changes password.

use super::Deps;
use super::user_auth::{SignedIn, authenticate_user};
use crate::audit::AuditEventType;
use crate::error::{Error, Result};
use crate::ids::{ORIGIN_UAA, UserId, ZoneId};
use crate::pkce::sha256_hex;
use crate::ports::LoginSession;
use crate::scim::users::LOCKED_MESSAGE;
use crate::secret::{Secret, ct_eq};
use crate::user::User;

/// Idle lifetime of a login session.
pub const SESSION_IDLE_MS: i64 = 30 * 60 * 1000;
/// A session's expiry is pushed forward at most this often (one write per minute of use).
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// A live login session and its user.
#[derive(Debug, Clone)]
pub struct Session {
    pub record: LoginSession,
    pub user: User,
}

impl Session {
    pub fn signed_in(&self) -> SignedIn {
        SignedIn {
            user: self.user.clone(),
            auth_time: self.record.auth_time_ms.div_euclid(1000),
        }
    }
}

/// Why a sign-in failed, as the login page tells it.
#[derive(Debug)]
pub enum SignInError {
    /// Unknown user, wrong password or inactive account (one message for all).
    BadCredentials,
    /// The lockout policy (§6.2) holds the account.
    Locked,
    Other(Error),
}

/// Checks a username and password of the internal identity provider (lockout and audit
/// included, as the password grant does).
pub async fn authenticate(
    deps: &Deps,
    zone: &ZoneId,
    username: &str,
    password: &Secret,
) -> Result<SignedIn, SignInError> {
    let user = authenticate_user(deps, zone, username, password, ORIGIN_UAA)
        .await
        .map_err(|e| match e {
            Error::BadClientCredentials => SignInError::BadCredentials,
            Error::Unauthorized(m) if m == LOCKED_MESSAGE => SignInError::Locked,
            other => SignInError::Other(other),
        })?;
    let now = deps.clock.now_millis();
    deps.users
        .record_logon(zone, &user.id, now)
        .await
        .map_err(SignInError::Other)?;
    Ok(SignedIn {
        user,
        auth_time: now.div_euclid(1000),
    })
}

/// `POST /login.do`: authenticates and opens a new session. Returns the cookie value (never
/// stored) and the session.
pub async fn sign_in(
    deps: &Deps,
    zone: &ZoneId,
    username: &str,
    password: &Secret,
) -> Result<(String, Session), SignInError> {
    let who = authenticate(deps, zone, username, password).await?;
    open_session(deps, zone, who.user)
        .await
        .map_err(SignInError::Other)
}

/// Opens a new login session for a user who has just authenticated (the sign-in form, an
/// autologin code, a forced password change). Returns the cookie value (never stored).
pub async fn open_session(deps: &Deps, zone: &ZoneId, user: User) -> Result<(String, Session)> {
    let cookie = deps.random.alphanumeric(43);
    let now = deps.clock.now_millis();
    let record = LoginSession {
        session_hash: sha256_hex(&cookie),
        user_id: user.id.to_string(),
        auth_time_ms: now,
        csrf_token: deps.random.alphanumeric(32),
        pending: None,
        created_ms: now,
        expires_ms: now + SESSION_IDLE_MS,
        zone_id: zone.clone(),
    };
    deps.sessions.create_session(&record).await?;
    Ok((cookie, Session { record, user }))
}

/// `POST /force_password_change` (`ForcePasswordChangeController`): the new password of a
/// signed-in user whose account is flagged for a change. A refusal is the text UAA shows on
/// the re-rendered form (422), checked in UAA's order. On success the flag is cleared, the
/// change audited, and the session replaced by a new one (the change ends every older
/// session, as it revokes older tokens).
pub async fn change_forced_password(
    deps: &Deps,
    zone: &ZoneId,
    session: &Session,
    password: &Secret,
    confirmation: &Secret,
) -> Result<Result<(String, Session), String>> {
    let user = &session.user;
    if password.is_empty()
        || !ct_eq(
            password.expose().as_bytes(),
            confirmation.expose().as_bytes(),
        )
    {
        return Ok(Err("Passwords must match and not be empty.".into()));
    }
    if deps.hasher.verify(password, &user.password_hash).await {
        return Ok(Err(
            "Your new password cannot be the same as the old password.".into(),
        ));
    }
    if let Some(m) = deps
        .settings
        .password_policy
        .strength
        .check("Password", password.expose())
    {
        return Ok(Err(m));
    }
    let Some((hash, modified)) =
        super::users::store_new_password(deps, zone, user.id.as_str(), password).await?
    else {
        return Err(Error::InvalidRequest("The user no longer exists".into()));
    };
    deps.audit(
        zone,
        AuditEventType::PasswordChangeSuccess,
        user.id.as_str(),
        &format!("user={}", user.username),
        "forced password change".into(),
    )
    .await;
    deps.sessions
        .delete_session(zone, &session.record.session_hash)
        .await?;
    let mut changed = user.clone();
    changed.password_hash = hash;
    changed.passwd_change_required = false;
    changed.passwd_lastmodified = modified;
    Ok(Ok(open_session(deps, zone, changed).await?))
}

/// The live session a cookie names, if any; expired or orphaned sessions are deleted.
pub async fn current(deps: &Deps, zone: &ZoneId, cookie: &str) -> Result<Option<Session>> {
    if cookie.is_empty() {
        return Ok(None);
    }
    let hash = sha256_hex(cookie);
    let Some(mut record) = deps.sessions.get_session(zone, &hash).await? else {
        return Ok(None);
    };
    let now = deps.clock.now_millis();
    let user = if record.expires_ms > now {
        deps.users
            .get_user(zone, &UserId::new(record.user_id.clone()))
            .await?
    } else {
        None
    };
    // A password change after sign-in ends the session (as it revokes tokens via rev_sig).
    let Some(user) = user.filter(|u| u.active && u.passwd_lastmodified <= record.auth_time_ms)
    else {
        deps.sessions.delete_session(zone, &hash).await?;
        return Ok(None);
    };
    if record.expires_ms - now < SESSION_IDLE_MS - TOUCH_EVERY_MS {
        record.expires_ms = now + SESSION_IDLE_MS;
        deps.sessions.update_session(&record).await?;
    }
    Ok(Some(Session { record, user }))
}

/// Ends the session a cookie names (nothing happens for an unknown cookie).
pub async fn sign_out(deps: &Deps, zone: &ZoneId, cookie: &str) -> Result<()> {
    if cookie.is_empty() {
        return Ok(());
    }
    deps.sessions
        .delete_session(zone, &sha256_hex(cookie))
        .await
}

/// Every form posted within a session carries the session's CSRF token.
pub fn check_csrf(session: &Session, presented: Option<&str>) -> Result<()> {
    match presented {
        Some(p) if ct_eq(p.as_bytes(), session.record.csrf_token.as_bytes()) => Ok(()),
        _ => Err(Error::AccessDenied(
            "Invalid or missing CSRF token; reload the page and try again.".into(),
        )),
    }
}

/// Stores (or clears) the authorization request waiting for the user's approval.
pub(crate) async fn set_pending(
    deps: &Deps,
    session: &Session,
    pending: Option<String>,
) -> Result<()> {
    let mut record = session.record.clone();
    record.pending = pending;
    deps.sessions.update_session(&record).await
}
