//! No payment token, card number or full address ever reaches a log line.
//!
//! The whole saga runs from infra/template.yaml in the embedded runtime
//! (the same handler functions the Lambda bootstraps run), logging through
//! the subscriber the Lambda functions install (`platform::telemetry`), at
//! `trace` level for every crate, into memory. Orders carrying secrets take
//! every saga path; requests the API refuses and a poison event that no
//! consumer can parse carry them too. Then no captured line may contain
//! any of them.

use emulator::Faults;
use events::{EventId, OrderId, OutgoingEvent};
use runtime::{Options, Runtime};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "tok_SecretCard4242424242424242";
const CARD_NUMBER: &str = "4111111111111111";
const NAME: &str = "Grace Brewster Hopper";
const LINE1: &str = "77 Confidential Mews";
const LINE2: &str = "Flat 9 Hidden Court";
const CITY: &str = "Arlingtonshire";
const POSTAL_CODE: &str = "ZX9 9QQ";

/// Every secret, and the fixed tokens that drive the simulated gateway
/// (tokens too, so they must not be logged either).
const SECRETS: &[&str] = &[
    TOKEN,
    "4242424242424242",
    CARD_NUMBER,
    "tok_declined",
    NAME,
    LINE1,
    LINE2,
    CITY,
    POSTAL_CODE,
];

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> tracing_subscriber::fmt::MakeWriter<'w> for Capture {
    type Writer = Capture;
    fn make_writer(&'w self) -> Self::Writer {
        self.clone()
    }
}

fn order(sku: &str, quantity: i64, token: &str, country: &str) -> Value {
    json!({
        "customerId": "cust-secrets",
        "lines": [{"sku": sku, "quantity": quantity}],
        "shipTo": {"name": NAME, "line1": LINE1, "line2": LINE2, "city": CITY,
                   "postalCode": POSTAL_CODE, "country": country},
        "paymentToken": token,
        "promotionCode": "WELCOME10"
    })
}

/// One HTTP/1.1 request over a plain socket; returns the status code.
fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("send");
    stream.write_all(body.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"))
}

/// An Order Placed whose data has a full address where a number belongs:
/// the kind of message that fails to parse and is logged as an error, then
/// dead-lettered.
fn poison_event() -> OutgoingEvent {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events-schema/examples/order-placed.json");
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let detail = &mut event["detail"];
    detail["data"]["lines"][0]["quantity"] = json!(format!("{LINE1}, {CITY} {POSTAL_CODE}"));
    detail["data"]["paymentToken"] = json!(TOKEN);
    detail["data"]["shipTo"]["name"] = json!(NAME);
    OutgoingEvent {
        source: "shop.orders".into(),
        detail_type: "Order Placed".into(),
        detail: detail.to_string(),
        event_id: EventId::parse("0d9d5c1e-7a51-4f0e-9b7e-3c1f2a4b5d6e").unwrap(),
        order_id: OrderId::random(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_payment_token_card_number_or_full_address_reaches_a_log_line() {
    let capture = Capture::default();
    let subscriber = platform::telemetry::lambda_subscriber(
        tracing_subscriber::EnvFilter::new("trace"),
        capture.clone(),
    );
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
    let template = wiring::template::Template::from_path(&template).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::start(
        runtime::load(&template).unwrap(),
        Options {
            database: Some(dir.path().join("saga.db")),
            listen: Some("127.0.0.1:0".parse().unwrap()),
            faults: Faults::none(),
            workers: true,
            ..Options::default()
        },
    )
    .await
    .unwrap();
    let seed = inventory::catalogue::parse(inventory::catalogue::SEED).unwrap();
    inventory::catalogue::load(&runtime.services.inventory, &seed)
        .await
        .unwrap();
    let addr = runtime.addr.unwrap();

    let placed = [
        order("KB-001", 1, TOKEN, "GB"),     // confirmed, promotion queue
        order("LAPTOP-PRO", 1, TOKEN, "GB"), // high-value queue
        order("KB-001", 1, "tok_declined", "GB"), // declined, stock released
        order("GOLD-BAR", 1, TOKEN, "GB"),   // over the limit: declined
        order("KB-001", 1, TOKEN, "AQ"),     // not shipped: refund, release
        order("SOLD-OUT-001", 1, TOKEN, "GB"), // out of stock
    ];
    let refused = [
        order("KB-001", 0, TOKEN, "GB").to_string(),
        order("kb-001", 1, TOKEN, "GB").to_string(),
        order("KB-001", 1, "card_4111111111111111", "GB").to_string(),
        {
            let mut body = order("KB-001", 1, TOKEN, "GB");
            body["cardNumber"] = json!(CARD_NUMBER);
            body.to_string()
        },
        format!(r#"{{"paymentToken": "{TOKEN}", "shipTo": {{"line1": "{LINE1}""#),
    ];
    let posted = tokio::task::spawn_blocking(move || {
        let placed: Vec<u16> = placed
            .iter()
            .map(|b| request(addr, "POST", "/orders", &b.to_string()))
            .collect();
        let refused: Vec<u16> = refused
            .iter()
            .map(|b| request(addr, "POST", "/orders", b))
            .collect();
        (placed, refused)
    })
    .await
    .unwrap();
    assert_eq!(posted.0, [201; 6]);
    assert_eq!(posted.1, [400; 5]);
    runtime.put_events(&[poison_event()]).unwrap();
    assert!(
        runtime.wait_idle(Duration::from_secs(60)).await,
        "the saga did not settle: {:?}",
        runtime.queues.depths()
    );
    runtime.shutdown().await;

    let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The capture saw the whole run: handlers, the bus, dead letters.
    for seen in [
        "order placed",
        "payment decided",
        "shipment decided",
        "dead letter recorded",
    ] {
        assert!(
            text.contains(seen),
            "no `{seen}` line among {} lines",
            lines.len()
        );
    }
    let leaks: Vec<String> = SECRETS
        .iter()
        .flat_map(|secret| {
            lines
                .iter()
                .filter(move |line| line.contains(secret))
                .map(move |line| format!("{secret}: {line}"))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "secrets in log lines:\n{}",
        leaks.join("\n")
    );
}
