use dlq::DlqStore;
use events::{Envelope, EventId, OrderId, PaymentFailed, SagaEvent};
use saga_e2e::{TestApp, order};
use serde_json::json;

#[tokio::test]
async fn a_poison_message_ends_in_its_dlq_and_is_listed_with_its_error() {
    let app = TestApp::spawn().await;
    app.runtime
        .queues
        .send("InventoryQueue", "{not an event")
        .unwrap();
    app.settle().await;
    let letters = app
        .runtime
        .services
        .dead_letters
        .pending(Some("InventoryDLQ"))
        .await
        .unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(
        letters[0].attempts, 5,
        "moved after maxReceiveCount receives"
    );
    assert!(
        letters[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("JSON"),
        "{:?}",
        letters[0].error
    );
    let report = dlq::redrive(
        &app.runtime.services.dead_letters,
        &app.runtime.publisher(),
        None,
        chrono_now(),
    )
    .await
    .unwrap();
    assert!(
        report.redriven.is_empty() && report.skipped.len() == 1,
        "garbage cannot go back on the bus"
    );
    app.assert_invariants().await;
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

#[tokio::test]
async fn a_dead_letter_is_redriven_once_its_cause_is_fixed() {
    let app = TestApp::spawn().await;
    // A Payment Failed for an order nobody placed yet: inventory has no
    // reservation to release, gives up after five receives, and the event
    // is dead-lettered.
    let order_id = OrderId::random();
    let cause = EventId::derive(EventId::for_order_placed(order_id), "Inventory Reserved");
    let metadata = events::Metadata {
        event_id: EventId::derive(cause, "stray"),
        correlation_id: order_id,
        causation_id: cause,
        version: 1,
        occurred_at: chrono_now(),
        also_published_as: Vec::new(),
    };
    let stray = SagaEvent::from(Envelope {
        metadata,
        data: PaymentFailed {
            order_id,
            amount: events::Money::new(100, events::Currency::parse("USD").unwrap()),
            reason: events::Reason::new(events::ReasonCode::PaymentDeclined, "stray"),
        },
    });
    app.runtime.put_events(&[stray.to_outgoing()]).unwrap();
    app.settle().await;
    let letters = app
        .runtime
        .services
        .dead_letters
        .pending(None)
        .await
        .unwrap();
    let queues: Vec<&str> = letters.iter().map(|l| l.queue.as_str()).collect();
    assert_eq!(queues, ["InventoryDLQ"]);
    // The order now exists and its saga has released its stock.
    let mut body = order(json!([{"sku": "KB-001", "quantity": 1}]));
    body["paymentToken"] = json!("tok_declined");
    // Placed under the id the stray event names; the API would give a new
    // order a fresh one.
    let response = orders::place_order_as(
        &app.runtime.services.orders,
        body.to_string().as_bytes(),
        Some("dlq-e2e"),
        chrono_now(),
        order_id,
    )
    .await;
    assert_eq!(response.status, 201);
    app.runtime.order_placed();
    app.settle().await;
    let report = dlq::redrive(
        &app.runtime.services.dead_letters,
        &app.runtime.publisher(),
        None,
        chrono_now(),
    )
    .await
    .unwrap();
    assert_eq!(report.redriven.len(), letters.len());
    app.settle().await;
    assert!(
        app.runtime
            .services
            .dead_letters
            .pending(None)
            .await
            .unwrap()
            .is_empty(),
        "handled this time"
    );
    assert_eq!(app.status_of(&order_id.to_string()).await, "CANCELLED");
    app.assert_invariants().await;
}
