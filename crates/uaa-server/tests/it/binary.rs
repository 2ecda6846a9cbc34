//! The `uaa` binary itself: started as an operator would start it, with a uaa.yml, a listen
//! address and a database URL; stopped with SIGTERM. Its log and its database file must not
//! contain any plaintext secret or password, and a bad configuration must stop it with a
//! message that names the key and the file.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

const CLIENT_SECRET: &str = "Sekr1t-client-value-7781";
const NEW_SECRET: &str = "Rot4ted-client-value-9932";
const USER_PASSWORD: &str = "Us3r-password-value-4410";

fn config(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("uaa.yml");
    std::fs::write(
        &path,
        format!(
            r#"
issuer:
  uri: http://localhost:8080/uaa
oauth:
  clients:
    admin:
      secret: {CLIENT_SECRET}
      authorized-grant-types: client_credentials
      authorities: uaa.admin,clients.admin,clients.read
    app:
      secret: {CLIENT_SECRET}
      authorized-grant-types: password,refresh_token
      scope: openid
scim:
  users:
    - alice|{USER_PASSWORD}|alice@example.com|Alice|A|openid
"#
        ),
    )
    .expect("write config");
    path
}

/// A running binary: the process, the address it logged, its database file, and the thread
/// that collects its whole log (joined after the process exits).
pub(crate) struct Running {
    child: Child,
    pub(crate) addr: String,
    db: std::path::PathBuf,
    log: std::thread::JoinHandle<String>,
}

/// Starts the binary with this test's config over a SQLite file in `dir`.
fn start(dir: &std::path::Path) -> Running {
    let cfg = config(dir);
    let db = dir.join("uaa.db");
    let mut r = start_with(&cfg, &format!("sqlite://{}?mode=rwc", db.display()));
    r.db = db;
    r
}

/// Starts the binary with `cfg` over `database_url` and waits for its "uaa started" JSON log
/// line.
pub(crate) fn start_with(cfg: &std::path::Path, database_url: &str) -> Running {
    let db = std::path::PathBuf::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_uaa"))
        .args(["serve", "--config"])
        .arg(cfg)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--database-url",
        ])
        .arg(database_url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn uaa");
    let stderr = child.stderr.take().expect("stderr");
    let mut reader = BufReader::new(stderr);
    let mut seen = String::new();
    let addr = loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).expect("read log");
        assert!(n > 0, "uaa exited before listening; log:\n{seen}");
        seen.push_str(&line);
        if let Ok(v) = serde_json::from_str::<Value>(&line)
            && v["message"] == "uaa started"
        {
            break v["listen"].as_str().expect("listen field").to_owned();
        }
    };
    // Keep draining the log so the process never blocks on a full pipe.
    let log = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = reader.read_to_string(&mut rest);
        format!("{seen}{rest}")
    });
    Running {
        child,
        addr,
        db,
        log,
    }
}

/// Sends SIGTERM, waits for the exit, and returns the exit status and the whole log.
pub(crate) fn terminate(mut r: Running) -> (std::process::ExitStatus, String) {
    let pid = r.child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let status = r.child.wait().expect("wait");
    (status, r.log.join().expect("log thread"))
}

#[tokio::test]
async fn the_binary_serves_stops_on_sigterm_and_never_writes_a_plaintext_secret() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(dir.path());
    let db = running.db.clone();
    let base = format!("http://{}", running.addr);
    let http = reqwest::Client::new();

    let token =
        |id: &'static str, secret: &'static str, extra: Vec<(&'static str, &'static str)>| {
            let http = http.clone();
            let base = base.clone();
            async move {
                let mut form = vec![("grant_type", "client_credentials")];
                form.extend(extra);
                http.post(format!("{base}/oauth/token"))
                    .basic_auth(id, Some(secret))
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
            }
        };
    let r = token("admin", CLIENT_SECRET, vec![]).await;
    assert_eq!(r.status(), 200);
    let admin: Value = r.json().await.unwrap();
    let admin = admin["access_token"].as_str().unwrap().to_owned();
    assert_eq!(token("admin", "wrong", vec![]).await.status(), 401);
    let r = http
        .post(format!("{base}/oauth/token"))
        .basic_auth("app", Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", USER_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .put(format!("{base}/oauth/clients/app/secret"))
        .bearer_auth(&admin)
        .json(&json!({"secret": NEW_SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let (status, log) = terminate(running);
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    assert!(
        log.contains("SecretChangeSuccess"),
        "audit events are logged"
    );
    let mut files = vec![std::fs::read(&db).unwrap()];
    for ext in ["-wal", "-shm"] {
        if let Ok(b) = std::fs::read(format!("{}{ext}", db.display())) {
            files.push(b);
        }
    }
    for secret in [CLIENT_SECRET, NEW_SECRET, USER_PASSWORD] {
        assert!(!log.contains(secret), "log contains {secret}");
        for f in &files {
            assert!(
                !f.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "database contains {secret}"
            );
        }
    }
}

#[test]
fn a_bad_configuration_value_stops_the_binary_naming_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("uaa.yml");
    std::fs::write(
        &cfg,
        "oauth:\n  clients:\n    app:\n      secret: s\n      authorized-grant-types: client_credentials\n      access-token-validity: ten\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_uaa"))
        .args(["serve", "--config"])
        .arg(&cfg)
        .args(["--listen", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}/uaa.db?mode=rwc", dir.path().display()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("oauth.clients.app.access-token-validity"),
        "{err}"
    );
    assert!(err.contains(&cfg.display().to_string()), "{err}");
}

#[tokio::test]
async fn tokens_survive_a_restart_with_the_generated_signing_key() {
    let dir = tempfile::tempdir().unwrap();
    let http = ::reqwest::Client::new();
    let a = start(dir.path());
    let r = http
        .post(format!("http://{}/oauth/token", a.addr))
        .basic_auth("admin", Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let token: Value = r.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    terminate(a);

    let b = start(dir.path());
    let r = http
        .get(format!("http://{}/oauth/clients/app", b.addr))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "a token from before the restart is still valid"
    );
    terminate(b);
}
