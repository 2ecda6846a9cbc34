//! `passwordChangeRequired` (uaa-accounts §5): a user flagged with `PATCH /Users/{id}/status`
//! gets no token from the password grant or the `source=credentials` authorize, and a browser
//! that signs in is sent to `/force_password_change` (new password twice, the password policy,
//! CSRF), which then completes the authorization that was under way.

use serde_json::{Value, json};
use uaa_testkit::TestServer;

use crate::browser::{Browser, hidden, params_of, query, reply};
use crate::common::{json as read, send};

const CB: &str = "https://app.example.com/cb";

const YAML: &str = "
password:
  policy:
    minLength: 6
    requireDigit: 1
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,scim.read,scim.write
    app:
      secret: appsecret
      authorized-grant-types: authorization_code,password
      scope: openid
      authorities: uaa.none
      redirect-uri: https://app.example.com/cb
      autoapprove: true
    cf:
      secret: ''
      authorized-grant-types: implicit,password
      scope: openid
      redirect-uri: https://uaa.cloudfoundry.com/redirect/cf
      autoapprove: true
scim:
  users:
    - marissa|koala1|marissa@test.org|Marissa|Bloggs|uaa.user
";

/// A server where marissa must change her password.
async fn flagged() -> TestServer {
    let s = TestServer::with_yaml(YAML).await;
    let admin = s.client_token("admin", "adminsecret").await;
    let (_, users) =
        crate::common::get(&s, &admin, "/Users?filter=userName%20eq%20%22marissa%22").await;
    let id = users["resources"][0]["id"].as_str().expect("id").to_owned();
    let (status, body) = send(
        &s,
        reqwest::Method::PATCH,
        &admin,
        &format!("/Users/{id}/status"),
        &json!({"passwordChangeRequired": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    s
}

async fn password_grant(s: &TestServer, password: &str) -> (u16, Value) {
    read(
        s.token_request(
            "app",
            "appsecret",
            &[
                ("grant_type", "password"),
                ("username", "marissa"),
                ("password", password),
            ],
        )
        .await,
    )
    .await
}

/// Posts the change form with the page's CSRF token and return target.
async fn submit(
    b: &mut Browser<'_>,
    csrf: &str,
    back: &str,
    password: &str,
    confirmation: &str,
) -> crate::browser::Reply {
    b.post(
        "/force_password_change",
        &[
            ("password", password),
            ("password_confirmation", confirmation),
            ("X-Uaa-Csrf", csrf),
            ("form_redirect_uri", back),
        ],
    )
    .await
}

fn code_request() -> String {
    format!(
        "/oauth/authorize?{}",
        query(&[
            ("response_type", "code"),
            ("client_id", "app"),
            ("redirect_uri", CB),
            ("state", "s1"),
        ])
    )
}

#[tokio::test]
async fn the_password_grant_refuses_a_flagged_user_with_401_password_change_required() {
    let s = flagged().await;
    let (status, body) = password_grant(&s, "koala1").await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body,
        json!({"error": "unauthorized", "error_description": "password change required"})
    );
    // A wrong password is still just bad credentials.
    let (status, body) = password_grant(&s, "wrong1").await;
    assert_eq!(status, 401);
    assert_eq!(body["error_description"], "Bad credentials");
    // uaac's `token get` (source=credentials) is refused the same way.
    let r = s
        .http
        .post(s.url("/oauth/authorize"))
        .header("accept", "application/json")
        .form(&[
            ("source", "credentials"),
            ("client_id", "cf"),
            ("response_type", "token"),
            ("redirect_uri", "https://uaa.cloudfoundry.com/redirect/cf"),
            ("username", "marissa"),
            ("password", "koala1"),
        ])
        .send()
        .await
        .expect("authorize");
    let (status, body) = read(r).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error_description"], "password change required");
}

#[tokio::test]
async fn signing_in_leads_to_the_change_page_which_completes_the_authorization() {
    let s = flagged().await;
    let mut b = Browser::new(&s);
    // The client sends the browser; it signs in and comes back to the request.
    let r = b.get(&code_request()).await;
    assert_eq!(r.status, 302);
    assert!(r.location().starts_with("/login?"), "{}", r.location());
    let login = b.get(&r.location()).await;
    let back = hidden(&login.body, "form_redirect_uri");
    let csrf = hidden(&login.body, "X-Uaa-Csrf");
    let r = b
        .post(
            "/login.do",
            &[
                ("username", "marissa"),
                ("password", "koala1"),
                ("X-Uaa-Csrf", &csrf),
                ("form_redirect_uri", &back),
            ],
        )
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    // The authorization waits for the new password.
    let r = b.get(&r.location()).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let change = r.location();
    assert!(change.starts_with("/force_password_change?"), "{change}");
    // So does everything else.
    let home = b.get("/").await;
    assert_eq!(home.status, 302);
    assert!(home.location().starts_with("/force_password_change"));

    let page = b.get(&change).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Force Change Password"));
    assert!(
        page.body
            .contains("Email: <strong>marissa@test.org</strong>")
    );
    let csrf = hidden(&page.body, "X-Uaa-Csrf");
    let back = hidden(&page.body, "form_redirect_uri");
    // UAA's checks, in its order, each re-rendering the form with 422.
    for (password, confirmation, message) in [
        ("", "", "Passwords must match and not be empty."),
        (
            "newpass2",
            "newpass3",
            "Passwords must match and not be empty.",
        ),
        (
            "koala1",
            "koala1",
            "Your new password cannot be the same as the old password.",
        ),
        (
            "short",
            "short",
            "Password must be at least 6 characters in length.",
        ),
    ] {
        let r = submit(&mut b, &csrf, &back, password, confirmation).await;
        assert_eq!(r.status, 422, "{password}: {}", r.body);
        assert!(r.body.contains(message), "{password}: {}", r.body);
        assert!(r.body.contains("role=\"alert\""));
    }
    // Without the session's CSRF token nothing changes.
    let r = b
        .post(
            "/force_password_change",
            &[
                ("password", "newpass2"),
                ("password_confirmation", "newpass2"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(password_grant(&s, "koala1").await.0, 401);

    let r = submit(&mut b, &csrf, &back, "newpass2", "newpass2").await;
    assert_eq!(r.status, 302, "{}", r.body);
    assert!(
        r.location().starts_with("/force_password_change_completed"),
        "{}",
        r.location()
    );
    let r = b.get(&r.location()).await;
    assert_eq!(r.status, 302);
    assert!(
        r.location().starts_with("/oauth/authorize?"),
        "{}",
        r.location()
    );
    // The authorization that was under way completes with the new session.
    let r = b.get(&r.location()).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let done = r.location();
    assert!(done.starts_with(CB), "{done}");
    assert!(params_of(&done, false).contains_key("code"), "{done}");

    // The flag is gone and the new password works; the old one does not.
    let (status, body) = password_grant(&s, "newpass2").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(password_grant(&s, "koala1").await.0, 401);
    let page = b.get("/force_password_change").await;
    assert_eq!((page.status, page.location()), (302, "/".to_owned()));
}

#[tokio::test]
async fn prompt_none_turns_a_pending_password_change_into_interaction_required() {
    let s = flagged().await;
    let mut b = Browser::new(&s);
    let r = b.sign_in("marissa", "koala1").await;
    assert_eq!(r.status, 302, "{}", r.body);
    let r = b.get(&format!("{}&prompt=none", code_request())).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let back = params_of(&r.location(), false);
    assert_eq!(
        back.get("error").map(String::as_str),
        Some("interaction_required")
    );
}

#[tokio::test]
async fn the_change_page_without_a_session_sends_the_browser_to_sign_in() {
    let s = TestServer::with_yaml(YAML).await;
    let r = reply(
        s.http
            .get(s.url("/force_password_change"))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, 302);
    assert!(r.location().starts_with("/login?"), "{}", r.location());
}
