//! The EventBridge publisher against a stubbed EventBridge client
//! (aws-smithy-mocks): the PutEvents limits, and partial failures retried
//! entry by entry
//! (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html).

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::operation::put_events::PutEventsOutput;
use aws_sdk_eventbridge::types::PutEventsResultEntry;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use events::OutgoingEvent;
use events::{EventId, OrderId};
use platform::eventbridge::{ATTEMPTS, EventBridgePublisher, chunks};
use platform::{EventPublisher, PublishError};

fn event(n: usize, detail_bytes: usize) -> OutgoingEvent {
    let order = OrderId::for_idempotency_key(&n.to_string());
    OutgoingEvent {
        source: "shop.orders".into(),
        detail_type: "Order Placed".into(),
        detail: format!("{{\"pad\":\"{}\"}}", "x".repeat(detail_bytes)),
        event_id: EventId::for_order_placed(order),
        order_id: order,
    }
}

fn ok_entry() -> PutEventsResultEntry {
    PutEventsResultEntry::builder().event_id("eb-id").build()
}

fn failed_entry() -> PutEventsResultEntry {
    PutEventsResultEntry::builder()
        .error_code("InternalFailure")
        .error_message("try again")
        .build()
}

#[test]
fn events_are_split_into_calls_of_at_most_ten_entries() {
    let events: Vec<_> = (0..23).map(|n| event(n, 10)).collect();
    let sizes: Vec<usize> = chunks(&events).unwrap().iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![10, 10, 3]);
}

#[test]
fn events_are_split_so_no_call_exceeds_256_kib() {
    let events: Vec<_> = (0..4).map(|n| event(n, 100 * 1024)).collect();
    let sizes: Vec<usize> = chunks(&events).unwrap().iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![2, 2]);
}

#[test]
fn an_event_over_256_kib_is_refused_before_any_call() {
    let events = vec![event(0, 257 * 1024)];
    assert!(matches!(
        chunks(&events),
        Err(PublishError::TooLarge { .. })
    ));
}

#[tokio::test]
async fn only_the_entries_that_failed_are_sent_again() {
    let first = mock!(Client::put_events)
        .match_requests(|r| r.entries().len() == 3)
        .then_output(|| {
            PutEventsOutput::builder()
                .failed_entry_count(1)
                .entries(ok_entry())
                .entries(failed_entry())
                .entries(ok_entry())
                .build()
        });
    let retry = mock!(Client::put_events)
        .match_requests(|r| {
            r.entries().len() == 1 && r.entries()[0].detail() == Some("{\"pad\":\"1\"}")
        })
        .then_output(|| {
            PutEventsOutput::builder()
                .failed_entry_count(0)
                .entries(ok_entry())
                .build()
        });
    let client = mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [&first, &retry]);
    let publisher = EventBridgePublisher::new(client, "bus").without_backoff();
    let events = vec![event(0, 0), event(1, 0), event(2, 0)];
    let events: Vec<_> = events
        .into_iter()
        .enumerate()
        .map(|(i, mut e)| {
            e.detail = format!("{{\"pad\":\"{i}\"}}");
            e
        })
        .collect();
    publisher.publish(&events).await.unwrap();
    assert_eq!(first.num_calls(), 1);
    assert_eq!(retry.num_calls(), 1);
}

#[tokio::test]
async fn entries_that_keep_failing_are_reported_as_an_error() {
    let always_fails = mock!(Client::put_events).then_output(|| {
        PutEventsOutput::builder()
            .failed_entry_count(1)
            .entries(failed_entry())
            .build()
    });
    let client = mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [&always_fails]);
    let publisher = EventBridgePublisher::new(client, "bus").without_backoff();
    let err = publisher.publish(&[event(0, 0)]).await.unwrap_err();
    assert!(
        matches!(
            err,
            PublishError::Rejected {
                failed: 1,
                total: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(always_fails.num_calls(), ATTEMPTS as usize);
}

#[tokio::test]
async fn every_entry_names_the_configured_bus() {
    let rule = mock!(Client::put_events)
        .match_requests(|r| {
            r.entries()
                .iter()
                .all(|e| e.event_bus_name() == Some("saga-bus"))
        })
        .then_output(|| {
            PutEventsOutput::builder()
                .failed_entry_count(0)
                .entries(ok_entry())
                .build()
        });
    let client = mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [&rule]);
    let publisher = EventBridgePublisher::new(client, "saga-bus");
    publisher.publish(&[event(0, 0)]).await.unwrap();
    assert_eq!(rule.num_calls(), 1);
}
