//! The README's commands, as a user types them.

use crate::SagaRun;
use serde_json::Value;

#[test]
fn the_aws_cli_lists_the_rules_puts_an_order_placed_and_watches_it_flow_through_the_saga() {
    let saga = SagaRun::start(&[]);
    let rules = saga.aws(&["events", "list-rules", "--event-bus-name", "ordersaga"]);
    let names: Vec<&str> = rules["Rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["Name"].as_str())
        .collect();
    assert!(names.contains(&"InventoryRule"), "{names:?}");
    let targets = saga.aws(&[
        "events",
        "list-targets-by-rule",
        "--rule",
        "InventoryRule",
        "--event-bus-name",
        "ordersaga",
    ]);
    assert_eq!(
        targets["Targets"][0]["Arn"],
        "arn:aws:sqs:local:000000000000:InventoryQueue"
    );

    let put = saga.aws(&[
        "events",
        "put-events",
        "--entries",
        "file://events-schema/cli/order-placed.json",
    ]);
    assert_eq!(put["FailedEntryCount"], 0, "{put}");
    // Inventory reserves, payment authorizes, shipping schedules: each
    // outcome is put on the bus and archived.
    saga.eventually("the saga's services answer the Order Placed", |s| {
        s.aws(&[
            "events",
            "describe-archive",
            "--archive-name",
            "ordersaga-archive",
        ])["EventCount"]
            .as_i64()
            .unwrap()
            >= 4
    });
    assert_eq!(saga.depth("PromotionOrdersQueue"), 1);
    let got = saga.aws(&[
        "sqs",
        "receive-message",
        "--queue-url",
        &saga.queue("PromotionOrdersQueue"),
        "--max-number-of-messages",
        "10",
    ]);
    let event: Value = serde_json::from_str(got["Messages"][0]["Body"].as_str().unwrap()).unwrap();
    assert_eq!(event["detail-type"], "Order Placed");
    assert_eq!(event["id"], put["Entries"][0]["EventId"]);

    let missing = saga.aws_raw(&["sqs", "get-queue-url", "--queue-name", "NoSuchQueue"]);
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("NonExistentQueue"), "{stderr}");
}

/// The order put from the command line does not exist in the orders table:
/// the orders consumer cannot confirm it on Shipment Scheduled, fails for
/// good, and after five receives the event is a dead letter on OrdersDLQ,
/// where `--hold-dead-letters` leaves it for SQS clients.
#[test]
fn the_aws_cli_lists_a_dlqs_messages_redrives_them_and_replays_the_archive() {
    let saga = SagaRun::start(&["--hold-dead-letters"]);
    saga.aws(&[
        "events",
        "put-events",
        "--entries",
        "file://events-schema/cli/order-placed.json",
    ]);
    saga.eventually("a dead letter on OrdersDLQ", |s| s.depth("OrdersDLQ") == 1);
    let dead = saga.aws(&[
        "sqs",
        "receive-message",
        "--queue-url",
        &saga.queue("OrdersDLQ"),
        "--visibility-timeout",
        "0",
        "--max-number-of-messages",
        "10",
        "--attribute-names",
        "All",
    ]);
    let messages = dead["Messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0]["Attributes"]["DeadLetterQueueSourceArn"],
        "arn:aws:sqs:local:000000000000:OrdersQueue"
    );
    let letter: Value = serde_json::from_str(messages[0]["Body"].as_str().unwrap()).unwrap();
    assert_eq!(letter["detail-type"], "Shipment Scheduled");

    let dlq_arn = "arn:aws:sqs:local:000000000000:OrdersDLQ";
    let task = saga.aws(&["sqs", "start-message-move-task", "--source-arn", dlq_arn]);
    assert!(task["TaskHandle"].is_string(), "{task}");
    saga.eventually("the move task completes", |s| {
        let tasks = s.aws(&["sqs", "list-message-move-tasks", "--source-arn", dlq_arn]);
        tasks["Results"][0]["Status"] == "COMPLETED"
            && tasks["Results"][0]["ApproximateNumberOfMessagesMoved"] == 1
    });
    // Redriven to OrdersQueue, where the consumer fails on it again.
    saga.eventually("the redriven letter comes back", |s| {
        s.depth("OrdersDLQ") == 1
    });

    let now = chrono::Utc::now();
    let from =
        (now - chrono::Duration::minutes(5)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let to =
        (now + chrono::Duration::minutes(5)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let started = saga.aws(&[
        "events",
        "start-replay",
        "--replay-name",
        "replay-1",
        "--event-source-arn",
        "arn:aws:events:local:000000000000:archive/ordersaga-archive",
        "--event-start-time",
        &from,
        "--event-end-time",
        &to,
        "--destination",
        "Arn=arn:aws:events:local:000000000000:event-bus/ordersaga,FilterArns=arn:aws:events:local:000000000000:rule/ordersaga/PromotionOrdersRule",
    ]);
    assert_eq!(started["State"], "STARTING");
    saga.eventually("the replay completes", |s| {
        s.aws(&["events", "describe-replay", "--replay-name", "replay-1"])["State"] == "COMPLETED"
    });
    assert_eq!(
        saga.depth("PromotionOrdersQueue"),
        2,
        "the original and its replay"
    );
}
