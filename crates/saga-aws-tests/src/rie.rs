//! A Lambda function's `bootstrap` (profile `lambda-test`, or
//! `lambda-release` for the bench) under the AWS Lambda Runtime Interface
//! Emulator, started the way `sam local invoke` starts it in its
//! `provided.al2023` container: `aws-lambda-rie --log-level error
//! <bootstrap>` in the code directory, with the variables SAM CLI sets
//! (`samcli/local/lambdafn/env_vars.py`) plus the function's own from
//! `infra/template.yaml`. Both addresses are on 127.0.0.1, on free ports.

pub use crate::function::Function;
use crate::moto::{ACCESS_KEY, ACCOUNT, REGION, SECRET_KEY};
use crate::tools::{ChildGuard, Tools, free_port, wait_for_port};
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

/// What the function is pointed at: moto's endpoint and the bus name.
#[derive(Debug, Clone)]
pub struct Target {
    pub endpoint: Option<String>,
    pub bus: String,
}

/// One running emulator (and, after the first invoke, its bootstrap).
pub struct RieFunction {
    pub function: Function,
    pub port: u16,
    pub started: Instant,
    http: reqwest::Client,
    _process: ChildGuard,
}

/// The RIE answers on its port as soon as it starts; the bootstrap is
/// started by the first invocation, as on a Lambda cold start.
pub fn start(tools: &Tools, function: Function, target: &Target) -> RieFunction {
    start_binary(tools, function, &tools.bootstrap(function.binary), target)
}

pub fn start_binary(
    tools: &Tools,
    function: Function,
    bootstrap: &std::path::Path,
    target: &Target,
) -> RieFunction {
    let port = free_port();
    let api_port = free_port();
    let code_dir = bootstrap.parent().expect("the bootstrap has a directory");
    let mut cmd = Command::new(&tools.rie);
    cmd.env_clear()
        .current_dir(code_dir)
        .args(["--log-level", "error"])
        .args([
            "--runtime-interface-emulator-address",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["--runtime-api-address", &format!("127.0.0.1:{api_port}")])
        .arg(bootstrap);
    for (name, value) in sam_env(function, target) {
        cmd.env(name, value);
    }
    let quiet = std::env::var_os("SAGA_AWS_VERBOSE").is_none();
    let started = Instant::now();
    let mut process = ChildGuard::spawn(function.logical_id, cmd, quiet);
    wait_for_port(&mut process, port, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{e}"));
    RieFunction {
        function,
        port,
        started,
        http: reqwest::Client::new(),
        _process: process,
    }
}

/// The variables `sam local invoke` gives a function, then its own.
pub fn sam_env(function: Function, target: &Target) -> Vec<(String, String)> {
    let name = function.logical_id;
    let mut env: Vec<(String, String)> = [
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("AWS_SAM_LOCAL", "true"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
        ("AWS_LAMBDA_FUNCTION_TIMEOUT", "10"),
        ("AWS_LAMBDA_FUNCTION_HANDLER", "bootstrap"),
        ("AWS_LAMBDA_FUNCTION_NAME", name),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "$LATEST"),
        ("AWS_REGION", REGION),
        ("AWS_DEFAULT_REGION", REGION),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_ACCOUNT_ID", ACCOUNT),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        ("RUST_LOG", "info"),
        ("METRICS_NAMESPACE", "OrderSaga"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    env.push((
        "AWS_LAMBDA_LOG_GROUP_NAME".into(),
        format!("aws/lambda/{name}"),
    ));
    env.push(("EVENT_BUS_NAME".into(), target.bus.clone()));
    if let Some((var, table)) = function.table {
        env.push((var.into(), table.into()));
    }
    for (k, v) in function.extra_env {
        env.push(((*k).into(), (*v).into()));
    }
    if let Some(endpoint) = &target.endpoint {
        env.push(("AWS_ENDPOINT_URL".into(), endpoint.clone()));
    }
    env
}

impl RieFunction {
    pub fn url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/2015-03-31/functions/function/invocations",
            self.port
        )
    }

    /// Invokes the function with `payload`, as `sam local invoke -e` does,
    /// and returns what it answered (its result, or Lambda's error object).
    pub async fn invoke(&self, payload: &Value) -> Value {
        let response = self
            .http
            .post(self.url())
            .body(payload.to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("invoking {}: {e}", self.function.logical_id));
        let status = response.status();
        let text = response
            .text()
            .await
            .expect("the invocation's response body");
        assert!(
            status.is_success(),
            "{} answered {status}: {text}",
            self.function.logical_id
        );
        serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "{} answered non-JSON ({e}): {text}",
                self.function.logical_id
            )
        })
    }
}
