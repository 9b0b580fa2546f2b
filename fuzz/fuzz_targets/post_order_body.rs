//! Any bytes as a `POST /orders` body, through the same function the API
//! and the Lambda call, over a real (in-memory) SQLite store: the answer is
//! a client error or a success, never a 5xx or a panic; and an accepted
//! order's Order Placed event parses back through the envelope parser.
#![no_main]

use events::{BusEvent, SagaEvent};
use libfuzzer_sys::fuzz_target;
use orders::SqliteOrderStore;
use std::sync::OnceLock;

fn setup() -> &'static (tokio::runtime::Runtime, SqliteOrderStore) {
    static SETUP: OnceLock<(tokio::runtime::Runtime, SqliteOrderStore)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("tokio");
        let db = platform::sqlite::Db::in_memory().expect("sqlite");
        (runtime, SqliteOrderStore::new(db).expect("orders store"))
    })
}

fuzz_target!(|data: &[u8]| {
    let (runtime, store) = setup();
    // A fixed key keeps the store at one order however long the run.
    let response = runtime.block_on(orders::place_order(store, data, Some("fuzz"), chrono::Utc::now()));
    assert!(response.status < 500, "{} {}", response.status, response.body);
    if let Ok(order) = orders::domain::parse_place_order(data) {
        let id = events::OrderId::for_idempotency_key("fuzz");
        let event = SagaEvent::from(order.placed(id, chrono::Utc::now()));
        let wire = serde_json::json!({
            "version": "0", "id": "x", "detail-type": event.kind().detail_type(),
            "source": event.kind().source(), "account": "0", "time": "2026-01-01T00:00:00Z",
            "region": "local", "resources": [],
            "detail": serde_json::from_str::<serde_json::Value>(&event.detail_json()).expect("detail is JSON"),
        });
        let back = BusEvent::from_json(&wire.to_string()).and_then(BusEvent::into_saga);
        assert_eq!(back.ok(), Some(event), "an accepted order's event must parse back to itself");
    }
});
