//! Fixtures shared by the integration tests: the real SQLite store, the
//! example events of `events-schema/examples`, and a recording publisher.
#![allow(dead_code, unused_imports)]

use events::{EventKind, OrderId, OutgoingEvent, SagaEvent};
use orders::{Order, OrderStore, Placed, SqliteOrderStore};
use serde_json::{Value, json};
pub use testkit::RecordingPublisher;
pub use testkit::clock::now;

pub fn store() -> SqliteOrderStore {
    SqliteOrderStore::new(platform::sqlite::Db::in_memory().unwrap()).unwrap()
}

pub fn valid_body() -> Value {
    json!({
        "customerId": "cust-42",
        "lines": [{"sku": "KB-001", "quantity": 1}, {"sku": "MOUSE-002", "quantity": 2}],
        "shipTo": {"name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "London",
                   "postalCode": "N1 7GU", "country": "GB"},
        "paymentToken": "tok_visa_4242",
        "promotionCode": "WELCOME10"
    })
}

pub fn bytes(body: &Value) -> Vec<u8> {
    body.to_string().into_bytes()
}

/// The example event of that kind as JSON text, as a rule target receives it.
pub fn example_json(kind: EventKind) -> String {
    testkit::examples::text_of(kind)
}

pub fn example(kind: EventKind) -> SagaEvent {
    testkit::examples::event_of(kind)
}

/// An outgoing event as its consumers receive it.
pub fn saga(event: &OutgoingEvent) -> SagaEvent {
    let detail = serde_json::from_str(&event.detail).unwrap();
    SagaEvent::parse(&event.source, &event.detail_type, detail).unwrap()
}

/// The order every example event belongs to.
pub fn example_order() -> OrderId {
    example(EventKind::OrderPlaced).order_id()
}

/// Stores a pending order with the examples' order id, as `POST /orders`
/// would have.
pub async fn pending_example_order(store: &SqliteOrderStore) {
    let order = orders::domain::parse_place_order(&bytes(&valid_body())).unwrap();
    let id = example_order();
    let outbox = SagaEvent::from(order.placed(id, now())).to_outgoing();
    let placed = store
        .place(
            &Order::pending(id, &order, now()),
            None,
            &order.request_hash(),
            &outbox,
        )
        .await
        .unwrap();
    assert_eq!(placed, Placed::Created);
}
