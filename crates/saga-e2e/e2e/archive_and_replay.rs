use emulator::ReplayFilter;
use saga_e2e::{TestApp, order};
use serde_json::json;

#[tokio::test]
async fn every_event_put_on_the_bus_is_archived() {
    let app = TestApp::spawn().await;
    let id = app
        .place(&order(json!([{"sku": "KB-001", "quantity": 1}])))
        .await;
    app.settle().await;
    let archived = app
        .runtime
        .bus
        .archived(&ReplayFilter::default(), Some(&id))
        .unwrap();
    // The template's shipping publishes both majors of Shipment Scheduled
    // during their transition window (SHIPMENT_SCHEDULED_MAJORS: "1,2"),
    // with one event id; consumers reading both skip the major 1 copy.
    // Distinct (type, major, id) in archive order:
    let mut types: Vec<(&str, u64)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for a in &archived {
        let metadata = &a.event["detail"]["metadata"];
        let key = (
            metadata["eventId"].to_string(),
            metadata["version"].to_string(),
        );
        if seen.insert(key) {
            let version = metadata["version"].as_u64().expect("version");
            types.push((a.event["detail-type"].as_str().expect("type"), version));
        }
    }
    assert_eq!(
        types,
        [
            ("Order Placed", 1),
            ("Inventory Reserved", 1),
            ("Payment Authorized", 1),
            ("Shipment Scheduled", 1),
            ("Shipment Scheduled", 2),
            ("Order Confirmed", 1)
        ]
    );
}

#[tokio::test]
async fn a_replay_is_marked_not_archived_again_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = app
        .place(&order(json!([{"sku": "LAPTOP-PRO", "quantity": 1}])))
        .await;
    app.settle().await;
    let event_ids = |archive: &[emulator::ArchivedEvent]| -> std::collections::BTreeSet<String> {
        archive
            .iter()
            .map(|a| a.event["detail"]["metadata"]["eventId"].to_string())
            .collect()
    };
    let before = app
        .runtime
        .bus
        .archived(&ReplayFilter::default(), None)
        .unwrap();
    let replayed = app
        .runtime
        .bus
        .replay("replay-1", &ReplayFilter::default())
        .unwrap();
    assert_eq!(replayed, before.len());
    app.settle().await;
    let after = app
        .runtime
        .bus
        .archived(&ReplayFilter::default(), None)
        .unwrap();
    assert!(
        after.iter().all(|a| a.event.get("replay-name").is_none()),
        "replayed events are not archived"
    );
    // Consumers answer a replayed event with their recorded outcome, which
    // is put on the bus (and archived) again: the same events, no new ones.
    assert_eq!(event_ids(&after), event_ids(&before));
    // The high-value queue has no consumer: it shows what replay delivered.
    let high_value = app.runtime.queues.peek("HighValueOrdersQueue").unwrap();
    let replays = high_value
        .iter()
        .filter(|m| m.body.contains("\"replay-name\":\"replay-1\""))
        .count();
    assert_eq!(
        replays, 1,
        "the replayed Inventory Reserved reached the high-value queue once"
    );
    assert_eq!(app.status_of(&id).await, "CONFIRMED");
    app.assert_invariants().await;
}

#[tokio::test]
async fn a_replay_to_one_rule_reaches_only_its_targets() {
    let app = TestApp::spawn().await;
    app.place(&order(json!([{"sku": "LAPTOP-PRO", "quantity": 1}])))
        .await;
    app.settle().await;
    let filter = ReplayFilter {
        rule: Some("PaymentRule".into()),
        ..ReplayFilter::default()
    };
    app.runtime.bus.replay("only-payment", &filter).unwrap();
    app.settle().await;
    assert_eq!(
        app.runtime
            .queues
            .peek("HighValueOrdersQueue")
            .unwrap()
            .len(),
        1
    );
    app.assert_invariants().await;
}

#[tokio::test]
async fn an_event_is_stored_once_in_the_archive_and_each_queue_delivers_it_whole() {
    let app = TestApp::spawn().await;
    app.place(&order(json!([{"sku": "LAPTOP-PRO", "quantity": 1}])))
        .await;
    app.settle().await;
    // The high-value queue has no consumer: its message is still there.
    let delivered = app.runtime.queues.peek("HighValueOrdersQueue").unwrap();
    assert_eq!(delivered.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&delivered[0].body).unwrap();
    let archived = app
        .runtime
        .bus
        .archived(&ReplayFilter::default(), None)
        .unwrap();
    assert!(
        archived.iter().any(|a| a.event == body),
        "the message is the archived Inventory Reserved event, whole: {body}"
    );
    let (stored, reference): (String, Option<i64>) = app
        .runtime
        .services
        .db
        .transaction(|tx| {
            tx.query_row(
                "SELECT body, archive_seq FROM queue_messages WHERE queue = 'HighValueOrdersQueue'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .unwrap();
    assert_eq!(stored, "", "no second copy of the event in the queue");
    assert!(reference.is_some());
}
