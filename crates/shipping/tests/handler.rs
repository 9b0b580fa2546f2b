//! The shipping consumer against the real SQLite adapter and the simulated
//! carrier (wrapped only to count calls: the carrier is the external system
//! a second parcel would reach).

use chrono::{DateTime, Utc};
use events::{
    CountryCode, Envelope, EventId, EventKind, Majors, OrderId, OrderLine, OutgoingEvent,
    PaymentAuthorized, ReasonCode, SagaEvent, ShippingAddress, detail_type as dt,
};
use platform::consumer::handle_and_publish;
use platform::sqlite::Db;
use shipping::{
    Booking, Carrier, CarrierError, ShipmentStore, SimulatedCarrier, SqliteShipmentStore, handle,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use testkit::RecordingPublisher;
use testkit::examples::{event as example, text as example_text};
use testkit::sqs::{batch, failed_ids, message};

/// The example Payment Authorized, shipping to `country`.
fn authorized_to(country: &str) -> Envelope<PaymentAuthorized> {
    let SagaEvent::PaymentAuthorized(mut e) = example("payment-authorized") else {
        unreachable!("the example is a Payment Authorized")
    };
    e.data.ship_to.country = CountryCode::parse(country).unwrap();
    e
}

/// Handles the example Payment Authorized to GB, publishing major 2.
async fn to_great_britain<C: Carrier>(
    store: &SqliteShipmentStore,
    carrier: &C,
    at: DateTime<Utc>,
) -> Vec<OutgoingEvent> {
    handle(store, carrier, &majors(), authorized_to("GB").into(), at)
        .await
        .unwrap()
}

/// Major 2 only: the window closed, so each outcome is one event.
fn majors() -> Majors {
    Majors::parse(EventKind::ShipmentScheduled, "test", "2").unwrap()
}

/// A second after the example events.
fn now() -> DateTime<Utc> {
    testkit::clock::seconds_later(1)
}

fn store() -> SqliteShipmentStore {
    SqliteShipmentStore::new(Db::in_memory().unwrap()).unwrap()
}

fn parse(event: &OutgoingEvent) -> SagaEvent {
    SagaEvent::parse(
        &event.source,
        &event.detail_type,
        serde_json::from_str(&event.detail).unwrap(),
    )
    .unwrap()
}

#[derive(Default)]
struct CountingCarrier {
    inner: SimulatedCarrier,
    calls: AtomicUsize,
}

impl Carrier for CountingCarrier {
    async fn schedule(
        &self,
        order: OrderId,
        ship_to: &ShippingAddress,
        lines: &[OrderLine],
    ) -> Result<Booking, CarrierError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.schedule(order, ship_to, lines).await
    }
}

#[tokio::test]
async fn an_order_to_great_britain_is_scheduled_and_emits_shipment_scheduled() {
    let (store, carrier) = (store(), CountingCarrier::default());
    let cause = authorized_to("GB");
    let outcome = handle(&store, &carrier, &majors(), cause.clone().into(), now())
        .await
        .unwrap();

    let SagaEvent::ShipmentScheduled(e) = parse(&outcome[0]) else {
        panic!("expected Shipment Scheduled, got {outcome:?}");
    };
    assert_eq!(outcome.len(), 1);
    assert_eq!(e.data.order_id, cause.data.order_id);
    assert_eq!(e.data.lines, cause.data.lines);
    assert_eq!(e.data.amount, cause.data.amount);
    assert_eq!(e.data.tracking.carrier, "SimPost");
    assert!(e.data.shipment_id.starts_with("shp_"));
    assert!(e.data.tracking.number.starts_with("SIM"));
    assert_eq!(
        e.metadata.event_id,
        EventId::derive(cause.metadata.event_id, dt::SHIPMENT_SCHEDULED)
    );
    let stored = store.shipment(cause.data.order_id).await.unwrap();
    assert!(matches!(stored, Some(Booking::Scheduled(s)) if s.shipment_id == e.data.shipment_id));
}

#[tokio::test]
async fn during_the_transition_window_shipment_scheduled_is_published_in_both_majors_with_one_event_id()
 {
    let (store, carrier) = (store(), CountingCarrier::default());
    let both = Majors::parse(EventKind::ShipmentScheduled, "test", "1,2").unwrap();
    let outcome = handle(&store, &carrier, &both, authorized_to("GB").into(), now())
        .await
        .unwrap();
    assert_eq!(outcome.len(), 2, "{outcome:?}");
    assert_eq!(outcome[0].event_id, outcome[1].event_id);
    let v1: serde_json::Value = serde_json::from_str(&outcome[0].detail).unwrap();
    let v2: serde_json::Value = serde_json::from_str(&outcome[1].detail).unwrap();
    assert_eq!(v1["metadata"]["version"], 1);
    assert!(
        v1["data"]["trackingNumber"]
            .as_str()
            .unwrap()
            .starts_with("SIM")
    );
    assert_eq!(v1["data"]["carrier"], "SimPost");
    assert_eq!(v2["metadata"]["version"], 2);
    assert_eq!(
        v2["data"]["tracking"]["number"],
        v1["data"]["trackingNumber"]
    );
    assert!(v2["data"].get("trackingNumber").is_none(), "{v2}");
    let (SagaEvent::ShipmentScheduled(a), SagaEvent::ShipmentScheduled(b)) =
        (parse(&outcome[0]), parse(&outcome[1]))
    else {
        panic!("expected two Shipment Scheduled, got {outcome:?}");
    };
    assert_eq!(a.data, b.data, "both majors carry the same shipment");
    assert_eq!(a.metadata.also_published_as, [2]);
    assert_eq!(b.metadata.also_published_as, [1]);
    let (a, b) = (SagaEvent::from(a), SagaEvent::from(b));
    assert!(
        a.superseded() && !b.superseded(),
        "a consumer reading both majors handles the major 2 copy only"
    );
}

#[tokio::test]
async fn an_order_to_antarctica_fails_with_shipment_failed_naming_the_country() {
    let (store, carrier) = (store(), CountingCarrier::default());
    let cause = authorized_to("AQ");
    let outcome = handle(&store, &carrier, &majors(), cause.clone().into(), now())
        .await
        .unwrap();

    let SagaEvent::ShipmentFailed(e) = parse(&outcome[0]) else {
        panic!("expected Shipment Failed, got {outcome:?}");
    };
    assert_eq!(e.data.reason.code, ReasonCode::ShipmentFailed);
    assert_eq!(e.data.reason.message, "no carrier serves AQ");
    assert_eq!(e.metadata.causation_id, cause.metadata.event_id);
    let stored = store.shipment(cause.data.order_id).await.unwrap();
    assert!(matches!(stored, Some(Booking::Refused { .. })));
}

#[tokio::test]
async fn the_unserved_countries_are_configurable() {
    let store = store();
    let carrier = SimulatedCarrier::new("GB,FR".parse().unwrap());
    let outcome = to_great_britain(&store, &carrier, now()).await;
    assert_eq!(outcome[0].detail_type, dt::SHIPMENT_FAILED);
}

#[tokio::test]
async fn a_duplicate_payment_authorized_schedules_once_and_re_emits_the_identical_outcome() {
    let (store, carrier) = (store(), CountingCarrier::default());
    let first = to_great_britain(&store, &carrier, now()).await;
    let later = now() + chrono::Duration::minutes(5);
    let second = to_great_britain(&store, &carrier, later).await;

    assert_eq!(first, second);
    assert_eq!(carrier.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_crash_between_commit_and_publish_re_emits_the_same_outcome_on_retry() {
    let (store, carrier) = (store(), CountingCarrier::default());
    let down = RecordingPublisher::failing();
    let scheduled = majors();
    let handler = |e| handle(&store, &carrier, &scheduled, e, now());
    assert!(
        handle_and_publish(&down, authorized_to("AQ").into(), handler)
            .await
            .is_err()
    );

    let up = RecordingPublisher::default();
    let scheduled = majors();
    let handler = |e| handle(&store, &carrier, &scheduled, e, now());
    handle_and_publish(&up, authorized_to("AQ").into(), handler)
        .await
        .unwrap();

    let published = up.published();
    let cause = authorized_to("AQ").metadata.event_id;
    assert_eq!(
        Some(published.clone()),
        store.processed(cause).await.unwrap()
    );
    assert_eq!(
        published[0].event_id,
        EventId::derive(cause, dt::SHIPMENT_FAILED)
    );
    assert_eq!(carrier.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn another_payment_authorized_for_an_order_already_booked_books_nothing_and_emits_nothing() {
    let (store, carrier) = (store(), CountingCarrier::default());
    to_great_britain(&store, &carrier, now()).await;
    let mut other = authorized_to("GB");
    other.metadata.event_id = EventId::derive(other.metadata.event_id, "replayed");

    let outcome = handle(&store, &carrier, &majors(), other.into(), now())
        .await
        .unwrap();
    assert!(outcome.is_empty());
    assert_eq!(carrier.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn events_of_other_types_are_ignored() {
    let (store, carrier) = (store(), CountingCarrier::default());
    for slug in [
        "order-placed",
        "inventory-reserved",
        "shipment-failed",
        "payment-refunded",
    ] {
        let outcome = handle(&store, &carrier, &majors(), example(slug), now())
            .await
            .unwrap();
        assert!(outcome.is_empty(), "{slug}");
    }
    assert_eq!(carrier.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_lambda_adapter_publishes_the_outcome_of_each_message() {
    let (store, carrier) = (store(), CountingCarrier::default());
    let publisher = RecordingPublisher::default();
    let batch = batch([
        message("authorized", example_text("payment-authorized")),
        message("ignored", example_text("order-placed")),
        message("garbage", "{"),
    ]);

    let response = shipping::lambda::consume(
        &store,
        &carrier,
        &majors(),
        &events::Reads::all(),
        &publisher,
        batch,
    )
    .await;

    let failed = failed_ids(&response);
    assert_eq!(failed, vec!["garbage"]);
    let published = publisher.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].detail_type, dt::SHIPMENT_SCHEDULED);
}

/// `ACCEPTS` is what `saga lint` checks the template's rules against, so it
/// must be exactly what the dispatch acts on: every accepted example event
/// is acted on (an outcome, an error, or an idempotency record), every other
/// one is ignored without a trace.
#[tokio::test]
async fn accepts_lists_exactly_the_events_the_dispatch_acts_on() {
    for &kind in events::EventKind::ALL {
        let store = store();
        let event = example(&kind.slug());
        let id = event.metadata().event_id;
        let carrier = SimulatedCarrier::new("AQ".parse().unwrap());
        let result = handle(&store, &carrier, &majors(), event, now()).await;
        let recorded = store.processed(id).await.unwrap().is_some();
        let acted = recorded || !matches!(result, Ok(ref out) if out.is_empty());
        assert_eq!(
            acted,
            shipping::handler::ACCEPTS.contains(&kind),
            "{kind:?}: {result:?}"
        );
    }
}
