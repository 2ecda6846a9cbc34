//! The `urn:ietf:params:oauth:grant-type:jwt-bearer` grant (RFC 7523 §2.1): a client trades an
//! assertion (an ID token or access token) of an external identity provider for a UAA token
//! of the user it names. UAA does this in `BackwardsCompatibleTokenEndpointAuthenticationFilter`
//! (assertion → `ExternalOAuthAuthenticationManager`) and `JwtTokenGranter`; the checks, their
//! order and their messages are UAA's, so every refusal is 401 `unauthorized` with UAA's
//! description (`JwtBearerGrantMockMvcTests`: "Assertion is missing", "Could not verify token
//! signature.").
//!
//! Differences from UAA: the grant is checked before the assertion (UAA authenticates the
//! assertion, and may create a shadow user, before it looks at the client's grants), and an
//! assertion whose `nbf` lies in the future is refused (RFC 7523 §3 item 6; UAA ignores `nbf`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use uaa_types::TokenResponse;

use super::super::Deps;
use super::request::TokenRequest;
use super::user::issue_for_user;
use crate::audit::AuditEventType;
use crate::error::{Error, Result};
use crate::idp::{ExternalIdp, generated_email};
use crate::ids::ZoneId;
use crate::secret::SecretHash;
use crate::user::{NewUser, User};

/// The grant type, as clients send it and as the token's `grant_type` claim carries it.
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// What authenticating an assertion is recorded as in the audit log.
const AUDIT_ORIGIN: &str = "jwt-bearer grant";

/// `JwtTokenGranter` after the assertion authenticated the user: the password grant's rules
/// for scopes (requested ∩ client scopes ∩ the user's groups), then the token.
pub async fn grant(deps: &Deps, zone: &ZoneId, req: &TokenRequest<'_>) -> Result<TokenResponse> {
    let assertion = req
        .params
        .get("assertion")
        .map(String::as_str)
        .unwrap_or("");
    let user = authenticate_assertion(deps, zone, assertion).await?;
    issue_for_user(deps, zone, req, &user, GRANT_TYPE).await
}

/// `ExternalOAuthAuthenticationManager.authenticate` for an assertion: find the provider by
/// `iss`, verify signature, audience and expiry, map the claims to a username, find or create
/// the (shadow) user of origin = the provider's alias. Failures are audited.
async fn authenticate_assertion(deps: &Deps, zone: &ZoneId, assertion: &str) -> Result<User> {
    if assertion.is_empty() {
        return Err(Error::Unauthorized("Assertion is missing".into()));
    }
    let unverified = unverified_claims(assertion)
        .ok_or_else(|| Error::Unauthorized("Unable to decode expected id_token".into()))?;
    let Some(issuer) = unverified
        .get("iss")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err(Error::Unauthorized("Issuer is missing in id_token".into()));
    };
    let Some(idp) = deps
        .settings
        .identity_providers
        .iter()
        .find(|p| p.issuer == issuer)
    else {
        let message = format!("Unable to map issuer, {issuer} , to a single registered provider");
        deps.audit(
            zone,
            AuditEventType::IdentityProviderAuthenticationFailure,
            issuer,
            AUDIT_ORIGIN,
            message.clone(),
        )
        .await;
        return Err(Error::Unauthorized(message));
    };
    match verified_user(deps, zone, idp, assertion).await {
        Ok(user) => {
            deps.audit(
                zone,
                AuditEventType::IdentityProviderAuthenticationSuccess,
                user.id.as_str(),
                AUDIT_ORIGIN,
                format!("user_name={} origin={}", user.username, idp.alias),
            )
            .await;
            Ok(user)
        }
        Err(e) => {
            let reason = match &e {
                Error::Unauthorized(m) => m.clone(),
                other => other.to_string(),
            };
            deps.audit(
                zone,
                AuditEventType::IdentityProviderAuthenticationFailure,
                &idp.alias,
                AUDIT_ORIGIN,
                reason,
            )
            .await;
            Err(e)
        }
    }
}

async fn verified_user(deps: &Deps, zone: &ZoneId, idp: &ExternalIdp, token: &str) -> Result<User> {
    let unauthorized = |m: &str| Error::Unauthorized(m.to_owned());
    // JwtTokenSignedByThisUAA.checkSignature: one message whatever went wrong.
    let claims = idp
        .verifier
        .as_ref()
        .ok_or_else(|| unauthorized("Could not verify token signature."))?
        .verify(token)
        .map_err(|_| unauthorized("Could not verify token signature."))?;
    check_audience(&claims, idp.relying_party_id.as_deref())?;
    let now = deps.clock.now_secs();
    // checkExpiry: a missing or past `exp` is the same refusal.
    match claims.get("exp").and_then(Value::as_f64) {
        Some(exp) if exp >= now as f64 => {}
        _ => return Err(unauthorized("Token does not bear a valid EXP claim.")),
    }
    if claims
        .get("nbf")
        .and_then(Value::as_f64)
        .is_some_and(|nbf| nbf > now as f64)
    {
        return Err(unauthorized("Token is not yet valid."));
    }
    let m = &idp.mappings;
    let username = match m.user_name.as_deref() {
        Some(claim) => mapped_claim(&claims, claim, "user_name")?,
        None => mapped_claim(&claims, "sub", "sub")?,
    }
    .filter(|u| !u.trim().is_empty())
    .ok_or_else(|| unauthorized("Unable to map claim to a username"))?;
    if let Some(user) = deps.users.find_user(zone, &username, &idp.alias).await? {
        return Ok(user);
    }
    if !idp.add_shadow_user {
        return Err(unauthorized(
            "The user account must be pre-created. Please contact your system administrator.",
        ));
    }
    let email = mapped_claim(&claims, m.email.as_deref().unwrap_or("email"), "email")?
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| generated_email(&username, &idp.alias));
    let given_name = mapped_claim(
        &claims,
        m.given_name.as_deref().unwrap_or("given_name"),
        "given_name",
    )?;
    let family_name = mapped_claim(
        &claims,
        m.family_name.as_deref().unwrap_or("family_name"),
        "family_name",
    )?;
    let user = deps
        .users
        .bootstrap_user(
            zone,
            NewUser {
                username: username.clone(),
                password_hash: SecretHash::new(""),
                email,
                given_name,
                family_name,
                origin: idp.alias.clone(),
                groups: Vec::new(),
            },
        )
        .await?;
    deps.audit(
        zone,
        AuditEventType::UserCreatedEvent,
        user.id.as_str(),
        AUDIT_ORIGIN,
        format!("user_name={username} origin={} (shadow user)", idp.alias),
    )
    .await;
    Ok(user)
}

/// `JwtTokenSignedByThisUAA.checkAudience(relyingPartyId)`.
fn check_audience(claims: &Value, relying_party: Option<&str>) -> Result<()> {
    let unauthorized = |m: String| Error::Unauthorized(m);
    let Some(aud) = claims.get("aud") else {
        return Err(unauthorized("The token does not bear an AUD claim.".into()));
    };
    let audience: Vec<&str> = match aud {
        Value::String(s) => vec![s.as_str()],
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .iter()
            .map(Value::as_str)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                unauthorized("The token's audience claim is invalid or unparseable.".into())
            })?,
        _ => {
            return Err(unauthorized(
                "The token's audience claim is invalid or unparseable.".into(),
            ));
        }
    };
    let party = relying_party.unwrap_or("null");
    if relying_party.is_some_and(|p| audience.contains(&p)) {
        return Ok(());
    }
    let shown = if party.is_empty() {
        "EMPTY_VALUE"
    } else {
        party
    };
    Err(unauthorized(format!(
        "Some parties were not in the token audience: {shown}"
    )))
}

/// UAA `getMappedClaim`: a string, or a list holding exactly one distinct string.
fn mapped_claim(claims: &Value, claim: &str, attribute: &str) -> Result<Option<String>> {
    match claims.get(claim) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Array(items)) => {
            let mut distinct: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            distinct.sort_unstable();
            distinct.dedup();
            match distinct.as_slice() {
                [] => Ok(None),
                [one] => Ok(Some((*one).to_owned())),
                _ => Err(Error::Unauthorized(format!(
                    "Claim mapping for {attribute} attribute is ambiguous"
                ))),
            }
        }
        Some(_) => Err(Error::Unauthorized(format!(
            "External token attribute {claim} cannot be mapped to user attribute {attribute}"
        ))),
    }
}

/// The claims of a compact JWS, before any verification (only to route it by `iss`).
fn unverified_claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(Value::is_object)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_audience_must_name_the_relying_party() {
        let ok = json!({"aud": ["a", "rp"]});
        assert!(check_audience(&ok, Some("rp")).is_ok());
        assert!(check_audience(&json!({"aud": "rp"}), Some("rp")).is_ok());
        assert_eq!(
            check_audience(&json!({"aud": "x"}), Some("rp")),
            Err(Error::Unauthorized(
                "Some parties were not in the token audience: rp".into()
            ))
        );
        assert_eq!(
            check_audience(&json!({}), Some("rp")),
            Err(Error::Unauthorized(
                "The token does not bear an AUD claim.".into()
            ))
        );
        assert!(check_audience(&json!({"aud": [1]}), Some("rp")).is_err());
        assert!(check_audience(&ok, None).is_err());
    }

    #[test]
    fn claims_map_like_uaa_get_mapped_claim() {
        let c = json!({"s": "x", "l": ["y", "y"], "two": ["a", "b"], "n": 3, "e": []});
        assert_eq!(mapped_claim(&c, "s", "user_name"), Ok(Some("x".into())));
        assert_eq!(mapped_claim(&c, "l", "user_name"), Ok(Some("y".into())));
        assert_eq!(mapped_claim(&c, "e", "user_name"), Ok(None));
        assert_eq!(mapped_claim(&c, "missing", "user_name"), Ok(None));
        assert!(mapped_claim(&c, "two", "user_name").is_err());
        assert!(mapped_claim(&c, "n", "email").is_err());
    }

    #[test]
    fn unverified_claims_need_a_three_part_token_with_a_json_object() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"iss":"x"}"#);
        assert_eq!(
            unverified_claims(&format!("h.{payload}.s")),
            Some(json!({"iss": "x"}))
        );
        assert_eq!(unverified_claims(&format!("h.{payload}")), None);
        assert_eq!(unverified_claims("a.b.c.d"), None);
        assert_eq!(unverified_claims("h.bm90anNvbg.s"), None);
    }
}
