//! The archive and replays through the SDK
//! (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_StartReplay.html).

use crate::{Local, depth, eventually, put_promoted_order};
use aws_sdk_eventbridge::types::{ReplayDestination, ReplayState};
use aws_smithy_types::DateTime;
use testkit::aws::service_error;

#[tokio::test]
async fn list_archives_and_describe_archive_count_the_events_put() {
    let local = Local::emulator().await;
    let events = local.events();
    for _ in 0..3 {
        put_promoted_order(&events).await;
    }
    let archives = events.list_archives().send().await.unwrap();
    let archive = &archives.archives()[0];
    assert_eq!(archive.archive_name(), Some("ordersaga-archive"));
    assert_eq!(archive.event_count(), 3);
    let described = events
        .describe_archive()
        .archive_name("ordersaga-archive")
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.event_source_arn(),
        Some("arn:aws:events:local:000000000000:event-bus/ordersaga")
    );
    assert!(described.size_bytes() > 0);
    // The template's RetentionDays, enforced by the runtime; the same
    // answer moto and LocalStack give (saga-e2e scenarios/provisioning.rs).
    assert_eq!(described.retention_days(), Some(90));
    let err = service_error(events.describe_archive().archive_name("nope").send()).await;
    assert!(err.is_resource_not_found_exception(), "{err:?}");
}

/// A replay to one rule (Destination.FilterArns) puts the archived events
/// on that rule's targets only, and runs STARTING -> COMPLETED.
#[tokio::test]
async fn start_replay_with_filter_arns_redelivers_to_those_rules_only_and_completes() {
    let local = Local::emulator().await;
    let events = local.events();
    put_promoted_order(&events).await;
    let now = chrono::Utc::now().timestamp();
    let start = |name: &str| {
        events
            .start_replay()
            .replay_name(name)
            .event_source_arn("arn:aws:events:local:000000000000:archive/ordersaga-archive")
            .event_start_time(DateTime::from_secs(now - 60))
            .event_end_time(DateTime::from_secs(now + 60))
            .destination(
                ReplayDestination::builder()
                    .arn("arn:aws:events:local:000000000000:event-bus/ordersaga")
                    .filter_arns(
                        "arn:aws:events:local:000000000000:rule/ordersaga/PromotionOrdersRule",
                    )
                    .build()
                    .unwrap(),
            )
            .send()
    };
    let started = start("again").await.unwrap();
    assert_eq!(started.state(), Some(&ReplayState::Starting));
    eventually("the replay completes", || async {
        events
            .describe_replay()
            .replay_name("again")
            .send()
            .await
            .unwrap()
            .state()
            == Some(&ReplayState::Completed)
    })
    .await;
    let sqs = local.sqs();
    assert_eq!(
        depth(&sqs, &local.queue_url("PromotionOrdersQueue")).await,
        (2, 0)
    );
    assert_eq!(
        depth(&sqs, &local.queue_url("InventoryQueue")).await,
        (1, 0)
    );

    let listed = events.list_replays().send().await.unwrap();
    assert_eq!(listed.replays()[0].replay_name(), Some("again"));
    let err = service_error(start("again")).await;
    assert!(err.is_resource_already_exists_exception(), "{err:?}");
}
