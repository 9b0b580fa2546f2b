//! Inventory's consumer over the real SQLite store: every row of the saga
//! it owns, each compensation, duplicate delivery and crash recovery.

use chrono::Utc;
use events::{BusEvent, EventKind, OutgoingEvent, ReasonCode, SagaEvent};
use inventory::sqlite::SqliteInventoryStore;
use inventory::{InventoryError, InventoryStore, ReservationState, catalogue, handle};
use platform::sqlite::Db;

struct TestApp {
    store: SqliteInventoryStore,
}

impl TestApp {
    async fn new() -> Self {
        let store = SqliteInventoryStore::new(Db::in_memory().unwrap()).unwrap();
        catalogue::load(&store, &catalogue::parse(catalogue::SEED).unwrap())
            .await
            .unwrap();
        Self { store }
    }

    fn example(kind: EventKind) -> BusEvent {
        testkit::examples::bus(&kind.slug())
    }

    /// The example Order Placed with other lines.
    fn order_placed(lines: serde_json::Value) -> SagaEvent {
        let mut bus = Self::example(EventKind::OrderPlaced);
        bus.detail["data"]["lines"] = lines;
        bus.into_saga().unwrap()
    }

    fn event(kind: EventKind) -> SagaEvent {
        Self::example(kind).into_saga().unwrap()
    }

    async fn handle(&self, event: SagaEvent) -> Result<Vec<OutgoingEvent>, InventoryError> {
        handle(&self.store, event, Utc::now()).await
    }

    fn stock(&self, sku: &str) -> (u32, u32, u32) {
        let item = self
            .store
            .all_items()
            .unwrap()
            .into_iter()
            .find(|i| i.sku.as_str() == sku)
            .unwrap();
        (item.available, item.reserved, item.shipped)
    }

    /// available + reserved + shipped of every item equals what was loaded.
    fn assert_stock_conserved(&self) {
        let loaded = catalogue::parse(catalogue::SEED).unwrap();
        for item in self.store.all_items().unwrap() {
            let initial = loaded.iter().find(|i| i.sku == item.sku).unwrap().available;
            assert_eq!(
                item.available + item.reserved + item.shipped,
                initial,
                "{} not conserved",
                item.sku
            );
        }
    }
}

fn detail(event: &OutgoingEvent) -> serde_json::Value {
    serde_json::from_str(&event.detail).unwrap()
}

#[tokio::test]
async fn order_placed_reserves_every_line_priced_from_the_catalogue() {
    let app = TestApp::new().await;
    let out = app
        .handle(TestApp::event(EventKind::OrderPlaced))
        .await
        .unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].detail_type, "Inventory Reserved");
    let d = detail(&out[0]);
    // KB-001 at 89.00 and two MOUSE-002 at 24.50, from the seed catalogue.
    assert_eq!(d["data"]["amount"]["minor"], 8900 + 2 * 2450);
    assert_eq!(d["data"]["lines"][1]["unitPrice"]["minor"], 2450);
    assert_eq!(app.stock("MOUSE-002"), (998, 2, 0));
    app.assert_stock_conserved();
}

#[tokio::test]
async fn an_order_for_a_sold_out_item_fails_and_reserves_nothing() {
    let app = TestApp::new().await;
    let placed = TestApp::order_placed(serde_json::json!([
        {"sku": "KB-001", "quantity": 1}, {"sku": "SOLD-OUT-001", "quantity": 1}
    ]));
    let out = app.handle(placed).await.unwrap();
    assert_eq!(out[0].detail_type, "Inventory Reservation Failed");
    assert_eq!(detail(&out[0])["data"]["reason"]["code"], "OUT_OF_STOCK");
    assert_eq!(
        app.stock("KB-001"),
        (1000, 0, 0),
        "no line is reserved unless all are"
    );
    app.assert_stock_conserved();
}

#[tokio::test]
async fn an_order_for_an_unknown_sku_fails_naming_it() {
    let app = TestApp::new().await;
    let out = app
        .handle(TestApp::order_placed(
            serde_json::json!([{"sku": "NOPE-1", "quantity": 1}]),
        ))
        .await
        .unwrap();
    let d = detail(&out[0]);
    assert_eq!(
        d["data"]["reason"]["code"],
        serde_json::to_value(ReasonCode::UnknownSku).unwrap()
    );
    assert!(
        d["data"]["reason"]["message"]
            .as_str()
            .unwrap()
            .contains("NOPE-1")
    );
}

#[tokio::test]
async fn a_duplicate_order_placed_changes_nothing_and_re_emits_the_same_outcome() {
    let app = TestApp::new().await;
    let first = app
        .handle(TestApp::event(EventKind::OrderPlaced))
        .await
        .unwrap();
    let second = app
        .handle(TestApp::event(EventKind::OrderPlaced))
        .await
        .unwrap();
    assert_eq!(first, second);
    assert_eq!(app.stock("MOUSE-002"), (998, 2, 0));
}

#[tokio::test]
async fn a_crash_before_publishing_is_repaired_by_the_retry_with_the_same_event_ids() {
    let app = TestApp::new().await;
    // First delivery commits, then the process dies before publishing: its
    // result is lost. The retried delivery must hand back the same outcome.
    let lost = app
        .handle(TestApp::event(EventKind::OrderPlaced))
        .await
        .unwrap();
    drop(lost.clone());
    let retried = app
        .handle(TestApp::event(EventKind::OrderPlaced))
        .await
        .unwrap();
    assert_eq!(retried[0].event_id, lost[0].event_id);
    assert_eq!(retried, lost);
}

#[tokio::test]
async fn payment_failed_releases_the_reservation_and_passes_the_reason_on() {
    let app = TestApp::new().await;
    app.handle(TestApp::event(EventKind::OrderPlaced))
        .await
        .unwrap();
    let out = app
        .handle(TestApp::event(EventKind::PaymentFailed))
        .await
        .unwrap();
    assert_eq!(out[0].detail_type, "Inventory Released");
    assert_eq!(
        detail(&out[0])["data"]["reason"]["code"],
        "PAYMENT_DECLINED"
    );
    assert_eq!(app.stock("MOUSE-002"), (1000, 0, 0));
    app.assert_stock_conserved();
}

#[tokio::test]
async fn payment_refunded_releases_the_reservation() {
    let app = TestApp::new().await;
    app.handle(TestApp::event(EventKind::OrderPlaced))
        .await
        .unwrap();
    let out = app
        .handle(TestApp::event(EventKind::PaymentRefunded))
        .await
        .unwrap();
    assert_eq!(detail(&out[0])["data"]["reason"]["code"], "SHIPMENT_FAILED");
    assert_eq!(app.stock("KB-001"), (1000, 0, 0));
}

#[tokio::test]
async fn a_duplicate_compensation_releases_stock_only_once() {
    let app = TestApp::new().await;
    app.handle(TestApp::event(EventKind::OrderPlaced))
        .await
        .unwrap();
    let first = app
        .handle(TestApp::event(EventKind::PaymentFailed))
        .await
        .unwrap();
    let again = app
        .handle(TestApp::event(EventKind::PaymentFailed))
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(app.stock("MOUSE-002"), (1000, 0, 0));
    app.assert_stock_conserved();
}

#[tokio::test]
async fn shipment_scheduled_counts_reserved_stock_as_shipped() {
    let app = TestApp::new().await;
    app.handle(TestApp::event(EventKind::OrderPlaced))
        .await
        .unwrap();
    let out = app
        .handle(TestApp::event(EventKind::ShipmentScheduled))
        .await
        .unwrap();
    assert!(out.is_empty());
    assert_eq!(app.stock("MOUSE-002"), (998, 0, 2));
    app.handle(TestApp::event(EventKind::ShipmentScheduled))
        .await
        .unwrap();
    assert_eq!(
        app.stock("MOUSE-002"),
        (998, 0, 2),
        "a duplicate ships nothing twice"
    );
    app.assert_stock_conserved();
}

#[tokio::test]
async fn releasing_a_shipped_order_is_a_permanent_error() {
    let app = TestApp::new().await;
    app.handle(TestApp::event(EventKind::OrderPlaced))
        .await
        .unwrap();
    app.handle(TestApp::event(EventKind::ShipmentScheduled))
        .await
        .unwrap();
    let err = app
        .handle(TestApp::event(EventKind::PaymentFailed))
        .await
        .unwrap_err();
    assert!(!platform::Retryable::is_retryable(&err), "{err}");
    let order = TestApp::event(EventKind::OrderPlaced).order_id();
    assert_eq!(
        app.store.reservation(order).await.unwrap().unwrap().state,
        ReservationState::Shipped
    );
}

#[tokio::test]
async fn a_compensation_before_any_reservation_is_retried_later() {
    let app = TestApp::new().await;
    let err = app
        .handle(TestApp::event(EventKind::PaymentFailed))
        .await
        .unwrap_err();
    assert!(platform::Retryable::is_retryable(&err), "{err}");
}

#[tokio::test]
async fn events_inventory_does_not_consume_are_ignored() {
    let app = TestApp::new().await;
    for kind in [
        EventKind::OrderConfirmed,
        EventKind::PaymentAuthorized,
        EventKind::InventoryReserved,
    ] {
        assert!(app.handle(TestApp::event(kind)).await.unwrap().is_empty());
    }
}

/// `ACCEPTS` is what `saga lint` checks the template's rules against, so it
/// must be exactly what the dispatch acts on: every accepted example event
/// is acted on (an outcome, an error, or an idempotency record), every other
/// one is ignored without a trace.
#[tokio::test]
async fn accepts_lists_exactly_the_events_the_dispatch_acts_on() {
    for &kind in EventKind::ALL {
        let app = TestApp::new().await;
        let event = TestApp::event(kind);
        let id = event.metadata().event_id;
        let result = app.handle(event).await;
        let recorded = app.store.processed(id).await.unwrap().is_some();
        let acted = recorded || !matches!(result, Ok(ref out) if out.is_empty());
        assert_eq!(
            acted,
            inventory::handler::ACCEPTS.contains(&kind),
            "{kind:?}: {result:?}"
        );
    }
}
