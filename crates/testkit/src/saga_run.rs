//! A real `saga run` process on a free loopback port: the one starter of
//! every suite that runs it as a user does (crates/saga's, which kill,
//! restart and race it or drive it with the AWS CLI, and the scenario
//! suite's, which points the hybrid backend at it). Cargo gives a test the
//! path of its own package's binaries only, so the caller passes the binary
//! (`env!("CARGO_BIN_EXE_saga")` in crates/saga).

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// How long `saga run` may take to say it serves.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A `saga run` and the address it serves; killed when dropped.
pub struct SagaRun {
    pub child: Child,
    pub addr: SocketAddr,
    /// The log up to and with the "serving" line.
    pub log: String,
    /// Every line logged so far, the serving line and later ones too.
    all: Arc<Mutex<String>>,
}

/// [`try_start`], or a panic showing the log of a `saga run` that did not
/// serve.
pub fn start<I, S>(binary: &Path, args: I) -> SagaRun
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    try_start(binary, args).unwrap_or_else(|log| panic!("saga run did not start:\n{log}"))
}

/// Runs `binary run --listen 127.0.0.1:0 ARGS...` (the template, the
/// database and flags are the caller's) and waits for its "serving
/// http://ADDR" line; the log of a `saga run` that exited, or did not
/// serve within a minute, instead.
pub fn try_start<I, S>(binary: &Path, args: I) -> Result<SagaRun, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    try_start_with_env(binary, args, &[])
}

/// [`try_start`] with these environment variables set too (the AWS
/// credentials of `saga run --backend aws`).
pub fn try_start_with_env<I, S>(
    binary: &Path,
    args: I,
    env: &[(&str, &str)],
) -> Result<SagaRun, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(binary)
        .args(["run", "--listen", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    let all = Arc::new(Mutex::new(String::new()));
    let kept = all.clone();
    // Keeps draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(mut all) = kept.lock() {
                all.push_str(&line);
                all.push('\n');
            }
            let served = line.split("serving http://").nth(1).map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                    .collect::<String>()
            });
            // Once the caller stops listening, the log is only drained.
            let _ = tx.send((line, served));
        }
    });
    let mut log = String::new();
    loop {
        match rx.recv_timeout(START_TIMEOUT) {
            Ok((line, Some(addr))) => {
                log.push_str(&line);
                let addr = addr
                    .parse()
                    .unwrap_or_else(|e| panic!("{addr} in {line:?}: {e}"));
                return Ok(SagaRun {
                    child,
                    addr,
                    log,
                    all,
                });
            }
            Ok((line, None)) => {
                log.push_str(&line);
                log.push('\n');
            }
            // The log ended: the process exited without serving.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = child.wait();
                return Err(log);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no serving line in {START_TIMEOUT:?}\n{log}"));
            }
        }
    }
}

impl SagaRun {
    /// `http://ADDR`: the order API and, for `--endpoint-url`, the
    /// EventBridge and SQS APIs.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything it has logged so far (what it does after serving too).
    pub fn log_so_far(&self) -> String {
        self.all.lock().map(|all| all.clone()).unwrap_or_default()
    }

    /// SIGKILL, as a crash.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM, as Ctrl-C, and waits for the graceful stop.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        self.child.wait().expect("stopped");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// A test that fails while its server runs must not leave the process
/// behind: it is killed with the test.
impl Drop for SagaRun {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
