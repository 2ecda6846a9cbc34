//! Cookies of the browser flows and the login-session extractor. The session cookie
//! (`JSESSIONID`, as UAA's servlet container names it) carries a random value whose digest keys
//! the session row, so any instance on the database can serve the next request. Both cookies
//! are `HttpOnly` and `SameSite=Lax` (sent on the top-level navigation back from a client, never
//! on a cross-site POST), and `Secure` when the issuer is https. The login form's CSRF token is
//! a double-submit cookie (`X-Uaa-Csrf`, UAA's name); forms inside a session carry the
//! session's own token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use uaa_core::service::login::{self, Session};

use crate::error::ApiError;
use crate::extract::resolve_zone;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "JSESSIONID";
/// The login form's CSRF cookie and form field (UAA's `X-Uaa-Csrf`).
pub const CSRF_COOKIE: &str = "X-Uaa-Csrf";
pub const CSRF_FIELD: &str = "X-Uaa-Csrf";

/// The value of cookie `name` (the first one sent).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
}

/// A `Set-Cookie` value; `max_age: Some(0)` deletes the cookie, `None` makes it last as long
/// as the browser session.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if state.issuer.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let age = max_age.map_or(String::new(), |a| format!("; Max-Age={a}"));
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The login session of a request, if its cookie names a live one.
pub struct BrowserSession(pub Option<Session>);

impl FromRequestParts<AppState> for BrowserSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(value) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(Self(None));
        };
        let zone = resolve_zone(&parts.headers)?;
        let session = login::current(&state.deps, &zone, &value).await?;
        Ok(Self(session))
    }
}

/// True when the client prefers JSON to HTML: it names `application/json` and not
/// `text/html` (uaac sends `application/json;charset=utf-8`; browsers send `text/html,…`).
pub fn wants_json(headers: &HeaderMap) -> bool {
    let accept = accept(headers);
    accept.contains("application/json") && !accept.contains("text/html")
}

/// True when the client asks for HTML (a browser).
pub fn wants_html(headers: &HeaderMap) -> bool {
    accept(headers).contains("text/html")
}

fn accept(headers: &HeaderMap) -> String {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",")
        .to_ascii_lowercase()
}

/// A path on this server to return to after signing in or out: a local absolute path only
/// (`/x`, not `//host` or `/\host`), so the parameter cannot send the browser elsewhere.
pub fn local_path(p: Option<&str>) -> Option<&str> {
    p.filter(|p| {
        p.starts_with('/')
            && !p.starts_with("//")
            && !p.starts_with("/\\")
            && !p.chars().any(|c| c.is_control())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_from_every_cookie_header() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; JSESSIONID=abc"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("X-Uaa-Csrf=\"t\""));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, CSRF_COOKIE).as_deref(), Some("t"));
        assert_eq!(cookie(&h, "b"), None);
    }

    #[test]
    fn only_local_paths_are_return_targets() {
        assert_eq!(
            local_path(Some("/oauth/authorize?x=1")),
            Some("/oauth/authorize?x=1")
        );
        for bad in [
            "//evil.com",
            "/\\evil.com",
            "https://evil.com",
            "evil",
            "/a\nb",
        ] {
            assert_eq!(local_path(Some(bad)), None, "{bad}");
        }
    }

    #[test]
    fn json_is_chosen_only_when_asked_for_without_html() {
        let h = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, HeaderValue::from_static(v));
            h
        };
        assert!(wants_json(&h("application/json;charset=utf-8")));
        assert!(!wants_json(&h(
            "text/html,application/xhtml+xml,application/json;q=0.9"
        )));
        assert!(!wants_json(&HeaderMap::new()));
        assert!(wants_html(&h("text/html,*/*;q=0.8")));
    }
}
