//! Hostile input: oversized bodies, deep nesting, invalid UTF-8 and huge
//! numbers each get a clean client error from the HTTP API (a JSON error
//! naming what is wrong, never a 5xx), and a clean rejection from the event
//! envelope parser and the SQS batch handling, never a panic.

mod backends_agree;
mod damaged_store;
mod server_limits;

use aws_lambda_events::event::sqs::SqsEvent;
use events::BusEvent;
use saga_e2e::{TestApp, order};
use serde_json::{Value, json};

/// `{"customerId": [[[ ... ]]], ...}` nested `depth` levels deep; closed
/// or left open.
fn deeply_nested(depth: usize, closed: bool) -> String {
    let close = if closed {
        "]".repeat(depth)
    } else {
        String::new()
    };
    format!(
        r#"{{"customerId": {}1{close}, "lines": [], "shipTo": {{}}, "paymentToken": "tok_visa"}}"#,
        "[".repeat(depth)
    )
}

async fn post_raw(app: &TestApp, body: Vec<u8>) -> (u16, String) {
    let response = app
        .http
        .post(format!("{}/orders", app.base))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("POST /orders answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

/// A 400 whose JSON error says `invalid_request` and mentions `needle`.
fn assert_clean_400(status: u16, body: &str, needle: &str) {
    assert_eq!(status, 400, "{body}");
    let body: Value = serde_json::from_str(body).expect("the error is JSON");
    assert_eq!(body["error"]["code"], "invalid_request", "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(needle),
        "{message:?} should mention {needle:?}"
    );
}

#[tokio::test]
async fn a_body_over_the_order_limit_is_refused_as_too_large_naming_the_limit() {
    let app = TestApp::spawn().await;
    let mut body = order(json!([{"sku": "KB-001", "quantity": 1}]));
    body["customerId"] = json!("x".repeat(20 * 1024));
    let (status, text) = post_raw(&app, body.to_string().into_bytes()).await;
    assert_eq!(status, 413, "{text}");
    let error: Value = serde_json::from_str(&text).expect("JSON error");
    assert_eq!(error["error"]["code"], "payload_too_large");
    assert!(text.contains("16384"), "names the limit: {text}");
}

#[tokio::test]
async fn a_body_over_the_transport_limit_is_refused_before_it_is_read() {
    let app = TestApp::spawn().await;
    let (status, text) = post_raw(&app, vec![b' '; 3 * 1024 * 1024]).await;
    assert_eq!(status, 413, "{text}");
    // In the same JSON format as the orders API's own limit.
    let error: Value = serde_json::from_str(&text).expect("JSON error");
    assert_eq!(error["error"]["code"], "payload_too_large", "{text}");
    // The server is still there for the next client.
    let (status, _) = app.get_order("00000000-0000-0000-0000-000000000000").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn ten_thousand_levels_of_nesting_get_a_clean_client_error() {
    let app = TestApp::spawn().await;
    // Ten thousand open brackets fit in the body limit: the parser's
    // recursion limit stops them.
    let (status, text) = post_raw(&app, deeply_nested(10_000, false).into_bytes()).await;
    assert_clean_400(status, &text, "recursion limit");
    // Closed, they no longer fit: refused by size before any parsing.
    let (status, text) = post_raw(&app, deeply_nested(10_000, true).into_bytes()).await;
    assert_eq!(status, 413, "{text}");
    // Seven thousand closed levels fit, and get the same clean 400.
    let (status, text) = post_raw(&app, deeply_nested(7_000, true).into_bytes()).await;
    assert_clean_400(status, &text, "recursion limit");
}

#[tokio::test]
async fn invalid_utf8_gets_a_clean_400() {
    let app = TestApp::spawn().await;
    let mut body = br#"{"customerId": "cust-"#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    body.extend_from_slice(
        br#"", "lines": [{"sku": "KB-001", "quantity": 1}], "paymentToken": "tok_visa"}"#,
    );
    let (status, text) = post_raw(&app, body).await;
    assert_clean_400(status, &text, "malformed JSON");
}

#[tokio::test]
async fn huge_numbers_get_a_clean_400_naming_the_field() {
    let app = TestApp::spawn().await;
    for quantity in [
        "1e400",
        "18446744073709551616",
        "-9223372036854775809",
        "4294967296",
        "1.5",
        "1e2",
    ] {
        let body = order(json!([{"sku": "KB-001", "quantity": 1}]))
            .to_string()
            .replace(r#""quantity":1"#, &format!(r#""quantity":{quantity}"#));
        assert!(body.contains(quantity), "{body}");
        let (status, text) = post_raw(&app, body.into_bytes()).await;
        assert_eq!(status, 400, "quantity {quantity}: {text}");
        let error: Value = serde_json::from_str(&text).expect("JSON error");
        assert_eq!(
            error["error"]["code"], "invalid_request",
            "quantity {quantity}: {text}"
        );
        let field = error["error"]["field"].as_str().unwrap_or_default();
        assert!(
            field == "$" || field.contains("quantity"),
            "quantity {quantity}: {text}"
        );
    }
    // Nothing was stored and nothing is running.
    app.settle().await;
    let stored = runtime::report::orders_by_status(&app.runtime).expect("orders");
    assert!(stored.is_empty(), "{stored:?}");
}

/// An example event of the project, as EventBridge delivers it.
fn example_event() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events-schema/examples/inventory-reserved.json");
    let text = std::fs::read_to_string(path).expect("example event");
    // Compact, so the replacements below find `"field":value`.
    serde_json::from_str::<Value>(&text)
        .expect("example is JSON")
        .to_string()
}

/// `text` with `from` replaced; panics if `from` is not there, so a
/// hostile variant is never silently the example itself.
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from} not in the example");
    text.replacen(from, to, 1)
}

#[test]
fn the_envelope_parser_rejects_hostile_events_cleanly() {
    let example = example_event();
    assert!(
        BusEvent::from_json(&example)
            .and_then(BusEvent::into_saga)
            .is_ok(),
        "the example parses"
    );
    let nested_detail = replaced(
        &example,
        r#""detail":"#,
        &format!(r#""detail":{}"#, "[".repeat(10_000)),
    );
    let huge_amount = replaced(&example, r#""minor":13800"#, r#""minor":1e400"#);
    let overflowing_quantity = replaced(
        &example,
        r#""quantity":1"#,
        r#""quantity":99999999999999999999"#,
    );
    let hostile = [
        ("10,000 levels of nesting", nested_detail),
        ("a number beyond f64", huge_amount),
        ("a quantity beyond u64", overflowing_quantity),
        (
            "a huge string",
            format!(r#"{{"version":"0","id":"{}"}}"#, "x".repeat(4 << 20)),
        ),
        ("an empty body", String::new()),
    ];
    for (what, text) in hostile {
        let parsed = BusEvent::from_json(&text).and_then(BusEvent::into_saga);
        assert!(parsed.is_err(), "{what} was accepted");
    }
}

#[test]
fn an_sqs_payload_with_invalid_utf8_or_deep_nesting_is_rejected_not_panicked_on() {
    let mut bytes = br#"{"Records":[{"messageId":"m1","body":""#.to_vec();
    bytes.extend_from_slice(&[0xc0, 0xaf, 0xff]);
    bytes.extend_from_slice(br#""}]}"#);
    assert!(serde_json::from_slice::<SqsEvent>(&bytes).is_err());
    let nested = format!(
        r#"{{"Records":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(serde_json::from_slice::<SqsEvent>(nested.as_bytes()).is_err());
}

#[tokio::test]
async fn a_batch_of_hostile_messages_fails_each_one_and_handles_the_good_one() {
    let example = example_event();
    let bodies = [
        example.clone(),
        "{not json".to_owned(),
        replaced(
            &example,
            r#""detail":"#,
            &format!(r#""detail":{}"#, "{\"a\":".repeat(5_000)),
        ),
        replaced(&example, r#""minor":13800"#, r#""minor":1e400"#),
        replaced(&example, "Inventory Reserved", "Inventory Teleported"),
    ];
    let mut batch = SqsEvent::default();
    for (i, body) in bodies.iter().enumerate() {
        let mut message = aws_lambda_events::event::sqs::SqsMessage::default();
        message.message_id = Some(format!("m{i}"));
        message.body = Some(body.clone());
        batch.records.push(message);
    }
    let handled = std::sync::atomic::AtomicUsize::new(0);
    let failed = platform::sqs::process_batch_detailed(&events::Reads::all(), batch, |_event| {
        handled.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        async { Ok::<_, platform::StoreError>(()) }
    })
    .await;
    let ids: Vec<&str> = failed.iter().map(|f| f.message_id.as_str()).collect();
    assert_eq!(ids, ["m1", "m2", "m3", "m4"]);
    assert_eq!(
        handled.into_inner(),
        1,
        "only the good message reached the handler"
    );
}
