//! The README's `aws events` and `aws sqs` commands, run by the AWS CLI
//! (v1, pinned from PyPI in .venv/awscli by `make tools`; a client nobody
//! here wrote) against the real `saga run` binary serving the template.

mod department;
mod readme_commands;

use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// `SAGA_AWS_CLI`, else the venv `make tools` creates.
pub fn aws_cli() -> PathBuf {
    let cli = std::env::var_os("SAGA_AWS_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/awscli/bin/aws"));
    assert!(
        cli.exists(),
        "the AWS CLI is not at {}: run `make tools` (or set SAGA_AWS_CLI)",
        cli.display()
    );
    cli
}

/// `saga run` on an ephemeral loopback port (the workspace's one
/// starter, `testkit::saga_run`); killed when dropped.
pub struct SagaRun {
    _server: testkit::saga_run::SagaRun,
    pub endpoint: String,
    pub db: PathBuf,
    _dir: tempfile::TempDir,
}

impl SagaRun {
    pub fn start(extra: &[&str]) -> SagaRun {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("saga.db");
        let template = repo().join("infra/template.yaml");
        let args = [
            OsStr::new("--template"),
            template.as_os_str(),
            OsStr::new("--db"),
            db.as_os_str(),
        ];
        let server = testkit::saga_run::start(
            Path::new(env!("CARGO_BIN_EXE_saga")),
            args.into_iter().chain(extra.iter().map(OsStr::new)),
        );
        SagaRun {
            endpoint: server.endpoint(),
            _server: server,
            db,
            _dir: dir,
        }
    }

    /// Runs `aws --endpoint-url <saga run> args...`; its JSON output.
    pub fn aws(&self, args: &[&str]) -> Value {
        let out = self.aws_raw(args);
        assert!(
            out.status.success(),
            "aws {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if out.stdout.iter().all(u8::is_ascii_whitespace) {
            return Value::Null;
        }
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub fn aws_raw(&self, args: &[&str]) -> std::process::Output {
        Command::new(aws_cli())
            .arg("--endpoint-url")
            .arg(&self.endpoint)
            .args(["--output", "json"])
            .args(args)
            .current_dir(repo())
            // Any credentials and region: the endpoint does not check them.
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .output()
            .expect("the AWS CLI runs")
    }

    pub fn queue(&self, name: &str) -> String {
        format!("{}/000000000000/{name}", self.endpoint)
    }

    pub fn depth(&self, queue: &str) -> i64 {
        let out = self.aws(&[
            "sqs",
            "get-queue-attributes",
            "--queue-url",
            &self.queue(queue),
            "--attribute-names",
            "All",
        ]);
        out["Attributes"]["ApproximateNumberOfMessages"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// Polls `check` for up to 30 s.
    pub fn eventually(&self, what: &str, mut check: impl FnMut(&SagaRun) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if check(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("never: {what}");
    }
}
