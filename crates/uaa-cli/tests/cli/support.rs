//! Running the `uaac` binary in its own home directory.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// One user of uaac: a home directory holding `.uaac.yml`.
pub struct Uaac {
    pub home: tempfile::TempDir,
}

/// What one uaac run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Uaac {
    pub fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// Runs `uaac args…` with `stdin` piped in, off the async runtime (the server under test
    /// runs on it).
    pub async fn run(&self, args: &[&str], stdin: &str) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_uaac"));
        cmd.args(args)
            .env("UAAC_HOME", self.home.path())
            .env("HOME", self.home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let input = stdin.to_owned();
        let out: Output = tokio::task::spawn_blocking(move || {
            let mut child = cmd.spawn().unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn config_text(&self) -> String {
        std::fs::read_to_string(self.home.path().join(".uaac.yml")).unwrap_or_default()
    }
}
