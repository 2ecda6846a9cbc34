//! OAuth clients: the stored model, the rules UAA applies when a client is created or updated
//! (`ClientAdminEndpointsValidator`, reference §1.4), the update merge (`syncWithExisting`),
//! and who may change a secret (`ClientAdminEndpoints.checkPasswordChangeIsAllowed`, §1.2).

use serde_json::{Map, Value};
use uaa_types::ClientDetails;

use crate::authz::Caller;
use crate::error::{Error, Result};
use crate::ids::{ClientId, ZoneId};
use crate::policy::SecretChangePolicy;
use crate::scope::ScopeSet;
use crate::secret::{Secret, SecretHash};

/// Grant types a client may hold (UAA `VALID_GRANTS`), in UAA's order.
pub const VALID_GRANTS: &[&str] = &[
    "implicit",
    "password",
    "client_credentials",
    "authorization_code",
    "refresh_token",
    "user_token",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
];

/// `VALID_GRANTS` as UAA's messages print it: the iteration order of its `HashSet`.
const VALID_GRANTS_AS_PRINTED: &[&str] = &[
    "implicit",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
    "password",
    "client_credentials",
    "authorization_code",
    "user_token",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
];

pub const GRANT_JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A registered client, as stored (`oauth_client_details`).
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub zone_id: ZoneId,
    pub client_id: ClientId,
    /// Zero, one or two bcrypt hashes; the second exists during a rotation. An empty secret
    /// (UAA's `cf`) is stored as the hash of "".
    pub secrets: Vec<SecretHash>,
    pub scope: ScopeSet,
    pub resource_ids: ScopeSet,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub authorities: ScopeSet,
    /// `["true"]` means every scope is auto-approved.
    pub autoapprove: Vec<String>,
    pub access_token_validity: Option<i64>,
    pub refresh_token_validity: Option<i64>,
    pub name: Option<String>,
    pub allowed_providers: Option<Vec<String>>,
    pub allow_public: bool,
    pub token_salt: Option<String>,
    pub required_user_groups: Vec<String>,
    /// Unknown fields, echoed back (UAA's additional information).
    pub additional: Map<String, Value>,
    pub last_modified: i64,
    pub created_by: Option<String>,
    pub metadata: ClientMeta,
}

/// The `/meta` view of a client (`ClientMetadata`), stored in the client's row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientMeta {
    pub show_on_home_page: bool,
    pub app_launch_url: Option<String>,
    pub app_icon: Option<String>,
}

impl Client {
    pub fn has_grant(&self, grant: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant)
    }

    /// The hash that feeds `rev_sig`: the second one when two are stored (UAA §2.6).
    pub fn rev_sig_secret(&self) -> Option<&str> {
        self.secrets.last().map(SecretHash::as_str)
    }

    /// The wire form, without any secret.
    pub fn to_details(&self) -> ClientDetails {
        let non_empty = |v: Vec<String>| Some(v);
        ClientDetails {
            scope: non_empty(self.scope.to_vec()),
            client_id: self.client_id.to_string(),
            resource_ids: non_empty(self.resource_ids.to_vec()),
            authorized_grant_types: non_empty(self.grant_types.clone()),
            redirect_uri: (!self.redirect_uris.is_empty()).then(|| self.redirect_uris.clone()),
            autoapprove: Some(self.autoapprove.clone()),
            authorities: non_empty(self.authorities.to_vec()),
            access_token_validity: self.access_token_validity,
            refresh_token_validity: self.refresh_token_validity,
            token_salt: self.token_salt.clone(),
            allowedproviders: self.allowed_providers.clone(),
            name: self.name.clone(),
            last_modified: Some(self.last_modified),
            required_user_groups: Some(self.required_user_groups.clone()),
            allowpublic: self.allow_public.then_some(true),
            additional: self.additional.clone(),
            ..ClientDetails::default()
        }
    }
}

/// A client as requested by a caller, before validation and hashing.
#[derive(Debug, Clone, Default)]
pub struct ClientDraft {
    pub client_id: String,
    pub secret: Option<Secret>,
    pub secondary_secret: Option<Secret>,
    pub scope: ScopeSet,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub authorities: ScopeSet,
    pub autoapprove: Option<Vec<String>>,
    pub access_token_validity: Option<i64>,
    pub refresh_token_validity: Option<i64>,
    pub name: Option<String>,
    pub allowed_providers: Option<Vec<String>>,
    pub allow_public: Option<bool>,
    pub token_salt: Option<String>,
    pub required_user_groups: Option<Vec<String>>,
    pub additional: Map<String, Value>,
}

impl From<ClientDetails> for ClientDraft {
    fn from(d: ClientDetails) -> Self {
        let mut additional = d.additional;
        additional.retain(|_, v| !v.is_null());
        Self {
            client_id: d.client_id,
            secret: d.client_secret.map(Secret::new),
            secondary_secret: d.secondary_client_secret.map(Secret::new),
            scope: ScopeSet::from_items(d.scope.unwrap_or_default()),
            grant_types: d
                .authorized_grant_types
                .unwrap_or_default()
                .into_iter()
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty())
                .collect(),
            redirect_uris: d.redirect_uri.unwrap_or_default(),
            authorities: ScopeSet::from_items(d.authorities.unwrap_or_default()),
            autoapprove: d.autoapprove,
            access_token_validity: d.access_token_validity,
            refresh_token_validity: d.refresh_token_validity,
            name: d.name,
            allowed_providers: d.allowedproviders,
            allow_public: d.allowpublic,
            token_salt: d.token_salt,
            required_user_groups: d.required_user_groups,
            additional,
        }
    }
}

/// What the validator needs to know about the caller (§1.4 rule 6).
#[derive(Debug, Clone, Copy)]
pub struct CallerRights<'a> {
    /// `isAdmin()` or scope `clients.admin`.
    pub admin: bool,
    pub caller_client_id: &'a str,
    /// The caller's own client, if it exists in this zone.
    pub caller_client: Option<&'a Client>,
}

impl<'a> CallerRights<'a> {
    pub fn of(caller: &'a Caller, zone: &ZoneId, caller_client: Option<&'a Client>) -> Self {
        Self {
            admin: caller.is_admin(zone) || caller.scopes.contains("clients.admin"),
            caller_client_id: caller.client_id.as_str(),
            caller_client,
        }
    }

    /// Bootstrap from `uaa.yml` runs with full rights.
    pub fn system() -> Self {
        Self {
            admin: true,
            caller_client_id: "",
            caller_client: None,
        }
    }
}

/// `ClientAdminEndpointsValidator.validate(client, create, checkAdmin)`: normalises `draft`
/// in place and refuses what UAA refuses, with UAA's messages.
pub fn validate(draft: &mut ClientDraft, create: bool, rights: CallerRights<'_>) -> Result<()> {
    let bad = |m: String| Err(Error::InvalidClientDetails(m));
    let id = draft.client_id.as_str();
    if id.is_empty() {
        return bad("Client ID is required".into());
    }
    if create {
        if id == "uaa" {
            return bad("Not allowed: uaa is a reserved client_id".into());
        }
        if id.contains('/') || id.contains('\\') {
            // UAA prints its `Set.of('/', '\\')`, whose order varies between JVM runs.
            return bad(format!(
                "Not allowed characters: {id} must not contain any of [/, \\]"
            ));
        }
    }
    // Rule 3: grant types.
    if draft.grant_types.is_empty() {
        return bad(
            "An authorized grant type must be provided. Must be one of: ".to_owned()
                + &java_list(VALID_GRANTS_AS_PRINTED),
        );
    }
    for g in &draft.grant_types {
        if !VALID_GRANTS.contains(&g.as_str()) {
            return bad(format!(
                "{g} is not an allowed grant type. Must be one of: {}",
                java_list(VALID_GRANTS_AS_PRINTED)
            ));
        }
    }
    let grants = draft.grant_types.clone();
    let has = |g: &str| grants.iter().any(|x| x == g);
    // Rule 2: redirect URIs for browser flows.
    for grant in ["authorization_code", "implicit"] {
        if has(grant) {
            if draft.redirect_uris.is_empty() {
                return bad(format!(
                    "{grant} grant type requires at least one redirect URL."
                ));
            }
            for uri in &draft.redirect_uris {
                if !is_valid_registered_redirect(uri) {
                    return bad(format!("One of the redirect_uri is invalid: {uri}"));
                }
            }
        }
    }
    // Rule 5: jwt-bearer.
    if has(GRANT_JWT_BEARER) {
        if draft.scope.is_empty() {
            return bad(format!(
                "Scope cannot be empty for grant_type {GRANT_JWT_BEARER}"
            ));
        }
        if create && draft.secret.as_ref().is_none_or(Secret::is_empty) {
            return bad(format!(
                "Client secret is required for grant type {GRANT_JWT_BEARER}"
            ));
        }
    }
    // Rule 6: non-admin callers.
    if !rights.admin {
        if has("password") {
            return bad("password is not an allowed grant type for non-admin caller.".into());
        }
        if has("implicit") && has("authorization_code") {
            return bad(
                "Not allowed: implicit grant type is not allowed together with authorization_code"
                    .into(),
            );
        }
        let prefix = format!("{}.", rights.caller_client_id);
        match rights.caller_client {
            Some(caller) => {
                for s in draft.scope.iter() {
                    if !s.starts_with(&prefix) && !caller.scope.contains(s) {
                        return bad(format!(
                            "{s} is not an allowed scope for caller={}. Must have prefix in [{prefix}] or be one of: [{}]",
                            rights.caller_client_id,
                            caller.scope.iter().collect::<Vec<_>>().join(", ")
                        ));
                    }
                }
            }
            // UAA's text, typo included.
            None if !draft.scope.is_empty() => {
                return bad(format!(
                    "No scopes alllowed for null caller and client_id={id}."
                ));
            }
            None => {}
        }
        // Java's HashSet prints [uaa.resource, uaa.none].
        let valid = if has("client_credentials") {
            "[uaa.resource, uaa.none]"
        } else {
            "[uaa.none]"
        };
        for a in draft.authorities.iter() {
            let ok = a == "uaa.none" || (a == "uaa.resource" && has("client_credentials"));
            if !ok {
                return bad(format!(
                    "{a} is not an allowed authority for caller={}. Must be one of: {valid}",
                    rights.caller_client_id
                ));
            }
        }
    }
    // Rule 8: implicit clients have no secret.
    if has("implicit") && draft.secret.as_ref().is_some_and(|s| !s.is_empty()) {
        return bad("Implicit grant should not have a client_secret".into());
    }
    // Rule 9: client_credentials needs a secret on create.
    if create && has("client_credentials") && draft.secret.as_ref().is_none_or(Secret::is_empty) {
        return bad("Client secret is required for client_credentials grant type".into());
    }
    // UAA applies the defaults after the checks above, so they see the requested scope.
    // Rule 4: authorization_code and password imply refresh_token.
    if (has("authorization_code") || has("password")) && !has("refresh_token") {
        draft.grant_types.push("refresh_token".into());
    }
    normalize(draft);
    Ok(())
}

/// The defaults UAA applies to every client, from the API or from `uaa.yml`: empty
/// `scope`/`authorities` become `uaa.none` (§1.4 rule 7). (`ClientAdminBootstrap` adds
/// `refresh_token` only for `authorization_code`, which the config loader does.)
pub fn normalize(draft: &mut ClientDraft) {
    if draft.authorities.is_empty() {
        draft.authorities.insert("uaa.none");
    }
    if draft.scope.is_empty() {
        draft.scope.insert("uaa.none");
    }
}

/// Java's `Collection.toString()`: `[a, b]`.
fn java_list(items: &[&str]) -> String {
    format!("[{}]", items.join(", "))
}

/// `ClientAdminEndpointsValidator`'s redirect rule: UAA's registrable-URL pattern (the one
/// the redirect resolver also applies, `redirect::is_valid_registered_redirect_url`) and no
/// comma.
pub fn is_valid_registered_redirect(uri: &str) -> bool {
    !uri.contains(',') && crate::redirect::is_valid_registered_redirect_url(uri)
}

/// `syncWithExisting`: fields missing or empty in an update are taken from the stored client;
/// additional information is merged, and a `null` value removes a key.
pub fn merge_update(existing: &Client, incoming: ClientDetails) -> ClientDraft {
    let removals: Vec<String> = incoming
        .additional
        .iter()
        .filter(|(_, v)| v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    let incoming_allow_public = incoming.allowpublic;
    let mut d = ClientDraft::from(incoming);
    d.secret = None;
    d.secondary_secret = None;
    if d.scope.is_empty() {
        d.scope = existing.scope.clone();
    }
    if d.authorities.is_empty() {
        d.authorities = existing.authorities.clone();
    }
    if d.grant_types.is_empty() {
        d.grant_types = existing.grant_types.clone();
    }
    if d.redirect_uris.is_empty() {
        d.redirect_uris = existing.redirect_uris.clone();
    }
    if d.access_token_validity.is_none() {
        d.access_token_validity = existing.access_token_validity;
    }
    if d.refresh_token_validity.is_none() {
        d.refresh_token_validity = existing.refresh_token_validity;
    }
    if d.autoapprove.as_ref().is_none_or(Vec::is_empty) && d.autoapprove.is_none() {
        d.autoapprove = Some(existing.autoapprove.clone());
    }
    if d.name.is_none() {
        d.name = existing.name.clone();
    }
    if d.allowed_providers.is_none() {
        d.allowed_providers = existing.allowed_providers.clone();
    }
    if incoming_allow_public.is_none() {
        d.allow_public = Some(existing.allow_public);
    }
    if d.required_user_groups.is_none() {
        d.required_user_groups = Some(existing.required_user_groups.clone());
    }
    // The token salt is server-managed: an update never changes it.
    d.token_salt = existing.token_salt.clone();
    let mut additional = existing.additional.clone();
    for (k, v) in std::mem::take(&mut d.additional) {
        additional.insert(k, v);
    }
    for k in removals {
        additional.remove(&k);
    }
    d.additional = additional;
    d
}

impl ClientDraft {
    /// Builds the stored client once the draft is valid and its secrets are hashed.
    pub fn into_client(self, zone_id: ZoneId, secrets: Vec<SecretHash>, now_ms: i64) -> Client {
        Client {
            zone_id,
            client_id: ClientId::new(self.client_id),
            secrets,
            scope: self.scope,
            // §1.3: resource_ids are always overwritten to ["none"].
            resource_ids: ScopeSet::parse("none"),
            grant_types: self.grant_types,
            redirect_uris: self.redirect_uris,
            authorities: self.authorities,
            autoapprove: self
                .autoapprove
                .unwrap_or_default()
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect(),
            access_token_validity: self.access_token_validity,
            refresh_token_validity: self.refresh_token_validity,
            name: self.name,
            allowed_providers: self.allowed_providers,
            allow_public: self.allow_public.unwrap_or(false),
            token_salt: self.token_salt,
            required_user_groups: self.required_user_groups.unwrap_or_default(),
            additional: self.additional,
            last_modified: now_ms,
            created_by: None,
            metadata: ClientMeta::default(),
        }
    }
}

/// `changeMode` of a secret change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeMode {
    Update,
    Add,
    Delete,
}

impl ChangeMode {
    /// `changeMode` defaults to `UPDATE`; UAA's enum parse is case-sensitive.
    pub fn parse(s: Option<&str>) -> Result<Self> {
        match s {
            None | Some("UPDATE") => Ok(Self::Update),
            Some("ADD") => Ok(Self::Add),
            Some("DELETE") => Ok(Self::Delete),
            Some(other) => Err(Error::InvalidClientDetails(format!(
                "Invalid changeMode: {other}. Must be one of: [UPDATE, ADD, DELETE]"
            ))),
        }
    }
}

/// What the caller must still prove before a secret change proceeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretChangeAuth {
    /// Admins need no `oldSecret`.
    Admin,
    /// The caller changes its own client and must present a valid `oldSecret`.
    NeedsOldSecret,
}

/// `checkPasswordChangeIsAllowed`, with the policy that decides whether a user token may
/// change a secret at all.
pub fn authorize_secret_change(
    policy: SecretChangePolicy,
    caller: &Caller,
    zone: &ZoneId,
    target: &str,
    old_secret_given: bool,
) -> Result<SecretChangeAuth> {
    // UAA ≤ 73.7: the very first statement refused any token representing a user.
    if policy == SecretChangePolicy::RequireClientToken && !caller.is_client_only() {
        return Err(Error::InvalidClientDetails(
            "Only a client can change client secret".into(),
        ));
    }
    if caller.is_admin(zone) || caller.scopes.contains("clients.admin") {
        return Ok(SecretChangeAuth::Admin);
    }
    // For a user token the "self" client is the one that obtained the token (its `cid`).
    if caller.client_id.as_str() != target {
        return Err(Error::InvalidClientDetails(
            "Bad request. Not permitted to change another client's secret".into(),
        ));
    }
    if !old_secret_given {
        return Err(previous_secret_required());
    }
    Ok(SecretChangeAuth::NeedsOldSecret)
}

pub fn previous_secret_required() -> Error {
    Error::InvalidClientDetails("Previous secret is required and must be valid".into())
}

/// Applies `mode` to the stored hashes (§1.2 step 3). `new_hash` is the hash of the new secret
/// (unused for `DELETE`). Returns the new list and UAA's success message.
pub fn apply_secret_change(
    current: &[SecretHash],
    mode: ChangeMode,
    new_hash: Option<SecretHash>,
) -> Result<(Vec<SecretHash>, &'static str)> {
    match mode {
        ChangeMode::Update => Ok((new_hash.into_iter().collect(), "secret updated")),
        ChangeMode::Add => {
            if current.len() > 1 {
                return Err(Error::InvalidClientDetails(
                    "client secret is either empty or client already has two secrets.".into(),
                ));
            }
            let mut v = current.to_vec();
            v.extend(new_hash);
            Ok((v, "Secret is added"))
        }
        ChangeMode::Delete => {
            if current.len() != 2 {
                return Err(Error::InvalidClientDetails(
                    "client secret is either empty or client has only one secret.".into(),
                ));
            }
            // UAA removes the first (older) hash and keeps the second.
            Ok((current[1..].to_vec(), "Secret is deleted"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    fn draft(json: &str) -> ClientDraft {
        ClientDraft::from(serde_json::from_str::<ClientDetails>(json).unwrap())
    }

    fn caller(scopes: &str, user: bool, client: &str) -> Caller {
        Caller {
            client_id: ClientId::new(client),
            user_id: user.then(|| UserId::new("u1")),
            user_name: None,
            scopes: ScopeSet::parse(scopes),
            token_zone: ZoneId::uaa(),
            grant_type: if user {
                "password"
            } else {
                "client_credentials"
            }
            .into(),
            jti: "j".into(),
        }
    }

    #[test]
    fn password_grant_gets_refresh_token_added_silently() {
        let mut d = draft(r#"{"client_id":"a","authorized_grant_types":["password"]}"#);
        validate(&mut d, true, CallerRights::system()).unwrap();
        assert_eq!(d.grant_types, vec!["password", "refresh_token"]);
        assert_eq!(d.scope.to_vec(), vec!["uaa.none"]);
        assert_eq!(d.authorities.to_vec(), vec!["uaa.none"]);
    }

    #[test]
    fn reserved_and_malformed_ids_are_refused_on_create() {
        let mut d = draft(r#"{"client_id":"uaa","authorized_grant_types":["password"]}"#);
        assert_eq!(
            validate(&mut d, true, CallerRights::system()),
            Err(Error::InvalidClientDetails(
                "Not allowed: uaa is a reserved client_id".into()
            ))
        );
        let mut d = draft(r#"{"client_id":"a/b","authorized_grant_types":["password"]}"#);
        assert!(validate(&mut d, true, CallerRights::system()).is_err());
    }

    #[test]
    fn client_credentials_needs_a_secret_on_create() {
        let mut d = draft(r#"{"client_id":"a","authorized_grant_types":["client_credentials"]}"#);
        assert_eq!(
            validate(&mut d, true, CallerRights::system()),
            Err(Error::InvalidClientDetails(
                "Client secret is required for client_credentials grant type".into()
            ))
        );
    }

    #[test]
    fn unknown_grant_type_lists_the_valid_ones() {
        let mut d = draft(r#"{"client_id":"a","authorized_grant_types":["magic"]}"#);
        let Err(Error::InvalidClientDetails(m)) = validate(&mut d, true, CallerRights::system())
        else {
            panic!()
        };
        assert!(m.starts_with(
            "magic is not an allowed grant type. Must be one of: [implicit, refresh_token"
        ));
    }

    #[test]
    fn authorization_code_requires_a_redirect() {
        let mut d = draft(
            r#"{"client_id":"a","client_secret":"s","authorized_grant_types":["authorization_code"]}"#,
        );
        assert_eq!(
            validate(&mut d, true, CallerRights::system()),
            Err(Error::InvalidClientDetails(
                "authorization_code grant type requires at least one redirect URL.".into()
            ))
        );
    }

    #[test]
    fn redirect_validity_follows_uaa() {
        assert!(is_valid_registered_redirect("http://localhost:8080/cb"));
        assert!(is_valid_registered_redirect("https://*.example.com/**"));
        assert!(is_valid_registered_redirect("myapp://callback"));
        assert!(!is_valid_registered_redirect("http://a.com/x,y"));
        assert!(!is_valid_registered_redirect("not a url"));
        assert!(!is_valid_registered_redirect("http:///nohost"));
    }

    #[test]
    fn non_admin_callers_cannot_create_password_clients() {
        let c = caller("clients.write", false, "writer");
        let mut d = draft(r#"{"client_id":"a","authorized_grant_types":["password"]}"#);
        assert_eq!(
            validate(&mut d, true, CallerRights::of(&c, &ZoneId::uaa(), None)),
            Err(Error::InvalidClientDetails(
                "password is not an allowed grant type for non-admin caller.".into()
            ))
        );
    }

    #[test]
    fn require_client_token_policy_refuses_user_tokens_first() {
        let admin_user = caller("uaa.admin clients.secret", true, "cf");
        assert_eq!(
            authorize_secret_change(
                SecretChangePolicy::RequireClientToken,
                &admin_user,
                &ZoneId::uaa(),
                "cf",
                true
            ),
            Err(Error::InvalidClientDetails(
                "Only a client can change client secret".into()
            ))
        );
        assert_eq!(
            authorize_secret_change(
                SecretChangePolicy::Current,
                &admin_user,
                &ZoneId::uaa(),
                "other",
                false
            ),
            Ok(SecretChangeAuth::Admin)
        );
    }

    #[test]
    fn secret_holders_change_only_their_own_secret_with_the_old_one() {
        let c = caller("clients.secret", false, "me");
        let z = ZoneId::uaa();
        let p = SecretChangePolicy::Current;
        assert_eq!(
            authorize_secret_change(p, &c, &z, "other", true),
            Err(Error::InvalidClientDetails(
                "Bad request. Not permitted to change another client's secret".into()
            ))
        );
        assert_eq!(
            authorize_secret_change(p, &c, &z, "me", false),
            Err(previous_secret_required())
        );
        assert_eq!(
            authorize_secret_change(p, &c, &z, "me", true),
            Ok(SecretChangeAuth::NeedsOldSecret)
        );
    }

    #[test]
    fn add_and_delete_follow_the_two_secret_rules() {
        let h = |s: &str| SecretHash::new(s);
        let (v, m) = apply_secret_change(&[h("a")], ChangeMode::Add, Some(h("b"))).unwrap();
        assert_eq!((v.clone(), m), (vec![h("a"), h("b")], "Secret is added"));
        assert!(apply_secret_change(&v, ChangeMode::Add, Some(h("c"))).is_err());
        let (v, m) = apply_secret_change(&v, ChangeMode::Delete, None).unwrap();
        assert_eq!((v.clone(), m), (vec![h("b")], "Secret is deleted"));
        assert_eq!(
            apply_secret_change(&v, ChangeMode::Delete, None),
            Err(Error::InvalidClientDetails(
                "client secret is either empty or client has only one secret.".into()
            ))
        );
    }
}
