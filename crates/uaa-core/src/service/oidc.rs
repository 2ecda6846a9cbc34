//! OpenID Connect as UAA speaks it (reference §2.6, §3): when a token response also carries an
//! ID token (`IdTokenGranter.shouldSendIdToken`), what the ID token says (`IdTokenCreator`),
//! the `/userinfo` answer (`UserInfoEndpoint`) and the discovery document
//! (`OpenIdConfiguration`). The token endpoint and `/oauth/authorize` call in here; the claims
//! are built by pure functions so they are tested without a store or a key.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Deps;
use crate::authz::{Authorized, OpenId};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::scim::users::UserRecord;
use crate::scope::ScopeSet;
use crate::token::{TokenPolicy, rev_sig};
use crate::user::User;

/// The scope without which nobody gets an ID token or `/userinfo`.
pub const OPENID: &str = "openid";

/// `IdTokenGranter.GRANT_TYPES_THAT_MAY_GET_ID_TOKENS`.
const ID_TOKEN_GRANTS: [&str; 4] = [
    "authorization_code",
    "password",
    "implicit",
    "refresh_token",
];

/// `IdTokenGranter.shouldSendIdToken`, approvals aside (`/oauth/authorize` grants only approved
/// scopes): a user grant that may carry ID tokens, a client registered with `openid`, and
/// `openid` among the granted scopes.
pub fn id_token_applies(client: &Client, grant_type: &str, granted: &ScopeSet) -> bool {
    ID_TOKEN_GRANTS.contains(&grant_type)
        && client.scope.contains(OPENID)
        && granted.contains(OPENID)
}

/// How the user signed in and what the request asked for, beyond the user and the client.
#[derive(Debug, Clone, Default)]
pub struct IdTokenRequest<'a> {
    /// The grant (`password`, `authorization_code`, `implicit`, `refresh_token`).
    pub grant_type: &'a str,
    /// The granted scopes: `profile`, `roles` and `user_attributes` add claims.
    pub scopes: ScopeSet,
    /// When the user authenticated, epoch seconds.
    pub auth_time: Option<i64>,
    /// `amr`: how the user authenticated (`pwd` for a password, UAA's internal users).
    pub amr: Vec<String>,
    /// `acr` values; UAA has them only from an external identity provider, so an internal
    /// user's ID token has no `acr`.
    pub acr: Vec<String>,
    /// The request's `nonce` (OIDC Core §3.1.2.1), echoed when given.
    pub nonce: Option<&'a str>,
    /// The access token's `jti`: UAA gives both tokens of a response the same id.
    pub jti: &'a str,
}

/// Custom attributes and roles of a user (UAA's `user_info` table). Only external identity
/// providers store them, so an internal user has none; the claims are still present (empty)
/// when their scopes are granted, so clients see a stable shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub roles: Vec<String>,
    pub user_attributes: BTreeMap<String, Vec<String>>,
}

/// The claims of an ID token (reference §2.6), in the reference's order. Absent values are
/// left out (UAA's `@JsonInclude(NON_NULL)`), `given_name`, `family_name` and `phone_number`
/// need the `profile` scope (`IdTokenCreator.getIfScopeContainsProfile`), and
/// `jwt.token.claims.exclude` applies as it does to access tokens.
#[allow(clippy::too_many_arguments)]
pub fn id_token_claims(
    policy: &TokenPolicy,
    zone: &ZoneId,
    client: &Client,
    user: &User,
    profile: Option<&UserRecord>,
    info: &UserInfo,
    req: &IdTokenRequest<'_>,
    issued_at: i64,
) -> Map<String, Value> {
    let cid = client.client_id.as_str();
    let with_profile = req.scopes.contains("profile");
    let mut c = Map::new();
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            c.insert(k.to_owned(), v);
        }
    };
    put("sub", json!(user.id.as_str()));
    put("aud", json!([cid]));
    put("iss", json!(policy.token_endpoint()));
    put("exp", json!(issued_at + policy.access_validity(client)));
    put("iat", json!(issued_at));
    put("auth_time", json!(req.auth_time));
    put("amr", json!(req.amr));
    if !req.acr.is_empty() {
        put("acr", json!({"values": req.acr}));
    }
    put("azp", json!(cid));
    put("nonce", json!(req.nonce));
    put("email", json!(user.email));
    put(
        "email_verified",
        json!(profile.map_or(user.verified, |p| p.verified)),
    );
    if with_profile {
        let given = profile.map_or(user.given_name.as_deref(), |p| p.given_name.as_deref());
        let family = profile.map_or(user.family_name.as_deref(), |p| p.family_name.as_deref());
        put("given_name", json!(given));
        put("family_name", json!(family));
        put(
            "phone_number",
            json!(profile.and_then(|p| p.phone_number.as_deref())),
        );
    }
    put(
        "previous_logon_time",
        json!(profile.map_or(user.previous_logon_success_time, |p| {
            p.previous_logon_success_time
        })),
    );
    if req.scopes.contains("roles") {
        put("roles", json!(info.roles));
    }
    if req.scopes.contains("user_attributes") {
        put("user_attributes", json!(info.user_attributes));
    }
    put("scope", json!([OPENID]));
    put("cid", json!(cid));
    put("client_id", json!(cid));
    put("grant_type", json!(req.grant_type));
    put("user_name", json!(user.username));
    put("user_id", json!(user.id.as_str()));
    put("zid", json!(zone.as_str()));
    put("origin", json!(user.origin));
    put("jti", json!(req.jti));
    put(
        "rev_sig",
        json!(rev_sig(client, client.rev_sig_secret(), Some(user))),
    );
    for k in &policy.claims_exclude {
        c.remove(k);
    }
    c
}

/// Signs an ID token with the active key, as access tokens are signed. The user's profile is
/// read afresh, as UAA's `retrieveUserById` does, so `previous_logon_time` is the sign-in
/// before the one that is being recorded.
pub async fn id_token(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: &User,
    req: &IdTokenRequest<'_>,
) -> Result<String> {
    let profile = deps
        .scim_users
        .get_scim_user(zone, user.id.as_str())
        .await?;
    let claims = id_token_claims(
        &deps.settings.token,
        zone,
        client,
        user,
        profile.as_ref(),
        &UserInfo::default(),
        req,
        deps.clock.now_secs(),
    );
    deps.signer.sign(zone, &Value::Object(claims))
}

/// `GET|POST /userinfo` (reference §3): the caller passed the strict `openid` gate; the answer
/// describes the token's user (`UserInfoResponse`), with `user_attributes` and `roles` when
/// the token has those scopes.
pub async fn user_info(deps: &Deps, auth: &Authorized<OpenId>) -> Result<Value> {
    let caller = &auth.caller;
    // UAA fails with a 500 when a client token holds `openid` (no user principal); a 403
    // says the same without blaming the server.
    let Some(user_id) = &caller.user_id else {
        return Err(Error::AccessDenied(
            "The userinfo endpoint requires a user token".into(),
        ));
    };
    let Some(user) = deps
        .scim_users
        .get_scim_user(&auth.zone, user_id.as_str())
        .await?
    else {
        return Err(Error::InvalidToken(format!(
            "Token bears a non-existent user ID: {user_id}"
        )));
    };
    Ok(user_info_body(&user, &UserInfo::default(), &caller.scopes))
}

/// The `/userinfo` body: `UserInfoResponse` field order, `null` fields left out except
/// `previous_logon_time`, `name` = "given family" (either part may be missing).
pub fn user_info_body(user: &UserRecord, info: &UserInfo, scopes: &ScopeSet) -> Value {
    let mut b = Map::new();
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            b.insert(k.to_owned(), v);
        }
    };
    put("user_id", json!(user.id.as_str()));
    put("user_name", json!(user.username));
    put("given_name", json!(user.given_name));
    put("family_name", json!(user.family_name));
    put("phone_number", json!(user.phone_number));
    put("email", json!(user.email));
    put("email_verified", json!(user.verified));
    b.insert(
        "previous_logon_time".into(),
        json!(user.previous_logon_success_time),
    );
    if scopes.contains("user_attributes") {
        b.insert("user_attributes".into(), json!(info.user_attributes));
    }
    if scopes.contains("roles") {
        b.insert("roles".into(), json!(info.roles));
    }
    let name = format!(
        "{}{}",
        user.given_name.as_deref().unwrap_or(""),
        user.family_name
            .as_deref()
            .map(|f| format!(" {f}"))
            .unwrap_or_default()
    );
    b.insert("name".into(), json!(name));
    b.insert("sub".into(), json!(user.id.as_str()));
    Value::Object(b)
}

/// `/.well-known/openid-configuration` (reference §3, UAA's `OpenIdConfiguration`): the issuer
/// is the token endpoint, the other endpoints hang off `issuer.uri`. `signing_algs` are the
/// algorithms of the configured keys; any beyond UAA's `RS256, HS256` (ES256) are added so a
/// relying party may accept what this server signs with.
pub fn openid_configuration(policy: &TokenPolicy, signing_algs: &[&str]) -> Value {
    let base = policy.issuer.trim_end_matches('/');
    let mut algs = vec!["RS256", "HS256"];
    for a in signing_algs {
        if !algs.contains(a) {
            algs.push(a);
        }
    }
    json!({
        "issuer": policy.token_endpoint(),
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        // UAA lists `private_key_jwt` (and the signing algorithms such client assertions may
        // use); this server authenticates clients by secret only, so it says only that.
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": format!("{base}/userinfo"),
        "jwks_uri": format!("{base}/token_keys"),
        "end_session_endpoint": format!("{base}/logout.do"),
        "scopes_supported": ["openid", "profile", "email", "phone", "roles", "user_attributes"],
        "response_types_supported": ["code", "code id_token", "id_token", "token id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "id_token_encryption_alg_values_supported": ["none"],
        "claim_types_supported": ["normal"],
        "claims_supported": [
            "sub", "user_name", "origin", "iss", "auth_time", "amr", "acr", "client_id", "aud",
            "zid", "grant_type", "user_id", "azp", "scope", "exp", "iat", "jti", "rev_sig", "cid",
            "given_name", "family_name", "phone_number", "email"
        ],
        "claims_parameter_supported": false,
        "service_documentation": "http://docs.cloudfoundry.org/api/uaa/",
        "ui_locales_supported": ["en-US"],
        "code_challenge_methods_supported": ["S256", "plain"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientDraft;
    use crate::ids::UserId;
    use crate::secret::SecretHash;

    fn client(scope: &str) -> Client {
        ClientDraft {
            client_id: "rp".into(),
            scope: ScopeSet::parse(scope),
            grant_types: vec!["password".into()],
            ..ClientDraft::default()
        }
        .into_client(ZoneId::uaa(), Vec::new(), 0)
    }

    fn user() -> User {
        User {
            id: UserId::new("u-1"),
            zone_id: ZoneId::uaa(),
            username: "marissa".into(),
            password_hash: SecretHash::new("$2a$04$hash"),
            email: "marissa@test.org".into(),
            given_name: Some("Marissa".into()),
            family_name: Some("Bloggs".into()),
            origin: "uaa".into(),
            active: true,
            verified: true,
            salt: None,
            created: 0,
            last_modified: 0,
            passwd_lastmodified: 0,
            version: 0,
            last_logon_success_time: Some(2_000),
            previous_logon_success_time: Some(1_000),
            passwd_change_required: false,
        }
    }

    fn record(given: Option<&str>, family: Option<&str>) -> UserRecord {
        let u = user();
        UserRecord {
            id: u.id,
            zone_id: u.zone_id,
            version: 0,
            created: 0,
            last_modified: 0,
            username: u.username,
            email: u.email,
            given_name: given.map(str::to_owned),
            family_name: family.map(str::to_owned),
            active: true,
            phone_number: Some("555".into()),
            verified: false,
            origin: u.origin,
            external_id: None,
            salt: None,
            passwd_lastmodified: None,
            passwd_change_required: false,
            last_logon_success_time: Some(3_000),
            previous_logon_success_time: Some(2_000),
            password_hash: u.password_hash,
        }
    }

    fn policy(exclude: &[&str]) -> TokenPolicy {
        TokenPolicy {
            issuer: "http://localhost:8080/uaa".into(),
            access_token_validity: 43_200,
            refresh_token_validity: 2_592_000,
            jwt_revocable: false,
            claims_exclude: exclude.iter().map(|s| (*s).to_owned()).collect(),
            refresh: crate::token::RefreshPolicy::default(),
        }
    }

    fn request(scopes: &str) -> IdTokenRequest<'static> {
        IdTokenRequest {
            grant_type: "password",
            scopes: ScopeSet::parse(scopes),
            auth_time: Some(100),
            amr: vec!["pwd".into()],
            acr: Vec::new(),
            nonce: None,
            jti: "j",
        }
    }

    #[test]
    fn id_tokens_need_a_user_grant_openid_registered_and_openid_granted() {
        let openid = ScopeSet::parse("openid uaa.user");
        let rp = client("openid uaa.user");
        for g in [
            "password",
            "authorization_code",
            "implicit",
            "refresh_token",
        ] {
            assert!(id_token_applies(&rp, g, &openid), "{g}");
        }
        for g in [
            "client_credentials",
            "user_token",
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
        ] {
            assert!(!id_token_applies(&rp, g, &openid), "{g}");
        }
        assert!(!id_token_applies(
            &rp,
            "password",
            &ScopeSet::parse("uaa.user")
        ));
        assert!(!id_token_applies(&client("uaa.user"), "password", &openid));
    }

    #[test]
    fn profile_claims_need_the_profile_scope_and_come_from_the_fresh_record() {
        let (c, u, r) = (client("openid profile"), user(), record(Some("M"), None));
        let info = UserInfo::default();
        let zone = ZoneId::uaa();
        let without = id_token_claims(
            &policy(&[]),
            &zone,
            &c,
            &u,
            Some(&r),
            &info,
            &request("openid"),
            10,
        );
        for k in [
            "given_name",
            "family_name",
            "phone_number",
            "roles",
            "user_attributes",
            "acr",
            "nonce",
        ] {
            assert!(!without.contains_key(k), "{k}");
        }
        assert_eq!(without["previous_logon_time"], json!(2_000));
        assert_eq!(without["email_verified"], json!(false));
        assert_eq!(without["exp"], json!(43_210));
        let with = id_token_claims(
            &policy(&[]),
            &zone,
            &c,
            &u,
            Some(&r),
            &info,
            &request("openid profile roles user_attributes"),
            10,
        );
        assert_eq!(with["given_name"], json!("M"));
        assert!(
            !with.contains_key("family_name"),
            "null claims are left out"
        );
        assert_eq!(with["phone_number"], json!("555"));
        assert_eq!(with["roles"], json!([]));
        assert_eq!(with["user_attributes"], json!({}));
    }

    #[test]
    fn acr_nonce_and_excluded_claims() {
        let (c, u) = (client("openid"), user());
        let mut req = request("openid");
        req.acr = vec!["urn:oasis:names:tc:SAML:2.0:ac:classes:Password".into()];
        req.nonce = Some("n");
        let claims = id_token_claims(
            &policy(&["email", "rev_sig"]),
            &ZoneId::uaa(),
            &c,
            &u,
            None,
            &UserInfo::default(),
            &req,
            10,
        );
        assert_eq!(
            claims["acr"],
            json!({"values": ["urn:oasis:names:tc:SAML:2.0:ac:classes:Password"]})
        );
        assert_eq!(claims["nonce"], json!("n"));
        assert!(!claims.contains_key("email"));
        assert!(!claims.contains_key("rev_sig"));
        assert_eq!(
            claims["previous_logon_time"],
            json!(1_000),
            "from the user without a record"
        );
    }

    #[test]
    fn userinfo_name_joins_given_and_family_as_uaa_does() {
        let scopes = ScopeSet::parse("openid");
        let name =
            |g, f| user_info_body(&record(g, f), &UserInfo::default(), &scopes)["name"].clone();
        assert_eq!(
            name(Some("Marissa"), Some("Bloggs")),
            json!("Marissa Bloggs")
        );
        assert_eq!(name(Some("Marissa"), None), json!("Marissa"));
        assert_eq!(name(None, Some("Bloggs")), json!(" Bloggs"));
        assert_eq!(name(None, None), json!(""));
    }

    #[test]
    fn discovery_adds_the_algorithms_of_configured_keys_once() {
        let d = openid_configuration(&policy(&[]), &["RS256", "ES256", "ES256"]);
        assert_eq!(
            d["id_token_signing_alg_values_supported"],
            json!(["RS256", "HS256", "ES256"])
        );
        assert_eq!(d["issuer"], json!("http://localhost:8080/uaa/oauth/token"));
        assert_eq!(d["jwks_uri"], json!("http://localhost:8080/uaa/token_keys"));
    }
}
