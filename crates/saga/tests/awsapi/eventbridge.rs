//! PutEvents, TestEventPattern, the bus and its rules through the SDK.

use crate::{Local, depth, promoted_order_placed};
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use testkit::aws::service_error;

fn entry(source: &str, detail_type: &str, detail: &str) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .event_bus_name("ordersaga")
        .source(source)
        .detail_type(detail_type)
        .detail(detail)
        .build()
}

/// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html:
/// "each entry in the response array corresponds to an entry in the
/// request array", with an EventId or an ErrorCode and ErrorMessage
/// (API_PutEventsResultEntry.html: InvalidArgument, MalformedDetail,
/// NotAuthorizedForSourceException).
#[tokio::test]
async fn put_events_delivers_accepted_entries_to_every_matching_rule_and_reports_each_failed_entry_in_its_place()
 {
    let local = Local::emulator().await;
    let out = local
        .events()
        .put_events()
        .entries(entry(
            "shop.orders",
            "Order Placed",
            &promoted_order_placed(),
        ))
        .entries(
            PutEventsRequestEntry::builder()
                .event_bus_name("ordersaga")
                .detail_type("Order Placed")
                .detail("{}")
                .build(),
        )
        .entries(entry("shop.orders", "Order Placed", "{not json"))
        .entries(entry("aws.s3", "Object Created", "{}"))
        .entries(entry("shop.orders", "Order Placed", "[1, 2]"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_entry_count(), 4);
    let entries = out.entries();
    let id = entries[0].event_id().expect("the valid entry has an id");
    assert!(entries[0].error_code().is_none());
    assert_eq!(entries[1].error_code(), Some("InvalidArgument"));
    assert!(
        entries[1].error_message().unwrap().contains("Source"),
        "{:?}",
        entries[1]
    );
    assert_eq!(entries[2].error_code(), Some("MalformedDetail"));
    assert_eq!(
        entries[3].error_code(),
        Some("NotAuthorizedForSourceException")
    );
    assert_eq!(entries[4].error_code(), Some("MalformedDetail"));

    // OrdersRule, InventoryRule and PromotionOrdersRule match it: one copy
    // on each of their queues, and the event as EventBridge delivers it.
    let sqs = local.sqs();
    for queue in ["OrdersQueue", "InventoryQueue", "PromotionOrdersQueue"] {
        assert_eq!(
            depth(&sqs, &local.queue_url(queue)).await,
            (1, 0),
            "{queue}"
        );
    }
    assert_eq!(depth(&sqs, &local.queue_url("PaymentQueue")).await, (0, 0));
    let got = sqs
        .receive_message()
        .queue_url(local.queue_url("PromotionOrdersQueue"))
        .send()
        .await
        .unwrap();
    let event: serde_json::Value = serde_json::from_str(got.messages()[0].body().unwrap()).unwrap();
    assert_eq!(event["id"], id);
    assert_eq!(event["source"], "shop.orders");
    assert_eq!(event["detail-type"], "Order Placed");
    assert_eq!(event["detail"]["data"]["promotionCode"], "WINTER");
}

#[tokio::test]
async fn put_events_to_a_bus_the_template_does_not_define_fails_that_entry_only() {
    let local = Local::emulator().await;
    let out = local
        .events()
        .put_events()
        .entries(
            PutEventsRequestEntry::builder()
                .source("other.team")
                .detail_type("Thing Happened")
                .detail("{}")
                .build(),
        )
        .entries(entry("other.team", "Thing Happened", "{}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_entry_count(), 1);
    assert_eq!(
        out.entries()[0].error_code(),
        Some("ResourceNotFoundException")
    );
    assert!(
        out.entries()[0]
            .error_message()
            .unwrap()
            .contains("default")
    );
    assert!(out.entries()[1].event_id().is_some());
}

/// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
#[tokio::test]
async fn test_event_pattern_answers_with_the_bus_pattern_engine() {
    let local = Local::emulator().await;
    let event = include_str!("../../../../events-schema/examples/order-placed.json");
    let events = local.events();
    let matches = |pattern: &'static str| {
        events
            .test_event_pattern()
            .event_pattern(pattern)
            .event(event)
            .send()
    };
    assert!(
        matches(r#"{"source": ["shop.orders"], "detail": {"data": {"lines": {"quantity": [{"numeric": [">", 1]}]}}}}"#)
            .await
            .unwrap()
            .result()
    );
    assert!(
        !matches(r#"{"source": ["shop.payment"]}"#)
            .await
            .unwrap()
            .result()
    );
}

#[tokio::test]
async fn list_event_buses_and_describe_event_bus_show_the_templates_bus() {
    let local = Local::emulator().await;
    let events = local.events();
    let buses = events.list_event_buses().send().await.unwrap();
    let names: Vec<&str> = buses
        .event_buses()
        .iter()
        .filter_map(|b| b.name())
        .collect();
    assert_eq!(names, ["ordersaga"]);
    let bus = events
        .describe_event_bus()
        .name("ordersaga")
        .send()
        .await
        .unwrap();
    assert_eq!(
        bus.arn(),
        Some("arn:aws:events:local:000000000000:event-bus/ordersaga")
    );
    let err = service_error(events.describe_event_bus().name("elsewhere").send()).await;
    assert!(err.is_resource_not_found_exception(), "{err:?}");
}

#[tokio::test]
async fn list_rules_describe_rule_and_list_targets_by_rule_show_the_templates_wiring() {
    let local = Local::emulator().await;
    let events = local.events();
    let rules = events
        .list_rules()
        .event_bus_name("ordersaga")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = rules.rules().iter().filter_map(|r| r.name()).collect();
    for rule in [
        "OrdersRule",
        "InventoryRule",
        "PaymentRule",
        "ShippingRule",
        "PromotionOrdersRule",
    ] {
        assert!(names.contains(&rule), "{names:?}");
    }
    let prefixed = events
        .list_rules()
        .event_bus_name("ordersaga")
        .name_prefix("Pay")
        .send()
        .await
        .unwrap();
    assert_eq!(prefixed.rules().len(), 1);

    let rule = events
        .describe_rule()
        .name("ShippingRule")
        .event_bus_name("ordersaga")
        .send()
        .await
        .unwrap();
    assert_eq!(rule.state().map(|s| s.as_str()), Some("ENABLED"));
    let pattern: serde_json::Value = serde_json::from_str(rule.event_pattern().unwrap()).unwrap();
    assert_eq!(
        pattern,
        serde_json::json!({
            "source": ["shop.payment"],
            "detail-type": ["Payment Authorized"],
            "detail": {"metadata": {"version": [1]}}
        })
    );

    let targets = events
        .list_targets_by_rule()
        .rule("InventoryRule")
        .event_bus_name("ordersaga")
        .send()
        .await
        .unwrap();
    let target = &targets.targets()[0];
    assert_eq!(target.id(), "InventoryQueue");
    assert_eq!(
        target.arn(),
        "arn:aws:sqs:local:000000000000:InventoryQueue"
    );

    let err = service_error(
        events
            .describe_rule()
            .name("NoSuchRule")
            .event_bus_name("ordersaga")
            .send(),
    )
    .await;
    assert!(err.is_resource_not_found_exception(), "{err:?}");
}

#[tokio::test]
async fn put_rule_is_refused_because_the_template_is_the_source_of_truth() {
    let local = Local::emulator().await;
    let err = service_error(
        local
            .events()
            .put_rule()
            .name("Sneaky")
            .event_bus_name("ordersaga")
            .event_pattern(r#"{"source": ["x"]}"#)
            .send(),
    )
    .await;
    assert_eq!(
        aws_sdk_eventbridge::error::ProvideErrorMetadata::code(&err),
        Some("OperationDisabledException"),
        "{err:?}"
    );
    let message = aws_sdk_eventbridge::error::ProvideErrorMetadata::message(&err).unwrap();
    assert!(message.contains("infra/template.yaml"), "{message}");
}
