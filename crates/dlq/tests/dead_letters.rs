//! The DLQ consumer and redrive over the real SQLite store; the bus is the
//! EventBridge adapter over a stubbed EventBridge client.

use aws_lambda_events::event::sqs::SqsMessage;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::operation::put_events::PutEventsOutput;
use aws_sdk_eventbridge::types::PutEventsResultEntry;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use chrono::Utc;
use dlq::sqlite::SqliteDlqStore;
use dlq::{DlqStore, record_batch, redrive};
use platform::eventbridge::EventBridgePublisher;
use platform::sqlite::Db;
use testkit::examples::text as example;
use testkit::sqs::{Message, batch};

/// A message from `queue`'s DLQ as the DLQ handler receives it, with the
/// error the runtime (or the consumer) gave it, if any.
fn message(id: &str, queue: &str, body: &str, error: Option<&str>) -> SqsMessage {
    let m = Message::new(id, body).from_queue(queue).receive_count(1);
    match error {
        Some(error) => m.attribute("ErrorMessage", error),
        None => m,
    }
    .build()
}

fn store() -> SqliteDlqStore {
    SqliteDlqStore::new(Db::in_memory().unwrap()).unwrap()
}

/// A store holding one pending dead letter, `m1` from InventoryDLQ.
async fn store_with_one_letter() -> SqliteDlqStore {
    let store = store();
    record_batch(
        &store,
        batch(vec![message(
            "m1",
            "InventoryDLQ",
            &example("order-placed"),
            None,
        )]),
        Utc::now(),
    )
    .await;
    store
}

#[tokio::test]
async fn every_dead_letter_is_recorded_with_its_queue_and_error() {
    let store = store();
    let response = record_batch(
        &store,
        batch(vec![
            message(
                "m1",
                "InventoryDLQ",
                &example("order-placed"),
                Some("store unavailable"),
            ),
            message("m2", "PaymentDLQ", "{not json", None),
        ]),
        Utc::now(),
    )
    .await;
    assert!(response.batch_item_failures.is_empty());
    let pending = store.pending(None).await.unwrap();
    assert_eq!(pending.len(), 2);
    let m1 = pending.iter().find(|l| l.message_id == "m1").unwrap();
    assert_eq!(m1.queue, "InventoryDLQ");
    assert_eq!(m1.error.as_deref(), Some("store unavailable"));
    assert_eq!(store.pending(Some("PaymentDLQ")).await.unwrap().len(), 1);
}

#[tokio::test]
async fn recording_the_same_message_twice_keeps_one_record() {
    let store = store();
    let m = || {
        batch(vec![message(
            "m1",
            "InventoryDLQ",
            &example("order-placed"),
            None,
        )])
    };
    record_batch(&store, m(), Utc::now()).await;
    record_batch(&store, m(), Utc::now()).await;
    assert_eq!(store.pending(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn redrive_puts_the_original_event_back_on_the_bus_and_skips_what_it_cannot() {
    let store = store();
    record_batch(
        &store,
        batch(vec![
            message("good", "InventoryDLQ", &example("order-placed"), None),
            message("garbage", "InventoryDLQ", "{not json", None),
        ]),
        Utc::now(),
    )
    .await;
    let put = mock!(Client::put_events)
        .match_requests(|r| {
            let e = &r.entries()[0];
            r.entries().len() == 1
                && e.source() == Some("shop.orders")
                && e.detail_type() == Some("Order Placed")
                && e.detail().is_some_and(|d| d.contains("\"eventId\""))
        })
        .then_output(|| {
            PutEventsOutput::builder()
                .failed_entry_count(0)
                .entries(PutEventsResultEntry::builder().event_id("x").build())
                .build()
        });
    let publisher = EventBridgePublisher::new(
        mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [&put]),
        "bus",
    );
    let report = redrive(&store, &publisher, Some("InventoryDLQ"), Utc::now())
        .await
        .unwrap();
    assert_eq!(report.redriven, vec!["good".to_owned()]);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(put.num_calls(), 1);
    let left: Vec<_> = store
        .pending(None)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.message_id)
        .collect();
    assert_eq!(
        left,
        vec!["garbage".to_owned()],
        "a redriven letter is no longer pending"
    );
}

#[tokio::test]
async fn a_letter_the_bus_refuses_stays_pending() {
    let store = store_with_one_letter().await;
    let refuse = mock!(Client::put_events).then_output(|| {
        PutEventsOutput::builder()
            .failed_entry_count(1)
            .entries(
                PutEventsResultEntry::builder()
                    .error_code("InternalFailure")
                    .build(),
            )
            .build()
    });
    let publisher = EventBridgePublisher::new(
        mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [&refuse]),
        "bus",
    )
    .without_backoff();
    assert!(redrive(&store, &publisher, None, Utc::now()).await.is_err());
    assert_eq!(store.pending(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_redrive_naming_a_queue_sqs_could_not_have_is_refused_and_redrives_nothing() {
    let store = store_with_one_letter().await;
    let put = mock!(Client::put_events).then_output(|| PutEventsOutput::builder().build());
    let publisher = EventBridgePublisher::new(
        mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [&put]),
        "bus",
    );
    let err = redrive(&store, &publisher, Some("Inventory DLQ"), Utc::now())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("\"Inventory DLQ\" is not an SQS queue name"),
        "{err}"
    );
    assert_eq!(put.num_calls(), 0);
    assert_eq!(store.pending(None).await.unwrap().len(), 1);
}
