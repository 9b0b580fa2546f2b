//! The DynamoDB adapter, against mocked DynamoDB responses.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsError, TransactWriteItemsInput, TransactWriteItemsOutput,
};
use aws_sdk_dynamodb::types::error::{
    ProvisionedThroughputExceededException, TransactionCanceledException,
};
use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use events::{Currency, EventId, Money, OrderId, OutgoingEvent};
use payment::{DynamoPaymentStore, PaymentRecord, PaymentStatus, PaymentStore};
use platform::{Commit, Retryable};
use std::collections::HashMap;

const TABLE: &str = "payments";

fn order() -> OrderId {
    OrderId::for_idempotency_key("dynamo-test")
}

fn cause() -> EventId {
    EventId::for_order_placed(order())
}

fn outcome() -> Vec<OutgoingEvent> {
    vec![OutgoingEvent {
        source: "shop.payment".into(),
        detail_type: "Payment Authorized".into(),
        detail: "{}".into(),
        event_id: EventId::derive(cause(), "Payment Authorized"),
        order_id: order(),
    }]
}

fn authorized() -> PaymentRecord {
    PaymentRecord {
        payment_id: Some("pay_1".into()),
        amount: Money::new(13_800, Currency::parse("USD").unwrap()),
        status: PaymentStatus::Authorized,
    }
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

/// Item 1 of every transaction: the idempotency record of `cause`, written
/// only if absent, with its outcome.
fn carries_the_marker(input: &TransactWriteItemsInput) -> bool {
    let Some(put) = input.transact_items().get(1).and_then(|i| i.put()) else {
        return false;
    };
    put.table_name() == TABLE
        && string(put.item(), "PK") == format!("EVENT#{}", cause())
        && string(put.item(), "SK") == "CONSUMER#payment"
        && put.item().contains_key("outcome")
        && put.condition_expression() == Some("attribute_not_exists(PK)")
}

fn canceled(codes: &[&str]) -> TransactWriteItemsError {
    let mut e = TransactionCanceledException::builder().message("cancelled");
    for code in codes {
        e = e.cancellation_reasons(CancellationReason::builder().code(*code).build());
    }
    TransactWriteItemsError::TransactionCanceledException(e.build())
}

fn recorded_marker() -> GetItemOutput {
    let outcome = serde_json::to_string(&outcome()).unwrap();
    GetItemOutput::builder()
        .item("PK", s(&format!("EVENT#{}", cause())))
        .item("SK", s("CONSUMER#payment"))
        .item("outcome", s(&outcome))
        .build()
}

#[tokio::test]
async fn recording_a_payment_puts_it_only_if_absent_together_with_the_idempotency_record() {
    let transaction = mock!(Client::transact_write_items)
        .match_requests(|input| {
            let payment = input.transact_items()[0].put().unwrap();
            input.transact_items().len() == 2
                && string(payment.item(), "PK") == format!("PAYMENT#{}", order())
                && string(payment.item(), "SK") == "PAYMENT"
                && string(payment.item(), "paymentStatus") == "AUTHORIZED"
                && string(payment.item(), "paymentId") == "pay_1"
                && payment.condition_expression() == Some("attribute_not_exists(PK)")
                && carries_the_marker(input)
        })
        .then_output(|| TransactWriteItemsOutput::builder().build());
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&transaction]);
    let store = DynamoPaymentStore::new(client, TABLE);

    let commit = store
        .record(order(), &authorized(), cause(), &outcome())
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
        .then_output(recorded_marker);
    let client = mock_client!(
        aws_sdk_dynamodb,
        RuleMode::MatchAny,
        [&transaction, &marker]
    );
    let store = DynamoPaymentStore::new(client, TABLE);

    let commit = store
        .record(order(), &authorized(), cause(), &outcome())
        .await
        .unwrap();
    assert_eq!(commit, Commit::AlreadyProcessed(outcome()));
}

#[tokio::test]
async fn a_refund_moves_only_an_authorized_payment_together_with_the_idempotency_record() {
    let transaction = mock!(Client::transact_write_items)
        .match_requests(|input| {
            let update = input.transact_items()[0].update().unwrap();
            let values = update.expression_attribute_values().unwrap();
            string(update.key(), "PK") == format!("PAYMENT#{}", order())
                && update.condition_expression() == Some("paymentStatus = :authorized")
                && values.get(":authorized") == Some(&s("AUTHORIZED"))
                && values.get(":refunded") == Some(&s("REFUNDED"))
                && carries_the_marker(input)
        })
        .then_output(|| TransactWriteItemsOutput::builder().build());
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&transaction]);
    let store = DynamoPaymentStore::new(client, TABLE);

    let commit = store.refund(order(), cause(), &outcome()).await.unwrap();
    assert_eq!(commit, Commit::Done(()));
}

#[tokio::test]
async fn a_refund_of_a_payment_that_is_no_longer_authorized_fails_retryably() {
    let transaction = mock!(Client::transact_write_items)
        .then_error(|| canceled(&["ConditionalCheckFailed", "None"]));
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&transaction]);
    let store = DynamoPaymentStore::new(client, TABLE);

    let err = store
        .refund(order(), cause(), &outcome())
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
}

#[tokio::test]
async fn throttling_is_a_retryable_error() {
    let transaction = mock!(Client::transact_write_items).then_error(|| {
        TransactWriteItemsError::ProvisionedThroughputExceededException(
            ProvisionedThroughputExceededException::builder()
                .message("slow down")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&transaction]);
    let store = DynamoPaymentStore::new(client, TABLE);

    let err = store
        .record(order(), &authorized(), cause(), &outcome())
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
}

#[tokio::test]
async fn a_stored_payment_reads_back_with_a_consistent_read() {
    let get = mock!(Client::get_item)
        .match_requests(|r| {
            r.consistent_read() == Some(true)
                && r.key().and_then(|k| k.get("PK")) == Some(&s(&format!("PAYMENT#{}", order())))
        })
        .then_output(|| {
            GetItemOutput::builder()
                .item("PK", s(&format!("PAYMENT#{}", order())))
                .item("SK", s("PAYMENT"))
                .item("paymentStatus", s("AUTHORIZED"))
                .item("paymentId", s("pay_1"))
                .item("amountMinor", AttributeValue::N("13800".into()))
                .item("currency", s("USD"))
                .build()
        });
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&get]);
    let store = DynamoPaymentStore::new(client, TABLE);

    assert_eq!(store.payment(order()).await.unwrap(), Some(authorized()));
}
