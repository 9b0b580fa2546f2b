//! The outbox relay: locally from the SQLite outbox table, on AWS from the
//! orders table's stream.

mod common;

use aws_lambda_events::event::dynamodb::Event;
use common::*;
use orders::{place_order, relay_outbox_once, relay_stream};
use serde_json::json;

#[tokio::test]
async fn relaying_publishes_each_order_placed_once_and_empties_the_outbox() {
    let store = store();
    for key in ["a", "b"] {
        place_order(&store, &bytes(&valid_body()), Some(key), now()).await;
    }
    let publisher = RecordingPublisher::default();
    assert_eq!(relay_outbox_once(&store, &publisher).await.unwrap(), 2);
    assert_eq!(relay_outbox_once(&store, &publisher).await.unwrap(), 0);
    let published = publisher.published();
    assert_eq!(published.len(), 2);
    assert!(published.iter().all(|e| e.detail_type == "Order Placed"));
}

#[tokio::test]
async fn a_failed_publish_leaves_the_outbox_for_the_next_attempt() {
    let store = store();
    place_order(&store, &bytes(&valid_body()), None, now()).await;
    let publisher = RecordingPublisher::failing();
    assert!(relay_outbox_once(&store, &publisher).await.is_err());
    assert_eq!(store.take_outbox(10).unwrap().len(), 1);
    publisher.recover();
    assert_eq!(relay_outbox_once(&store, &publisher).await.unwrap(), 1);
    assert!(store.take_outbox(10).unwrap().is_empty());
}

fn stream_record(seq: &str, name: &str, pk: &str, event: Option<String>) -> serde_json::Value {
    let mut image = json!({ "PK": {"S": pk}, "SK": {"S": "OUTBOX"} });
    if let Some(event) = event {
        image["event"] = json!({ "S": event });
    }
    json!({
        "eventID": format!("id-{seq}"),
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1_790_000_000.0,
            "Keys": { "PK": {"S": pk}, "SK": {"S": "OUTBOX"} },
            "NewImage": image,
            "SequenceNumber": seq,
            "SizeBytes": 100,
            "StreamViewType": "NEW_IMAGE"
        },
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/x"
    })
}

fn outbox_event_json(key: &str) -> String {
    let order = orders::domain::parse_place_order(&bytes(&valid_body())).unwrap();
    let id = events::OrderId::for_idempotency_key(key);
    let event = events::SagaEvent::from(order.placed(id, now())).to_outgoing();
    serde_json::to_string(&event).unwrap()
}

/// Runs the stream relay on `records`; returns the sequence numbers it
/// reported as failed.
async fn relay(publisher: &RecordingPublisher, records: Vec<serde_json::Value>) -> Vec<String> {
    let batch: Event = serde_json::from_value(json!({ "Records": records })).unwrap();
    let response = relay_stream(publisher, batch).await;
    response
        .batch_item_failures
        .into_iter()
        .map(|f| f.item_identifier.unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn the_stream_relay_publishes_outbox_inserts_and_skips_everything_else() {
    let publisher = RecordingPublisher::default();
    let records = vec![
        stream_record("100", "INSERT", "OUTBOX#1", Some(outbox_event_json("a"))),
        stream_record("101", "MODIFY", "OUTBOX#1", Some(outbox_event_json("a"))),
        stream_record("102", "INSERT", "ORDER#x", None),
        stream_record("103", "INSERT", "OUTBOX#2", Some(outbox_event_json("b"))),
    ];
    assert!(relay(&publisher, records).await.is_empty());
    let published = publisher.published();
    assert_eq!(published.len(), 2);
    let first_order = events::OrderId::for_idempotency_key("a");
    assert_eq!(published[0].order_id, first_order);
}

#[tokio::test]
async fn the_stream_relay_reports_the_first_unpublished_record_by_sequence_number() {
    let publisher = RecordingPublisher::failing();
    let records = vec![
        stream_record("200", "INSERT", "OUTBOX#1", Some(outbox_event_json("a"))),
        stream_record("201", "INSERT", "OUTBOX#2", Some(outbox_event_json("b"))),
    ];
    assert_eq!(relay(&publisher, records).await, vec!["200"]);
}

#[tokio::test]
async fn an_unreadable_outbox_record_fails_after_the_records_before_it_are_published() {
    let publisher = RecordingPublisher::default();
    let records = vec![
        stream_record("300", "INSERT", "OUTBOX#1", Some(outbox_event_json("a"))),
        stream_record("301", "INSERT", "OUTBOX#2", Some("{not json".into())),
        stream_record("302", "INSERT", "OUTBOX#3", Some(outbox_event_json("c"))),
    ];
    assert_eq!(relay(&publisher, records).await, vec!["301"]);
    assert_eq!(publisher.published().len(), 1);
}
