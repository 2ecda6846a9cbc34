//! Request extractors: the identity zone of a request (resolved here and nowhere else), the
//! bearer-token caller with its gate, client credentials for the token endpoint, and bodies
//! that fail as UAA-style 4xx JSON instead of axum's plain-text rejections.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use serde::de::DeserializeOwned;
use uaa_core::authz::{Authorized, Caller, Gate};
use uaa_core::error::Error;
use uaa_core::ids::{ClientId, UserId, ZoneId};
use uaa_core::secret::Secret;
use uaa_core::service::client_auth::{AuthMethod, ClientCredentials};
use uaa_core::service::token::validate_token;

use crate::error::ApiError;
use crate::state::AppState;

/// The identity zone a request addresses. Only the default zone `uaa` exists so far; the
/// switching headers naming any other zone are refused as UAA refuses an unknown zone.
#[derive(Debug, Clone)]
pub struct Zone(pub ZoneId);

impl FromRequestParts<AppState> for Zone {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        resolve_zone(&parts.headers).map(Zone)
    }
}

/// `IdentityZoneSwitchingFilter` + `IdentityZoneResolvingFilter`: the id header wins over the
/// subdomain header; with only `localhost`-style hosts configured every host is the default
/// zone.
pub fn resolve_zone(headers: &HeaderMap) -> Result<ZoneId, ApiError> {
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::trim);
    let id = get("x-identity-zone-id").filter(|s| !s.is_empty());
    let sub = get("x-identity-zone-subdomain").filter(|s| !s.is_empty());
    match (id, sub) {
        (None, None) | (Some("uaa"), _) | (None, Some("uaa")) => Ok(ZoneId::uaa()),
        (id, sub) => Err(Error::report(
            404,
            "zone_not_found",
            format!(
                "Identity zone with id/subdomain {}/{} does not exist",
                id.unwrap_or("null"),
                sub.unwrap_or("null")
            ),
        )
        .into()),
    }
}

const FULL_AUTH: &str = "Full authentication is required to access this resource";

/// The bearer token of a request (`Authorization: Bearer …`, any case of the scheme: uaac
/// copies `token_type` verbatim and sends `bearer`).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Validates the bearer token and turns it into a `Caller`.
pub async fn caller_from_headers(
    state: &AppState,
    headers: &HeaderMap,
    zone: &ZoneId,
) -> Result<Caller, ApiError> {
    let Some(token) = bearer_token(headers) else {
        return Err(ApiError::oauth(Error::Unauthorized(FULL_AUTH.into())));
    };
    let valid = validate_token(&state.deps, zone, token)
        .await
        .map_err(ApiError::oauth)?;
    let f = valid.facts;
    Ok(Caller {
        client_id: ClientId::new(f.client_id),
        user_id: f.user_id.clone().map(UserId::new),
        user_name: f.user_name,
        scopes: f.scopes,
        token_zone: ZoneId::new(f.zid),
        grant_type: f.grant_type,
        jti: f.jti,
    })
}

/// A caller that passed gate `G` in the request's zone.
pub struct Auth<G: Gate>(pub Authorized<G>);

impl<G: Gate> FromRequestParts<AppState> for Auth<G> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let zone = resolve_zone(&parts.headers)?;
        let caller = caller_from_headers(state, &parts.headers, &zone).await?;
        Authorized::<G>::check(caller, zone)
            .map(Auth)
            .map_err(ApiError::oauth)
    }
}

/// Basic credentials: `Authorization: Basic base64(id:secret)`. RFC 6749 §2.3.1 says both
/// parts are form-urlencoded first; UAA decodes them unless
/// `authentication.enableUriEncodingCompatibilityMode` is on and the client did not send
/// `X-CF-ENCODED-CREDENTIALS: true`.
pub fn basic_credentials(
    headers: &HeaderMap,
    compat_mode: bool,
) -> Result<Option<ClientCredentials>, ApiError> {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    // ClientBasicAuthenticationFilter's BadCredentialsExceptions, which UaaExceptionTranslator
    // renders as 401 `invalid_client` with their message.
    let bad = || {
        ApiError::client(Error::InvalidClient(
            "Failed to decode basic authentication token".into(),
        ))
    };
    let v = v.to_str().map_err(|_| bad())?;
    let Some((scheme, rest)) = v.split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .map_err(|_| bad())?;
    // Java's `new String(bytes, UTF_8)`: invalid sequences become U+FFFD.
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (id, secret) = raw.split_once(':').ok_or_else(|| {
        ApiError::client(Error::InvalidClient(
            "Invalid basic authentication token".into(),
        ))
    })?;
    let encoded = headers
        .get("x-cf-encoded-credentials")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let decode = !compat_mode || encoded;
    let (id, secret) = if decode {
        (form_decode(id), form_decode(secret))
    } else {
        (id.to_owned(), secret.to_owned())
    };
    Ok(Some(ClientCredentials {
        client_id: id,
        secret: Secret::new(secret),
        method: AuthMethod::Basic,
    }))
}

/// `application/x-www-form-urlencoded` decoding of one value (`+` is a space).
fn form_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// An unreadable or oversized body: 413 for the size limit, 400 otherwise.
fn body_rejection(e: axum::extract::rejection::BytesRejection) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::oauth(Error::report(
            413,
            "payload_too_large",
            "Request body is larger than the server accepts",
        ))
    } else {
        ApiError::bad_request(e.body_text())
    }
}

/// Parses form parameters; the first occurrence of a name wins.
pub fn parse_form(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(bytes) {
        out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    out
}

/// Form parameters from the query string and a form body (the body wins). As a servlet reads
/// request parameters, a body of another content type (JSON, say) contributes none: the
/// endpoint then answers as it does for missing parameters (`/oauth/token` "Missing grant
/// type", `/check_token` "Token parameter must be set").
pub struct FormParams(pub BTreeMap<String, String>);

impl FromRequest<AppState> for FormParams {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let query = req.uri().query().map(str::to_owned);
        let is_form = content_type(req.headers()).is_none_or(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
        let body = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        let mut params = if is_form {
            parse_form(&body)
        } else {
            BTreeMap::new()
        };
        if let Some(q) = query {
            for (k, v) in parse_form(q.as_bytes()) {
                params.entry(k).or_insert(v);
            }
        }
        Ok(FormParams(params))
    }
}

/// `AutologinRequestConverter`: the body of `POST /autologin` is JSON when its type says so,
/// else a form; either way a flat map of strings.
pub struct FormOrJson(pub BTreeMap<String, String>);

impl FromRequest<AppState> for FormOrJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let json = content_type(req.headers())
            .is_some_and(|ct| ct.to_ascii_lowercase().contains("application/json"));
        let body = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        if !json {
            return Ok(Self(parse_form(&body)));
        }
        let map: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))?;
        Ok(Self(
            map.into_iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k, s)),
                    serde_json::Value::Null => None,
                    other => Some((k, other.to_string())),
                })
                .collect(),
        ))
    }
}

/// A JSON body (UAA's `@RequestBody`). A body of another content type, or none, is refused as
/// the endpoint family `E` refuses it in UAA; syntax or type errors become 400 with the error
/// code `E` names (`invalid_client` on client endpoints, as UAA's handlers do).
pub struct JsonBody<T, E = InvalidRequest>(pub T, pub PhantomData<E>);

/// How an endpoint family refuses a body. Spring reads a `@RequestBody` only as
/// `application/json` or `application/*+json`; anything else (no `Content-Type` counts as
/// `application/octet-stream`) raises `HttpMediaTypeNotSupportedException`, and a missing body
/// without a type `HttpMessageNotReadableException`. What the client sees depends on the
/// controller's exception handlers; without one, Spring answers 415 or 400 (UAA's error page
/// has no JSON fields, so here they carry UAA's `error`/`error_description` pair).
pub trait BodyErrorCode {
    /// Malformed JSON or a field of the wrong type.
    fn error(msg: String) -> Error;
    /// A body that is not JSON; `content_type` as Spring prints it.
    fn unsupported(content_type: &str) -> Error {
        Error::Uaa {
            status: 415,
            error: "unsupported_media_type".into(),
            description: unsupported_message(content_type),
        }
    }
    /// No body and no content type.
    fn missing() -> Error {
        Error::InvalidRequest(MISSING_BODY.into())
    }
}

const MISSING_BODY: &str = "Required request body is missing";

/// Spring 5's `HttpMediaTypeNotSupportedException` message.
fn unsupported_message(content_type: &str) -> String {
    format!("Content type '{content_type}' not supported")
}

/// Endpoints without their own handler (client metadata, passwords, identity providers):
/// Spring's 415 / 400.
pub struct InvalidRequest;
impl BodyErrorCode for InvalidRequest {
    fn error(msg: String) -> Error {
        Error::InvalidRequest(msg)
    }
}

/// `ClientAdminEndpoints`: JSON errors are `invalid_client`; a wrong content type is Spring's
/// 415 (the controller has no handler for it).
pub struct InvalidClientBody;
impl BodyErrorCode for InvalidClientBody {
    fn error(msg: String) -> Error {
        Error::InvalidClientDetails(msg)
    }
}

/// `ScimUserEndpoints` / `ScimGroupEndpoints`: every failure, a wrong content type included,
/// goes through `handleException`, whose status map gives `HttpMediaTypeException` and
/// `HttpMessageConversionException` 400, reported as `ScimException` (`"error":"scim"`).
pub struct ScimBody;
impl BodyErrorCode for ScimBody {
    fn error(msg: String) -> Error {
        Error::report(400, "scim", msg)
    }
    fn unsupported(content_type: &str) -> Error {
        Error::report(400, "scim", unsupported_message(content_type))
    }
    fn missing() -> Error {
        Error::report(400, "scim", MISSING_BODY)
    }
}

/// `ApprovalsAdminEndpoints.handleException`: any body failure is 400 `uaa` "Error accessing
/// user's approvals" (Spring's own text is dropped).
pub struct ApprovalsBody;
impl ApprovalsBody {
    fn refused() -> Error {
        Error::report(400, "uaa", "Error accessing user's approvals")
    }
}
impl BodyErrorCode for ApprovalsBody {
    fn error(_: String) -> Error {
        Self::refused()
    }
    fn unsupported(_: &str) -> Error {
        Self::refused()
    }
    fn missing() -> Error {
        Self::refused()
    }
}

/// The request's `Content-Type` as Spring's `MediaType.toString` prints it (parameters
/// joined by `;` without spaces), or `None` without the header.
fn content_type(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_TYPE)?;
    let text = String::from_utf8_lossy(v.as_bytes());
    Some(
        text.split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(";"),
    )
}

/// `application/json` or `application/<anything>+json`, any parameters.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned, E: BodyErrorCode> FromRequest<AppState> for JsonBody<T, E> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let ct = content_type(req.headers());
        let body = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        match ct {
            None if body.is_empty() => return Err(ApiError::oauth(E::missing())),
            None => {
                return Err(ApiError::oauth(E::unsupported("application/octet-stream")));
            }
            Some(ct) if !is_json(&ct) => return Err(ApiError::oauth(E::unsupported(&ct))),
            Some(_) => {}
        }
        serde_json::from_slice(&body)
            .map(|v| JsonBody(v, PhantomData))
            .map_err(|e| ApiError::oauth(E::error(format!("Invalid JSON body: {e}"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn basic(v: &str, encoded: bool) -> HeaderMap {
        let mut h = HeaderMap::new();
        let b64 = base64::engine::general_purpose::STANDARD.encode(v);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {b64}")).unwrap(),
        );
        if encoded {
            h.insert("x-cf-encoded-credentials", HeaderValue::from_static("true"));
        }
        h
    }

    #[test]
    fn basic_credentials_are_form_decoded_as_uaac_sends_them() {
        let c = basic_credentials(&basic("my+client:sec+ret%2B%2F%25", true), false)
            .unwrap()
            .unwrap();
        assert_eq!(c.client_id, "my client");
        assert_eq!(c.secret.expose(), "sec ret+/%");
    }

    #[test]
    fn compatibility_mode_keeps_raw_credentials_without_the_header() {
        let c = basic_credentials(&basic("a+b:c%2B", false), true)
            .unwrap()
            .unwrap();
        assert_eq!((c.client_id.as_str(), c.secret.expose()), ("a+b", "c%2B"));
    }

    #[test]
    fn malformed_basic_headers_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        assert!(basic_credentials(&h, false).is_err());
        assert!(basic_credentials(&basic("nocolon", false), false).is_err());
    }
}
