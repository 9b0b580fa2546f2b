//! docs/hybrid.md's two commands, as a user runs them: `saga run
//! --no-functions` serves the bus and queues, and `saga run --backend aws
//! --bus-endpoint <it> --endpoint <moto> --provision` runs every function
//! against them with the tables in moto. An order placed on the second
//! confirms, and `saga trace` finds its events in the first's archive.

use crate::http;
use saga_aws_tests::{Moto, Tools};
use std::ffi::OsStr;
use std::path::Path;
use std::time::{Duration, Instant};

fn saga() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_saga"))
}

/// The AWS SDK wants credentials and a region; neither endpoint checks them.
const AWS_ENV: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "test"),
    ("AWS_SECRET_ACCESS_KEY", "test"),
    ("AWS_REGION", "us-east-1"),
];

/// `saga run --backend aws` with its tables at `endpoint` (created there)
/// and its bus and queues at `bus_endpoint`.
fn start_handlers(
    endpoint: &str,
    bus_endpoint: &str,
) -> Result<testkit::saga_run::SagaRun, String> {
    let template = crate::template();
    testkit::saga_run::try_start_with_env(
        saga(),
        [
            "--backend",
            "aws",
            "--template",
            &template,
            "--endpoint",
            endpoint,
            "--provision",
            "--bus-endpoint",
            bus_endpoint,
        ],
        &AWS_ENV,
    )
}

#[test]
fn the_hybrid_backend_runs_the_saga_over_saga_run_without_functions_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let template = crate::template();
    let db = dir.path().join("bus.db");
    let bus = testkit::saga_run::start(
        saga(),
        [
            OsStr::new("--no-functions"),
            OsStr::new("--template"),
            OsStr::new(&template),
            OsStr::new("--db"),
            db.as_os_str(),
        ],
    );
    let moto = Moto::start(Tools::get());
    let handlers = start_handlers(&moto.endpoint(), &bus.endpoint())
        .unwrap_or_else(|log| panic!("the hybrid backend did not start:\n{log}"));
    let order = r#"{"customerId": "cust-42", "lines": [{"sku": "KB-001", "quantity": 1}],
      "shipTo": {"name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "London", "postalCode": "N1 7GU", "country": "GB"},
      "paymentToken": "tok_visa"}"#;
    let placed = http::request(handlers.addr, "POST", "/orders", &[], order).expect("POST");
    assert_eq!(placed.status, 201, "{}", placed.body);
    let id = placed.body["orderId"].as_str().expect("orderId").to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let got =
            http::request(handlers.addr, "GET", &format!("/orders/{id}"), &[], "").expect("GET");
        let status = got.body["status"].as_str().unwrap_or_default().to_owned();
        if status == "CONFIRMED" || Instant::now() > deadline {
            break status;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        status,
        "CONFIRMED",
        "hybrid log:\n{}\nsaga run log:\n{}",
        handlers.log_so_far(),
        bus.log_so_far()
    );
    // The events are on saga run's bus: its archive has them all.
    let trace = crate::saga(&[
        "trace",
        &id,
        "--template",
        &template,
        "--db",
        db.to_str().unwrap(),
    ]);
    for step in ["Order Placed", "Payment Authorized", "Order Confirmed"] {
        assert!(
            trace.stdout.contains(step),
            "{step}: {}{}",
            trace.stdout,
            trace.stderr
        );
    }
}

#[test]
fn a_bus_endpoint_without_the_templates_queues_stops_the_start_naming_what_is_missing() {
    let moto = Moto::start(Tools::get());
    // moto holds no bus or queue: nothing is found there, nothing created.
    let refused = start_handlers(&moto.endpoint(), &moto.endpoint());
    let Err(log) = refused else {
        panic!("started against an endpoint without the bus");
    };
    assert!(
        log.contains("finding the template's bus, rules and queues at --bus-endpoint")
            && log.contains(
                "the endpoint has no AWS::Events::EventBus SagaBus (looked up as ordersaga)"
            ),
        "{log}"
    );
}
