//! Size and cold start of every Lambda bootstrap, beside a bare
//! `lambda_runtime` hello world built by the same cargo invocation with the
//! same profile (`lambda-release`):
//!
//! `make aws-bench` (or `cargo run -p saga-aws-tests --bin lambda-bench [-- --runs N]`
//! after `make aws-build`)
//!
//! Size: the bootstrap, raw and zipped (deflate, as a Lambda .zip
//! package). Cold start: from starting the Runtime Interface Emulator
//! process to the first invocation's response (the RIE starts the
//! bootstrap on that first invocation, as Lambda does), median of N runs,
//! each run a fresh process. Every function is invoked with a payload that
//! exercises its full init and a cheap handler path, against moto.

use saga_aws_tests::rie::{self, Function, Target};
use saga_aws_tests::tools::HELLO_BIN;
use saga_aws_tests::{Moto, Stack, Tools, payload};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Targets the figures are reported against.
const MAX_ZIPPED_BYTES: u64 = 3 * 1024 * 1024;
const MAX_COLD_START_RATIO: f64 = 1.5;

const HELLO: Function = Function {
    logical_id: "HelloWorldFunction",
    binary: HELLO_BIN,
    table: None,
    extra_env: &[],
};

/// A payload that runs the function's init and a handler path that needs
/// no data: an empty batch, an unknown order id, an empty DLQ.
fn cheap_payload(function: Function) -> Value {
    match function.binary {
        "orders-api" => {
            let mut get = payload("apigw-get-order.json");
            get["rawPath"] = "/orders/not-an-id".into();
            get["requestContext"]["http"]["path"] = "/orders/not-an-id".into();
            get["pathParameters"]["id"] = "not-an-id".into();
            get
        }
        "dlq-redrive" => json!({ "queue": "EmptyDLQ" }),
        "reports-api" => {
            let mut get = payload("apigw-get-order.json");
            get["rawPath"] = "/reports/no-such-report".into();
            get["requestContext"]["http"]["path"] = "/reports/no-such-report".into();
            get["routeKey"] = "GET /reports/{name}".into();
            get["requestContext"]["routeKey"] = "GET /reports/{name}".into();
            get["pathParameters"] = json!({ "name": "no-such-report" });
            get
        }
        b if b == HELLO_BIN => json!({}),
        _ => json!({ "Records": [] }),
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
    let tools = Tools::locate().unwrap_or_else(|e| {
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

    let mut functions = vec![HELLO];
    functions.extend(Function::ALL);
    let bootstraps: Vec<_> = functions
        .iter()
        .map(|f| tools.bootstrap(f.binary))
        .collect();
    let mut cold: Vec<Vec<Duration>> = vec![Vec::new(); functions.len()];
    // Round-robin, so that any drift of the machine spreads over all.
    for _ in 0..runs {
        for (i, f) in functions.iter().enumerate() {
            let running = rie::start_binary(&tools, *f, &bootstraps[i], &target);
            let response = running.invoke(&cheap_payload(*f)).await;
            cold[i].push(running.started.elapsed());
            assert!(
                response.get("errorType").is_none(),
                "{}: {response}",
                f.logical_id
            );
        }
    }

    let hello = median(cold[0].clone()).as_secs_f64();
    println!(
        "bootstraps: {}\n{runs} cold starts each (median), RIE process start to first response; targets: zipped <= {:.1} MB, cold start <= {MAX_COLD_START_RATIO}x hello world\n",
        tools.bootstrap_dir.display(),
        mb(MAX_ZIPPED_BYTES)
    );
    println!(
        "{:<24} {:<20} {:>9} {:>9} {:>9} {:>7}  verdict",
        "function", "binary", "raw MB", "zip MB", "cold ms", "ratio"
    );
    for (i, f) in functions.iter().enumerate() {
        let raw = std::fs::metadata(&bootstraps[i]).expect("bootstrap").len();
        let zip = zipped_size(&tools, &bootstraps[i]);
        let ms = median(cold[i].clone()).as_secs_f64();
        let ratio = ms / hello;
        let mut verdict = Vec::new();
        if zip > MAX_ZIPPED_BYTES {
            verdict.push("zip over 3 MB");
        }
        if ratio > MAX_COLD_START_RATIO {
            verdict.push("cold start over 1.5x");
        }
        println!(
            "{:<24} {:<20} {:>9.2} {:>9.2} {:>9.1} {:>6.2}x  {}",
            f.logical_id,
            f.binary,
            mb(raw),
            mb(zip),
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
