//! A user's authentication by the internal identity provider (username and password, with the
//! lockout policy of §6.2 and audit events), what a signed-in user is, and the user's
//! authorities as grants and `/oauth/authorize` apply them to a client's scopes.

use super::Deps;
use crate::audit::AuditEventType;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{UserId, ZoneId};
use crate::scope::ScopeSet;
use crate::secret::Secret;
use crate::user::User;

/// A user who has signed in (by the login form, posted credentials or a bearer token).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    /// When the user authenticated, epoch seconds.
    pub auth_time: i64,
}

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

/// The description UAA's `PasswordChangeRequiredException` carries on the token endpoint.
pub const PASSWORD_CHANGE_REQUIRED: &str = "password change required";

/// uaa-accounts §5: a user flagged for a password change authenticates (the success is
/// audited), but gets no token from a stateless grant until the password is changed in the
/// browser: 401 `unauthorized` "password change required".
pub(crate) fn refuse_pending_password_change(user: &User) -> Result<()> {
    if user.passwd_change_required {
        return Err(Error::Unauthorized(PASSWORD_CHANGE_REQUIRED.into()));
    }
    Ok(())
}

/// A user's authorities: their groups plus the zone's default groups.
pub async fn user_authorities(deps: &Deps, zone: &ZoneId, user: &UserId) -> Result<ScopeSet> {
    let mut all = deps.users.user_groups(zone, user).await?;
    for g in deps.settings.default_user_groups.iter() {
        all.insert(g);
    }
    Ok(all)
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
