//! The payment consumer against the real SQLite adapter and the simulated
//! gateway (wrapped only to count calls: the gateway is the external system
//! a double charge would reach).

use chrono::{DateTime, Utc};
use events::{
    Envelope, EventId, InventoryReserved, Money, OrderId, OutgoingEvent, PaymentToken, ReasonCode,
    SagaEvent, ShipmentFailed, detail_type as dt,
};
use payment::{
    Authorization, GatewayError, PaymentError, PaymentGateway, PaymentStatus, PaymentStore,
    SimulatedGateway, SqlitePaymentStore, handle,
};
use platform::Retryable;
use platform::consumer::{ConsumerError, handle_and_publish};
use platform::sqlite::Db;
use std::sync::atomic::{AtomicUsize, Ordering};
use testkit::RecordingPublisher;
use testkit::examples::{event as example, text as example_text};
use testkit::sqs::{batch, failed_ids, message};

fn reserved() -> Envelope<InventoryReserved> {
    match example("inventory-reserved") {
        SagaEvent::InventoryReserved(e) => e,
        other => panic!("unexpected {other:?}"),
    }
}

fn reserved_with(minor: i64, token: &str) -> SagaEvent {
    let mut e = reserved();
    e.data.amount.minor = minor;
    e.data.payment_token = PaymentToken::parse(token).unwrap();
    e.into()
}

fn shipment_failed() -> Envelope<ShipmentFailed> {
    match example("shipment-failed") {
        SagaEvent::ShipmentFailed(e) => e,
        other => panic!("unexpected {other:?}"),
    }
}

/// A second after the example events.
fn now() -> DateTime<Utc> {
    testkit::clock::seconds_later(1)
}

fn store() -> SqlitePaymentStore {
    SqlitePaymentStore::new(Db::in_memory().unwrap()).unwrap()
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
struct CountingGateway {
    inner: SimulatedGateway,
    authorizations: AtomicUsize,
    refunds: AtomicUsize,
}

impl PaymentGateway for CountingGateway {
    async fn authorize(
        &self,
        key: &str,
        order: OrderId,
        amount: &Money,
        token: &PaymentToken,
    ) -> Result<Authorization, GatewayError> {
        self.authorizations.fetch_add(1, Ordering::SeqCst);
        self.inner.authorize(key, order, amount, token).await
    }

    async fn refund(
        &self,
        key: &str,
        payment_id: &str,
        amount: &Money,
    ) -> Result<(), GatewayError> {
        self.refunds.fetch_add(1, Ordering::SeqCst);
        self.inner.refund(key, payment_id, amount).await
    }
}

/// Authorizes the example order, as the start of a refund test.
async fn authorized(store: &SqlitePaymentStore, gateway: &CountingGateway) -> OutgoingEvent {
    let outcome = handle(store, gateway, reserved().into(), now())
        .await
        .unwrap();
    assert_eq!(outcome[0].detail_type, dt::PAYMENT_AUTHORIZED);
    outcome[0].clone()
}

#[tokio::test]
async fn an_amount_within_the_limit_is_approved_and_emits_payment_authorized_with_the_amount() {
    let (store, gateway) = (store(), CountingGateway::default());
    let cause = reserved();
    let outcome = handle(&store, &gateway, cause.clone().into(), now())
        .await
        .unwrap();

    assert_eq!(outcome.len(), 1);
    let SagaEvent::PaymentAuthorized(e) = parse(&outcome[0]) else {
        panic!("expected Payment Authorized, got {outcome:?}");
    };
    assert_eq!(e.data.amount, cause.data.amount);
    assert_eq!(e.data.order_id, cause.data.order_id);
    assert_eq!(e.data.ship_to, cause.data.ship_to);
    assert_eq!(e.data.lines.len(), cause.data.lines.len());
    assert!(e.data.payment_id.starts_with("pay_"));
    assert_eq!(
        e.metadata.event_id,
        EventId::derive(cause.metadata.event_id, dt::PAYMENT_AUTHORIZED)
    );
    assert_eq!(e.metadata.causation_id, cause.metadata.event_id);
    let stored = store.payment(cause.data.order_id).await.unwrap().unwrap();
    assert_eq!(stored.status, PaymentStatus::Authorized);
    assert_eq!(
        stored.payment_id.as_deref(),
        Some(e.data.payment_id.as_str())
    );
}

#[tokio::test]
async fn an_amount_over_the_limit_is_declined_with_payment_failed() {
    let (store, gateway) = (store(), CountingGateway::default());
    let outcome = handle(&store, &gateway, reserved_with(500_001, "tok_visa"), now())
        .await
        .unwrap();

    let SagaEvent::PaymentFailed(e) = parse(&outcome[0]) else {
        panic!("expected Payment Failed, got {outcome:?}");
    };
    assert_eq!(e.data.reason.code, ReasonCode::PaymentDeclined);
    assert!(
        e.data.reason.message.contains("exceeds the limit"),
        "{}",
        e.data.reason.message
    );
    assert_eq!(e.data.amount.minor, 500_001);
    let stored = store.payment(e.data.order_id).await.unwrap().unwrap();
    assert_eq!(stored.status, PaymentStatus::Declined);
    assert_eq!(stored.payment_id, None);
}

#[tokio::test]
async fn the_tok_declined_token_is_declined_with_payment_failed() {
    let (store, gateway) = (store(), CountingGateway::default());
    let outcome = handle(&store, &gateway, reserved_with(100, "tok_declined"), now())
        .await
        .unwrap();

    let SagaEvent::PaymentFailed(e) = parse(&outcome[0]) else {
        panic!("expected Payment Failed, got {outcome:?}");
    };
    assert_eq!(e.data.reason.code, ReasonCode::PaymentDeclined);
    assert_eq!(e.data.reason.message, "card declined by the issuer");
}

#[tokio::test]
async fn the_limit_is_configurable() {
    let store = store();
    let gateway = SimulatedGateway::new(10_000);
    let outcome = handle(&store, &gateway, reserved().into(), now())
        .await
        .unwrap();
    assert_eq!(outcome[0].detail_type, dt::PAYMENT_FAILED);
}

#[tokio::test]
async fn a_failed_shipment_refunds_the_payment_and_emits_payment_refunded_carrying_the_reason() {
    let (store, gateway) = (store(), CountingGateway::default());
    let authorized = parse(&authorized(&store, &gateway).await);
    let SagaEvent::PaymentAuthorized(authorized) = authorized else {
        unreachable!()
    };
    let cause = shipment_failed();
    let outcome = handle(&store, &gateway, cause.clone().into(), now())
        .await
        .unwrap();

    let SagaEvent::PaymentRefunded(e) = parse(&outcome[0]) else {
        panic!("expected Payment Refunded, got {outcome:?}");
    };
    assert_eq!(e.data.reason, cause.data.reason);
    assert_eq!(e.data.payment_id, authorized.data.payment_id);
    assert_eq!(e.data.amount, authorized.data.amount);
    assert_eq!(e.metadata.causation_id, cause.metadata.event_id);
    assert_eq!(gateway.refunds.load(Ordering::SeqCst), 1);
    let stored = store.payment(e.data.order_id).await.unwrap().unwrap();
    assert_eq!(stored.status, PaymentStatus::Refunded);
}

#[tokio::test]
async fn a_duplicate_inventory_reserved_authorizes_once_and_re_emits_the_identical_outcome() {
    let (store, gateway) = (store(), CountingGateway::default());
    let first = handle(&store, &gateway, reserved().into(), now())
        .await
        .unwrap();
    let later = now() + chrono::Duration::minutes(5);
    let second = handle(&store, &gateway, reserved().into(), later)
        .await
        .unwrap();

    assert_eq!(first, second);
    assert_eq!(gateway.authorizations.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_duplicate_shipment_failed_refunds_once_and_re_emits_the_identical_outcome() {
    let (store, gateway) = (store(), CountingGateway::default());
    authorized(&store, &gateway).await;
    let first = handle(&store, &gateway, shipment_failed().into(), now())
        .await
        .unwrap();
    let second = handle(&store, &gateway, shipment_failed().into(), now())
        .await
        .unwrap();

    assert_eq!(first, second);
    assert_eq!(first[0].detail_type, dt::PAYMENT_REFUNDED);
    assert_eq!(gateway.refunds.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_crash_between_commit_and_publish_re_emits_the_same_outcome_on_retry() {
    let (store, gateway) = (store(), CountingGateway::default());
    let down = RecordingPublisher::failing();
    let handler = |e| handle(&store, &gateway, e, now());
    let err = handle_and_publish(&down, reserved().into(), handler)
        .await
        .unwrap_err();
    assert!(matches!(err, ConsumerError::Publish(_)) && err.is_retryable());

    let up = RecordingPublisher::default();
    let handler = |e| handle(&store, &gateway, e, now());
    handle_and_publish(&up, reserved().into(), handler)
        .await
        .unwrap();

    let published = up.published();
    let recorded = store.processed(reserved().metadata.event_id).await.unwrap();
    assert_eq!(Some(published.clone()), recorded);
    assert_eq!(
        published[0].event_id,
        EventId::derive(reserved().metadata.event_id, dt::PAYMENT_AUTHORIZED)
    );
    assert_eq!(gateway.authorizations.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn another_inventory_reserved_for_an_order_already_paid_charges_nothing_and_emits_nothing() {
    let (store, gateway) = (store(), CountingGateway::default());
    authorized(&store, &gateway).await;
    let mut other = reserved();
    other.metadata.event_id = EventId::derive(other.metadata.event_id, "replayed");

    let outcome = handle(&store, &gateway, other.into(), now()).await.unwrap();
    assert!(outcome.is_empty());
    assert_eq!(gateway.authorizations.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_shipment_failed_before_any_payment_is_a_retryable_error() {
    let (store, gateway) = (store(), CountingGateway::default());
    let err = handle(&store, &gateway, shipment_failed().into(), now())
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentError::NoPaymentYet(_)));
    assert!(err.is_retryable());
    assert_eq!(gateway.refunds.load(Ordering::SeqCst), 0);
    assert_eq!(
        store
            .processed(shipment_failed().metadata.event_id)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_shipment_failed_for_a_declined_payment_is_a_permanent_error_and_refunds_nothing() {
    let (store, gateway) = (store(), CountingGateway::default());
    handle(&store, &gateway, reserved_with(100, "tok_declined"), now())
        .await
        .unwrap();
    let err = handle(&store, &gateway, shipment_failed().into(), now())
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentError::NothingToRefund(_)));
    assert!(!err.is_retryable());
    assert_eq!(gateway.refunds.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn events_of_other_types_are_ignored() {
    let (store, gateway) = (store(), CountingGateway::default());
    for slug in [
        "order-placed",
        "payment-authorized",
        "shipment-scheduled",
        "order-cancelled",
    ] {
        let outcome = handle(&store, &gateway, example(slug), now())
            .await
            .unwrap();
        assert!(outcome.is_empty(), "{slug}");
    }
    assert_eq!(gateway.authorizations.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_lambda_adapter_publishes_the_outcome_and_reports_only_failed_messages() {
    let (store, gateway, publisher) = (
        store(),
        CountingGateway::default(),
        RecordingPublisher::default(),
    );
    let batch = batch([
        // Overtakes the authorization: fails, retried later by SQS.
        message("early", example_text("shipment-failed")),
        message("reserved", example_text("inventory-reserved")),
        message("ignored", example_text("order-placed")),
    ]);

    let response =
        payment::lambda::consume(&store, &gateway, &events::Reads::all(), &publisher, batch).await;

    let failed = failed_ids(&response);
    assert_eq!(failed, vec!["early"]);
    let published = publisher.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].detail_type, dt::PAYMENT_AUTHORIZED);
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
        let result = handle(&store, &SimulatedGateway::new(500_000), event, now()).await;
        let recorded = store.processed(id).await.unwrap().is_some();
        let acted = recorded || !matches!(result, Ok(ref out) if out.is_empty());
        assert_eq!(
            acted,
            payment::handler::ACCEPTS.contains(&kind),
            "{kind:?}: {result:?}"
        );
    }
}
