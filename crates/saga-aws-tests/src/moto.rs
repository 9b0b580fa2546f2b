//! A `moto_server` on a free port of 127.0.0.1, and SDK configuration that
//! points at it with dummy credentials in us-east-1.

use crate::tools::{ChildGuard, Tools, free_port, wait_for_port};
use aws_sdk_dynamodb::config::{Credentials, Region};
use std::process::Command;
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

impl Moto {
    pub fn start(tools: &Tools) -> Moto {
        let port = free_port();
        let mut cmd = Command::new(&tools.moto_server);
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
