//! The orders consumer over the real SQLite store, fed the example events.

mod common;

use common::*;
use events::{EventKind, OrderCancelled, OrderConfirmed, ReasonCode, SagaEvent};
use orders::{OrderStatus, OrderStore, OrdersError, handle};
use platform::Retryable;

async fn status(store: &orders::SqliteOrderStore) -> OrderStatus {
    store
        .get(example_order())
        .await
        .unwrap()
        .unwrap()
        .order
        .status
}

#[tokio::test]
async fn shipment_scheduled_confirms_the_order_and_emits_order_confirmed_once() {
    let store = store();
    pending_example_order(&store).await;
    let cause = example(EventKind::ShipmentScheduled);
    let outcome = handle(&store, cause.clone(), now()).await.unwrap();

    assert_eq!(status(&store).await, OrderStatus::Confirmed);
    assert_eq!(outcome.len(), 1);
    let SagaEvent::OrderConfirmed(confirmed) = saga(&outcome[0]) else {
        panic!("expected Order Confirmed, got {}", outcome[0].detail_type);
    };
    let expected = OrderConfirmed {
        order_id: example_order(),
        amount: events::Money::new(13800, events::Currency::parse("USD").unwrap()),
        tracking_number: "SP000000001GB".into(),
    };
    assert_eq!(confirmed.data, expected);
    assert_eq!(confirmed.metadata.causation_id, cause.metadata().event_id);
    assert_eq!(confirmed.metadata.correlation_id, example_order());
}

#[tokio::test]
async fn inventory_reservation_failed_cancels_the_order_with_its_reason() {
    let store = store();
    pending_example_order(&store).await;
    let outcome = handle(
        &store,
        example(EventKind::InventoryReservationFailed),
        now(),
    )
    .await
    .unwrap();
    let view = store.get(example_order()).await.unwrap().unwrap();
    assert_eq!(view.order.status, OrderStatus::Cancelled);
    let reason = view.order.reason.unwrap();
    let SagaEvent::OrderCancelled(cancelled) = saga(&outcome[0]) else {
        panic!("expected Order Cancelled");
    };
    assert_eq!(
        cancelled.data,
        OrderCancelled {
            order_id: example_order(),
            reason: reason.clone()
        }
    );
    assert_eq!(reason.code, ReasonCode::OutOfStock);
}

#[tokio::test]
async fn inventory_released_cancels_the_order_with_its_reason() {
    let store = store();
    pending_example_order(&store).await;
    let outcome = handle(&store, example(EventKind::InventoryReleased), now())
        .await
        .unwrap();
    let view = store.get(example_order()).await.unwrap().unwrap();
    assert_eq!(view.order.status, OrderStatus::Cancelled);
    assert_eq!(view.order.reason.unwrap().code, ReasonCode::ShipmentFailed);
    assert_eq!(outcome[0].detail_type, "Order Cancelled");
}

#[tokio::test]
async fn a_duplicate_delivery_changes_nothing_and_re_emits_the_identical_outcome() {
    for kind in [
        EventKind::ShipmentScheduled,
        EventKind::InventoryReservationFailed,
        EventKind::InventoryReleased,
    ] {
        let store = store();
        pending_example_order(&store).await;
        let first = handle(&store, example(kind), now()).await.unwrap();
        let before = store.get(example_order()).await.unwrap().unwrap();
        // Redelivered later: the recorded outcome comes back, same ids and times.
        let later = now() + chrono::Duration::minutes(5);
        let second = handle(&store, example(kind), later).await.unwrap();
        assert_eq!(first, second, "{kind:?}");
        assert_eq!(
            store.get(example_order()).await.unwrap().unwrap(),
            before,
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn a_crash_after_commit_before_publish_re_emits_the_same_outcome() {
    let store = store();
    pending_example_order(&store).await;
    let publisher = RecordingPublisher::failing();
    let cause = example(EventKind::ShipmentScheduled);
    let consume =
        |e| platform::consumer::handle_and_publish(&publisher, e, |e| handle(&store, e, now()));
    assert!(
        consume(cause.clone()).await.is_err(),
        "committed, then the publish failed"
    );
    assert_eq!(status(&store).await, OrderStatus::Confirmed);
    publisher.recover();
    let retried = consume(cause.clone()).await.unwrap();
    assert_eq!(publisher.published(), retried);
    assert_eq!(retried[0].detail_type, "Order Confirmed");

    // Simulated the plain way too: a first result discarded.
    let store = store_with_pending().await;
    let _lost = handle(&store, cause.clone(), now()).await.unwrap();
    assert_eq!(handle(&store, cause, now()).await.unwrap(), retried);
}

async fn store_with_pending() -> orders::SqliteOrderStore {
    let store = store();
    pending_example_order(&store).await;
    store
}

#[tokio::test]
async fn a_final_state_absorbs_a_second_cancellation_without_emitting() {
    let store = store_with_pending().await;
    handle(
        &store,
        example(EventKind::InventoryReservationFailed),
        now(),
    )
    .await
    .unwrap();
    let outcome = handle(&store, example(EventKind::InventoryReleased), now())
        .await
        .unwrap();
    assert!(outcome.is_empty());
    assert_eq!(status(&store).await, OrderStatus::Cancelled);
}

#[tokio::test]
async fn inventory_released_for_a_confirmed_order_is_a_permanent_error() {
    let store = store_with_pending().await;
    handle(&store, example(EventKind::ShipmentScheduled), now())
        .await
        .unwrap();
    let err = handle(&store, example(EventKind::InventoryReleased), now())
        .await
        .unwrap_err();
    assert!(matches!(err, OrdersError::Contradiction { .. }), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(status(&store).await, OrderStatus::Confirmed);
}

#[tokio::test]
async fn an_event_for_an_unknown_order_is_a_permanent_error() {
    let store = store();
    let err = handle(&store, example(EventKind::ShipmentScheduled), now())
        .await
        .unwrap_err();
    assert!(matches!(err, OrdersError::UnknownOrder(_)), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn every_saga_event_is_recorded_once_in_the_timeline() {
    let store = store_with_pending().await;
    let passive = [
        EventKind::OrderPlaced,
        EventKind::InventoryReserved,
        EventKind::PaymentAuthorized,
        EventKind::PaymentFailed,
        EventKind::PaymentRefunded,
        EventKind::ShipmentFailed,
        EventKind::OrderConfirmed,
        EventKind::OrderCancelled,
    ];
    for kind in passive {
        for _ in 0..2 {
            assert!(
                handle(&store, example(kind), now())
                    .await
                    .unwrap()
                    .is_empty(),
                "{kind:?}"
            );
        }
    }
    handle(&store, example(EventKind::ShipmentScheduled), now())
        .await
        .unwrap();
    handle(&store, example(EventKind::ShipmentScheduled), now())
        .await
        .unwrap();
    let timeline = store.get(example_order()).await.unwrap().unwrap().timeline;
    assert_eq!(timeline.len(), passive.len() + 1);
    let times: Vec<_> = timeline.iter().map(|e| e.occurred_at).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    assert_eq!(timeline[0].detail_type, "Order Placed");
    let shown = serde_json::to_string(&timeline).unwrap();
    for secret in ["tok_", "Analytical", "Ada"] {
        assert!(!shown.contains(secret), "{secret} in the timeline");
    }
}

/// `ACCEPTS` is what `saga lint` checks the template's rules against, so it
/// must be exactly what the dispatch acts on: every accepted example event
/// lands in its order's timeline, every other one is ignored.
#[tokio::test]
async fn accepts_lists_exactly_the_events_the_dispatch_records() {
    for &kind in EventKind::ALL {
        let store = store();
        pending_example_order(&store).await;
        let _ = handle(&store, example(kind), now()).await;
        let view = store.get(example_order()).await.unwrap().unwrap();
        let recorded = view
            .timeline
            .iter()
            .any(|t| t.detail_type == kind.detail_type());
        assert_eq!(
            recorded,
            orders::handler::ACCEPTS.contains(&kind),
            "{kind:?}"
        );
    }
}
