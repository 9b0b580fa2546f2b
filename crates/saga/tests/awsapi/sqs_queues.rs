//! ListQueues, GetQueueUrl, GetQueueAttributes, PurgeQueue and the DLQ
//! redrive (StartMessageMoveTask, ListMessageMoveTasks) through the SDK.

use crate::{Local, depth, eventually};
use aws_sdk_sqs::types::{MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName};
use testkit::aws::service_error;

#[tokio::test]
async fn list_queues_and_get_queue_url_name_the_templates_queues_under_the_endpoint() {
    let local = Local::emulator().await;
    let sqs = local.sqs();
    let all = sqs.list_queues().send().await.unwrap();
    assert!(
        all.queue_urls()
            .contains(&local.queue_url("InventoryQueue"))
    );
    assert!(
        all.queue_urls()
            .contains(&local.queue_url("RuleDeliveryDLQ"))
    );
    let inventory = sqs
        .list_queues()
        .queue_name_prefix("Inventory")
        .send()
        .await
        .unwrap();
    assert_eq!(
        inventory.queue_urls(),
        [
            local.queue_url("InventoryDLQ"),
            local.queue_url("InventoryQueue")
        ]
    );
    let paged = sqs.list_queues().max_results(2).send().await.unwrap();
    assert_eq!(paged.queue_urls().len(), 2);
    let next = sqs
        .list_queues()
        .max_results(2)
        .next_token(paged.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_ne!(next.queue_urls(), paged.queue_urls());

    let url = sqs
        .get_queue_url()
        .queue_name("PaymentQueue")
        .send()
        .await
        .unwrap();
    assert_eq!(
        url.queue_url(),
        Some(local.queue_url("PaymentQueue").as_str())
    );
    let err = service_error(sqs.get_queue_url().queue_name("NoSuchQueue").send()).await;
    assert!(err.is_queue_does_not_exist(), "{err:?}");
}

#[tokio::test]
async fn get_queue_attributes_reports_counts_visibility_timeout_and_redrive_policy() {
    let local = Local::emulator().await;
    let sqs = local.sqs();
    let url = local.queue_url("ShippingQueue");
    for body in ["a", "b", "c"] {
        sqs.send_message()
            .queue_url(&url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }
    sqs.send_message()
        .queue_url(&url)
        .message_body("later")
        .delay_seconds(600)
        .send()
        .await
        .unwrap();
    sqs.receive_message().queue_url(&url).send().await.unwrap();
    let out = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let a = out.attributes().unwrap();
    let get = |n: QueueAttributeName| a.get(&n).map(String::as_str);
    assert_eq!(
        get(QueueAttributeName::ApproximateNumberOfMessages),
        Some("2")
    );
    assert_eq!(
        get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        Some("1")
    );
    assert_eq!(
        get(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
        Some("1")
    );
    assert_eq!(get(QueueAttributeName::VisibilityTimeout), Some("60"));
    let redrive: serde_json::Value =
        serde_json::from_str(get(QueueAttributeName::RedrivePolicy).unwrap()).unwrap();
    assert_eq!(
        redrive,
        serde_json::json!({"deadLetterTargetArn": "arn:aws:sqs:local:000000000000:ShippingDLQ", "maxReceiveCount": 5})
    );
    let only = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    assert_eq!(only.attributes().unwrap().len(), 1);
}

/// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html:
/// one purge per queue every 60 seconds; the next is PurgeQueueInProgress.
#[tokio::test]
async fn purge_queue_deletes_every_message_and_refuses_a_second_purge_within_a_minute() {
    let local = Local::emulator().await;
    let sqs = local.sqs();
    let url = local.queue_url("HighValueOrdersQueue");
    for _ in 0..3 {
        sqs.send_message()
            .queue_url(&url)
            .message_body("x")
            .send()
            .await
            .unwrap();
    }
    sqs.purge_queue().queue_url(&url).send().await.unwrap();
    assert_eq!(depth(&sqs, &url).await, (0, 0));
    let err = service_error(sqs.purge_queue().queue_url(&url).send()).await;
    assert!(err.is_purge_queue_in_progress(), "{err:?}");
}

/// A message received maxReceiveCount (5) times without being deleted
/// moves to the DLQ on the next receive, as it was sent (its own message
/// attributes and no others), marked with its source by the
/// DeadLetterQueueSourceArn system attribute
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html);
/// StartMessageMoveTask moves it back
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).
#[tokio::test]
async fn a_message_received_too_often_moves_to_its_dlq_and_a_message_move_task_redrives_it() {
    let local = Local::emulator().await;
    let sqs = local.sqs();
    let url = local.queue_url("PromotionOrdersQueue");
    let dlq = local.queue_url("PromotionOrdersDLQ");
    sqs.send_message()
        .queue_url(&url)
        .message_body("poison")
        .message_attributes(
            "origin",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("tests")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    for _ in 0..5 {
        let got = sqs
            .receive_message()
            .queue_url(&url)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
        assert_eq!(got.messages().len(), 1);
    }
    let sixth = sqs
        .receive_message()
        .queue_url(&url)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    assert!(sixth.messages().is_empty());
    let dead = sqs
        .receive_message()
        .queue_url(&dlq)
        .visibility_timeout(0)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .message_attribute_names("All")
        .send()
        .await
        .unwrap();
    let message = &dead.messages()[0];
    assert_eq!(message.body(), Some("poison"));
    let attributes: Vec<&String> = message.message_attributes().unwrap().keys().collect();
    assert_eq!(
        attributes,
        ["origin"],
        "the DLQ's copy has the sent attributes only"
    );
    assert_eq!(
        message
            .attributes()
            .unwrap()
            .get(&MessageSystemAttributeName::DeadLetterQueueSourceArn)
            .map(String::as_str),
        Some("arn:aws:sqs:local:000000000000:PromotionOrdersQueue")
    );
    assert_eq!(
        message
            .attributes()
            .unwrap()
            .get(&MessageSystemAttributeName::ApproximateReceiveCount)
            .map(String::as_str),
        Some("6"),
        "five receives on the source queue, the first on the DLQ"
    );

    let err = service_error(
        sqs.start_message_move_task()
            .source_arn("arn:aws:sqs:local:000000000000:PromotionOrdersQueue")
            .send(),
    )
    .await;
    assert!(err.is_unsupported_operation(), "not a DLQ: {err:?}");
    let task = sqs
        .start_message_move_task()
        .source_arn("arn:aws:sqs:local:000000000000:PromotionOrdersDLQ")
        .send()
        .await
        .unwrap();
    assert!(task.task_handle().is_some());
    eventually("the move task completes", || async {
        let tasks = sqs
            .list_message_move_tasks()
            .source_arn("arn:aws:sqs:local:000000000000:PromotionOrdersDLQ")
            .send()
            .await
            .unwrap();
        tasks.results().first().and_then(|t| t.status()) == Some("COMPLETED")
            && tasks.results()[0].approximate_number_of_messages_moved() == 1
    })
    .await;
    assert_eq!(depth(&sqs, &dlq).await, (0, 0));
    let back = sqs
        .receive_message()
        .queue_url(&url)
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await
        .unwrap();
    let message = &back.messages()[0];
    assert_eq!(message.body(), Some("poison"));
    assert_eq!(
        message
            .attributes()
            .unwrap()
            .get(&MessageSystemAttributeName::ApproximateReceiveCount)
            .map(String::as_str),
        Some("1"),
        "a redriven message starts its receive count again"
    );
}
