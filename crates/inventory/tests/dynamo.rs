//! The DynamoDB inventory store against a stubbed DynamoDB client
//! (aws-smithy-mocks): a reservation is one transaction, and each way
//! `TransactWriteItems` fails is read as what it means
//! (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).

use aws_sdk_dynamodb::Client;
use events::{EventId, OrderId, OrderLine, Sku};
use inventory::dynamo::{DynamoInventoryStore, reservation_key};
use inventory::ports::Settle;
use inventory::{InventoryStore, ReservationState, Reserve};
use platform::dynamo::{key, s};

use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsError, TransactWriteItemsOutput,
};
use aws_sdk_dynamodb::types::CancellationReason;
use aws_sdk_dynamodb::types::error::TransactionCanceledException;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use events::Quantity;

fn line(sku: &str, q: i64) -> OrderLine {
    OrderLine {
        sku: Sku::parse(sku).unwrap(),
        quantity: Quantity::parse(q).unwrap(),
    }
}

fn cancelled(codes: &[&str]) -> TransactWriteItemsError {
    let reasons = codes
        .iter()
        .map(|c| CancellationReason::builder().code(*c).build())
        .collect();
    TransactWriteItemsError::TransactionCanceledException(
        TransactionCanceledException::builder()
            .set_cancellation_reasons(Some(reasons))
            .build(),
    )
}

fn order() -> OrderId {
    OrderId::for_idempotency_key("dynamo-test")
}

#[tokio::test]
async fn a_reservation_is_one_transaction_guarding_every_line_and_recording_the_event() {
    let rule = mock!(Client::transact_write_items)
        .match_requests(|r| {
            let items = r.transact_items();
            items.len() == 4
                && items[..2].iter().all(|i| {
                    i.update().is_some_and(|u| {
                        u.condition_expression() == Some("attribute_exists(PK) AND available >= :q")
                    })
                })
                && items[2].put().and_then(|p| p.condition_expression())
                    == Some("attribute_not_exists(PK)")
                && items[3].put().is_some_and(|p| {
                    p.item()["PK"]
                        .as_s()
                        .is_ok_and(|pk| pk.starts_with("EVENT#"))
                })
        })
        .then_output(|| TransactWriteItemsOutput::builder().build());
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&rule]);
    let store = DynamoInventoryStore::new(client, "inventory");
    let cause = EventId::for_order_placed(order());
    let result = store
        .reserve(order(), &[line("A", 1), line("B", 2)], cause, &[])
        .await
        .unwrap();
    assert_eq!(result, Reserve::Done);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn a_failed_stock_condition_names_the_sku_that_ran_out() {
    let rule = mock!(Client::transact_write_items)
        .then_error(|| cancelled(&["None", "ConditionalCheckFailed", "None", "None"]));
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&rule]);
    let store = DynamoInventoryStore::new(client, "inventory");
    let cause = EventId::for_order_placed(order());
    let result = store
        .reserve(order(), &[line("A", 1), line("B", 2)], cause, &[])
        .await
        .unwrap();
    assert_eq!(result, Reserve::Insufficient(Sku::parse("B").unwrap()));
}

#[tokio::test]
async fn losing_the_race_to_another_delivery_returns_its_recorded_outcome() {
    let transact = mock!(Client::transact_write_items)
        .then_error(|| cancelled(&["None", "ConditionalCheckFailed", "ConditionalCheckFailed"]));
    let recorded = mock!(Client::get_item).then_output(|| {
        let mut item = key("EVENT#x", "CONSUMER#inventory");
        item.insert("outcome".into(), s("[]"));
        GetItemOutput::builder().set_item(Some(item)).build()
    });
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&transact, &recorded]);
    let store = DynamoInventoryStore::new(client, "inventory");
    let cause = EventId::for_order_placed(order());
    let result = store
        .reserve(order(), &[line("A", 1)], cause, &[])
        .await
        .unwrap();
    assert_eq!(result, Reserve::AlreadyProcessed(vec![]));
}

#[tokio::test]
async fn throttling_is_a_retryable_store_error_not_a_decision() {
    let rule = mock!(Client::transact_write_items).then_error(|| {
        TransactWriteItemsError::ProvisionedThroughputExceededException(
            aws_sdk_dynamodb::types::error::ProvisionedThroughputExceededException::builder()
                .message("slow down")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&rule]);
    let store = DynamoInventoryStore::new(client, "inventory");
    let cause = EventId::for_order_placed(order());
    let err = store
        .reserve(order(), &[line("A", 1)], cause, &[])
        .await
        .unwrap_err();
    assert!(platform::Retryable::is_retryable(&err), "{err}");
}

#[tokio::test]
async fn releasing_moves_reserved_stock_back_and_guards_the_reservation_state() {
    let reservation = mock!(Client::get_item).then_output(|| {
        let mut item = reservation_key(order());
        item.insert("lines".into(), s(r#"[{"sku":"A","quantity":3}]"#));
        item.insert("state".into(), s("RESERVED"));
        GetItemOutput::builder().set_item(Some(item)).build()
    });
    let transact = mock!(Client::transact_write_items)
        .match_requests(|r| {
            let items = r.transact_items();
            items.len() == 3
                && items[0].update().is_some_and(|u| {
                    u.update_expression()
                        == "SET reserved = reserved - :q, available = available + :q"
                })
                && items[1].update().and_then(|u| u.condition_expression())
                    == Some("#state = :reserved")
        })
        .then_output(|| TransactWriteItemsOutput::builder().build());
    let client = mock_client!(
        aws_sdk_dynamodb,
        RuleMode::MatchAny,
        [&reservation, &transact]
    );
    let store = DynamoInventoryStore::new(client, "inventory");
    let cause = EventId::derive(EventId::for_order_placed(order()), "Payment Failed");
    let result = store
        .settle(order(), ReservationState::Released, cause, &[])
        .await
        .unwrap();
    assert_eq!(result, Settle::Done);
    assert_eq!(transact.num_calls(), 1);
}
