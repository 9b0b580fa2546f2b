//! Each service's DynamoDB store, driven through its port: conditional
//! writes, TransactWriteItems and their cancellation reasons, idempotency
//! records. Every test runs twice: against moto, and against DynamoDB Local
//! (AWS's own emulator, the reference where the two differ). Nothing here
//! is mocked.

use chrono::Utc;
use events::{
    Currency, EventId, Money, OrderId, OrderLine, OutgoingEvent, Quantity, SagaEvent, Sku,
};
use inventory::InventoryStore;
use inventory::dynamo::DynamoInventoryStore;
use inventory::ports::{ReservationState, Reserve, Settle};
use orders::{
    DynamoOrderStore, IdempotencyKey, Order, OrderStatus, OrderStore, Placed, Transition,
    Transitioned,
};
use payment::{DynamoPaymentStore, PaymentRecord, PaymentStatus, PaymentStore};
use platform::Commit;
use saga_aws_tests::{DynamoDbLocal, Moto, Stack, Tools};

/// The emulator a test runs against, stopped when dropped.
type Emulator = Box<dyn std::any::Any + Send>;

async fn moto() -> (Emulator, aws_sdk_dynamodb::Client) {
    let tools = Tools::get();
    let moto = Moto::start(tools);
    let config = moto.sdk_config().await;
    let stack = Stack::create(&config, &tools.root.join("infra/template.yaml")).await;
    (Box::new(moto), stack.dynamodb)
}

async fn dynamodb_local() -> (Emulator, aws_sdk_dynamodb::Client) {
    let local = DynamoDbLocal::start();
    let client = aws_sdk_dynamodb::Client::new(&local.sdk_config().await);
    saga_aws_tests::stack::create_tables(&client).await;
    (Box::new(local), client)
}

/// Each test once per emulator: `moto::<test>` and `dynamodb_local::<test>`.
macro_rules! on_both_emulators {
    ($($test:ident),* $(,)?) => {
        mod moto {
            $(#[tokio::test]
            async fn $test() {
                let (_emulator, client) = super::moto().await;
                super::$test(client).await;
            })*
        }
        mod dynamodb_local {
            $(#[tokio::test]
            async fn $test() {
                let (_emulator, client) = super::dynamodb_local().await;
                super::$test(client).await;
            })*
        }
    };
}

on_both_emulators!(
    a_reservation_that_runs_out_of_stock_names_the_sku_and_changes_nothing,
    a_second_delivery_of_a_reservation_returns_the_recorded_outcome,
    placing_the_same_order_twice_finds_the_first_through_the_cancelled_transaction,
    an_order_transition_commits_once_with_its_idempotency_record,
    a_payment_is_recorded_once_and_refunded_only_while_authorized,
    a_dead_letter_is_recorded_once_and_leaves_pending_when_redriven,
);

fn line(sku: &str, q: i64) -> OrderLine {
    OrderLine {
        sku: Sku::parse(sku).unwrap(),
        quantity: Quantity::parse(q).unwrap(),
    }
}

fn outcome(order: OrderId, cause: EventId, detail_type: &str) -> Vec<OutgoingEvent> {
    vec![OutgoingEvent {
        source: "shop.test".into(),
        detail_type: detail_type.into(),
        detail: "{}".into(),
        event_id: EventId::derive(cause, detail_type),
        order_id: order,
    }]
}

async fn inventory_with_stock(client: aws_sdk_dynamodb::Client) -> DynamoInventoryStore {
    let store = DynamoInventoryStore::new(client, "InventoryTable");
    for (sku, available) in [("KB-001", 5), ("MOUSE-002", 1)] {
        let item = inventory::StockItem {
            sku: Sku::parse(sku).unwrap(),
            name: sku.into(),
            unit_price: Money::new(1000, Currency::parse("USD").unwrap()),
            available,
            reserved: 0,
            shipped: 0,
        };
        store.put_item(&item).await.unwrap();
    }
    store
}

async fn stock(store: &DynamoInventoryStore, sku: &str) -> (u32, u32, u32) {
    let items = store.items(&[Sku::parse(sku).unwrap()]).await.unwrap();
    (items[0].available, items[0].reserved, items[0].shipped)
}

async fn a_reservation_that_runs_out_of_stock_names_the_sku_and_changes_nothing(
    client: aws_sdk_dynamodb::Client,
) {
    let store = inventory_with_stock(client).await;
    let order = OrderId::for_idempotency_key("out-of-stock");
    let cause = EventId::for_order_placed(order);
    let lines = [line("KB-001", 2), line("MOUSE-002", 2)];
    let result = store.reserve(order, &lines, cause, &[]).await.unwrap();
    assert_eq!(
        result,
        Reserve::Insufficient(Sku::parse("MOUSE-002").unwrap())
    );
    assert_eq!(stock(&store, "KB-001").await, (5, 0, 0), "all or nothing");
    assert_eq!(stock(&store, "MOUSE-002").await, (1, 0, 0));
    assert_eq!(store.reservation(order).await.unwrap(), None);
    assert_eq!(store.processed(cause).await.unwrap(), None);
}

async fn a_second_delivery_of_a_reservation_returns_the_recorded_outcome(
    client: aws_sdk_dynamodb::Client,
) {
    let store = inventory_with_stock(client).await;
    let order = OrderId::for_idempotency_key("twice");
    let cause = EventId::for_order_placed(order);
    let reserved = outcome(order, cause, "Inventory Reserved");
    let lines = [line("KB-001", 2)];
    assert_eq!(
        store
            .reserve(order, &lines, cause, &reserved)
            .await
            .unwrap(),
        Reserve::Done
    );
    assert_eq!(
        store
            .reserve(order, &lines, cause, &reserved)
            .await
            .unwrap(),
        Reserve::AlreadyProcessed(reserved.clone())
    );
    assert_eq!(stock(&store, "KB-001").await, (3, 2, 0), "reserved once");
    assert_eq!(store.processed(cause).await.unwrap(), Some(reserved));

    let shipped = EventId::derive(cause, "Shipment Scheduled");
    let settle = store.settle(order, ReservationState::Shipped, shipped, &[]);
    assert_eq!(settle.await.unwrap(), Settle::Done);
    assert_eq!(stock(&store, "KB-001").await, (3, 0, 2));
    let again = store.settle(
        order,
        ReservationState::Released,
        EventId::derive(cause, "x"),
        &[],
    );
    assert_eq!(
        again.await.unwrap(),
        Settle::NotReserved(Some(ReservationState::Shipped))
    );
}

/// A new order as `POST /orders` builds it: a fresh time-ordered id.
fn new_order(body: &str) -> (Order, String, OutgoingEvent) {
    let request = orders::domain::parse_place_order(body.as_bytes()).unwrap();
    let id = OrderId::random();
    let now = Utc::now();
    let outbox = SagaEvent::from(request.placed(id, now)).to_outgoing();
    (
        Order::pending(id, &request, now),
        request.request_hash(),
        outbox,
    )
}

const ORDER: &str = r#"{"customerId":"cust-42","lines":[{"sku":"KB-001","quantity":1}],
  "shipTo":{"name":"Ada","line1":"1 Row","city":"London","postalCode":"N1","country":"GB"},
  "paymentToken":"tok_visa"}"#;

/// A retry with the same key builds a new order with a new id; the key's
/// record, written in the first placement's transaction, names the first.
async fn placing_the_same_order_twice_finds_the_first_through_the_cancelled_transaction(
    client: aws_sdk_dynamodb::Client,
) {
    let store = DynamoOrderStore::new(client, "OrdersTable");
    let key = IdempotencyKey::parse("place-twice").unwrap();
    let (order, hash, outbox) = new_order(ORDER);
    assert_eq!(
        store
            .place(&order, Some(&key), &hash, &outbox)
            .await
            .unwrap(),
        Placed::Created
    );
    let (retry, retry_hash, retry_outbox) = new_order(ORDER);
    match store
        .place(&retry, Some(&key), &retry_hash, &retry_outbox)
        .await
        .unwrap()
    {
        Placed::Existing {
            order: existing,
            same_request,
        } => {
            assert!(same_request);
            assert_eq!(existing.order_id, order.order_id);
        }
        other => panic!("expected the existing order, got {other:?}"),
    }
    let other_hash = "a different request";
    match store
        .place(&retry, Some(&key), other_hash, &retry_outbox)
        .await
        .unwrap()
    {
        Placed::Existing { same_request, .. } => assert!(!same_request),
        other => panic!("expected the existing order, got {other:?}"),
    }
    let view = store.get(order.order_id).await.unwrap().expect("stored");
    assert_eq!(view.order.status, OrderStatus::Pending);
    assert!(store.get(retry.order_id).await.unwrap().is_none());
}

/// Eight clients retry one key at once, each with its own new order id:
/// exactly one transaction writes; every other either sees that order or
/// fails retryably (DynamoDB cancels a transaction that conflicts with one
/// in flight: TransactionConflict,
/// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling),
/// and its retry sees that order.
///
/// On DynamoDB Local only: moto cannot run concurrent transactions. Its
/// `transact_write_items` deep-copies each table it touches before writing
/// and, when any condition fails, puts that copy back, undoing whatever
/// another transaction committed in between (moto 5.2.5's
/// `moto/dynamodb/models/__init__.py`); here the loser's restore erased the
/// winner's order and left its key. AWS documents transactions as
/// all-or-nothing and isolated, as DynamoDB Local behaves.
#[tokio::test]
async fn concurrent_placements_with_one_key_write_one_order() {
    let (_emulator, client) = dynamodb_local().await;
    let store = DynamoOrderStore::new(client, "OrdersTable");
    let key = IdempotencyKey::parse("racing").unwrap();
    let attempts = (0..8).map(|_| {
        let (store, key) = (store.clone(), key.clone());
        tokio::spawn(async move {
            let (order, hash, outbox) = new_order(ORDER);
            let placed = store.place(&order, Some(&key), &hash, &outbox).await;
            (order.order_id, placed)
        })
    });
    let mut created = Vec::new();
    let mut seen = Vec::new();
    for attempt in attempts.collect::<Vec<_>>() {
        match attempt.await.unwrap() {
            (id, Ok(Placed::Created)) => created.push(id),
            (
                _,
                Ok(Placed::Existing {
                    order,
                    same_request: true,
                }),
            ) => seen.push(order.order_id),
            (_, Ok(other)) => panic!("unexpected {other:?}"),
            (_, Err(e)) => assert!(
                platform::Retryable::is_retryable(&e),
                "a lost race is retryable: {}",
                platform::error::chain(&e)
            ),
        }
    }
    assert_eq!(created.len(), 1, "one order written: {created:?}");
    assert!(seen.iter().all(|id| *id == created[0]), "{seen:?}");
    let (retry, hash, outbox) = new_order(ORDER);
    match store
        .place(&retry, Some(&key), &hash, &outbox)
        .await
        .unwrap()
    {
        Placed::Existing { order, .. } => assert_eq!(order.order_id, created[0]),
        other => panic!("expected the existing order, got {other:?}"),
    }
}

async fn an_order_transition_commits_once_with_its_idempotency_record(
    client: aws_sdk_dynamodb::Client,
) {
    let store = DynamoOrderStore::new(client, "OrdersTable");
    let (order, hash, outbox) = new_order(ORDER);
    store.place(&order, None, &hash, &outbox).await.unwrap();
    let cause = EventId::derive(outbox.event_id, "Shipment Scheduled");
    let change = Transition {
        order: order.order_id,
        to: OrderStatus::Confirmed,
        reason: None,
        cause,
        outcome: outcome(order.order_id, cause, "Order Confirmed"),
        at: Utc::now(),
    };
    let first = store.transition(&change).await.unwrap();
    assert_eq!(first, Commit::Done(Transitioned::Applied));
    let again = store.transition(&change).await.unwrap();
    assert_eq!(again, Commit::AlreadyProcessed(change.outcome.clone()));
    let other = Transition {
        cause: EventId::derive(cause, "another"),
        to: OrderStatus::Cancelled,
        ..change.clone()
    };
    assert_eq!(
        store.transition(&other).await.unwrap(),
        Commit::Done(Transitioned::NotPending(OrderStatus::Confirmed))
    );
    let unknown = Transition {
        order: OrderId::for_idempotency_key("never placed"),
        cause: EventId::derive(cause, "unknown"),
        ..change
    };
    assert_eq!(
        store.transition(&unknown).await.unwrap(),
        Commit::Done(Transitioned::UnknownOrder)
    );
}

async fn a_payment_is_recorded_once_and_refunded_only_while_authorized(
    client: aws_sdk_dynamodb::Client,
) {
    let store = DynamoPaymentStore::new(client, "PaymentsTable");
    let order = OrderId::for_idempotency_key("payment");
    let cause = EventId::for_order_placed(order);
    let authorized = PaymentRecord {
        payment_id: Some("pay_1".into()),
        amount: Money::new(13_800, Currency::parse("USD").unwrap()),
        status: PaymentStatus::Authorized,
    };
    let out = outcome(order, cause, "Payment Authorized");
    assert_eq!(
        store.record(order, &authorized, cause, &out).await.unwrap(),
        Commit::Done(())
    );
    assert_eq!(
        store.record(order, &authorized, cause, &out).await.unwrap(),
        Commit::AlreadyProcessed(out.clone())
    );
    assert_eq!(store.payment(order).await.unwrap(), Some(authorized));

    let refund_cause = EventId::derive(cause, "Shipment Failed");
    let refunded = store.refund(order, refund_cause, &[]).await.unwrap();
    assert_eq!(refunded, Commit::Done(()));
    let status = store.payment(order).await.unwrap().unwrap().status;
    assert_eq!(status, PaymentStatus::Refunded);
    let again = store
        .refund(order, EventId::derive(cause, "other"), &[])
        .await;
    assert!(again.is_err(), "no longer authorized: {again:?}");
}

async fn a_dead_letter_is_recorded_once_and_leaves_pending_when_redriven(
    client: aws_sdk_dynamodb::Client,
) {
    let store = dlq::dynamo::DynamoDlqStore::new(client, "DlqTable");
    let letter = |body: &str| dlq::DeadLetter {
        queue: "InventoryDLQ".into(),
        message_id: "m-1".into(),
        body: body.into(),
        error: Some("boom".into()),
        attempts: 5,
        received_at: Utc::now(),
        redriven_at: None,
    };
    use dlq::DlqStore;
    store.record(&letter("first")).await.unwrap();
    store.record(&letter("second")).await.unwrap();
    let pending = store.pending(Some("InventoryDLQ")).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].body, "first", "the first record is kept");
    assert_eq!(store.pending(None).await.unwrap().len(), 1);
    store
        .mark_redriven("InventoryDLQ", "m-1", Utc::now())
        .await
        .unwrap();
    assert!(
        store
            .pending(Some("InventoryDLQ"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.pending(None).await.unwrap().is_empty());
}
