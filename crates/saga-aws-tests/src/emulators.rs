//! The emulators of `make localstack-install` (mk/localstack.mk), for the
//! tests: AWS's own DynamoDB Local on a free 127.0.0.1 port, and LocalStack
//! (its own, or the one at `LOCALSTACK_ENDPOINT`). A missing install fails
//! the test with the command to run; it never skips it.

use crate::tools::{ChildGuard, free_port, wait_for_port};
use aws_sdk_dynamodb::config::{Credentials, Region};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/saga-aws-tests sits two levels below the workspace root")
        .to_path_buf()
}

fn installed(path: PathBuf) -> PathBuf {
    assert!(
        path.exists(),
        "{} is missing: run `make localstack-install` (LocalStack, DynamoDB Local, kinesis-mock into .localstack/)",
        path.display()
    );
    path
}

/// SDK configuration for an emulator at `endpoint`: dummy credentials,
/// us-east-1.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "emulator"))
        .load()
        .await
}

/// DynamoDB Local 3.3.0 in memory, bound to 127.0.0.1 by the launcher
/// mk/localstack.mk builds (DynamoDB Local has no bind-address option);
/// killed with its process group when dropped.
pub struct DynamoDbLocal {
    pub port: u16,
    process: ChildGuard,
}

impl DynamoDbLocal {
    pub fn start() -> DynamoDbLocal {
        let dir = installed(root().join(".localstack/lib/dynamodb-local/2"));
        let jar = installed(dir.join("DynamoDBLocal.jar"));
        let port = free_port();
        let mut cmd = Command::new("java");
        cmd.arg(format!(
            "-Djava.library.path={}",
            dir.join("DynamoDBLocal_lib").display()
        ))
        .arg("-jar")
        .arg(jar)
        .args(["-inMemory", "-disableTelemetry", "-port", &port.to_string()]);
        let quiet = std::env::var_os("SAGA_AWS_VERBOSE").is_none();
        let mut process = ChildGuard::spawn("DynamoDB Local", cmd, quiet);
        wait_for_port(&mut process, port, Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("{e}"));
        DynamoDbLocal { port, process }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        sdk_config(&self.endpoint()).await
    }
}

/// The LocalStack the tests of this process share.
pub struct LocalStack {
    pub endpoint: String,
    /// The instance this process started (`None`: `LOCALSTACK_ENDPOINT`'s).
    pub instance: Option<String>,
}

impl LocalStack {
    /// `LOCALSTACK_ENDPOINT` when set (e.g. a LocalStack 4.x container);
    /// otherwise a LocalStack started once for this process by
    /// `tools/localstack/localstack_ctl.py start --watch-pid <this pid>`:
    /// its supervisor stops it, with every child, when this process exits,
    /// whether the tests passed, failed or were killed.
    /// A start that failed fails every test that asks, without starting
    /// again.
    pub fn get() -> &'static LocalStack {
        static LOCALSTACK: OnceLock<Result<LocalStack, String>> = OnceLock::new();
        let started = LOCALSTACK.get_or_init(|| match std::env::var("LOCALSTACK_ENDPOINT") {
            Ok(endpoint) if !endpoint.is_empty() => Ok(LocalStack {
                endpoint,
                instance: None,
            }),
            _ => Self::start(),
        });
        started.as_ref().unwrap_or_else(|e| panic!("{e}"))
    }

    fn start() -> Result<LocalStack, String> {
        let pid = std::process::id().to_string();
        let instance = format!("tests-{pid}");
        let out = ctl()
            .args(["start", "--instance", &instance, "--watch-pid", &pid])
            .stderr(Stdio::inherit())
            .output()
            .expect("running tools/localstack/localstack_ctl.py");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let endpoint = stdout.lines().last().unwrap_or_default().trim().to_owned();
        if !(out.status.success() && endpoint.starts_with("http://127.0.0.1:")) {
            return Err(format!(
                "LocalStack did not start ({}); see .localstack/logs/{instance}.log",
                out.status
            ));
        }
        Ok(LocalStack {
            endpoint,
            instance: Some(instance),
        })
    }

    /// The PIDs of the started LocalStack's process tree (its supervisor,
    /// the runtime, DynamoDB Local, kinesis-mock); `None` for an external
    /// one.
    pub fn process_tree(&self) -> Option<Vec<u32>> {
        let instance = self.instance.as_ref()?;
        let out = ctl()
            .args(["pids", "--instance", instance])
            .output()
            .expect("running tools/localstack/localstack_ctl.py");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .map(|p| p.parse().expect("a pid"))
                .collect(),
        )
    }
}

fn ctl() -> Command {
    let root = root();
    let mut cmd = Command::new(installed(root.join(".localstack/venv/bin/python")));
    cmd.arg(root.join("tools/localstack/localstack_ctl.py"))
        .current_dir(&root)
        .stdin(Stdio::null());
    cmd
}

/// `(local address, pid)` of every listening TCP socket of `pids`, as
/// `ss -Hltnp` reports them.
pub fn listeners(pids: &[u32]) -> Vec<(String, u32)> {
    let out = Command::new("ss")
        .arg("-Hltnp")
        .output()
        .expect("running ss (iproute2)");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut found = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(local), Some(users)) = (fields.get(3), fields.get(5)) else {
            continue;
        };
        for part in users.split("pid=").skip(1) {
            let pid = part.split(',').next().and_then(|p| p.parse().ok());
            if let Some(pid) = pid.filter(|p| pids.contains(p)) {
                found.push(((*local).to_owned(), pid));
            }
        }
    }
    found
}

/// True for an address only loopback can reach: `127.0.0.1:4566`,
/// `[::ffff:127.0.0.1]:8000` (a JVM's IPv6 socket on the IPv4 loopback),
/// `[::1]:80`; false for `*:80`, `0.0.0.0:80`, `[::]:80`.
pub fn is_loopback(address: &str) -> bool {
    let host = address
        .rsplit_once(':')
        .map_or(address, |(host, _)| host)
        .trim_start_matches('[')
        .trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or(v6.is_loopback(), |v4| v4.is_loopback()),
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn only_loopback_addresses_count_as_loopback() {
        for address in ["127.0.0.1:4566", "[::ffff:127.0.0.1]:8000", "[::1]:80"] {
            assert!(is_loopback(address), "{address}");
        }
        for address in [
            "*:80",
            "0.0.0.0:80",
            "[::]:80",
            "[::ffff:0.0.0.0]:1",
            "10.0.0.1:80",
        ] {
            assert!(!is_loopback(address), "{address}");
        }
    }
}
