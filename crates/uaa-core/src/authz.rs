//! Who is calling, and what they may do. A `Caller` is built only from a validated bearer
//! token; gates are types (`Gate`) so a handler states its requirement in its signature and
//! the check happens once, in the extractor. The rules are UAA's:
//! `#oauth2.hasAnyScope(...)` always passes with `uaa.admin`
//! (`ContextSensitiveOAuth2SecurityExpressionMethods`), and `zones.{zid}.admin` passes only for
//! a token issued in the default zone (`hasScopeInAuthZone`).

use crate::error::Error;
use crate::ids::{ClientId, UserId, ZoneId};
use crate::scope::ScopeSet;

/// The authenticated principal behind a bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub client_id: ClientId,
    /// Present for user tokens (any grant but `client_credentials`).
    pub user_id: Option<UserId>,
    pub user_name: Option<String>,
    /// The token's OAuth2 request scope: `authorities` for a client token, `scope` otherwise.
    pub scopes: ScopeSet,
    /// `zid` of the token.
    pub token_zone: ZoneId,
    pub grant_type: String,
    pub jti: String,
}

impl Caller {
    /// UAA `isClient()`: an OAuth2 authentication without a user (a `client_credentials` token).
    pub fn is_client_only(&self) -> bool {
        self.user_id.is_none()
    }

    /// UAA `isAdmin()`: `uaa.admin`, or `zones.<zone>.admin` on a token from the default zone.
    pub fn is_admin(&self, zone: &ZoneId) -> bool {
        self.scopes.contains("uaa.admin") || self.has_zone_admin(zone)
    }

    fn has_zone_admin(&self, zone: &ZoneId) -> bool {
        self.token_zone.is_default() && self.scopes.contains(&format!("zones.{zone}.admin"))
    }

    /// An expression gate `hasAnyScope(scopes…)` in `zone`: `uaa.admin` always passes;
    /// `zones.{zid}.admin` is the auth-zone check. On refusal the error lists every scope that
    /// was checked, starting with `uaa.admin`, as UAA does.
    pub fn check(&self, gate: &[&str], zone: &ZoneId) -> Result<(), Error> {
        if self.scopes.contains("uaa.admin") {
            return Ok(());
        }
        let mut checked = ScopeSet::new();
        checked.insert("uaa.admin");
        for g in gate {
            if *g == ZONE_ADMIN {
                let s = format!("zones.{zone}.admin");
                if self.has_zone_admin(zone) {
                    return Ok(());
                }
                checked.insert(&s);
            } else {
                if self.scopes.contains(g) {
                    return Ok(());
                }
                checked.insert(g);
            }
        }
        Err(Error::InsufficientScope { scopes: checked })
    }

    /// A strict `ScopeVoter` gate (`scope=S` in UAA's XML): every scope must be present and
    /// `uaa.admin` does not stand in for it. The refusal lists only the missing scope.
    pub fn check_strict(&self, gate: &[&str]) -> Result<(), Error> {
        match gate.iter().find(|s| !self.scopes.contains(s)) {
            None => Ok(()),
            Some(missing) => Err(Error::InsufficientScope {
                scopes: ScopeSet::from_items([*missing]),
            }),
        }
    }

    /// UAA `IsSelfCheck.isUserSelf`: a user token whose user is the one the path names.
    pub fn is_user_self(&self, user_id: &str) -> bool {
        self.user_id.as_ref().is_some_and(|u| u.as_str() == user_id)
    }

    /// An expression gate that also opens for the user the path names
    /// (`… or @self.isUserSelf(request,1)`), checked in the use case once the id is known.
    pub fn check_or_self(&self, gate: &[&str], zone: &ZoneId, user_id: &str) -> Result<(), Error> {
        if self.is_user_self(user_id) {
            return Ok(());
        }
        self.check(gate, zone)
    }

    /// UAA `IsSelfCheck.isClientTokenRevocationForSelf`: the token's client is the one the path
    /// names (for client and user tokens alike).
    pub fn is_client_self(&self, client_id: &str) -> bool {
        self.client_id.as_str() == client_id
    }

    /// An expression gate with a self rule the use case has already decided (`… or
    /// @self.isTokenRevocationForSelf(request,3)` needs the stored token, for instance).
    pub fn check_unless_self(
        &self,
        gate: &[&str],
        zone: &ZoneId,
        is_self: bool,
    ) -> Result<(), Error> {
        if is_self {
            return Ok(());
        }
        self.check(gate, zone)
    }
}

/// Placeholder in a gate for `zones.{current zone id}.admin`.
pub const ZONE_ADMIN: &str = "zones.{zid}.admin";

/// A named gate: which scopes open an endpoint (`uaa/…/spring/*.xml`).
pub trait Gate: Send + Sync + 'static {
    const SCOPES: &'static [&'static str];
    /// A `ScopeVoter` gate (`scope=…`): no `uaa.admin` or zone-admin bypass.
    const STRICT: bool = false;
}

macro_rules! gate {
    ($(#[$doc:meta])* $name:ident = [$($s:expr),*]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Gate for $name {
            const SCOPES: &'static [&'static str] = &[$($s),*];
        }
    };
}

gate!(
    /// `GET /oauth/clients[/{id}]`, `/oauth/clients/restricted`.
    ClientsRead = ["clients.read", "clients.admin", ZONE_ADMIN]
);
gate!(
    /// `POST|PUT|DELETE /oauth/clients[/{id}]`, `PUT …/meta`.
    ClientsWrite = ["clients.write", "clients.admin", ZONE_ADMIN]
);
gate!(
    /// `PUT /oauth/clients/{id}/secret` (own chain `clientSecretSecurity`; `clients.write` is
    /// not enough).
    ClientsSecret = ["clients.secret", "clients.admin", ZONE_ADMIN]
);
gate!(
    /// `/oauth/clients/tx/*`.
    ClientsAdmin = ["clients.admin", ZONE_ADMIN]
);
gate!(
    /// Any fully authenticated token (`isFullyAuthenticated()`), e.g. `GET …/meta`.
    Authenticated = []
);
gate!(
    /// `GET /Users` (and, in the use case, `GET /Users/{id}` unless the caller is that user).
    ScimRead = ["scim.read", ZONE_ADMIN]
);
gate!(
    /// `DELETE /Users/{id}` (and, in the use case, `PUT|PATCH /Users/{id}` unless self).
    ScimWrite = ["scim.write", ZONE_ADMIN]
);
gate!(
    /// `POST /Users`, `GET /Users/{id}/verify`.
    ScimCreate = ["scim.write", "scim.create", ZONE_ADMIN]
);
gate!(
    /// `PATCH /Users/{id}/status`.
    AccountStatusWrite = ["scim.write", "uaa.account_status.write", ZONE_ADMIN]
);
gate!(
    /// `POST /Groups`, `POST /Groups/{id}/members`, `PUT|PATCH /Groups/{id}`
    /// (`hasAnyScope('scim.write', 'groups.update')`). Reading groups is `ScimRead`; deleting
    /// groups, members and external mappings and creating mappings is `ScimWrite`.
    GroupsUpdate = ["scim.write", "groups.update", ZONE_ADMIN]
);

gate!(
    /// `/oauth/token/revoke/**` (`tokenRevocationFilter`: `hasScope('tokens.revoke')`). Each
    /// path's self rule (the user revoking their own tokens, a client its own, a token itself)
    /// is checked in the use case.
    TokensRevoke = ["tokens.revoke"]
);
gate!(
    /// `GET /oauth/token/list/user/*` and `/oauth/token/list/client/*` (`tokenListFilter`).
    TokensList = ["tokens.list"]
);
gate!(
    /// The token endpoint's `statelessTokenApiSecurity` chain (a bearer token and a
    /// `client_id`): `hasScope('uaa.user')`, used by the `user_token` grant.
    UaaUser = ["uaa.user"]
);

gate!(
    /// `/approvals/**` (`approvalsSecurity`: `hasScope('oauth.approvals')`).
    OAuthApprovals = ["oauth.approvals"]
);

/// A strict `ScopeVoter` gate: `scope=S`, no admin bypass.
macro_rules! strict_gate {
    ($(#[$doc:meta])* $name:ident = [$($s:expr),*]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Gate for $name {
            const SCOPES: &'static [&'static str] = &[$($s),*];
            const STRICT: bool = true;
        }
    };
}

strict_gate!(
    /// `PUT /Users/{id}/password` (`IS_AUTHENTICATED_FULLY,scope=password.write`).
    PasswordWrite = ["password.write"]
);
strict_gate!(
    /// `GET /ids/Users` (`scope=scim.userids`).
    ScimUserIds = ["scim.userids"]
);
strict_gate!(
    /// `GET|POST /userinfo` (`scope=openid`).
    OpenId = ["openid"]
);

/// Proof that a caller passed gate `G`; only the authorizing extractor builds one.
#[derive(Debug, Clone)]
pub struct Authorized<G: Gate> {
    pub caller: Caller,
    pub zone: ZoneId,
    _gate: std::marker::PhantomData<G>,
}

impl<G: Gate> Authorized<G> {
    pub fn check(caller: Caller, zone: ZoneId) -> Result<Self, Error> {
        if G::STRICT {
            caller.check_strict(G::SCOPES)?;
        } else if !G::SCOPES.is_empty() {
            caller.check(G::SCOPES, &zone)?;
        }
        Ok(Self {
            caller,
            zone,
            _gate: std::marker::PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(scopes: &str, user: bool) -> Caller {
        Caller {
            client_id: ClientId::new("c"),
            user_id: user.then(|| UserId::new("u")),
            user_name: None,
            scopes: ScopeSet::parse(scopes),
            token_zone: ZoneId::uaa(),
            grant_type: "client_credentials".into(),
            jti: "j".into(),
        }
    }

    #[test]
    fn uaa_admin_passes_every_expression_gate() {
        let c = caller("uaa.admin", true);
        assert!(c.check(ClientsAdmin::SCOPES, &ZoneId::uaa()).is_ok());
        assert!(c.check(ClientsSecret::SCOPES, &ZoneId::uaa()).is_ok());
    }

    #[test]
    fn refusal_lists_the_checked_scopes_starting_with_uaa_admin() {
        let c = caller("clients.write", false);
        let Err(Error::InsufficientScope { scopes }) = c.check(ClientsRead::SCOPES, &ZoneId::uaa())
        else {
            panic!("expected insufficient scope");
        };
        assert_eq!(
            scopes.to_space_string(),
            "uaa.admin clients.read clients.admin zones.uaa.admin"
        );
    }

    #[test]
    fn strict_gates_ignore_uaa_admin_and_name_only_the_missing_scope() {
        let c = caller("uaa.admin scim.write", true);
        let Err(Error::InsufficientScope { scopes }) =
            Authorized::<PasswordWrite>::check(c, ZoneId::uaa())
        else {
            panic!("expected insufficient scope");
        };
        assert_eq!(scopes.to_space_string(), "password.write");
        assert!(
            Authorized::<PasswordWrite>::check(caller("password.write", true), ZoneId::uaa())
                .is_ok()
        );
    }

    #[test]
    fn the_self_rule_opens_only_for_the_user_the_path_names() {
        let c = caller("openid", true);
        assert!(
            c.check_or_self(ScimRead::SCOPES, &ZoneId::uaa(), "u")
                .is_ok()
        );
        assert!(
            c.check_or_self(ScimRead::SCOPES, &ZoneId::uaa(), "other")
                .is_err()
        );
        assert!(!caller("scim.read", false).is_user_self("u"));
    }

    #[test]
    fn zone_admin_of_the_current_zone_passes() {
        let c = caller("zones.uaa.admin", true);
        assert!(c.check(ClientsWrite::SCOPES, &ZoneId::uaa()).is_ok());
        assert!(c.is_admin(&ZoneId::uaa()));
    }
}
