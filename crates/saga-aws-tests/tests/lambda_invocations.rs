//! Every Lambda bootstrap under the Runtime Interface Emulator, invoked with
//! the payloads of `events-schema/lambda/` exactly as Lambda delivers them,
//! its AWS clients pointed at moto.

use aws_sdk_dynamodb::types::AttributeValue;
use saga_aws_tests::rie::Function;
use saga_aws_tests::{TestApp, failed_ids, payload};
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);
/// The order id `apigw-get-order.json` reads; a test puts the id it placed
/// in its place.
const EXAMPLE_ORDER: &str = "5590ab99-8a17-5854-bf7b-fc22a639e408";

fn body(response: &Value) -> Value {
    let text = response["body"]
        .as_str()
        .expect("an HTTP API response body");
    serde_json::from_str(text).expect("a JSON body")
}

async fn load_catalogue(app: &TestApp) {
    let store =
        inventory::dynamo::DynamoInventoryStore::new(app.stack.dynamodb.clone(), "InventoryTable");
    let items = inventory::catalogue::parse(inventory::catalogue::SEED).unwrap();
    inventory::catalogue::load(&store, &items).await.unwrap();
}

async fn counters(app: &TestApp, sku: &str) -> (String, String) {
    let item = app
        .stack
        .dynamodb
        .get_item()
        .table_name("InventoryTable")
        .key("PK", AttributeValue::S(format!("SKU#{sku}")))
        .key("SK", AttributeValue::S("ITEM".into()))
        .send()
        .await
        .unwrap()
        .item
        .expect("the SKU is in the table");
    let n = |name: &str| item[name].as_n().unwrap().clone();
    (n("available"), n("reserved"))
}

type Item = std::collections::HashMap<String, AttributeValue>;

async fn scan(app: &TestApp, table: &str) -> Vec<Item> {
    let out = app.stack.dynamodb.scan().table_name(table).send().await;
    out.unwrap().items.unwrap_or_default()
}

fn detail_types(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["detail-type"].as_str().unwrap_or_default())
        .collect()
}

/// `apigw-get-order.json` with the example order's id replaced by `id`.
fn get_order_payload(id: &str) -> Value {
    let text = payload("apigw-get-order.json").to_string();
    serde_json::from_str(&text.replace(EXAMPLE_ORDER, id)).unwrap()
}

#[tokio::test]
async fn a_placed_order_is_stored_with_its_outbox_item_and_its_key_and_read_back() {
    let mut app = TestApp::start().await;
    let response = app
        .invoke_file(Function::ORDERS_API, "apigw-post-order.json")
        .await;
    assert_eq!(response["statusCode"], 201, "{response}");
    let placed = body(&response)["orderId"].as_str().unwrap().to_owned();

    let items = scan(&app, "OrdersTable").await;
    let pk =
        |i: &std::collections::HashMap<String, AttributeValue>| i["PK"].as_s().unwrap().clone();
    let order = items
        .iter()
        .find(|i| pk(i) == format!("ORDER#{placed}"))
        .expect("the order item");
    assert_eq!(order["status"].as_s().unwrap(), "PENDING");
    let key = items
        .iter()
        .find(|i| pk(i) == "IDEMPOTENCY#lambda-payload-order-1")
        .expect("the Idempotency-Key's item, written in the same transaction");
    assert_eq!(key["orderId"].as_s().unwrap(), &placed);
    let outbox = items
        .iter()
        .find(|i| pk(i).starts_with("OUTBOX#"))
        .expect("the outbox item, written in the same transaction");
    let event: Value = serde_json::from_str(outbox["event"].as_s().unwrap()).unwrap();
    assert_eq!(event["detailType"], "Order Placed");
    assert_eq!(event["orderId"], placed.as_str());

    let retry = app
        .invoke_file(Function::ORDERS_API, "apigw-post-order.json")
        .await;
    assert_eq!(retry["statusCode"], 200, "{retry}");
    assert_eq!(body(&retry)["orderId"], placed.as_str());

    let read = app
        .invoke(Function::ORDERS_API, &get_order_payload(&placed))
        .await;
    assert_eq!(read["statusCode"], 200, "{read}");
    assert_eq!(body(&read)["status"], "PENDING", "{read}");
}

#[tokio::test]
async fn an_order_line_with_quantity_zero_is_a_400_naming_the_field() {
    let mut app = TestApp::start().await;
    let response = app
        .invoke_file(Function::ORDERS_API, "apigw-post-order-bad-quantity.json")
        .await;
    assert_eq!(response["statusCode"], 400, "{response}");
    let error = &body(&response)["error"];
    assert_eq!(error["code"], "invalid_request");
    assert_eq!(error["field"], "lines[1].quantity", "{error}");
}

#[tokio::test]
async fn the_inventory_consumer_reserves_stock_and_puts_inventory_reserved_on_the_bus() {
    let mut app = TestApp::start().await;
    load_catalogue(&app).await;
    let response = app
        .invoke_file(Function::INVENTORY, "sqs-inventory.json")
        .await;
    assert!(failed_ids(&response).is_empty(), "{response}");

    assert_eq!(counters(&app, "KB-001").await, ("999".into(), "1".into()));
    assert_eq!(
        counters(&app, "MOUSE-002").await,
        ("998".into(), "2".into())
    );

    let tapped = app.stack.drain("TapQueue", 1, WAIT).await;
    assert_eq!(detail_types(&tapped), ["Inventory Reserved"]);
    assert_eq!(tapped[0]["detail"]["data"]["amount"]["minor"], 13800);
    // Routed by the template's PaymentRule to the payment queue too.
    let routed = app.stack.drain("PaymentQueue", 1, WAIT).await;
    assert_eq!(detail_types(&routed), ["Inventory Reserved"]);
}

#[tokio::test]
async fn a_poison_message_is_the_only_batch_item_failure() {
    let mut app = TestApp::start().await;
    let batch = payload("sqs-payment-poison.json");
    let poison = batch["Records"][0]["messageId"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app.invoke(Function::PAYMENT, &batch).await;
    assert_eq!(failed_ids(&response), [poison]);
    // The valid message beside it was handled and its outcome published.
    let tapped = app.stack.drain("TapQueue", 1, WAIT).await;
    assert_eq!(detail_types(&tapped), ["Payment Authorized"]);
}

#[tokio::test]
async fn the_outbox_relay_puts_order_placed_on_the_bus() {
    let mut app = TestApp::start().await;
    let response = app
        .invoke_file(Function::OUTBOX_RELAY, "dynamodb-outbox-insert.json")
        .await;
    assert!(failed_ids(&response).is_empty(), "{response}");
    let tapped = app.stack.drain("TapQueue", 1, WAIT).await;
    assert_eq!(detail_types(&tapped), ["Order Placed"]);
    assert_eq!(
        tapped[0]["detail"]["metadata"]["eventId"],
        "5914b8b2-2a99-53ea-b978-b75d56e789bb"
    );
    // And the template's InventoryRule routes it to the inventory queue.
    let routed = app.stack.drain("InventoryQueue", 1, WAIT).await;
    assert_eq!(detail_types(&routed), ["Order Placed"]);
}

#[tokio::test]
async fn the_shipping_consumer_schedules_a_shipment_for_an_authorized_payment() {
    let mut app = TestApp::start().await;
    let response = app
        .invoke_file(Function::SHIPPING, "sqs-shipping.json")
        .await;
    assert!(failed_ids(&response).is_empty(), "{response}");
    // The template opens Shipment Scheduled's v1 -> v2 transition window
    // (SHIPMENT_SCHEDULED_MAJORS "1,2"): one copy per major, one event id.
    let tapped = app.stack.drain("TapQueue", 2, WAIT).await;
    assert_eq!(
        detail_types(&tapped),
        ["Shipment Scheduled", "Shipment Scheduled"]
    );
    let mut majors: Vec<_> = tapped
        .iter()
        .map(|e| e["detail"]["metadata"]["version"].as_u64())
        .collect();
    majors.sort();
    assert_eq!(majors, [Some(1), Some(2)]);
    assert_eq!(
        tapped[0]["detail"]["metadata"]["eventId"],
        tapped[1]["detail"]["metadata"]["eventId"]
    );
}

#[tokio::test]
async fn the_orders_consumer_fails_an_event_for_an_order_it_never_stored() {
    let mut app = TestApp::start().await;
    let batch = payload("sqs-orders.json");
    let id = batch["Records"][0]["messageId"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app.invoke(Function::ORDERS_CONSUMER, &batch).await;
    assert_eq!(
        failed_ids(&response),
        [id],
        "a permanent failure, bound for the DLQ"
    );
}

#[tokio::test]
async fn the_dlq_handler_records_every_dead_letter_with_its_error() {
    let mut app = TestApp::start().await;
    let response = app.invoke_file(Function::DLQ, "sqs-dlq.json").await;
    assert!(failed_ids(&response).is_empty(), "{response}");
    let items = scan(&app, "DlqTable").await;
    assert_eq!(items.len(), 2);
    let delivery = items
        .iter()
        .find(|i| i["PK"].as_s().unwrap().contains("RuleDeliveryDLQ"))
        .expect("the rule delivery letter");
    assert_eq!(
        delivery["error"].as_s().unwrap(),
        "SQS_QUEUE_DOES_NOT_EXIST: Failed to send message to the SQS queue"
    );
    assert_eq!(delivery["attempts"].as_n().unwrap(), "24");
}

#[tokio::test]
async fn dlq_redrive_refuses_a_malformed_queue_name_and_puts_a_recorded_letter_back_on_the_bus() {
    let mut app = TestApp::start().await;
    let recorded = app.invoke_file(Function::DLQ, "sqs-dlq.json").await;
    assert!(failed_ids(&recorded).is_empty(), "{recorded}");

    let refused = app
        .invoke(Function::DLQ_REDRIVE, &json!({ "queue": "Inventory DLQ" }))
        .await;
    assert!(
        refused["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("\"Inventory DLQ\" is not an SQS queue name")),
        "{refused}"
    );

    // The queue's physical name, as the letter's eventSourceARN ends.
    let report = app
        .invoke(
            Function::DLQ_REDRIVE,
            &json!({ "queue": "ordersaga-InventoryDLQ-9CF1F6156362" }),
        )
        .await;
    assert_eq!(
        report["redriven"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
    let tapped = app.stack.drain("TapQueue", 1, WAIT).await;
    assert_eq!(detail_types(&tapped), ["Payment Failed"]);
    assert_eq!(
        tapped[0]["detail"]["metadata"]["eventId"], "f1ba292e-096e-5300-bd50-e74759d31c5c",
        "a redriven event keeps its id, so a consumer that did handle it dedupes it"
    );
}
