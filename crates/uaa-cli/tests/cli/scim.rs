//! uaac's user, group, member and password commands against the server's SCIM API.

use uaa_testkit::TestServer;

use crate::support::Uaac;

/// An admin client with UAA's SCIM and password authorities, and the `cf` client users log in
/// with (its scopes must include `password.write` for `password change`).
const YAML: &str = r#"
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,scim.read,scim.write,password.write
    cf:
      secret: ''
      authorized-grant-types: password,refresh_token
      scope: openid,password.write,scim.me
scim:
  users:
    - marissa|koala|marissa@test.org|Marissa|Bloggs
"#;

async fn admin(s: &TestServer) -> Uaac {
    let u = Uaac::new();
    assert_eq!(u.run(&["target", &s.base], "").await.code, 0);
    let r = u
        .run(
            &["token", "client", "get", "admin", "-s", "adminsecret"],
            "",
        )
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    u
}

/// Runs a command that must succeed and returns its output.
async fn ok(u: &Uaac, args: &[&str]) -> String {
    let r = u.run(args, "").await;
    assert_eq!(r.code, 0, "uaac {}: {r:?}", args.join(" "));
    r.stdout
}

#[tokio::test(flavor = "multi_thread")]
async fn users_groups_members_and_passwords_work_through_uaac() {
    let s = TestServer::with_yaml(YAML).await;
    let u = admin(&s).await;
    let out = ok(
        &u,
        &[
            "user",
            "add",
            "alice",
            "-p",
            "Alice-pw-1",
            "--emails",
            "alice@example.com",
            "--given_name",
            "Alice",
            "--family_name",
            "Liddell",
        ],
    )
    .await;
    assert_eq!(out, "user account successfully added\n");

    let out = ok(&u, &["user", "get", "alice"]).await;
    assert!(out.contains("  username: alice\n"), "{out}");
    assert!(out.contains("familyname: Liddell"), "{out}");

    let out = ok(&u, &["users", "userName eq \"alice\"", "-a", "userName,id"]).await;
    assert!(out.contains("username: alice"), "{out}");
    assert!(out.contains("totalresults: 1"), "{out}");

    let out = ok(&u, &["group", "add", "readers"]).await;
    assert!(out.contains("displayname: readers"), "{out}");
    assert_eq!(
        ok(&u, &["member", "add", "readers", "alice"]).await,
        "success\n"
    );
    let out = ok(&u, &["group", "get", "readers"]).await;
    assert!(out.contains("members:"), "{out}");

    assert_eq!(
        ok(&u, &["password", "set", "alice", "-p", "Alice-pw-2"]).await,
        "password successfully set\n"
    );
    assert_eq!(
        ok(&u, &["user", "unlock", "alice"]).await,
        "user account successfully unlocked\n"
    );
    assert_eq!(
        ok(&u, &["user", "deactivate", "alice"]).await,
        "user account successfully deactivated\n"
    );
    assert_eq!(
        ok(&u, &["user", "activate", "alice"]).await,
        "user account successfully activated\n"
    );
    assert_eq!(
        ok(&u, &["member", "delete", "readers", "alice"]).await,
        "success\n"
    );

    // The user changes their own password in their own context.
    let me = Uaac::new();
    assert_eq!(me.run(&["target", &s.base], "").await.code, 0);
    ok(
        &me,
        &[
            "token",
            "owner",
            "get",
            "cf",
            "alice",
            "-s",
            "",
            "-p",
            "Alice-pw-2",
        ],
    )
    .await;
    assert_eq!(
        ok(
            &me,
            &["password", "change", "-o", "Alice-pw-2", "-p", "Alice-pw-3"]
        )
        .await,
        "password successfully changed\n"
    );
    ok(
        &me,
        &[
            "token",
            "owner",
            "get",
            "cf",
            "alice",
            "-s",
            "",
            "-p",
            "Alice-pw-3",
        ],
    )
    .await;

    assert_eq!(
        ok(&u, &["user", "delete", "alice"]).await,
        "user account successfully deleted\n"
    );
    let r = u.run(&["user", "get", "alice"], "").await;
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(ok(&u, &["group", "delete", "readers"]).await, "success\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_user_prints_the_servers_409_error() {
    let s = TestServer::with_yaml(YAML).await;
    let u = admin(&s).await;
    let r = u
        .run(
            &[
                "user",
                "add",
                "marissa",
                "-p",
                "x",
                "--emails",
                "m@example.com",
            ],
            "",
        )
        .await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("error response:"), "{r:?}");
    assert!(r.stdout.contains("scim_resource_already_exists"), "{r:?}");
}
