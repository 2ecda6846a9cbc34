//! Minting tokens, whatever the grant: the access token's claims in UAA's order (§2.5), its
//! signature, storage of opaque and revocable tokens, the refresh token beside it (§2.4:
//! `RefreshTokenCreator`, `rotate`/`unique`/`restrict_grant` storage rules) and the ID token
//! (§2.6). A grant decides who and which scopes; this module knows no grant and is the only
//! place tokens are signed for the token endpoint.
//!
//! A refresh token is a JWT (`jti` ending in `-r`, `granted_scopes` instead of `scope`). With
//! `jwt.token.refresh.format: opaque` (the default) the client gets only the `jti` and the JWT
//! stays in `revocable_tokens`; with `jwt` the client gets the JWT itself, stored only when
//! revocable.

use serde_json::{Value, json};
use uaa_types::TokenResponse;

use super::{Deps, oidc};
use crate::audit::AuditEventType;
use crate::client::Client;
use crate::error::Result;
use crate::ids::ZoneId;
use crate::ports::{StoredToken, TokenQuery};
use crate::scope::ScopeSet;
use crate::token::{AccessTokenSpec, RefreshFormat, access_token_claims, audience, rev_sig};
use crate::user::User;

pub(crate) const REFRESH_TOKEN: &str = "REFRESH_TOKEN";
/// `RefreshTokenCreator.UAA_REFRESH_TOKEN`.
pub(crate) const OFFLINE_TOKEN: &str = "uaa.offline_token";

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

/// What the refresh grant hands to the access-token minter: the refresh token to return (the
/// same one, or its rotated successor), whether the new access token is revocable (UAA: when
/// `token_format=opaque` or the refresh token is revocable), and the refresh token's `aud`.
#[derive(Debug, Clone)]
pub(crate) struct Reissue {
    pub(crate) refresh_token: String,
    pub(crate) revocable: bool,
    pub(crate) aud: Value,
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
            mint_refresh(deps, zone, client, u, &g, &scopes, revocable).await?
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

/// `RefreshTokenCreator.createRefreshToken` and the refresh half of
/// `UaaTokenServices.persistRevocableToken`: signs a refresh token for `user` and `client`,
/// stores it when revocable (after deleting the pair's older ones under `unique`), and returns
/// what the client gets, or `None` when `restrict_grant` withholds it.
pub(crate) async fn mint_refresh(
    deps: &Deps,
    zone: &ZoneId,
    client: &Client,
    user: &User,
    grant: &Grant<'_>,
    scopes: &ScopeSet,
    access_revocable: bool,
) -> Result<Option<String>> {
    let policy = &deps.settings.token;
    let refresh = policy.refresh;
    if refresh.restrict_grant && !scopes.contains(OFFLINE_TOKEN) {
        return Ok(None);
    }
    let opaque = grant.opaque || refresh.format == RefreshFormat::Opaque;
    let revocable = access_revocable || opaque || policy.jwt_revocable;
    let now = deps.clock.now_secs();
    let expires_at = now + refresh_validity(deps, client);
    let jti = format!("{}-r", deps.random.hex32());
    let cid = client.client_id.as_str();
    let mut claims = json!({
        "jti": jti, "sub": user.id.as_str(), "iat": now, "exp": expires_at,
        "cid": cid, "client_id": cid, "iss": policy.token_endpoint(), "zid": zone.as_str(),
        "aud": audience(cid, scopes), "granted_scopes": scopes.to_vec(),
    });
    if let Value::Object(c) = &mut claims {
        // A user_token grant has no user authentication of its own, so no `amr`.
        if grant.name != "user_token" {
            c.insert("amr".into(), json!(["pwd"]));
        }
        if let Some(t) = grant.auth_time {
            c.insert("auth_time".into(), json!(t));
        }
        if let Some(m) = grant.auth_method {
            c.insert("client_auth_method".into(), json!(m));
        }
        c.insert("grant_type".into(), json!(grant.name));
        c.insert("user_name".into(), json!(user.username));
        c.insert("origin".into(), json!(user.origin));
        c.insert("user_id".into(), json!(user.id.as_str()));
        if revocable {
            c.insert("revocable".into(), json!(true));
        }
        c.insert(
            "rev_sig".into(),
            json!(rev_sig(client, client.rev_sig_secret(), Some(user))),
        );
    }
    let jwt = deps.signer.sign(zone, &claims)?;
    if opaque || policy.jwt_revocable {
        let row = StoredToken {
            token_id: jti.clone(),
            client_id: cid.to_owned(),
            user_id: Some(user.id.to_string()),
            format: if opaque { "opaque" } else { "jwt" }.into(),
            response_type: REFRESH_TOKEN.into(),
            issued_at_ms: deps.clock.now_millis(),
            expires_at_ms: expires_at * 1000,
            scope: scopes.to_space_string(),
            value: jwt.clone(),
            zone_id: zone.clone(),
        };
        store_refresh(deps, zone, row).await?;
    }
    Ok(Some(if opaque { jti } else { jwt }))
}

/// Client `refresh_token_validity` > the zone's (§2.7).
fn refresh_validity(deps: &Deps, client: &Client) -> i64 {
    client
        .refresh_token_validity
        .filter(|v| *v > 0)
        .unwrap_or(deps.settings.token.refresh_token_validity)
}

/// Stores a refresh token unless it is stored already (`createIfNotExists`); under
/// `jwt.token.refresh.unique` the pair's other refresh tokens go first.
pub(crate) async fn store_refresh(deps: &Deps, zone: &ZoneId, row: StoredToken) -> Result<()> {
    if deps.settings.token.refresh.unique {
        let q = TokenQuery {
            client_id: Some(&row.client_id),
            user_id: row.user_id.as_deref(),
            response_type: Some(REFRESH_TOKEN),
        };
        deps.tokens.delete_tokens(zone, q).await?;
    }
    if deps.tokens.get_token(zone, &row.token_id).await?.is_none() {
        deps.tokens.put_token(row).await?;
    }
    Ok(())
}
