//! Each command's output and the requests it sends (through `--trace`), snapshotted with the
//! volatile parts (ports, tokens, ids, timestamps) redacted; the config file written as Ruby
//! uaac writes it; and what we add beyond uaac.

use uaa_testkit::TestServer;

use crate::support::{Run, Uaac};

/// Replaces what changes from run to run: the server's port, JWTs, jtis, salts, timestamps.
fn scrub(text: &str, s: &TestServer) -> String {
    let mut out = text.replace(&s.base, "http://SERVER");
    let mut words: Vec<String> = Vec::new();
    for w in out.split(|c: char| c.is_whitespace() || c == '"' || c == ',') {
        let jwt = w.split('.').count() == 3 && w.len() > 100;
        let hex32 = w.len() == 32 && w.chars().all(|c| c.is_ascii_hexdigit());
        let refresh = w.len() == 34 && w.ends_with("-r");
        if jwt || hex32 || refresh {
            words.push(w.to_owned());
        }
    }
    for w in words {
        out = out.replace(&w, "[token]");
    }
    for key in ["\"token_salt\":", "\"lastModified\":", "\"expires_in\":"] {
        out = redact_json_values(&out, key);
    }
    let lines: Vec<String> = out
        .lines()
        .map(|l| {
            for key in ["lastmodified: ", "token_salt: ", "expires_in: "] {
                if let Some(i) = l.find(key) {
                    return format!("{}{key}[redacted]", &l[..i]);
                }
            }
            l.to_owned()
        })
        .collect();
    lines.join("\n") + if out.ends_with('\n') { "\n" } else { "" }
}

/// Replaces the value after each `"key":` in compact JSON with `"[redacted]"`.
fn redact_json_values(text: &str, key: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        rest = &rest[i + key.len()..];
        let end = if let Some(stripped) = rest.strip_prefix('"') {
            stripped.find('"').map_or(rest.len(), |j| j + 2)
        } else {
            rest.find([',', '}']).unwrap_or(rest.len())
        };
        out.push_str("\"[redacted]\"");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

async fn logged_in_admin(s: &TestServer) -> Uaac {
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

fn snap(r: &Run, s: &TestServer) -> String {
    format!("exit: {}\n--- stdout\n{}", r.code, scrub(&r.stdout, s))
}

#[tokio::test(flavor = "multi_thread")]
async fn target_and_token_client_get_print_what_uaac_prints() {
    let s = TestServer::spawn().await;
    let u = Uaac::new();
    let r = u.run(&["target", &s.base], "").await;
    insta::assert_snapshot!("target", snap(&r, &s));
    let r = u
        .run(
            &["token", "client", "get", "admin", "-s", "adminsecret"],
            "",
        )
        .await;
    insta::assert_snapshot!("token_client_get", snap(&r, &s));
    assert!(
        r.stderr.contains(
            "WARNING: Decoding token without verifying it was signed by its authoring UAA"
        )
    );
    let r = u.run(&["targets"], "").await;
    insta::assert_snapshot!("targets", snap(&r, &s));
    let r = u.run(&["context"], "").await;
    insta::assert_snapshot!("context", snap(&r, &s));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_request_carries_uaacs_headers_and_form_encoded_basic_credentials() {
    let s = TestServer::spawn().await;
    let u = Uaac::new();
    u.run(&["target", &s.base], "").await;
    let r = u
        .run(
            &[
                "token",
                "client",
                "get",
                "admin",
                "-s",
                "adminsecret",
                "--trace",
            ],
            "",
        )
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    insta::assert_snapshot!("token_client_get_trace", snap(&r, &s));
}

#[tokio::test(flavor = "multi_thread")]
async fn client_commands_print_and_send_what_uaac_does() {
    let s = TestServer::spawn().await;
    let u = logged_in_admin(&s).await;
    let r = u
        .run(
            &[
                "client",
                "add",
                "newclient",
                "-s",
                "newsecret",
                "--scope",
                "openid,uaa.user",
                "--authorized_grant_types",
                "client_credentials,password",
                "--authorities",
                "uaa.none",
                "--access_token_validity",
                "600",
                "--trace",
            ],
            "",
        )
        .await;
    insta::assert_snapshot!("client_add", snap(&r, &s));
    let r = u.run(&["client", "get", "newclient"], "").await;
    insta::assert_snapshot!("client_get", snap(&r, &s));
    let r = u
        .run(
            &[
                "client",
                "update",
                "newclient",
                "--scope",
                "openid",
                "--trace",
            ],
            "",
        )
        .await;
    insta::assert_snapshot!("client_update", snap(&r, &s));
    let r = u
        .run(
            &["secret", "set", "newclient", "-s", "other", "--trace"],
            "",
        )
        .await;
    insta::assert_snapshot!("secret_set", snap(&r, &s));
    let r = u.run(&["clients", "client_id eq \"newclient\""], "").await;
    insta::assert_snapshot!("clients_filtered", snap(&r, &s));
    let r = u.run(&["client", "delete", "newclient"], "").await;
    insta::assert_snapshot!("client_delete", snap(&r, &s));
    let r = u.run(&["client", "get", "newclient"], "").await;
    insta::assert_snapshot!("client_get_missing", snap(&r, &s));
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_print_the_servers_json_and_exit_1() {
    let s = TestServer::spawn().await;
    let u = Uaac::new();
    u.run(&["target", &s.base], "").await;
    let r = u
        .run(&["token", "client", "get", "admin", "-s", "wrong"], "")
        .await;
    insta::assert_snapshot!("token_bad_secret", snap(&r, &s));
    let r = u.run(&["context", "-s", "x"], "").await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("Invalid option: secret"), "{r:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn prompts_read_answers_from_a_pipe() {
    let s = TestServer::spawn().await;
    let u = Uaac::new();
    u.run(&["target", &s.base], "").await;
    let r = u
        .run(&["token", "client", "get"], "admin\nadminsecret\n")
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    // Exactly what Ruby uaac prints on a pipe (HighLine: no echo, then `*` per character).
    assert!(
        r.stdout
            .starts_with("Client ID:  Client secret:  ***********\n"),
        "{r:?}"
    );
    let r = u
        .run(
            &["token", "owner", "get", "cf", "marissa", "-s", ""],
            "koala\n",
        )
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("Password:  *****\n"), "{r:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_target_gets_a_specific_message() {
    let u = Uaac::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = u
        .run(&["target", &format!("http://127.0.0.1:{port}")], "")
        .await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout
            .contains(&format!("failed to access http://127.0.0.1:{port}: error:")),
        "{r:?}"
    );
    assert!(
        r.stdout.to_lowercase().contains("connection refused"),
        "{r:?}"
    );
    let r = u.run(&["targets"], "").await;
    assert_eq!((r.code, r.stdout.as_str()), (0, "\nno targets\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_ruby_uaac_config_is_read_and_rewritten_without_loss() {
    let u = Uaac::new();
    let fixture = include_str!("../fixtures/config/ruby_written.yml");
    let path = u.home.path().join(".uaac.yml");
    std::fs::write(&path, fixture).unwrap();
    // `context N` selects (and saves) the context that is already current: nothing may change.
    let r = u.run(&["contexts"], "").await;
    assert_eq!(r.code, 0, "{r:?}");
    let current = fixture
        .lines()
        .position(|l| l.trim() == "current: true")
        .is_some();
    assert!(current);
    let r = u.run(&["target", "0"], "").await;
    assert_eq!(r.code, 0, "{r:?}");
    let rewritten = u.config_text();
    // Ruby moves the re-selected target's `current: true` to the end of that target; apart
    // from that one line, every byte is kept.
    let strip = |t: &str| {
        t.lines()
            .filter(|l| l.trim() != "current: true")
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&rewritten), strip(fixture));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_output_is_machine_readable() {
    let s = TestServer::spawn().await;
    let u = logged_in_admin(&s).await;
    let r = u.run(&["client", "get", "cf", "--json"], "").await;
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["client_id"], "cf");
    let r = u.run(&["client", "get", "nope", "--json"], "").await;
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("NotFound"));
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_come_from_the_environment_and_file_descriptors() {
    let s = TestServer::spawn().await;
    let u = Uaac::new();
    u.run(&["target", &s.base], "").await;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_uaac"));
    cmd.args([
        "token",
        "client",
        "get",
        "admin",
        "--secret-env",
        "ADMIN_SECRET",
    ])
    .env("UAAC_HOME", u.home.path())
    .env("HOME", u.home.path())
    .env("ADMIN_SECRET", "adminsecret");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let secret_file = u.home.path().join("secret");
    std::fs::write(&secret_file, "adminsecret\n").unwrap();
    let file = std::fs::File::open(&secret_file).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_uaac"));
    cmd.args(["token", "client", "get", "admin", "--secret-fd", "0"])
        .env("UAAC_HOME", u.home.path())
        .env("HOME", u.home.path())
        .stdin(file);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn client_update_adds_and_removes_single_list_entries() {
    let s = TestServer::spawn().await;
    let u = logged_in_admin(&s).await;
    let r = u
        .run(
            &[
                "client",
                "update",
                "app",
                "--add_scope",
                "extra.scope",
                "--remove_scope",
                "organizations.acme",
            ],
            "",
        )
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    let line = r
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("scope:"))
        .unwrap();
    assert!(
        line.contains("extra.scope") && line.contains("openid"),
        "{line}"
    );
    assert!(!line.contains("organizations.acme"), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn secret_rotate_replaces_the_secret_without_downtime() {
    let s = TestServer::spawn().await;
    let u = logged_in_admin(&s).await;
    let r = u.run(&["secret", "rotate", "app", "--json"], "").await;
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let new = v["new_secret"].as_str().unwrap().to_owned();
    assert!(new.len() >= 24);
    let ok = s
        .token_request("app", &new, &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(ok.status(), 200);
    let old = s
        .token_request(
            "app",
            "appclientsecret",
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(old.status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_are_generated_for_each_shell() {
    let u = Uaac::new();
    for shell in ["bash", "zsh", "fish"] {
        let r = u.run(&["completion", shell], "").await;
        assert_eq!(r.code, 0, "{shell}: {r:?}");
        assert!(r.stdout.contains("secret"), "{shell}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tls_failure_is_named_as_such() {
    // A plain-HTTP listener where uaac expects TLS.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut sock, _)) = listener.accept().await {
            let _ = sock
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    let u = Uaac::new();
    let r = u
        .run(&["target", &format!("https://127.0.0.1:{port}")], "")
        .await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("TLS error"), "{r:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_token_gets_an_explanation() {
    let s = TestServer::spawn().await;
    let u = logged_in_admin(&s).await;
    // Rotating the admin client's own secret revokes its token (rev_sig).
    let r = u
        .run(&["secret", "set", "admin", "-s", "newadminsecret"], "")
        .await;
    assert_eq!(r.code, 0, "{r:?}");
    let r = u.run(&["client", "get", "cf"], "").await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("\"error\": \"invalid_token\""), "{r:?}");
    assert!(
        r.stdout.contains("It may have expired or been revoked"),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn token_get_logs_in_with_posted_credentials_like_the_cf_cli() {
    let s = TestServer::with_yaml(
        r#"
oauth:
  clients:
    cf:
      secret: ''
      authorized-grant-types: implicit,password,refresh_token
      scope: openid,uaa.user,password.write
      redirect-uri: https://uaa.cloudfoundry.com/redirect/cf
      autoapprove: true
scim:
  users:
    - marissa|koala|marissa@test.org|Marissa|Bloggs
"#,
    )
    .await;
    let u = Uaac::new();
    assert_eq!(u.run(&["target", &s.base], "").await.code, 0);
    let r = u.run(&["token", "get", "marissa", "koala"], "").await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("Successfully fetched token via implicit (with posted credentials) grant."),
        "{r:?}"
    );
    let r = u.run(&["context"], "").await;
    assert!(r.stdout.contains("[marissa]"), "{r:?}");
}

/// `boss` holds `clients.admin` through `console`.
const CHAIN_YAML: &str = "
oauth:
  clients:
    console:
      secret: consolesecret
      authorized-grant-types: password
      scope: clients.admin,clients.read,clients.write
scim:
  users:
    - boss|bosspw|boss@example.com|Boss|B|clients.admin,clients.read,clients.write
";

#[tokio::test(flavor = "multi_thread")]
async fn client_add_and_get_show_the_user_behind_a_chain_of_client_tokens_as_created_by() {
    let s = TestServer::with_yaml(CHAIN_YAML).await;
    let boss = s
        .password_token("console", "consolesecret", "boss", "bosspw")
        .await;
    let boss_id = uaa_testkit::claims(&boss)["user_id"]
        .as_str()
        .expect("user_id")
        .to_owned();
    let u = Uaac::new();
    let ok = |r: Run| {
        assert_eq!(r.code, 0, "{r:?}");
        r.stdout
    };
    ok(u.run(&["target", &s.base], "").await);
    ok(u.run(
        &[
            "token",
            "owner",
            "get",
            "console",
            "boss",
            "-s",
            "consolesecret",
            "-p",
            "bosspw",
        ],
        "",
    )
    .await);
    let line = format!("  created_by: {boss_id}\n");
    // user → client A
    let out = ok(u
        .run(
            &[
                "client",
                "add",
                "chain-a",
                "-s",
                "chain-a-secret",
                "--authorized_grant_types",
                "client_credentials",
                "--authorities",
                "clients.admin,clients.read,clients.write",
            ],
            "",
        )
        .await);
    assert!(out.ends_with(&line), "{out}");
    // client A → client B: still the user.
    ok(u.run(
        &["token", "client", "get", "chain-a", "-s", "chain-a-secret"],
        "",
    )
    .await);
    let out = ok(u
        .run(
            &[
                "client",
                "add",
                "chain-b",
                "-s",
                "chain-b-secret",
                "--authorized_grant_types",
                "client_credentials",
                "--authorities",
                "uaa.none",
            ],
            "",
        )
        .await);
    assert!(out.ends_with(&line), "{out}");
    let out = ok(u.run(&["client", "get", "chain-b"], "").await);
    assert!(out.contains("  client_id: chain-b\n"), "{out}");
    assert!(out.ends_with(&line), "{out}");
}
