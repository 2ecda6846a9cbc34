//! The database goes away under a running `uaa` and comes back (issue 6): `/healthz` answers
//! 503 with UAA's text, requests that need the database get a 503 JSON error, and once the
//! database is back the server serves again without a restart and nothing acknowledged before
//! is lost. The test owns its PostgreSQL: a cluster made with `initdb` in a temporary folder
//! on a free port (as the `postgres` user, since PostgreSQL refuses to run as root). It skips
//! with a message where PostgreSQL's binaries or `runuser` are not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::binary::{start_with, terminate};

/// PostgreSQL's server binaries, as Debian installs them.
fn pg_bin() -> Option<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(root)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop()
}

/// A PostgreSQL cluster in a temporary folder, run as `postgres`.
struct OwnDatabase {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl OwnDatabase {
    fn as_postgres(&self, tool: &str, args: &[&str]) -> bool {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(tool))
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn create() -> Option<Self> {
        let Some(bin) = pg_bin() else {
            eprintln!("PostgreSQL server binaries not found: skipping the database-fault test");
            return None;
        };
        if Command::new("runuser").arg("--help").output().is_err() {
            eprintln!("runuser not found: skipping the database-fault test");
            return None;
        }
        let dir = tempfile::tempdir().ok()?;
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir.path())
            .status()
            .ok()?;
        if !status.success() {
            eprintln!(
                "cannot hand a folder to the postgres user: skipping the database-fault test"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let db = Self { bin, dir, port };
        let data = db.data();
        assert!(
            db.as_postgres("initdb", &["-A", "trust", "-U", "postgres", "-D", &data]),
            "initdb failed"
        );
        assert!(db.start(), "the test's PostgreSQL did not start");
        Some(db)
    }

    fn start(&self) -> bool {
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("pg.log").display().to_string();
        self.as_postgres(
            "pg_ctl",
            &["-D", &self.data(), "-o", &opts, "-l", &log, "-w", "start"],
        )
    }

    fn stop(&self) -> bool {
        self.as_postgres("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"])
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnDatabase {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

const YAML: &str = r#"
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: uaa.admin,clients.admin
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_server_rides_out_a_database_restart() {
    let Some(db) = tokio::task::spawn_blocking(OwnDatabase::create)
        .await
        .unwrap()
    else {
        return;
    };
    let cfg_dir = tempfile::tempdir().unwrap();
    let cfg = cfg_dir.path().join("uaa.yml");
    std::fs::write(&cfg, YAML).unwrap();
    let url = db.url();
    let uaa = tokio::task::spawn_blocking(move || start_with(&cfg, &url))
        .await
        .unwrap();
    let base = format!("http://{}", uaa.addr);
    let http = reqwest::Client::new();
    let healthz = || {
        let http = http.clone();
        let base = base.clone();
        async move {
            let r = http.get(format!("{base}/healthz")).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let token = || {
        let http = http.clone();
        let base = base.clone();
        async move {
            let r = http
                .post(format!("{base}/oauth/token"))
                .basic_auth("admin", Some("adminsecret"))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    assert_eq!(healthz().await, (200, "ok\n".to_owned()));
    let (st, t) = token().await;
    assert_eq!(st, 200, "{t}");
    // An acknowledged write before the outage.
    let r = http
        .post(format!("{base}/oauth/clients"))
        .bearer_auth(t["access_token"].as_str().unwrap())
        .json(&json!({"client_id": "kept", "client_secret": "s", "authorized_grant_types": ["client_credentials"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    assert!(db.stop(), "the test's PostgreSQL did not stop");
    assert_eq!(
        healthz().await,
        (503, "Database Connection failed.\n".to_owned())
    );
    let (st, body) = token().await;
    assert_eq!(st, 503, "{body}");
    assert_eq!(body["error"], "service_unavailable");

    assert!(db.start(), "the test's PostgreSQL did not come back");
    assert_eq!(healthz().await, (200, "ok\n".to_owned()));
    let (st, t) = token().await;
    assert_eq!(st, 200, "{t}");
    let r = http
        .get(format!("{base}/oauth/clients/kept"))
        .bearer_auth(t["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "the write acknowledged before the outage is there"
    );

    terminate(uaa);
}
