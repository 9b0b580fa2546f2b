//! `POST /orders` and `GET /orders/{id}` through the framework-neutral API
//! core, over the real SQLite store.

mod common;

use common::*;
use events::{EventId, OrderId};
use orders::domain::{MAX_BODY_BYTES, MAX_LINES};
use orders::{ApiResponse, OrderStore, get_order, handle, place_order, route};
use serde_json::{Value, json};

async fn post(store: &orders::SqliteOrderStore, body: &Value, key: Option<&str>) -> ApiResponse {
    place_order(store, &bytes(body), key, now()).await
}

fn created_id(response: &ApiResponse) -> OrderId {
    OrderId::parse(response.body["orderId"].as_str().unwrap()).unwrap()
}

async fn assert_rejected(body: &[u8], status: u16, field: &str) {
    let store = store();
    let response = place_order(&store, body, None, now()).await;
    assert_eq!(response.status, status, "{}", response.body);
    assert_eq!(response.error_field(), Some(field), "{}", response.body);
    assert!(
        response.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert!(
        store.take_outbox(10).unwrap().is_empty(),
        "nothing is written"
    );
}

async fn assert_field_rejected(change: impl FnOnce(&mut Value), field: &str) {
    let mut body = valid_body();
    change(&mut body);
    assert_rejected(&bytes(&body), 400, field).await;
}

#[tokio::test]
async fn a_valid_order_is_stored_pending_with_its_order_placed_in_the_outbox() {
    let store = store();
    let response = post(&store, &valid_body(), None).await;
    assert_eq!(response.status, 201);
    assert_eq!(response.body["status"], "PENDING");
    let id = created_id(&response);

    let view = store.get(id).await.unwrap().unwrap();
    assert_eq!(view.order.status, orders::OrderStatus::Pending);
    assert_eq!(view.order.lines.len(), 2);

    let outbox = store.take_outbox(10).unwrap();
    assert_eq!(outbox.len(), 1);
    let event = &outbox[0].event;
    assert_eq!(event.detail_type, "Order Placed");
    assert_eq!(event.source, "shop.orders");
    assert_eq!(event.order_id, id);
    assert_eq!(event.event_id, EventId::for_order_placed(id));
    let detail: Value = serde_json::from_str(&event.detail).unwrap();
    assert_eq!(detail["data"]["promotionCode"], "WELCOME10");
    assert_eq!(detail["data"]["lines"][1]["quantity"], 2);
}

#[tokio::test]
async fn malformed_json_is_a_400_naming_line_and_column() {
    let store = store();
    let response = place_order(
        &store,
        b"{\"customerId\": \"c\",\n  \"lines\": [",
        None,
        now(),
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(response.error_code(), Some("invalid_request"));
    let message = response.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("line 2") && message.contains("column"),
        "{message}"
    );
    assert_rejected(b"", 400, "$").await;
}

#[tokio::test]
async fn a_missing_field_is_a_400_naming_it() {
    assert_field_rejected(
        |b| drop(b.as_object_mut().unwrap().remove("paymentToken")),
        "paymentToken",
    )
    .await;
    assert_field_rejected(
        |b| drop(b["lines"][0].as_object_mut().unwrap().remove("quantity")),
        "lines[0].quantity",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_field_is_a_400_naming_it() {
    assert_field_rejected(|b| b["giftWrap"] = json!(true), "giftWrap").await;
    assert_field_rejected(|b| b["shipTo"]["floor"] = json!(3), "shipTo.floor").await;
}

#[tokio::test]
async fn a_price_from_the_client_is_refused_as_an_unknown_field() {
    assert_field_rejected(
        |b| b["lines"][1]["unitPrice"] = json!({"minor": 1, "currency": "USD"}),
        "lines[1].unitPrice",
    )
    .await;
    assert_field_rejected(|b| b["amount"] = json!(1), "amount").await;
}

#[tokio::test]
async fn a_zero_or_negative_quantity_is_a_400_naming_the_line() {
    assert_field_rejected(
        |b| b["lines"][1]["quantity"] = json!(0),
        "lines[1].quantity",
    )
    .await;
    assert_field_rejected(
        |b| b["lines"][0]["quantity"] = json!(-3),
        "lines[0].quantity",
    )
    .await;
    assert_field_rejected(
        |b| b["lines"][0]["quantity"] = json!(101),
        "lines[0].quantity",
    )
    .await;
    assert_field_rejected(
        |b| b["lines"][0]["quantity"] = json!(1.5),
        "lines[0].quantity",
    )
    .await;
}

#[tokio::test]
async fn too_many_lines_is_a_400_naming_lines() {
    let lines: Vec<Value> = (0..=MAX_LINES)
        .map(|i| json!({"sku": format!("SKU-{i}"), "quantity": 1}))
        .collect();
    assert_field_rejected(|b| b["lines"] = json!(lines), "lines").await;
    let store = store();
    let mut body = valid_body();
    body["lines"] = json!(lines[..MAX_LINES]);
    assert_eq!(
        post(&store, &body, None).await.status,
        201,
        "exactly the limit is fine"
    );
}

#[tokio::test]
async fn a_duplicate_sku_is_a_400_naming_the_second_line() {
    assert_field_rejected(|b| b["lines"][1]["sku"] = json!("KB-001"), "lines[1].sku").await;
}

#[tokio::test]
async fn an_oversized_body_is_a_413() {
    let mut body = valid_body();
    body["customerId"] = json!("c".repeat(MAX_BODY_BYTES));
    let store = store();
    let response = post(&store, &body, None).await;
    assert_eq!(response.status, 413);
    assert_eq!(response.error_code(), Some("payload_too_large"));
}

#[tokio::test]
async fn a_bad_country_is_a_400_naming_ship_to_country() {
    assert_field_rejected(|b| b["shipTo"]["country"] = json!("gb"), "shipTo.country").await;
    assert_field_rejected(|b| b["shipTo"]["country"] = json!("GBR"), "shipTo.country").await;
}

#[tokio::test]
async fn other_invalid_values_are_400s_naming_the_field() {
    assert_field_rejected(|b| b["lines"] = json!([]), "lines").await;
    assert_field_rejected(|b| b["lines"][0]["sku"] = json!("kb-1"), "lines[0].sku").await;
    assert_field_rejected(|b| b["customerId"] = json!("a b"), "customerId").await;
    assert_field_rejected(
        |b| b["paymentToken"] = json!("4242424242424242"),
        "paymentToken",
    )
    .await;
    assert_field_rejected(
        |b| b["shipTo"]["postalCode"] = json!(""),
        "shipTo.postalCode",
    )
    .await;
    assert_field_rejected(|b| b["lines"] = json!("KB-001"), "lines").await;
}

#[tokio::test]
async fn an_idempotency_key_replay_returns_the_same_order_without_a_second_outbox_event() {
    let store = store();
    let first = post(&store, &valid_body(), Some("key-1")).await;
    assert_eq!(first.status, 201);

    // Same order, formatted differently.
    let pretty = serde_json::to_vec_pretty(&valid_body()).unwrap();
    let replay = place_order(&store, &pretty, Some("key-1"), now()).await;
    assert_eq!(replay.status, 200);
    assert_eq!(replay.body, first.body);
    assert_eq!(store.take_outbox(10).unwrap().len(), 1);
}

#[tokio::test]
async fn reusing_an_idempotency_key_for_another_order_is_a_422() {
    let store = store();
    let first = created_id(&post(&store, &valid_body(), Some("key-1")).await);
    let mut other = valid_body();
    other["lines"][0]["quantity"] = json!(5);
    let response = post(&store, &other, Some("key-1")).await;
    assert_eq!(response.status, 422);
    assert_eq!(response.error_code(), Some("idempotency_key_reused"));
    assert_eq!(response.error_field(), Some("Idempotency-Key"));
    assert_eq!(store.take_outbox(10).unwrap().len(), 1);
    let view = store.get(first).await.unwrap().unwrap();
    assert_eq!(
        view.order.lines[0].quantity.get(),
        1,
        "the first order is untouched"
    );
}

/// The version nibble of an order id (RFC 9562 section 4.2).
fn uuid_version(id: OrderId) -> char {
    id.to_string().chars().nth(14).unwrap()
}

#[tokio::test]
async fn a_keyed_order_gets_a_time_ordered_id_not_one_derived_from_its_key() {
    let store = store();
    let first = created_id(&post(&store, &valid_body(), Some("key-1")).await);
    let second = created_id(&post(&store, &valid_body(), Some("key-2")).await);
    assert_eq!((uuid_version(first), uuid_version(second)), ('7', '7'));
    assert!(
        first < second,
        "placed later, sorted later: {first} {second}"
    );
    assert_ne!(first, OrderId::for_idempotency_key("key-1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_with_one_key_place_one_order() {
    let store = store();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { post(&store, &valid_body(), Some("racing")).await })
        })
        .collect();
    let mut statuses = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        let response = task.await.unwrap();
        statuses.push(response.status);
        ids.insert(created_id(&response));
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [vec![200; 15], vec![201]].concat());
    assert_eq!(ids.len(), 1, "every retry names the one order: {ids:?}");
    assert_eq!(store.take_outbox(100).unwrap().len(), 1);
}

#[tokio::test]
async fn an_unusable_idempotency_key_is_a_400() {
    let store = store();
    for key in ["", "has space", &"k".repeat(256)] {
        let response = post(&store, &valid_body(), Some(key)).await;
        assert_eq!(response.status, 400, "{key:?}");
        assert_eq!(response.error_field(), Some("Idempotency-Key"));
    }
}

#[tokio::test]
async fn get_returns_the_status_and_the_timeline() {
    let store = store();
    let id = created_id(&post(&store, &valid_body(), Some("k")).await);
    let placed = store.take_outbox(1).unwrap().remove(0).event;
    handle(&store, saga(&placed), now()).await.unwrap();

    let response = get_order(&store, &id.to_string()).await;
    assert_eq!(response.status, 200);
    let body = &response.body;
    assert_eq!(body["orderId"], id.to_string());
    assert_eq!(body["status"], "PENDING");
    assert_eq!(body["customerId"], "cust-42");
    let timeline = body["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 1);
    let entry = &timeline[0];
    assert_eq!(entry["detailType"], "Order Placed");
    assert_eq!(entry["source"], "shop.orders");
    assert_eq!(entry["eventId"], EventId::for_order_placed(id).to_string());
    assert!(entry["occurredAt"].is_string());
    assert!(entry["summary"].as_str().unwrap().contains("3 units"));
}

#[tokio::test]
async fn the_order_view_never_shows_the_payment_token_or_the_street() {
    let store = store();
    let id = created_id(&post(&store, &valid_body(), None).await);
    let placed = store.take_outbox(1).unwrap().remove(0).event;
    handle(&store, saga(&placed), now()).await.unwrap();
    let shown = get_order(&store, &id.to_string()).await.body.to_string();
    for secret in ["tok_visa_4242", "Analytical", "Ada Lovelace"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn get_with_a_bad_id_is_a_400_and_an_unknown_id_a_404() {
    let store = store();
    let bad = get_order(&store, "not-a-uuid").await;
    assert_eq!((bad.status, bad.error_field()), (400, Some("id")));
    let unknown = get_order(&store, &OrderId::random().to_string()).await;
    assert_eq!(
        (unknown.status, unknown.error_code()),
        (404, Some("not_found"))
    );
}

#[tokio::test]
async fn routes_dispatch_by_method_and_path() {
    let store = store();
    let created = route(
        &store,
        "POST",
        "/orders",
        None,
        &bytes(&valid_body()),
        now(),
    )
    .await;
    assert_eq!(created.status, 201);
    let id = created.body["orderId"].as_str().unwrap();
    let got = route(&store, "GET", &format!("/orders/{id}/"), None, b"", now()).await;
    assert_eq!(got.status, 200);
    assert_eq!(
        route(&store, "DELETE", "/orders/x", None, b"", now())
            .await
            .status,
        405
    );
    assert_eq!(
        route(&store, "GET", "/carts", None, b"", now())
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_store_failure_is_a_503_marked_retryable() {
    let db = platform::sqlite::Db::in_memory().unwrap();
    let store = orders::SqliteOrderStore::new(db.clone()).unwrap();
    db.migrate("DROP TABLE orders_outbox").unwrap();
    let response = post(&store, &valid_body(), None).await;
    assert_eq!(response.status, 503);
    assert_eq!(response.error_code(), Some("unavailable"));
    assert_eq!(response.body["error"]["retryable"], true);
}
