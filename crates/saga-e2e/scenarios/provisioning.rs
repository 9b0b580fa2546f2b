//! What the provisioner creates in moto is what the template says: the
//! settings the saga's delivery depends on, read back through the AWS
//! APIs, not from the provisioner's own answer.

use aws_sdk_sqs::types::QueueAttributeName;
use hybrid::Provisioner;
use saga_e2e::template_path;
use serde_json::Value;
use wiring::template::Template;

#[tokio::test]
async fn provisioning_into_moto_creates_the_templates_queues_tables_rules_and_archive_with_their_settings()
 {
    let moto = saga_aws_tests::Moto::start(saga_aws_tests::Tools::get());
    let config = moto.sdk_config().await;
    let template = Template::from_path(&template_path()).expect("template reads");
    let names = Provisioner::new(&config)
        .provision(&template, "p-")
        .await
        .expect("provisions");

    let sqs = aws_sdk_sqs::Client::new(&config);
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(names.queue_url("InventoryQueue").expect("queue"))
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .expect("attributes")
        .attributes
        .expect("some");
    let get = |name: QueueAttributeName| attributes.get(&name).cloned().unwrap_or_default();
    assert_eq!(get(QueueAttributeName::VisibilityTimeout), "60");
    assert_eq!(get(QueueAttributeName::MessageRetentionPeriod), "345600");
    let redrive: Value =
        serde_json::from_str(&get(QueueAttributeName::RedrivePolicy)).expect("json");
    assert_eq!(redrive["maxReceiveCount"], 5);
    assert!(
        redrive["deadLetterTargetArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":p-InventoryDLQ")),
        "{redrive}"
    );
    assert!(
        get(QueueAttributeName::Policy).contains("p-InventoryRule"),
        "the queue policy lets only the rule send"
    );

    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    let orders = dynamodb
        .describe_table()
        .table_name(names.table("OrdersTable").expect("table"))
        .send()
        .await
        .expect("table")
        .table
        .expect("described");
    assert_eq!(
        orders
            .stream_specification()
            .and_then(|s| s.stream_view_type())
            .map(|v| v.as_str()),
        Some("NEW_IMAGE")
    );
    let ttl = dynamodb
        .describe_time_to_live()
        .table_name("p-InventoryTable")
        .send()
        .await
        .expect("ttl")
        .time_to_live_description
        .expect("described");
    assert_eq!(ttl.attribute_name(), Some("expiresAt"));

    let events = aws_sdk_eventbridge::Client::new(&config);
    let bus = names.bus("SagaBus").expect("bus");
    assert_eq!(bus, "p-ordersaga");
    let rule = events
        .describe_rule()
        .name("p-InventoryRule")
        .event_bus_name(bus)
        .send()
        .await
        .expect("rule");
    let pattern: Value =
        serde_json::from_str(rule.event_pattern().expect("pattern")).expect("json");
    assert_eq!(pattern["detail-type"][0], "Order Placed", "{pattern}");
    let targets = events
        .list_targets_by_rule()
        .rule("p-InventoryRule")
        .event_bus_name(bus)
        .send()
        .await
        .expect("targets");
    let target = &targets.targets()[0];
    assert!(target.arn().ends_with(":p-InventoryQueue"));
    assert!(
        target
            .dead_letter_config()
            .and_then(|d| d.arn())
            .is_some_and(|a| a.ends_with(":p-RuleDeliveryDLQ")),
        "{target:?}"
    );
    assert_eq!(
        target
            .retry_policy()
            .and_then(|r| r.maximum_retry_attempts()),
        Some(24)
    );
    let archive = events
        .describe_archive()
        .archive_name(names.archive("SagaArchive").expect("archive"))
        .send()
        .await
        .expect("archive");
    assert_eq!(archive.archive_name(), Some("p-ordersaga-archive"));
    assert_eq!(archive.retention_days(), Some(90));
}
