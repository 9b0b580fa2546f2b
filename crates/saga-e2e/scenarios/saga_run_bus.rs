//! `saga run --no-functions`, the fourth backend's bus and queues, on its
//! own: it runs no function (a message on a consumer queue stays there for
//! another process to take) and serves no order API, and
//! [`hybrid::attach()`] names what it lacks, from the errors its SQS API
//! answers as SQS does (`QueueDoesNotExist`,
//! https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html#API_GetQueueUrl_Errors).

use crate::backends::{SagaRunBus, sdk_config};
use aws_sdk_sqs::types::QueueAttributeName;
use std::time::Duration;

async fn started(template: &std::path::Path) -> SagaRunBus {
    let template = template.to_owned();
    tokio::task::spawn_blocking(move || SagaRunBus::start(&template))
        .await
        .expect("saga run starts")
}

pub async fn without_functions_saga_run_leaves_its_queues_to_other_consumers_and_serves_no_order_api()
 {
    let bus = started(&saga_e2e::template_path()).await;
    let endpoint = bus.server.endpoint();
    assert!(
        bus.server.log.contains("the bus and queues only"),
        "{}",
        bus.server.log
    );
    let sqs = aws_sdk_sqs::Client::new(&sdk_config(&endpoint).await);
    let url = format!("{endpoint}/000000000000/InventoryQueue");
    sqs.send_message()
        .queue_url(&url)
        .message_body("{not an event")
        .send()
        .await
        .expect("SendMessage");
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/orders"))
        .json(&saga_e2e::order(
            serde_json::json!([{"sku": "KB-001", "quantity": 1}]),
        ))
        .send()
        .await
        .expect("POST /orders answered");
    assert_eq!(response.status().as_u16(), 404, "no order API");
    // The embedded runtime's inventory consumer takes a message within
    // milliseconds; here none runs, so it is still there, visible.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .expect("GetQueueAttributes")
        .attributes
        .unwrap_or_default();
    assert_eq!(
        attributes
            .get(&QueueAttributeName::ApproximateNumberOfMessages)
            .map(String::as_str),
        Some("1")
    );
}

pub async fn attaching_to_saga_run_of_another_template_names_the_queue_it_lacks() {
    let bus = started(&saga_e2e::template_path()).await;
    let config = sdk_config(&bus.server.endpoint()).await;
    let (_dir, other) = crate::scenarios::template_with(&[(
        "Resources:\n",
        "Resources:\n  AuditQueue:\n    Type: AWS::SQS::Queue\n",
    )]);
    let other = wiring::template::Template::from_path(&other).expect("template parses");
    let err = hybrid::attach(&config, &other, "").await.unwrap_err();
    assert!(
        err.to_string().starts_with(
            "the endpoint has no AWS::SQS::Queue AuditQueue (looked up as AuditQueue)"
        ),
        "{err}"
    );
    assert!(!err.is_retryable(), "{err:?}");
    let project =
        wiring::template::Template::from_path(&saga_e2e::template_path()).expect("template parses");
    let names = hybrid::attach(&config, &project, "")
        .await
        .expect("the project's template is all there");
    assert_eq!(names.bus("SagaBus").unwrap(), "ordersaga");
    assert_eq!(
        names.queue_url("InventoryQueue").unwrap(),
        format!("{}/000000000000/InventoryQueue", bus.server.endpoint())
    );
}
