//! Another department's service (departments/fulfilment/service.py: Python
//! and plain boto3, outside the workspace) reacts to the saga's Order
//! Confirmed from the queue the template gives it (FulfilmentQueue, routed by
//! FulfilmentRule) and publishes its own event to the saga's bus.

use crate::{SagaRun, aws_cli, repo};
use serde_json::Value;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `POST /orders` with the API Gateway payload's body; the new order's id.
fn place_order(saga: &SagaRun) -> String {
    let payload: Value = serde_json::from_str(include_str!(
        "../../../../events-schema/lambda/apigw-post-order.json"
    ))
    .unwrap();
    let body = payload["body"].as_str().unwrap();
    let addr = saga.endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /orders HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 20"), "{response}");
    let order: Value = serde_json::from_str(body).unwrap();
    order["orderId"]
        .as_str()
        .unwrap_or_else(|| panic!("no orderId in {order}"))
        .to_owned()
}

#[test]
fn a_boto3_service_of_another_department_packs_each_confirmed_order_and_publishes_to_the_bus() {
    let saga = SagaRun::start(&[]);
    let order = place_order(&saga);
    let python = aws_cli().with_file_name("python");
    let mut service = Command::new(python)
        .arg(repo().join("departments/fulfilment/service.py"))
        .args(["--endpoint-url", &saga.endpoint])
        .args(["--queue-url", &saga.queue("FulfilmentQueue")])
        .args(["--bus", "ordersaga", "--max-orders", "1", "--wait", "5"])
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the department's service starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while service.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = service.kill();
            panic!("the department's service never handled the confirmed order");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = service.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let handled: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(handled["orderId"], order.as_str());
    assert_eq!(
        saga.depth("FulfilmentQueue"),
        0,
        "the service deleted what it handled"
    );

    // Its event is on the saga's bus: archived in the order's timeline.
    let trace = Command::new(env!("CARGO_BIN_EXE_saga"))
        .args(["trace", &order, "--template"])
        .arg(repo().join("infra/template.yaml"))
        .arg("--db")
        .arg(&saga.db)
        .output()
        .unwrap();
    let timeline = String::from_utf8_lossy(&trace.stdout);
    assert!(timeline.contains("Order Confirmed"), "{timeline}");
    assert!(timeline.contains("Parcel Packed"), "{timeline}");
    assert!(
        timeline.contains(handled["eventId"].as_str().unwrap()),
        "{timeline}"
    );
}
