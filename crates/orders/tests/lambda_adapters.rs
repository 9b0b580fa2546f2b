//! The Lambda adapters over the real SQLite store: an HTTP API request for
//! the order API, an SQS batch for the consumer.

mod common;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use common::*;
use events::EventKind;
use lambda_http::http::{self, header};
use lambda_http::{Body, Response};
use orders::lambda::{consume, serve};

fn request(method: &str, path: &str, key: Option<&str>, body: Vec<u8>) -> lambda_http::Request {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("https://api.example.com{path}"));
    if let Some(key) = key {
        builder = builder.header("Idempotency-Key", key);
    }
    builder.body(Body::from(body)).unwrap()
}

fn json_of(response: &Response<Body>) -> serde_json::Value {
    serde_json::from_slice(response.body().as_ref()).unwrap()
}

#[tokio::test]
async fn the_http_adapter_places_and_reads_an_order_as_json() {
    let store = store();
    let created = serve(
        &store,
        request("POST", "/orders", Some("k1"), bytes(&valid_body())),
    )
    .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()[header::CONTENT_TYPE], "application/json");
    let id = json_of(&created)["orderId"].as_str().unwrap().to_owned();
    let replay = serve(
        &store,
        request("POST", "/orders", Some("k1"), bytes(&valid_body())),
    )
    .await;
    assert_eq!(replay.status(), 200);
    assert_eq!(json_of(&replay)["orderId"], id.as_str());

    let got = serve(
        &store,
        request("GET", &format!("/orders/{id}"), None, Vec::new()),
    )
    .await;
    assert_eq!(got.status(), 200);
    assert_eq!(json_of(&got)["status"], "PENDING");
}

#[tokio::test]
async fn the_http_adapter_turns_client_mistakes_into_4xx_json_errors() {
    let store = store();
    let bad = serve(&store, request("POST", "/orders", None, b"{".to_vec())).await;
    assert_eq!(bad.status(), 400);
    assert_eq!(json_of(&bad)["error"]["code"], "invalid_request");
    let missing = serve(&store, request("GET", "/orders/nope", None, Vec::new())).await;
    assert_eq!(missing.status(), 400);
}

#[tokio::test]
async fn a_store_outage_is_a_503_with_retry_after() {
    let db = platform::sqlite::Db::in_memory().unwrap();
    let store = orders::SqliteOrderStore::new(db.clone()).unwrap();
    db.migrate("DROP TABLE orders").unwrap();
    let response = serve(
        &store,
        request("POST", "/orders", None, bytes(&valid_body())),
    )
    .await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
}

fn message(id: &str, kind: EventKind) -> SqsMessage {
    let mut m = SqsMessage::default();
    m.message_id = Some(id.into());
    m.body = Some(example_json(kind));
    m
}

#[tokio::test]
async fn the_consumer_adapter_publishes_outcomes_and_reports_only_the_failed_message() {
    let store = store();
    pending_example_order(&store).await;
    let publisher = RecordingPublisher::default();
    let mut batch = SqsEvent::default();
    batch.records = vec![
        message("m1", EventKind::PaymentAuthorized),
        message("m2", EventKind::ShipmentScheduled),
        // Contradicts the confirmation: a permanent failure, bound for the DLQ.
        message("m3", EventKind::InventoryReleased),
    ];
    let response = consume(&store, &events::Reads::all(), &publisher, batch).await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, vec!["m3"]);
    let published = publisher.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].detail_type, "Order Confirmed");
}
