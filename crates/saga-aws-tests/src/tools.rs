//! Where the tools live (the `.venv` of `make tools`, the bootstraps of
//! the `lambda-test` profile, or `lambda-release` for the bench) and how a
//! child process is started, awaited and stopped.

use crate::function::Function;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The packages holding the template's functions (see [`Function::ALL`]
/// for their binaries).
pub const SERVICE_PACKAGES: [&str; 6] = [
    "orders",
    "inventory",
    "payment",
    "shipping",
    "dlq",
    "reports",
];

/// The `lambda_runtime` hello world the cold starts are compared with: its
/// own package, so building it beside the functions adds no feature.
pub const HELLO_BIN: &str = "lambda-hello";

/// The cargo profile of the Lambda bootstraps that ship (root
/// `Cargo.toml`), whose output directory is `target/<profile>`: sizes and
/// cold starts are measured on it (`make aws-bench`).
pub const LAMBDA_PROFILE: &str = "lambda-release";

/// The profile of the bootstraps the tests run under the emulator:
/// `lambda-release`'s semantics (abort on panic, no debug assertions, no
/// overflow checks) without its optimisation, which only costs build time
/// (`crates/saga-aws-tests/tests/build_config.rs` checks the semantics).
pub const TEST_PROFILE: &str = "lambda-test";

#[derive(Debug, Clone)]
pub struct Tools {
    pub root: PathBuf,
    pub python: PathBuf,
    pub moto_server: PathBuf,
    /// `aws-lambda-rie-x86_64`, as shipped inside the aws-sam-cli package.
    pub rie: PathBuf,
    /// The cargo profile of the bootstraps ([`TEST_PROFILE`] unless
    /// `SAGA_AWS_BOOTSTRAP_PROFILE` names another; `debug` is the dev
    /// profile).
    pub bootstrap_profile: String,
    /// `target/<bootstrap_profile>`, where the bootstraps are.
    pub bootstrap_dir: PathBuf,
}

impl Tools {
    /// The tools, or a panic that says to run `make tools`: a missing tool
    /// fails the test, it never skips it.
    pub fn get() -> &'static Tools {
        static TOOLS: OnceLock<Tools> = OnceLock::new();
        TOOLS.get_or_init(|| Tools::locate().unwrap_or_else(|e| panic!("{e}")))
    }

    /// The tools, with the bootstraps of the test profile (or of
    /// `SAGA_AWS_BOOTSTRAP_PROFILE`).
    pub fn locate() -> Result<Tools, String> {
        let profile =
            std::env::var("SAGA_AWS_BOOTSTRAP_PROFILE").unwrap_or_else(|_| TEST_PROFILE.into());
        Tools::locate_for(&profile)
    }

    /// The tools, with the bootstraps of the cargo profile `profile`.
    pub fn locate_for(profile: &str) -> Result<Tools, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .expect("crates/saga-aws-tests sits two levels below the workspace root")
            .to_path_buf();
        let venv = root.join(".venv");
        let python = venv.join("bin/python");
        let moto_server = venv.join("bin/moto_server");
        for tool in [&python, &moto_server] {
            if !tool.is_file() {
                return Err(format!(
                    "{} is missing: run `make tools` first (it creates .venv with aws-sam-cli and moto[server])",
                    tool.display()
                ));
            }
        }
        let out = Command::new(&python)
            .args([
                "-c",
                "import os, samcli; print(os.path.dirname(samcli.__file__))",
            ])
            .output()
            .map_err(|e| format!("running {}: {e}; run `make tools`", python.display()))?;
        if !out.status.success() {
            return Err(format!(
                "aws-sam-cli is not installed in .venv: run `make tools` ({})",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let samcli = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let rie = samcli.join("local/rapid/aws-lambda-rie-x86_64");
        if !rie.is_file() {
            return Err(format!(
                "{} is missing (aws-sam-cli ships it): run `make tools`",
                rie.display()
            ));
        }
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        Ok(Tools {
            root,
            python,
            moto_server,
            rie,
            bootstrap_profile: profile.to_owned(),
            bootstrap_dir: target.join(profile),
        })
    }

    /// The bootstrap `name`, built first if this process has not checked
    /// yet (a no-op when `make aws-build` already built it).
    pub fn bootstrap(&self, name: &str) -> PathBuf {
        static BUILT: OnceLock<()> = OnceLock::new();
        BUILT.get_or_init(|| self.build_bootstraps());
        let path = self.bootstrap_dir.join(name);
        assert!(
            path.is_file(),
            "{} is not built: run `make aws-build`",
            path.display()
        );
        path
    }

    /// One cargo invocation for every function's binary and the hello
    /// world, as `make aws-build` runs it: only the functions' packages
    /// take part, so their dependencies get the features a `cargo lambda
    /// build` of the same packages gives them.
    pub fn build_bootstraps(&self) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(&cargo);
        cmd.arg("build")
            .args(bootstrap_build_args(&self.bootstrap_profile));
        let status = cmd.current_dir(&self.root).status().expect("running cargo");
        assert!(status.success(), "building the bootstraps failed: {cmd:?}");
    }
}

/// `cargo build` arguments for every function's bootstrap and the hello
/// world: `--profile lambda-test -p orders ... --bin orders-api ...`
/// (no `--profile` for `debug`, the dev profile's directory).
pub fn bootstrap_build_args(profile: &str) -> Vec<String> {
    let mut args = Vec::new();
    if profile != "debug" {
        args.extend(["--profile".to_owned(), profile.to_owned()]);
    }
    for package in SERVICE_PACKAGES.iter().chain([&HELLO_BIN]) {
        args.extend(["-p".to_owned(), (*package).to_owned()]);
    }
    for binary in Function::ALL.iter().map(|f| f.binary).chain([HELLO_BIN]) {
        args.extend(["--bin".to_owned(), binary.to_owned()]);
    }
    args
}

/// A free TCP port on 127.0.0.1 (the OS picks it; it is released before
/// the child binds it, which is the usual small race).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// Polls until `port` on 127.0.0.1 accepts a connection. Fails early,
/// with the reason, if the process exits first.
pub fn wait_for_port(child: &mut ChildGuard, port: u16, timeout: Duration) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let start = Instant::now();
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.child.try_wait() {
            return Err(format!(
                "{} exited with {status} before listening on {port}",
                child.name
            ));
        }
        if start.elapsed() > timeout {
            return Err(format!(
                "{} did not listen on {port} within {timeout:?}",
                child.name
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A child process in its own process group, killed with the whole group
/// (the RIE starts the bootstrap as its own child) when dropped.
pub struct ChildGuard {
    pub name: String,
    pub child: Child,
}

impl ChildGuard {
    pub fn spawn(name: impl Into<String>, mut cmd: Command, quiet: bool) -> ChildGuard {
        use std::os::unix::process::CommandExt;
        let name = name.into();
        cmd.process_group(0).stdin(Stdio::null());
        if quiet {
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name} ({cmd:?}): {e}"));
        ChildGuard { name, child }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
