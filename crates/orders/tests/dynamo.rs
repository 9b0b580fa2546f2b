//! The DynamoDB order store against a stubbed DynamoDB client
//! (aws-smithy-mocks): what each call writes, and how each failure of
//! `TransactWriteItems` is read
//! (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsInput, TransactWriteItemsOutput,
};
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use aws_sdk_dynamodb::types::error::TransactionCanceledException;
use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use chrono::{DateTime, Utc};
use events::{EventId, OrderId, OutgoingEvent};
use events::{Reason, ReasonCode, SagaEvent};
use orders::domain::{IdempotencyKey, OrderStatus, parse_place_order};
use orders::dynamo::{OUTBOX_TTL_SECS, key_item, order_item, order_pk, parse_order, timeline_item};
use orders::{
    DynamoOrderStore, Order, OrderStore, Placed, TimelineEntry, Transition, Transitioned,
};
use platform::dynamo::Item;
use platform::{Commit, Retryable, StoreError};

const TABLE: &str = "orders-table";

fn now() -> DateTime<Utc> {
    testkit::clock::now()
}

fn store(rules: &[&Rule]) -> DynamoOrderStore {
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, rules);
    DynamoOrderStore::new(client, TABLE)
}

struct Fixture {
    order: Order,
    key: IdempotencyKey,
    hash: String,
    outbox: OutgoingEvent,
}

const BODY: &[u8] = br#"{"customerId":"cust-42","lines":[{"sku":"KB-001","quantity":1}],
    "shipTo":{"name":"Ada","line1":"12 Analytical Row","city":"London","postalCode":"N1","country":"GB"},
    "paymentToken":"tok_visa"}"#;

fn fixture() -> Fixture {
    let new = parse_place_order(BODY).unwrap();
    let id = OrderId::random();
    Fixture {
        order: Order::pending(id, &new, now()),
        key: IdempotencyKey::parse("k").unwrap(),
        hash: new.request_hash(),
        outbox: SagaEvent::from(new.placed(id, now())).to_outgoing(),
    }
}

fn attr<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

fn canceled(reasons: Vec<CancellationReason>) -> TransactWriteItemsError {
    TransactWriteItemsError::TransactionCanceledException(
        TransactionCanceledException::builder()
            .message("Transaction cancelled")
            .set_cancellation_reasons(Some(reasons))
            .build(),
    )
}

fn reason(code: &str, item: Option<Item>) -> CancellationReason {
    CancellationReason::builder()
        .code(code)
        .set_item(item)
        .build()
}

fn transact_fails(error: fn() -> TransactWriteItemsError) -> Rule {
    mock!(Client::transact_write_items).then_error(error)
}

fn no_item() -> Rule {
    mock!(Client::get_item).then_output(|| GetItemOutput::builder().build())
}

/// A put of the transaction, with its condition, if it returns the old
/// item when that condition fails.
fn conditional_put(input: &TransactWriteItemsInput, index: usize) -> Option<(Item, String)> {
    let put = input.transact_items().get(index)?.put()?;
    let all_old = put.return_values_on_condition_check_failure()
        == Some(&ReturnValuesOnConditionCheckFailure::AllOld);
    let condition = put.condition_expression()?.to_owned();
    (put.table_name() == TABLE && all_old).then(|| (put.item().clone(), condition))
}

/// The key item, the order item and the outbox item of a keyed placement.
fn place_items(input: &TransactWriteItemsInput) -> Option<(Item, Item, Item)> {
    let (key_item, key_condition) = conditional_put(input, 0)?;
    let (order, order_condition) = conditional_put(input, 1)?;
    let outbox = input.transact_items().get(2)?.put()?;
    let new = "attribute_not_exists(PK)";
    (input.transact_items().len() == 3 && key_condition == new && order_condition == new)
        .then(|| (key_item, order, outbox.item().clone()))
}

#[tokio::test]
async fn placing_with_a_key_writes_the_key_the_order_and_its_outbox_item_in_one_conditional_transaction()
 {
    let f = fixture();
    let (order_id, event_id) = (f.order.order_id, f.outbox.event_id);
    let rule = mock!(Client::transact_write_items)
        .match_requests(move |input| {
            let Some((key_item, order, outbox)) = place_items(input) else {
                return false;
            };
            let expires: i64 = outbox["expiresAt"].as_n().unwrap().parse().unwrap();
            let event: OutgoingEvent =
                serde_json::from_str(attr(&outbox, "event").unwrap()).unwrap();
            attr(&key_item, "PK") == Some("IDEMPOTENCY#k")
                && attr(&key_item, "SK") == Some("KEY")
                && attr(&key_item, "orderId") == Some(&order_id.to_string())
                && !key_item.contains_key("expiresAt")
                && attr(&order, "PK") == Some(&format!("ORDER#{order_id}"))
                && attr(&order, "SK") == Some("ORDER")
                && attr(&order, "status") == Some("PENDING")
                && attr(&outbox, "PK") == Some(&format!("OUTBOX#{event_id}"))
                && attr(&outbox, "SK") == Some("OUTBOX")
                && event.event_id == event_id
                && expires == now().timestamp() + OUTBOX_TTL_SECS
        })
        .then_output(|| TransactWriteItemsOutput::builder().build());
    let store = store(&[&rule]);
    let placed = store
        .place(&f.order, Some(&f.key), &f.hash, &f.outbox)
        .await
        .unwrap();
    assert_eq!(placed, Placed::Created);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn placing_without_a_key_writes_no_key_item() {
    let f = fixture();
    let order_pk = format!("ORDER#{}", f.order.order_id);
    let rule = mock!(Client::transact_write_items)
        .match_requests(move |input| {
            input.transact_items().len() == 2
                && conditional_put(input, 0)
                    .is_some_and(|(order, _)| attr(&order, "PK") == Some(order_pk.as_str()))
        })
        .then_output(|| TransactWriteItemsOutput::builder().build());
    let store = store(&[&rule]);
    let placed = store.place(&f.order, None, &f.hash, &f.outbox).await;
    assert_eq!(placed.unwrap(), Placed::Created);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn the_stored_order_has_no_address_or_payment_token() {
    let f = fixture();
    let item = order_item(&f.order, &f.hash).unwrap();
    let shown = format!("{item:?}");
    assert!(!shown.contains("tok_visa") && !shown.contains("Analytical"));
    let (parsed, hash) = parse_order(&item).unwrap();
    assert_eq!((parsed, hash), (f.order, f.hash));
}

/// Answers a consistent read of `item`'s key with `item`.
fn consistent_read_of(item: Item) -> Rule {
    let pk = attr(&item, "PK").unwrap().to_owned();
    mock!(Client::get_item)
        .match_requests(move |r| {
            r.consistent_read() == Some(true)
                && r.key().and_then(|k| attr(k, "PK")) == Some(pk.as_str())
        })
        .then_output(move || {
            GetItemOutput::builder()
                .set_item(Some(item.clone()))
                .build()
        })
}

#[tokio::test]
async fn a_failed_key_condition_returns_the_order_the_key_names() {
    let f = fixture();
    let existing = order_item(&f.order, &f.hash).unwrap();
    let named = key_item(&f.key, &f.order);
    let cancelled = mock!(Client::transact_write_items).then_error(move || {
        canceled(vec![
            reason("ConditionalCheckFailed", Some(named.clone())),
            reason("None", None),
            reason("None", None),
        ])
    });
    let read = consistent_read_of(existing);
    let store = store(&[&cancelled, &read]);
    let retry = Order::pending(OrderId::random(), &parse_place_order(BODY).unwrap(), now());
    let same = store
        .place(&retry, Some(&f.key), &f.hash, &f.outbox)
        .await
        .unwrap();
    assert_eq!(
        same,
        Placed::Existing {
            order: f.order.clone(),
            same_request: true
        }
    );
    let other = store
        .place(&retry, Some(&f.key), "another-hash", &f.outbox)
        .await
        .unwrap();
    assert!(matches!(
        other,
        Placed::Existing {
            same_request: false,
            ..
        }
    ));
}

#[tokio::test]
async fn without_the_old_item_in_the_cancellation_the_key_is_read_again() {
    let f = fixture();
    let existing = order_item(&f.order, &f.hash).unwrap();
    let named = key_item(&f.key, &f.order);
    let cancelled = transact_fails(|| {
        canceled(vec![
            reason("ConditionalCheckFailed", None),
            reason("None", None),
            reason("None", None),
        ])
    });
    let read_key = consistent_read_of(named);
    let read_order = consistent_read_of(existing);
    let store = store(&[&cancelled, &read_key, &read_order]);
    let placed = store
        .place(&f.order, Some(&f.key), &f.hash, &f.outbox)
        .await
        .unwrap();
    assert!(matches!(
        placed,
        Placed::Existing {
            same_request: true,
            ..
        }
    ));
    assert_eq!((read_key.num_calls(), read_order.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_throttled_or_conflicting_transaction_is_a_retryable_store_error() {
    let f = fixture();
    for code in ["ThrottlingError", "TransactionConflict"] {
        let code = code.to_owned();
        let failing = mock!(Client::transact_write_items).then_error(move || {
            canceled(vec![
                reason(&code, None),
                reason("None", None),
                reason("None", None),
            ])
        });
        let err = store(&[&failing])
            .place(&f.order, Some(&f.key), &f.hash, &f.outbox)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::DynamoDb(_)), "{err}");
        assert!(err.is_retryable(), "{err}");
    }
}

fn cancel(f: &Fixture) -> Transition {
    Transition {
        order: f.order.order_id,
        to: OrderStatus::Cancelled,
        reason: Some(Reason::new(
            ReasonCode::OutOfStock,
            "KB-001 is out of stock",
        )),
        cause: EventId::derive(f.outbox.event_id, "Inventory Reservation Failed"),
        outcome: vec![f.outbox.clone()],
        at: now(),
    }
}

#[tokio::test]
async fn a_transition_is_conditional_on_pending_and_carries_the_idempotency_record() {
    let f = fixture();
    let change = cancel(&f);
    let cause = change.cause;
    let rule = mock!(Client::transact_write_items)
        .match_requests(move |input| {
            let items = input.transact_items();
            let (Some(update), Some(record)) = (items[0].update(), items[1].put()) else {
                return false;
            };
            let values = update.expression_attribute_values().unwrap();
            update.condition_expression() == Some("#status = :pending")
                && values[":to"].as_s().unwrap() == "CANCELLED"
                && values.contains_key(":reason")
                && update.update_expression().contains("reason = :reason")
                && attr(record.item(), "PK") == Some(&format!("EVENT#{cause}"))
                && record.condition_expression() == Some("attribute_not_exists(PK)")
        })
        .then_output(|| TransactWriteItemsOutput::builder().build());
    let outcome = store(&[&rule]).transition(&change).await.unwrap();
    assert_eq!(outcome, Commit::Done(Transitioned::Applied));
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn a_transition_on_a_final_order_reports_its_status() {
    let f = fixture();
    let mut confirmed = order_item(&f.order, &f.hash).unwrap();
    confirmed.insert("status".into(), AttributeValue::S("CONFIRMED".into()));
    let cancelled = mock!(Client::transact_write_items).then_error(move || {
        canceled(vec![
            reason("ConditionalCheckFailed", Some(confirmed.clone())),
            reason("None", None),
        ])
    });
    let outcome = store(&[&cancelled]).transition(&cancel(&f)).await.unwrap();
    assert_eq!(
        outcome,
        Commit::Done(Transitioned::NotPending(OrderStatus::Confirmed))
    );
}

#[tokio::test]
async fn a_transition_already_recorded_returns_the_recorded_outcome() {
    let f = fixture();
    let recorded = vec![f.outbox.clone()];
    let text = serde_json::to_string(&recorded).unwrap();
    let cancelled = transact_fails(|| {
        canceled(vec![
            reason("ConditionalCheckFailed", None),
            reason("ConditionalCheckFailed", None),
        ])
    });
    let record = mock!(Client::get_item)
        .match_requests(|r| {
            r.key()
                .is_some_and(|k| attr(k, "SK") == Some("CONSUMER#orders"))
        })
        .then_output(move || {
            GetItemOutput::builder()
                .item("outcome", AttributeValue::S(text.clone()))
                .build()
        });
    let outcome = store(&[&cancelled, &record])
        .transition(&cancel(&f))
        .await
        .unwrap();
    assert_eq!(outcome, Commit::AlreadyProcessed(recorded));
}

#[tokio::test]
async fn a_transition_on_a_missing_order_reports_it_unknown() {
    let f = fixture();
    let cancelled = transact_fails(|| {
        canceled(vec![
            reason("ConditionalCheckFailed", None),
            reason("None", None),
        ])
    });
    let outcome = store(&[&cancelled, &no_item()])
        .transition(&cancel(&f))
        .await
        .unwrap();
    assert_eq!(outcome, Commit::Done(Transitioned::UnknownOrder));
}

#[tokio::test]
async fn get_reads_the_order_and_its_timeline_with_one_query() {
    let f = fixture();
    let order = order_item(&f.order, &f.hash).unwrap();
    let entry = TimelineEntry::of(&SagaEvent::from(fixture_placed(&f)));
    let event = timeline_item(f.order.order_id, &entry).unwrap();
    let pk = order_pk(f.order.order_id);
    let query = mock!(Client::query)
        .match_requests(move |r| {
            r.consistent_read() == Some(true)
                && r.expression_attribute_values()
                    .is_some_and(|v| v[":pk"].as_s().ok() == Some(&pk))
        })
        .then_output(move || {
            QueryOutput::builder()
                .items(event.clone())
                .items(order.clone())
                .build()
        });
    let view = store(&[&query])
        .get(f.order.order_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.order, f.order);
    assert_eq!(view.timeline, vec![entry]);
}

fn fixture_placed(f: &Fixture) -> events::Envelope<events::OrderPlaced> {
    let detail = serde_json::from_str(&f.outbox.detail).unwrap();
    serde_json::from_value(detail).unwrap()
}

#[tokio::test]
async fn get_of_an_unknown_order_is_none() {
    let empty = mock!(Client::query).then_output(|| QueryOutput::builder().build());
    let found = store(&[&empty]).get(OrderId::random()).await.unwrap();
    assert_eq!(found, None);
}
