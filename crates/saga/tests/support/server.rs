//! A real `saga run` process on a free loopback port, for the suites that
//! kill, restart and race it.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub fn template() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml")
}

/// A `saga run` and the address it serves.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    /// The log up to and with the "serving" line.
    #[allow(dead_code)] // not every suite reads it
    pub log: String,
}

/// Starts `saga run` on a free port and waits for its "serving" line.
pub fn start(db: &Path) -> Server {
    try_start(db).unwrap_or_else(|log| panic!("saga run did not start:\n{log}"))
}

/// [`start`], or the log of a `saga run` that exited instead of serving.
pub fn try_start(db: &Path) -> Result<Server, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_saga"))
        .args(["run", "--listen", "127.0.0.1:0", "--template"])
        .arg(template())
        .arg("--db")
        .arg(db)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("saga run starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    // Keeps draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
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
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((line, Some(addr))) => {
                let addr = addr.parse().expect("an address");
                log.push_str(&line);
                return Ok(Server { child, addr, log });
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
                return Err(format!("no serving line in 60 s\n{log}"));
            }
        }
    }
}

impl Server {
    /// SIGKILL, as a crash.
    #[allow(dead_code)] // not every suite kills
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

    #[allow(dead_code)] // not every suite asks
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// A test that fails while its server runs must not leave the process
/// behind: it is killed with the test.
impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
