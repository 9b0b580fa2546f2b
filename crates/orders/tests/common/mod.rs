//! Fixtures shared by the integration tests: the real SQLite store, the
//! example events of `events-schema/examples`, and a recording publisher.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use events::{BusEvent, EventKind, OrderId, OutgoingEvent, SagaEvent};
use orders::{Order, OrderStore, Placed, SqliteOrderStore};
use platform::{EventPublisher, PublishError};
use serde_json::{Value, json};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

pub fn store() -> SqliteOrderStore {
    SqliteOrderStore::new(platform::sqlite::Db::in_memory().unwrap()).unwrap()
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap()
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
    let path = format!(
        "{}/../../events-schema/examples/{}.json",
        env!("CARGO_MANIFEST_DIR"),
        kind.slug()
    );
    std::fs::read_to_string(path).unwrap()
}

pub fn example(kind: EventKind) -> SagaEvent {
    BusEvent::from_json(&example_json(kind))
        .unwrap()
        .into_saga()
        .unwrap()
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

#[derive(Default)]
pub struct RecordingPublisher {
    pub published: Mutex<Vec<OutgoingEvent>>,
    pub failing: AtomicBool,
}

impl RecordingPublisher {
    pub fn failing() -> Self {
        let p = Self::default();
        p.failing.store(true, Ordering::SeqCst);
        p
    }

    pub fn recover(&self) {
        self.failing.store(false, Ordering::SeqCst);
    }

    pub fn published(&self) -> Vec<OutgoingEvent> {
        self.published.lock().unwrap().clone()
    }
}

impl EventPublisher for RecordingPublisher {
    async fn publish(&self, events: &[OutgoingEvent]) -> Result<(), PublishError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(PublishError::Transport("bus down".into()));
        }
        self.published.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}
