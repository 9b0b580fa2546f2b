//! A `moto_server` on a free port of 127.0.0.1, and SDK configuration that
//! points at it with dummy credentials in us-east-1.

use crate::tools::{ChildGuard, Tools, free_port, wait_for_port};
use aws_sdk_dynamodb::config::{Credentials, Region};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

pub const REGION: &str = "us-east-1";
/// moto's default account: ARNs it returns carry it.
pub const ACCOUNT: &str = "123456789012";
pub const ACCESS_KEY: &str = "testing";
pub const SECRET_KEY: &str = "testing";

pub struct Moto {
    pub port: u16,
    _process: ChildGuard,
}

/// `moto_server` run by its venv's Python, with a thread that ends the
/// process once its parent is gone (its parent pid changes): for a moto
/// that nothing will stop, as a `static` is never dropped.
const WATCHING_PARENT: &str = "\
import os, sys, threading, time
from moto.server import main
parent = os.getppid()
def watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
main(sys.argv[1:])
";

impl Moto {
    pub fn start(tools: &Tools) -> Moto {
        Self::spawn(Command::new(&tools.moto_server))
    }

    /// One moto for every test of this process that asks, started on
    /// first use and never stopped by the tests: it exits by itself when
    /// this process does, whether it ends, fails or is killed. Tests
    /// sharing it keep apart by the names they give what they create.
    pub fn shared() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(|| {
            let mut cmd = Command::new(&Tools::get().python);
            cmd.args(["-c", WATCHING_PARENT]);
            Self::spawn(cmd)
        })
    }

    fn spawn(mut cmd: Command) -> Moto {
        let port = free_port();
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        let quiet = std::env::var_os("SAGA_AWS_VERBOSE").is_none();
        let mut process = ChildGuard::spawn("moto_server", cmd, quiet);
        wait_for_port(&mut process, port, Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("{e}"));
        Moto {
            port,
            _process: process,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(self.endpoint())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "moto"))
            .load()
            .await
    }
}
