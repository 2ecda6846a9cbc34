//! The server's HTML: sign-in, approval, home and error pages. Plain escaped string templates
//! (no template engine, no JavaScript): every interpolated value goes through [`escape`].
//! Pages are semantic HTML with labelled controls, one `h1` naming the zone, messages in
//! `role="alert"` regions, and visible focus, so they work with a keyboard and a screen reader.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uaa_core::service::authorize::ConsentPage;

use crate::session::CSRF_FIELD;

/// HTML-escapes text for element content and double-quoted attribute values.
pub use uaa_core::text::html_escape as escape;

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f4f6f8;color:#1b1f23;margin:0}\
main{max-width:26rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}\
h1{font-size:1rem;font-weight:600;color:#44505c;margin:0 0 .25rem;text-transform:uppercase;letter-spacing:.05em}\
h2{font-size:1.5rem;margin:0 0 1.25rem}\
label{display:block;font-weight:600;margin:1rem 0 .25rem}\
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #6b7785;border-radius:4px}\
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:4px;border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer}\
button.secondary{background:#fff;color:#0b5cad;margin-left:.5rem}\
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}\
.alert{border-left:4px solid #b3261e;background:#fdecea;color:#5f1410;padding:.75rem;margin:0 0 1rem}\
.note{color:#44505c;font-size:.9rem}\
fieldset{border:1px solid #c5ccd3;border-radius:4px;margin:1rem 0 0;padding:.5rem 1rem}\
legend{font-weight:600;padding:0 .25rem}\
.scope{display:flex;gap:.5rem;align-items:center;margin:.5rem 0}\
.scope label{display:inline;font-weight:400;margin:0}\
code{font-size:.95em}";

fn layout(zone_name: &str, title: &str, main: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t} · {z}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>{z}</h1>\n{main}</main>\n</body>\n</html>\n",
        t = escape(title),
        z = escape(zone_name),
    )
}

/// An HTML response with the headers every page carries: no caching, no framing, no scripts.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=UTF-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

/// What the sign-in page says above the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginMessage {
    BadCredentials,
    Locked,
    FormExpired,
    SignedOut,
}

impl LoginMessage {
    /// The `error` query parameter UAA's login page reads (`login_failure`, `account_locked`,
    /// `invalid_login_request`), plus our `logged_out`.
    pub fn from_param(p: &str) -> Option<Self> {
        match p {
            "login_failure" => Some(Self::BadCredentials),
            "account_locked" => Some(Self::Locked),
            "invalid_login_request" => Some(Self::FormExpired),
            _ => None,
        }
    }

    pub fn param(self) -> &'static str {
        match self {
            Self::BadCredentials => "login_failure",
            Self::Locked => "account_locked",
            Self::FormExpired => "invalid_login_request",
            Self::SignedOut => "logged_out",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Self::BadCredentials => "Provided credentials are invalid. Please try again.",
            Self::Locked => {
                "Your account has been locked because of too many failed attempts to login."
            }
            Self::FormExpired => "Your sign-in form expired. Please try again.",
            Self::SignedOut => "You have signed out.",
        }
    }
}

/// The sign-in page (`GET /login`).
pub fn login_page(
    zone_name: &str,
    csrf: &str,
    return_to: Option<&str>,
    username: Option<&str>,
    message: Option<LoginMessage>,
) -> String {
    let alert = match message {
        Some(LoginMessage::SignedOut) => format!(
            "<p class=\"note\" role=\"status\" id=\"login-message\">{}</p>\n",
            LoginMessage::SignedOut.text()
        ),
        Some(m) => format!(
            "<p class=\"alert\" role=\"alert\" id=\"login-message\">{}</p>\n",
            m.text()
        ),
        None => String::new(),
    };
    let described = if message.is_some() {
        " aria-describedby=\"login-message\""
    } else {
        ""
    };
    let invalid = if matches!(
        message,
        Some(LoginMessage::BadCredentials | LoginMessage::Locked)
    ) {
        " aria-invalid=\"true\""
    } else {
        ""
    };
    let return_field = return_to.map_or(String::new(), |r| {
        format!(
            "<input type=\"hidden\" name=\"form_redirect_uri\" value=\"{}\">\n",
            escape(r)
        )
    });
    let main = format!(
        "<h2>Sign in</h2>\n{alert}\
         <form method=\"post\" action=\"/login.do\">\n\
         <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\n{return_field}\
         <label for=\"username\">Email or username</label>\n\
         <input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required autofocus value=\"{user}\"{described}{invalid}>\n\
         <label for=\"password\">Password</label>\n\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required{described}{invalid}>\n\
         <button type=\"submit\">Sign in</button>\n\
         </form>\n",
        csrf = escape(csrf),
        user = escape(username.unwrap_or("")),
    );
    layout(zone_name, "Sign in", &main)
}

/// The approval page (`GET /oauth/authorize` when scopes still need the user's decision).
pub fn consent_page(zone_name: &str, c: &ConsentPage) -> String {
    let scopes: String = c
        .scopes
        .iter()
        .enumerate()
        .map(|(i, (scope, checked))| {
            format!(
                "<div class=\"scope\"><input type=\"checkbox\" id=\"scope-{i}\" name=\"scope.{i}\" value=\"scope.{s}\"{checked}>\
                 <label for=\"scope-{i}\"><code>{s}</code></label></div>\n",
                s = escape(scope),
                checked = if *checked { " checked" } else { "" },
            )
        })
        .collect();
    let main = format!(
        "<h2>Authorize {name}</h2>\n\
         <p><strong>{name}</strong> (client <code>{id}</code>) asks to access your account \
         <strong>{user}</strong>.</p>\n\
         <form method=\"post\" action=\"/oauth/authorize\">\n\
         <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\n\
         <fieldset>\n<legend>Permissions to grant</legend>\n{scopes}</fieldset>\n\
         <button type=\"submit\" name=\"user_oauth_approval\" value=\"true\">Authorize</button>\
         <button type=\"submit\" name=\"user_oauth_approval\" value=\"false\" class=\"secondary\">Deny</button>\n\
         </form>\n\
         <p class=\"note\">You can change your approval of permissions at any time; unchecked \
         permissions are not granted.</p>\n",
        name = escape(&c.client_name),
        id = escape(&c.client_id),
        user = escape(&c.user_name),
        csrf = escape(&c.csrf_token),
    );
    layout(zone_name, "Authorize", &main)
}

/// The signed-in home page (`GET /`).
pub fn home_page(zone_name: &str, user_name: &str, csrf: &str) -> String {
    let main = format!(
        "<h2>Signed in</h2>\n<p>You are signed in as <strong>{user}</strong>.</p>\n\
         <form method=\"post\" action=\"/logout.do\">\n\
         <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\n\
         <button type=\"submit\">Sign out</button>\n</form>\n",
        user = escape(user_name),
        csrf = escape(csrf),
    );
    layout(zone_name, "Signed in", &main)
}

/// The forced password change (`GET /force_password_change`, UAA's `force_password_change`
/// template: "Force Change Password", the user's email, a new password twice). `error` is the
/// refusal of the previous attempt.
pub fn force_password_change_page(
    zone_name: &str,
    email: &str,
    csrf: &str,
    return_to: Option<&str>,
    error: Option<&str>,
) -> String {
    let alert = error.map_or(String::new(), |e| {
        format!(
            "<p class=\"alert\" role=\"alert\" id=\"password-message\">{}</p>\n",
            escape(e)
        )
    });
    let described = if error.is_some() {
        " aria-describedby=\"password-message\" aria-invalid=\"true\""
    } else {
        ""
    };
    let return_field = return_to.map_or(String::new(), |r| {
        format!(
            "<input type=\"hidden\" name=\"form_redirect_uri\" value=\"{}\">\n",
            escape(r)
        )
    });
    let main = format!(
        "<h2>Force Change Password</h2>\n\
         <p>Your password must be changed before you continue.</p>\n\
         <p>Email: <strong>{email}</strong></p>\n{alert}\
         <form method=\"post\" action=\"/force_password_change\">\n\
         <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\n{return_field}\
         <label for=\"password\">New password</label>\n\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"new-password\" required autofocus{described}>\n\
         <label for=\"password_confirmation\">Confirm new password</label>\n\
         <input type=\"password\" id=\"password_confirmation\" name=\"password_confirmation\" autocomplete=\"new-password\" required{described}>\n\
         <button type=\"submit\">Create new password</button>\n\
         </form>\n",
        email = escape(email),
        csrf = escape(csrf),
    );
    layout(zone_name, "Force Change Password", &main)
}

/// An error for the user (`/oauth/error` in UAA): what went wrong, never a redirect.
pub fn error_page(zone_name: &str, error: &str, description: &str) -> String {
    let main = format!(
        "<h2>Something went wrong</h2>\n\
         <div class=\"alert\" role=\"alert\"><p><strong>{e}</strong></p><p>{d}</p></div>\n\
         <p class=\"note\">Return to the application and try again, or contact its owner.</p>\n",
        e = escape(error),
        d = escape(description),
    );
    layout(zone_name, "Error", &main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_interpolated_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let page = login_page(
            "uaa",
            "t\"><script>",
            Some("/x?a=1&b=\"2\""),
            Some("<u>"),
            Some(LoginMessage::BadCredentials),
        );
        assert!(!page.contains("<script>"));
        assert!(page.contains("value=\"/x?a=1&amp;b=&quot;2&quot;\""));
        assert!(page.contains("value=\"&lt;u&gt;\""));
        assert!(page.contains("role=\"alert\""));
    }

    #[test]
    fn every_control_has_a_label() {
        let page = login_page("uaa", "t", None, None, None);
        for id in ["username", "password"] {
            assert!(page.contains(&format!("<label for=\"{id}\">")));
            assert!(page.contains(&format!("id=\"{id}\"")));
        }
        let c = ConsentPage {
            client_id: "app".into(),
            client_name: "App".into(),
            user_name: "marissa".into(),
            scopes: vec![("openid".into(), true), ("x.y".into(), false)],
            csrf_token: "t".into(),
        };
        let page = consent_page("uaa", &c);
        assert!(page.contains("<label for=\"scope-1\">"));
        assert!(page.contains("name=\"scope.0\" value=\"scope.openid\" checked"));
        assert!(page.contains("name=\"scope.1\" value=\"scope.x.y\">"));
    }
}
