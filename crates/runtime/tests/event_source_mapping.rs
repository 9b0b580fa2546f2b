//! The embedded backend's pollers settle each batch by Lambda's SQS event
//! source mapping rules (crates/wiring's `esm::settle`, which the hybrid
//! backend's pollers call too), proved here end to end: a real runtime
//! from a template, a message its handler fails, the real queues.
//! https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html

use runtime::{Options, Runtime};
use std::time::Duration;
use wiring::template::Template;

/// One queue with a DLQ after two receives, consumed by the inventory
/// handler; `response_types` is the mapping's `FunctionResponseTypes` line.
fn template(response_types: &str) -> Template {
    let text = format!(
        "Resources:
  Bus: {{Type: AWS::Events::EventBus, Properties: {{Name: b}}}}
  Q:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 1
      RedrivePolicy: {{deadLetterTargetArn: !GetAtt D.Arn, maxReceiveCount: 2}}
  D: {{Type: AWS::SQS::Queue}}
  F:
    Type: AWS::Serverless::Function
    Metadata: {{BuildProperties: {{Binary: inventory-consumer}}}}
    Properties:
      Events:
        FromQ:
          Type: SQS
          Properties:
            Queue: !GetAtt Q.Arn
{response_types}"
    );
    Template::from_yaml(&text).expect("template")
}

/// Sends a message the handler cannot parse and waits until Q is empty;
/// returns how many messages the DLQ then holds.
async fn dead_letters_after_a_failing_message(template: &Template) -> i64 {
    let saga = runtime::load(template).expect("wiring");
    let runtime = Runtime::start(saga, Options::default())
        .await
        .expect("runtime");
    runtime.queues.send("Q", "not an event").expect("send");
    assert!(
        runtime.wait_idle(Duration::from_secs(30)).await,
        "queue Q drained"
    );
    let dead = runtime.queues.depths().expect("depths").get("D").copied();
    runtime.shutdown().await;
    dead.unwrap_or(0)
}

#[tokio::test]
async fn without_report_batch_item_failures_a_batch_the_function_returned_from_is_deleted_as_lambda_does()
 {
    // The handler reports the message failed, but the mapping does not
    // read partial batch responses: Lambda deletes the batch. (The
    // embedded worker used to fail the whole batch, which then reached
    // the DLQ.)
    assert_eq!(dead_letters_after_a_failing_message(&template("")).await, 0);
}

#[tokio::test]
async fn with_report_batch_item_failures_the_reported_message_is_retried_until_its_dlq() {
    let rbif = "            FunctionResponseTypes: [ReportBatchItemFailures]\n";
    assert_eq!(
        dead_letters_after_a_failing_message(&template(rbif)).await,
        1
    );
}
