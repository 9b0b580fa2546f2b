//! The DynamoDB adapter, against mocked DynamoDB responses.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsError, TransactWriteItemsOutput,
};
use aws_sdk_dynamodb::types::error::TransactionCanceledException;
use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use events::{EventId, OrderId, OutgoingEvent};
use platform::{Commit, Retryable};
use shipping::{Booking, DynamoShipmentStore, Shipment, ShipmentStore};
use std::collections::HashMap;

const TABLE: &str = "shipments";

fn order() -> OrderId {
    OrderId::for_idempotency_key("dynamo-test")
}

fn cause() -> EventId {
    EventId::for_order_placed(order())
}

fn outcome() -> Vec<OutgoingEvent> {
    vec![OutgoingEvent {
        source: "shop.shipping".into(),
        detail_type: "Shipment Scheduled".into(),
        detail: "{}".into(),
        event_id: EventId::derive(cause(), "Shipment Scheduled"),
        order_id: order(),
    }]
}

fn scheduled() -> Booking {
    Booking::Scheduled(Shipment {
        shipment_id: "shp_1".into(),
        carrier: "SimPost".into(),
        tracking_number: "SIM000000000001".into(),
    })
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn string<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .unwrap_or_default()
}

fn canceled(codes: &[&str]) -> TransactWriteItemsError {
    let mut e = TransactionCanceledException::builder().message("cancelled");
    for code in codes {
        e = e.cancellation_reasons(CancellationReason::builder().code(*code).build());
    }
    TransactWriteItemsError::TransactionCanceledException(e.build())
}

#[tokio::test]
async fn recording_a_shipment_puts_it_only_if_absent_together_with_the_idempotency_record() {
    let transaction = mock!(Client::transact_write_items)
        .match_requests(|input| {
            let [shipment, marker] = input.transact_items() else {
                return false;
            };
            let (shipment, marker) = (shipment.put().unwrap(), marker.put().unwrap());
            string(shipment.item(), "PK") == format!("SHIPMENT#{}", order())
                && string(shipment.item(), "SK") == "SHIPMENT"
                && string(shipment.item(), "shipmentStatus") == "SCHEDULED"
                && string(shipment.item(), "trackingNumber") == "SIM000000000001"
                && shipment.condition_expression() == Some("attribute_not_exists(PK)")
                && string(marker.item(), "PK") == format!("EVENT#{}", cause())
                && string(marker.item(), "SK") == "CONSUMER#shipping"
                && marker.item().contains_key("outcome")
                && marker.item().contains_key("expiresAt")
                && marker.condition_expression() == Some("attribute_not_exists(PK)")
        })
        .then_output(|| TransactWriteItemsOutput::builder().build());
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&transaction]);
    let store = DynamoShipmentStore::new(client, TABLE);

    let commit = store
        .record(order(), &scheduled(), cause(), &outcome())
        .await
        .unwrap();
    assert_eq!(commit, Commit::Done(()));
    assert_eq!(transaction.num_calls(), 1);
}

#[tokio::test]
async fn a_lost_race_on_the_idempotency_record_returns_the_recorded_outcome() {
    let transaction = mock!(Client::transact_write_items)
        .then_error(|| canceled(&["ConditionalCheckFailed", "ConditionalCheckFailed"]));
    let marker = mock!(Client::get_item)
        .match_requests(|r| r.consistent_read() == Some(true))
        .then_output(|| {
            GetItemOutput::builder()
                .item("PK", s(&format!("EVENT#{}", cause())))
                .item("SK", s("CONSUMER#shipping"))
                .item("outcome", s(&serde_json::to_string(&outcome()).unwrap()))
                .build()
        });
    let client = mock_client!(
        aws_sdk_dynamodb,
        RuleMode::MatchAny,
        [&transaction, &marker]
    );
    let store = DynamoShipmentStore::new(client, TABLE);

    let commit = store
        .record(order(), &scheduled(), cause(), &outcome())
        .await
        .unwrap();
    assert_eq!(commit, Commit::AlreadyProcessed(outcome()));
}

#[tokio::test]
async fn a_shipment_recorded_meanwhile_by_another_event_is_a_retryable_error() {
    let transaction = mock!(Client::transact_write_items)
        .then_error(|| canceled(&["ConditionalCheckFailed", "None"]));
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&transaction]);
    let store = DynamoShipmentStore::new(client, TABLE);

    let err = store
        .record(order(), &scheduled(), cause(), &outcome())
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
}

#[tokio::test]
async fn a_refused_shipment_reads_back_with_its_reason() {
    let get = mock!(Client::get_item)
        .match_requests(|r| r.consistent_read() == Some(true))
        .then_output(|| {
            GetItemOutput::builder()
                .item("PK", s(&format!("SHIPMENT#{}", order())))
                .item("SK", s("SHIPMENT"))
                .item("shipmentStatus", s("FAILED"))
                .item("failureReason", s("no carrier serves AQ"))
                .build()
        });
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&get]);
    let store = DynamoShipmentStore::new(client, TABLE);

    assert_eq!(
        store.shipment(order()).await.unwrap(),
        Some(Booking::Refused {
            reason: "no carrier serves AQ".into()
        })
    );
}
