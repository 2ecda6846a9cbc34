//! The known procedure for changing a client's secret with only an admin user at hand
//! (issue 3), run with this `uaac` against the project's server under both policies.

use serde_json::Value;
use uaa_testkit::TestServer;

use crate::support::Uaac;

fn yaml(require_client_token: bool) -> String {
    format!(
        r#"
issuer:
  uri: http://localhost:8080/uaa
oauth:
  client:
    secret:
      requireClientToken: {require_client_token}
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,clients.admin
    cf:
      secret: ''
      authorized-grant-types: password,refresh_token
      scope: uaa.admin,clients.read,clients.write,clients.secret,openid
    myapp:
      secret: oldsecret
      authorized-grant-types: authorization_code
      redirect-uri: http://localhost/cb
      scope: openid
      authorities: uaa.resource
scim:
  users:
    - root|rootpass|root@example.com|Root|User|uaa.admin,clients.read,clients.write,clients.secret
"#
    )
}

/// The client's grant types and authorities as the server has them.
async fn stored(s: &TestServer) -> Value {
    let token = s.client_token("admin", "adminsecret").await;
    s.http
        .get(s.url("/oauth/clients/myapp"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Whether `secret` authenticates `myapp` (client authentication comes before the grant
/// check, so an unauthorized grant still proves the secret).
async fn secret_works(s: &TestServer, secret: &str) -> bool {
    let r = s
        .token_request("myapp", secret, &[("grant_type", "client_credentials")])
        .await;
    let body: Value = r.json().await.unwrap();
    body["error_description"] != "Bad credentials"
}

async fn admin_login(u: &Uaac) {
    let r = u
        .run(
            &[
                "token", "owner", "get", "cf", "root", "-s", "", "-p", "rootpass",
            ],
            "",
        )
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("Successfully fetched token via owner password grant."),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_secret_change_procedure_works_as_written_under_uaa_73_rules() {
    let s = TestServer::with_yaml(&yaml(true)).await;
    let u = Uaac::new();
    let r = u.run(&["target", &s.base], "").await;
    assert_eq!(r.code, 0, "{r:?}");
    admin_login(&u).await;

    // Before the procedure: the admin user may not set the secret directly.
    let r = u
        .run(&["secret", "set", "myapp", "-s", "newsecret"], "")
        .await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("error response:"), "{r:?}");
    assert!(r.stdout.contains("\"error\": \"invalid_client\""), "{r:?}");
    assert!(
        r.stdout.contains("Only a client can change client secret"),
        "{r:?}"
    );
    assert!(secret_works(&s, "oldsecret").await);

    // 1. Give the client client_credentials and clients.secret (note the singular option).
    let r = u
        .run(
            &[
                "client",
                "update",
                "myapp",
                "--authorities",
                "clients.secret,uaa.resource",
                "--authorized_grant_type",
                "client_credentials,authorization_code",
            ],
            "",
        )
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    let c = stored(&s).await;
    assert!(
        c["authorized_grant_types"]
            .as_array()
            .unwrap()
            .contains(&"client_credentials".into())
    );

    // 2. Log in as the client.
    let r = u
        .run(&["token", "client", "get", "myapp", "-s", "oldsecret"], "")
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("Successfully fetched token via client credentials grant."),
        "{r:?}"
    );

    // 3. The context shows clients.secret.
    let r = u.run(&["context"], "").await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("clients.secret"), "{r:?}");

    // 4. Change the secret, answering the prompts on standard input.
    let r = u
        .run(&["secret", "change"], "oldsecret\nnewsecret\nnewsecret\n")
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("Current secret:  "), "{r:?}");
    assert!(r.stdout.contains("New secret:  "), "{r:?}");
    assert!(r.stdout.contains("Verify new secret:  "), "{r:?}");
    assert!(secret_works(&s, "newsecret").await);
    assert!(!secret_works(&s, "oldsecret").await);

    // 5. As the admin user again, take the grant and the authority away.
    admin_login(&u).await;
    let r = u
        .run(
            &[
                "client",
                "update",
                "myapp",
                "--authorities",
                "uaa.resource",
                "--authorized_grant_type",
                "authorization_code",
            ],
            "",
        )
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    let c = stored(&s).await;
    let grants = c["authorized_grant_types"].as_array().unwrap();
    assert!(!grants.contains(&"client_credentials".into()), "{c}");
    assert_eq!(c["authorities"], serde_json::json!(["uaa.resource"]));
    assert!(secret_works(&s, "newsecret").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn under_the_default_policy_the_admin_user_sets_the_secret_directly() {
    let s = TestServer::with_yaml(&yaml(false)).await;
    let u = Uaac::new();
    assert_eq!(u.run(&["target", &s.base], "").await.code, 0);
    admin_login(&u).await;
    let r = u
        .run(&["secret", "set", "myapp", "-s", "newsecret"], "")
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "client secret successfully set\n");
    assert!(secret_works(&s, "newsecret").await);
    assert!(!secret_works(&s, "oldsecret").await);
}
