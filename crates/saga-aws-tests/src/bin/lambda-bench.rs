//! Size and cold start of every Lambda bootstrap, beside a bare
//! `lambda_runtime` hello world built by the same cargo invocation with the
//! same profile (`lambda-release`):
//!
//! `make aws-bench` (or `cargo run -p saga-aws-tests --bin lambda-bench [-- --runs N]`
//! after `make aws-build-release`)
//!
//! Size: the bootstrap, raw and zipped (deflate, as a Lambda .zip
//! package). Cold start: from starting the Runtime Interface Emulator
//! process to the first invocation's response (the RIE starts the
//! bootstrap on that first invocation, as Lambda does), median of N runs,
//! each run a fresh process. Every function is invoked, against moto, with
//! a payload that runs its full init and a handler path making no AWS call
//! (see `cases`); dlq-redrive is also measured on its empty-DLQ Query,
//! outside the target. The same payload is then invoked once more in the
//! same process: that warm figure is what the handler path itself costs
//! (for the Query, mostly moto's answer), so a cold start reads as init
//! plus that.

use saga_aws_tests::rie::{self, Function, Target};
use saga_aws_tests::tools::{HELLO_BIN, LAMBDA_PROFILE};
use saga_aws_tests::{Moto, Stack, Tools, payload};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Targets the figures are reported against.
const MAX_ZIPPED_BYTES: u64 = 3 * 1024 * 1024;
const MAX_COLD_START_RATIO: f64 = 1.5;

const HELLO: Function = Function {
    logical_id: "HelloWorldFunction",
    binary: HELLO_BIN,
    table: None,
    extra_env: &[],
};

/// One measured invocation: a function, its payload, and what it answers.
struct Case {
    function: Function,
    /// Names the payload when a function is measured with two.
    label: &'static str,
    payload: Value,
    /// Text of the function error the payload must produce (a request the
    /// function refuses before any AWS call), or None for an answer.
    refused_with: Option<&'static str>,
    /// Whether the cold-start target applies to the figure.
    targeted: bool,
}

impl Case {
    fn answered(function: Function, payload: Value) -> Case {
        Case {
            function,
            label: "",
            payload,
            refused_with: None,
            targeted: true,
        }
    }
}

fn api_get(path: &str, route_key: &str, parameters: Value) -> Value {
    let mut get = payload("apigw-get-order.json");
    get["rawPath"] = path.into();
    get["requestContext"]["http"]["path"] = path.into();
    get["routeKey"] = route_key.into();
    get["requestContext"]["routeKey"] = route_key.into();
    get["pathParameters"] = parameters;
    get
}

/// The targeted cases run each function's whole init and then a handler
/// path that makes no AWS call, so that the figure is the function's cold
/// start and not the emulator's service time: an empty batch, a malformed
/// order id (400), an unknown report (400), a queue name SQS could not
/// have (a function error, as a hand-made typo gets). dlq-redrive has no
/// answered path without I/O: its cheapest (an empty DLQ) queries
/// DynamoDB, so it is measured that way too, outside the target.
fn cases() -> Vec<Case> {
    let mut cases = vec![Case::answered(HELLO, json!({}))];
    for function in Function::ALL {
        cases.push(match function.binary {
            "orders-api" => Case::answered(
                function,
                api_get(
                    "/orders/not-an-id",
                    "GET /orders/{id}",
                    json!({ "id": "not-an-id" }),
                ),
            ),
            "reports-api" => Case::answered(
                function,
                api_get(
                    "/reports/no-such-report",
                    "GET /reports/{name}",
                    json!({ "name": "no-such-report" }),
                ),
            ),
            "dlq-redrive" => Case {
                refused_with: Some("is not an SQS queue name"),
                ..Case::answered(function, json!({ "queue": "Inventory DLQ" }))
            },
            _ => Case::answered(function, json!({ "Records": [] })),
        });
    }
    cases.push(Case {
        label: " (Query)",
        targeted: false,
        ..Case::answered(Function::DLQ_REDRIVE, json!({ "queue": "EmptyDLQ" }))
    });
    cases
}

/// Checks an invocation's response against what the case expects.
fn check(case: &Case, response: &Value, when: &str) {
    let id = case.function.logical_id;
    match case.refused_with {
        None => assert!(
            response.get("errorType").is_none(),
            "{id}{} ({when}): {response}",
            case.label
        ),
        Some(text) => assert!(
            response["errorMessage"]
                .as_str()
                .is_some_and(|m| m.contains(text)),
            "{id} ({when}) should refuse with {text:?}: {response}"
        ),
    }
}

fn zipped_size(tools: &Tools, path: &Path) -> u64 {
    let script = "import io, sys, zipfile\n\
        b = io.BytesIO()\n\
        with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z: z.write(sys.argv[1], 'bootstrap')\n\
        print(len(b.getvalue()))";
    let out = Command::new(&tools.python)
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python zipfile");
    assert!(out.status.success(), "zipping {}", path.display());
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a size")
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = match args.iter().position(|a| a == "--runs") {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .expect("--runs N"),
        None => 7,
    };
    // The figures are of what ships: the deploy profile, not the tests' one.
    let tools = Tools::locate_for(LAMBDA_PROFILE).unwrap_or_else(|e| {
        eprintln!("lambda-bench: {e}");
        std::process::exit(2)
    });
    let moto = Moto::start(&tools);
    let config = moto.sdk_config().await;
    let _stack = Stack::create(&config, &tools.root.join("infra/template.yaml")).await;
    let target = Target {
        endpoint: Some(moto.endpoint()),
        bus: saga_aws_tests::stack::BUS.into(),
    };

    let cases = cases();
    let bootstraps: Vec<_> = cases
        .iter()
        .map(|c| tools.bootstrap(c.function.binary))
        .collect();
    let mut cold: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    let mut warm: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    // Round-robin, so that any drift of the machine spreads over all.
    for _ in 0..runs {
        for (i, case) in cases.iter().enumerate() {
            let running = rie::start_binary(&tools, case.function, &bootstraps[i], &target);
            let response = running.invoke(&case.payload).await;
            cold[i].push(running.started.elapsed());
            check(case, &response, "cold");
            let again = Instant::now();
            let response = running.invoke(&case.payload).await;
            warm[i].push(again.elapsed());
            check(case, &response, "warm");
        }
    }

    let hello = median(cold[0].clone()).as_secs_f64();
    println!(
        "bootstraps: {}\n{runs} cold starts each (median), RIE process start to first response; targets: zipped <= {:.1} MB, cold start <= {MAX_COLD_START_RATIO}x hello world\n",
        tools.bootstrap_dir.display(),
        mb(MAX_ZIPPED_BYTES)
    );
    println!(
        "{:<32} {:<20} {:>9} {:>9} {:>9} {:>9} {:>7}  verdict",
        "function", "binary", "raw MB", "zip MB", "warm ms", "cold ms", "ratio"
    );
    for (i, case) in cases.iter().enumerate() {
        let raw = std::fs::metadata(&bootstraps[i]).expect("bootstrap").len();
        let zip = zipped_size(&tools, &bootstraps[i]);
        let ms = median(cold[i].clone()).as_secs_f64();
        let warm_ms = median(warm[i].clone()).as_secs_f64() * 1000.0;
        let ratio = ms / hello;
        let mut verdict = Vec::new();
        if zip > MAX_ZIPPED_BYTES {
            verdict.push("zip over 3 MB");
        }
        if !case.targeted {
            verdict.push("not a target: includes a DynamoDB Query answered by moto");
        } else if ratio > MAX_COLD_START_RATIO {
            verdict.push("cold start over 1.5x");
        }
        println!(
            "{:<32} {:<20} {:>9.2} {:>9.2} {:>9.1} {:>9.1} {:>6.2}x  {}",
            format!("{}{}", case.function.logical_id, case.label),
            case.function.binary,
            mb(raw),
            mb(zip),
            warm_ms,
            ms * 1000.0,
            ratio,
            if verdict.is_empty() {
                "ok".to_owned()
            } else {
                verdict.join(", ")
            }
        );
    }
}
