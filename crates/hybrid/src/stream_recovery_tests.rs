//! The reader against a stream that really invalidates its iterator:
//! DynamoDB Local's. Its streams share one sequence counter across tables,
//! so a `TRIM_HORIZON` iterator taken on an empty shard fails with
//! `TrimmedDataAccessException` once another table and then this one are
//! written (AWS answers
//! the same error for an iterator whose position was trimmed, and
//! `ExpiredIteratorException` 15 minutes after handing one out:
//! https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html).
//! The relay publishes to a bus in moto, whose tap queue shows what reached
//! EventBridge. The reader is stepped by hand (`refresh`, `read`), so no
//! test waits on its timer.

use super::*;
use aws_sdk_dynamodb::types::AttributeValue as Av;
use orders::{DynamoOrderStore, Order, OrderStore};
use saga_aws_tests::{DynamoDbLocal, Moto, Stack, Tools, stack};
use std::time::Duration;

struct Setup {
    relay: StreamRelay,
    dynamodb: aws_sdk_dynamodb::Client,
    tap: Stack,
    _local: DynamoDbLocal,
    _moto: Moto,
}

async fn setup() -> Setup {
    let local = DynamoDbLocal::start();
    let config = local.sdk_config().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    stack::create_tables(&dynamodb).await;
    let tools = Tools::get();
    let moto = Moto::start(tools);
    let tap = Stack::create(
        &moto.sdk_config().await,
        &tools.root.join("infra/template.yaml"),
    )
    .await;
    let relay = StreamRelay {
        dynamodb: dynamodb.clone(),
        streams: aws_sdk_dynamodbstreams::Client::new(&config),
        table: "OrdersTable".into(),
        region: "us-east-1".into(),
        publisher: EventBridgePublisher::new(tap.events.clone(), stack::BUS),
    };
    Setup {
        relay,
        dynamodb,
        tap,
        _local: local,
        _moto: moto,
    }
}

/// Places an order through the real store: the order and its outbox item
/// in one transaction. Returns the outbox event's id.
async fn place(dynamodb: &aws_sdk_dynamodb::Client, key: &str) -> String {
    let body = r#"{"customerId":"cust-1","lines":[{"sku":"KB-001","quantity":1}],
      "shipTo":{"name":"Ada","line1":"1 Row","city":"London","postalCode":"N1","country":"GB"},
      "paymentToken":"tok_visa"}"#;
    let request = orders::domain::parse_place_order(body.as_bytes()).expect("order");
    let id = events::OrderId::for_idempotency_key(key);
    let now = chrono::Utc::now();
    let outbox = events::SagaEvent::from(request.placed(id, now)).to_outgoing();
    let store = DynamoOrderStore::new(dynamodb.clone(), "OrdersTable");
    store
        .place(
            &Order::pending(id, &request, now),
            None,
            &request.request_hash(),
            &outbox,
        )
        .await
        .expect("placed");
    outbox.event_id.to_string()
}

/// A write to another table: it moves DynamoDB Local's shared sequence
/// counter past an empty shard's `TRIM_HORIZON`.
async fn write_elsewhere(dynamodb: &aws_sdk_dynamodb::Client, pk: &str) {
    dynamodb
        .put_item()
        .table_name("InventoryTable")
        .item("PK", Av::S(pk.into()))
        .item("SK", Av::S("X".into()))
        .send()
        .await
        .expect("PutItem");
}

/// Reads every shard until `tap` received `want` events, or fails after
/// 40 reads; returns the ids of the events received.
async fn relay_until(
    setup: &Setup,
    cursors: &mut BTreeMap<String, Cursor>,
    arn: &str,
    want: usize,
) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..40 {
        for (shard, cursor) in cursors.iter_mut() {
            setup.relay.read(arn, shard, cursor).await;
        }
        let bodies = setup
            .tap
            .drain(stack::TAP_QUEUE, 1, Duration::from_millis(200))
            .await;
        ids.extend(bodies.iter().map(|b| {
            b["detail"]["metadata"]["eventId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }));
        if ids.len() >= want {
            return ids;
        }
    }
    panic!("{want} events relayed expected, got {ids:?}");
}

#[tokio::test]
async fn a_trimmed_iterator_is_replaced_from_the_trim_horizon_and_then_after_the_last_handled_record()
 {
    let setup = setup().await;
    let mut cursors = BTreeMap::new();
    let mut arn = None;
    setup
        .relay
        .refresh(&mut cursors, &mut arn)
        .await
        .expect("shards");
    let arn = arn.expect("the orders table's stream");
    assert!(!cursors.is_empty(), "the stream has a shard");
    let stale: BTreeMap<String, Option<String>> = cursors
        .iter()
        .map(|(shard, cursor)| (shard.clone(), cursor.iterator.clone()))
        .collect();

    // The emulator does invalidate the iterator taken on the empty shard.
    write_elsewhere(&setup.dynamodb, "first").await;
    let first = place(&setup.dynamodb, "recover-1").await;
    let (shard, iterator) = stale.iter().next().expect("a shard");
    let error = setup
        .relay
        .streams
        .get_records()
        .shard_iterator(iterator.clone().expect("open shard"))
        .send()
        .await
        .expect_err("the TRIM_HORIZON iterator of the empty shard is trimmed");
    assert!(
        error
            .as_service_error()
            .is_some_and(GetRecordsError::is_trimmed_data_access_exception),
        "{shard}: {error:?}"
    );

    // No record handled yet: a fresh TRIM_HORIZON iterator reads the order.
    assert_eq!(relay_until(&setup, &mut cursors, &arn, 1).await, [first]);
    let handled = cursors[shard].last_sequence.clone();
    assert!(
        handled.is_some(),
        "the handled record's sequence number is kept"
    );

    // A stale iterator after a handled record: the fresh one starts after
    // that record, so the first order is not published again.
    for (shard, cursor) in &mut cursors {
        cursor.iterator = stale[shard].clone();
    }
    write_elsewhere(&setup.dynamodb, "second").await;
    let second = place(&setup.dynamodb, "recover-2").await;
    assert_eq!(relay_until(&setup, &mut cursors, &arn, 1).await, [second]);
    let late = setup
        .tap
        .drain(stack::TAP_QUEUE, 1, Duration::from_millis(500))
        .await;
    assert!(late.is_empty(), "published twice: {late:?}");
}
