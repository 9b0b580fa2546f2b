//! The Rust Lambda user's own loop, `cargo lambda watch` and `cargo lambda
//! invoke` (cargo-lambda 1.9.2, pinned in .venv by `make tools`; a client
//! nobody here wrote), against the local saga: the environment every
//! function needs comes from the template through `saga lambda-env`,
//! EventBridge is the bus of a real `saga run` (its AWS API), DynamoDB is
//! AWS's own DynamoDB Local.
//!
//! `cargo lambda watch --only-lambda-apis` serves the Lambda Runtime API
//! (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) and the
//! invoke endpoint without building anything: the functions are the
//! bootstraps `make aws-build` built (profile `lambda-test`), each started as
//! cargo-lambda tells an IDE user to start one, with
//! `AWS_LAMBDA_RUNTIME_API` at its function's path on the watch server.
//! What `cargo lambda watch` adds without that flag, compiling and
//! restarting a function on each change, is cargo's own work and is not
//! repeated here (it would build every function again, in another feature
//! set and profile, on every cold `make test`).

#[path = "../support/server.rs"]
mod server;

use saga_aws_tests::emulators::{DynamoDbLocal, is_loopback, listeners};
use saga_aws_tests::tools::{ChildGuard, Tools, free_port, wait_for_port};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn cargo_lambda() -> PathBuf {
    let path = repo().join(".venv/bin/cargo-lambda");
    assert!(
        path.is_file(),
        "{} is missing: run `make tools` (cargo-lambda is pinned in tools/requirements.txt)",
        path.display()
    );
    path
}

fn verbose() -> bool {
    std::env::var_os("SAGA_AWS_VERBOSE").is_some()
}

/// `saga lambda-env --create-tables`, the command under test, as a user
/// runs it; its output.
fn lambda_env(saga_api: &str, dynamodb: &str, out: &Path) -> String {
    let run = Command::new(env!("CARGO_BIN_EXE_saga"))
        .args(["lambda-env", "--template"])
        .arg(server::template())
        .args(["--aws-endpoint", saga_api, "--dynamodb-endpoint", dynamodb])
        .args(["--create-tables", "--out"])
        .arg(out)
        .output()
        .expect("saga lambda-env runs");
    assert!(
        run.status.success(),
        "saga lambda-env failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8_lossy(&run.stdout).into_owned()
}

/// The env file's `KEY=VALUE` lines.
fn read_env(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .expect("the env file is written")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').expect("KEY=VALUE");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// `cargo lambda watch --only-lambda-apis --env-file FILE` on a free
/// loopback port (it refuses to start on an env file it cannot parse).
fn watch(env_file: &Path) -> (ChildGuard, u16) {
    let port = free_port();
    let mut cmd = Command::new(cargo_lambda());
    cmd.args(["lambda", "watch", "--only-lambda-apis", "--invoke-address"])
        .args(["127.0.0.1", "--invoke-port", &port.to_string()])
        .arg("--env-file")
        .arg(env_file)
        .current_dir(repo());
    let mut guard = ChildGuard::spawn("cargo lambda watch", cmd, !verbose());
    wait_for_port(&mut guard, port, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{e}"));
    (guard, port)
}

/// A function's bootstrap attached to the watch server's runtime API, with
/// the env file's variables and nothing of this process's environment (as
/// Lambda gives a function only its configuration).
fn function(binary: &str, env: &BTreeMap<String, String>, watch_port: u16) -> ChildGuard {
    let mut cmd = Command::new(Tools::get().bootstrap(binary));
    cmd.env_clear()
        .envs(env)
        .env("PATH", "/usr/bin:/bin")
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://127.0.0.1:{watch_port}/.rt/{binary}"),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", binary)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256");
    ChildGuard::spawn(binary, cmd, !verbose())
}

/// `cargo lambda invoke NAME --data-file events-schema/lambda/FILE`: the
/// function's answer.
fn invoke(watch_port: u16, binary: &str, payload: &str) -> Value {
    let out: Output = Command::new(cargo_lambda())
        .args(["lambda", "invoke", binary, "--data-file"])
        .arg(repo().join("events-schema/lambda").join(payload))
        .args(["--invoke-address", "127.0.0.1", "--invoke-port"])
        .arg(watch_port.to_string())
        .args(["--output-format", "json"])
        .current_dir(repo())
        .output()
        .expect("cargo lambda invoke runs");
    assert!(
        out.status.success(),
        "cargo lambda invoke {binary} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cargo lambda invoke {binary}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// The order's timeline in the archive of `saga run`, as `saga trace` prints it.
fn trace(db: &Path, order_id: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_saga"))
        .args(["trace", order_id, "--template"])
        .arg(server::template())
        .arg("--db")
        .arg(db)
        .output()
        .expect("saga trace runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The partition keys of every item of `table`.
async fn partition_keys(dynamodb: &aws_sdk_dynamodb::Client, table: &str) -> Vec<String> {
    let page = dynamodb
        .scan()
        .table_name(table)
        .send()
        .await
        .unwrap_or_else(|e| panic!("scan {table}: {e:?}"));
    page.items()
        .iter()
        .filter_map(|item| item.get("PK")?.as_s().ok().cloned())
        .collect()
}

/// `(available, reserved)` of a SKU in the inventory table, read through
/// the inventory service's own DynamoDB store.
async fn stock(dynamodb: &aws_sdk_dynamodb::Client, sku: &str) -> (u32, u32) {
    use inventory::InventoryStore;
    let store = inventory::dynamo::DynamoInventoryStore::new(dynamodb.clone(), "InventoryTable");
    let items = store
        .items(&[events::Sku::parse(sku).unwrap()])
        .await
        .expect("the inventory table reads");
    let item = items
        .first()
        .unwrap_or_else(|| panic!("{sku} is not in the inventory"));
    (item.available, item.reserved)
}

#[tokio::test(flavor = "multi_thread")]
async fn cargo_lambda_invoke_runs_the_orders_api_and_a_consumer_with_the_template_env_against_the_local_bus_and_dynamodb_local()
 {
    let dynamodb_local = DynamoDbLocal::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("saga.db");
    let saga = server::start(&db);
    let saga_api = format!("http://{}", saga.addr);
    let env_path = dir.path().join("lambda.env");
    let said = lambda_env(&saga_api, &dynamodb_local.endpoint(), &env_path);
    assert!(said.contains("table OrdersTable: created"), "{said}");
    assert!(
        said.contains("seed catalogue: 7 items written to InventoryTable, 0 there already"),
        "{said}"
    );
    assert!(
        said.contains("left out reports-api (ReportsFunction)"),
        "{said}"
    );
    let env = read_env(&env_path);

    // The template's variables, resolved to the local resources' names.
    assert_eq!(env["ORDERS_TABLE"], "OrdersTable", "{env:?}");
    assert_eq!(env["INVENTORY_TABLE"], "InventoryTable", "{env:?}");
    assert_eq!(env["EVENT_BUS_NAME"], "ordersaga", "{env:?}");
    assert_eq!(env["AWS_ENDPOINT_URL_EVENTBRIDGE"], saga_api);
    assert_eq!(env["AWS_ENDPOINT_URL_DYNAMODB"], dynamodb_local.endpoint());

    let (watch, port) = watch(&env_path);
    let bound = listeners(&[watch.pid()]);
    assert!(
        !bound.is_empty() && bound.iter().all(|(addr, _)| is_loopback(addr)),
        "cargo lambda watch listens beyond loopback: {bound:?}"
    );
    let _orders_api = function("orders-api", &env, port);
    let _inventory = function("inventory-consumer", &env, port);
    let dynamodb = aws_sdk_dynamodb::Client::new(&dynamodb_local.sdk_config().await);

    // The orders API: API Gateway's payload in, the order stored in
    // DynamoDB Local with its outbox record.
    let answer = invoke(port, "orders-api", "apigw-post-order.json");
    assert_eq!(answer["statusCode"], 201, "{answer}");
    let body: Value =
        serde_json::from_str(answer["body"].as_str().expect("a body")).expect("JSON body");
    let order_id = body["orderId"].as_str().expect("an order id").to_owned();
    let orders = partition_keys(&dynamodb, "OrdersTable").await;
    assert!(
        orders.iter().any(|pk| pk.contains(&order_id)),
        "order {order_id} is not in OrdersTable: {orders:?}"
    );
    assert!(
        orders.iter().any(|pk| pk.starts_with("OUTBOX#")),
        "no outbox record in OrdersTable: {orders:?}"
    );

    // A consumer: SQS's payload in, the reservation in DynamoDB Local and
    // its outcome on the bus of `saga run`, in its archive.
    let answer = invoke(port, "inventory-consumer", "sqs-inventory.json");
    assert_eq!(
        answer["batchItemFailures"],
        serde_json::json!([]),
        "{answer}"
    );
    let placed = "133f2cfb-beda-57b2-b035-8275dd005dd3"; // the payload's order
    let start = Instant::now();
    loop {
        let timeline = trace(&db, placed);
        if timeline.contains("Inventory Reserved") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "Inventory Reserved for {placed} never reached saga run's archive:\n{timeline}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let reserved = partition_keys(&dynamodb, "InventoryTable").await;
    assert!(
        reserved.iter().any(|pk| pk.contains(placed)),
        "no reservation for {placed} in InventoryTable: {reserved:?}"
    );
    assert_eq!(stock(&dynamodb, "MOUSE-002").await, (998, 2));

    // Running it again changes nothing: the tables and the reserved stock
    // stay as they are.
    let again = lambda_env(&saga_api, &dynamodb_local.endpoint(), &env_path);
    assert!(
        again.contains("table OrdersTable: exists, left alone"),
        "{again}"
    );
    assert!(
        again.contains("seed catalogue: 0 items written to InventoryTable, 7 there already"),
        "{again}"
    );
    assert_eq!(stock(&dynamodb, "MOUSE-002").await, (998, 2));
    assert!(
        partition_keys(&dynamodb, "OrdersTable")
            .await
            .iter()
            .any(|pk| pk.contains(&order_id)),
        "the order is gone after the second run"
    );
    saga.stop();
}
