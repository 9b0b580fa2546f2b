//! The AWS side of ordersaga, proved on one machine without Docker: each
//! Lambda `bootstrap` (profile `lambda-test`, built for this host) runs
//! under the AWS Lambda Runtime Interface Emulator shipped with aws-sam-cli, its AWS
//! clients pointed at a `moto_server` holding the template's tables, bus,
//! rules and queues. See docs/aws.md.
//!
//! [`TestApp`] owns moto and every emulator it starts; dropping it kills
//! them (each with its process group).

pub mod emulators;
pub mod function;
pub mod moto;
pub mod rie;
pub mod stack;
pub mod tools;

use rie::{Function, RieFunction, Target};
use serde_json::Value;
use std::path::PathBuf;

pub use emulators::{DynamoDbLocal, LocalStack};
pub use moto::Moto;
pub use stack::Stack;
pub use tools::Tools;

pub struct TestApp {
    pub tools: &'static Tools,
    pub config: aws_config::SdkConfig,
    pub stack: Stack,
    functions: Vec<RieFunction>,
    // Dropped last: the functions may still be talking to it.
    pub moto: Moto,
}

impl TestApp {
    /// moto on a free port, with the template's resources created in it.
    pub async fn start() -> TestApp {
        let tools = Tools::get();
        let moto = Moto::start(tools);
        let config = moto.sdk_config().await;
        let stack = Stack::create(&config, &tools.root.join("infra/template.yaml")).await;
        TestApp {
            tools,
            config,
            stack,
            functions: Vec::new(),
            moto,
        }
    }

    pub fn target(&self) -> Target {
        Target {
            endpoint: Some(self.moto.endpoint()),
            bus: stack::BUS.into(),
        }
    }

    /// Invokes `function` (its emulator is started on first use) with the
    /// payload file `events-schema/lambda/<file>`.
    pub async fn invoke_file(&mut self, function: Function, file: &str) -> Value {
        self.invoke(function, &payload(file)).await
    }

    pub async fn invoke(&mut self, function: Function, event: &Value) -> Value {
        let index = match self.functions.iter().position(|f| f.function == function) {
            Some(i) => i,
            None => {
                let started = rie::start(self.tools, function, &self.target());
                self.functions.push(started);
                self.functions.len() - 1
            }
        };
        self.functions[index].invoke(event).await
    }
}

/// `events-schema/lambda/<file>`.
pub fn payload_path(file: &str) -> PathBuf {
    Tools::get().root.join("events-schema/lambda").join(file)
}

pub fn payload(file: &str) -> Value {
    let path = payload_path(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The message ids a consumer reported as failed (`SqsBatchResponse`).
pub fn failed_ids(response: &Value) -> Vec<String> {
    response["batchItemFailures"]
        .as_array()
        .unwrap_or_else(|| panic!("not a batch response: {response}"))
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap_or_default().to_owned())
        .collect()
}
