//! Errors as AWS sends them, so SDKs classify (and retry) them as against
//! AWS: the status, `__type` and `message` of the AWS JSON protocols
//! (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html#operation-error-serialization),
//! and for SQS the awsQuery code in `x-amzn-query-error`
//! (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html).

use crate::Local;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use std::io::{Read, Write};
use testkit::aws::service_error;

fn message(err: &impl aws_sdk_eventbridge::error::ProvideErrorMetadata) -> String {
    err.message().unwrap_or_default().to_owned()
}

fn sqs_message(err: &impl aws_sdk_sqs::error::ProvideErrorMetadata) -> String {
    err.message().unwrap_or_default().to_owned()
}

/// The status, headers and body of a raw `POST /` (the test runs on a
/// multi-threaded runtime: this blocks its thread while the server answers).
fn post(local: &Local, target: &str, body: &str) -> (u16, String, serde_json::Value) {
    let addr = local.runtime.addr.unwrap();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {addr}\r\nX-Amz-Target: {target}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    // A body without chunked framing (axum sends a length for these).
    (
        status,
        head.to_ascii_lowercase(),
        serde_json::from_str(body).unwrap(),
    )
}

#[tokio::test]
async fn an_unknown_queue_is_queue_does_not_exist_with_its_query_code_and_400() {
    let local = Local::emulator().await;
    let err = local
        .sqs()
        .send_message()
        .queue_url(local.queue_url("Nowhere"))
        .message_body("x")
        .send()
        .await
        .unwrap_err();
    let raw = err.raw_response().unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    assert_eq!(
        raw.headers().get("x-amzn-query-error"),
        Some("AWS.SimpleQueueService.NonExistentQueue;Sender")
    );
    let body: serde_json::Value = serde_json::from_slice(raw.body().bytes().unwrap()).unwrap();
    assert_eq!(body["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
    assert_eq!(body["message"], "The specified queue does not exist.");
    let err = err.into_service_error();
    assert!(err.is_queue_does_not_exist(), "{err:?}");
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&err),
        Some("AWS.SimpleQueueService.NonExistentQueue")
    );
}

#[tokio::test]
async fn a_bad_event_pattern_is_invalid_event_pattern_exception_naming_the_fault() {
    let local = Local::emulator().await;
    let err = local
        .events()
        .test_event_pattern()
        .event_pattern(r#"{"source": "shop.orders"}"#)
        .event(include_str!(
            "../../../../events-schema/examples/order-placed.json"
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 400);
    let err = err.into_service_error();
    assert!(err.is_invalid_event_pattern_exception(), "{err:?}");
    assert!(
        err.to_string().contains("Event pattern is not valid"),
        "{err}"
    );

    let err = service_error(
        local
            .events()
            .test_event_pattern()
            .event_pattern(r#"{"source": ["shop.orders"]}"#)
            .event(r#"{"source": "shop.orders"}"#)
            .send(),
    )
    .await;
    assert_eq!(
        aws_sdk_eventbridge::error::ProvideErrorMetadata::code(&err),
        Some("ValidationException"),
        "an event without the mandatory fields: {err:?}"
    );
}

/// 1 MB per request since January 2026
/// (https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb),
/// counted per eb-putevent-size.html; at most 10 entries (API_PutEvents.html).
#[tokio::test]
async fn an_oversize_put_events_request_is_a_validation_exception_and_puts_nothing() {
    let local = Local::emulator().await;
    let events = local.events();
    let big = format!(r#"{{"pad": "{}"}}"#, "x".repeat(600 * 1024));
    let entry = PutEventsRequestEntry::builder()
        .event_bus_name("ordersaga")
        .source("other.team")
        .detail_type("Big")
        .detail(&big)
        .build();
    // One 600 KB entry fits the new limit; two do not.
    let one = events
        .put_events()
        .entries(entry.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(one.failed_entry_count(), 0);
    let err = events
        .put_events()
        .entries(entry.clone())
        .entries(entry.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 400);
    let err = err.into_service_error();
    assert_eq!(
        aws_sdk_eventbridge::error::ProvideErrorMetadata::code(&err),
        Some("ValidationException")
    );
    assert!(message(&err).contains("over the limit"), "{err:?}");

    let mut eleven = events.put_events();
    for _ in 0..11 {
        eleven = eleven.entries(
            PutEventsRequestEntry::builder()
                .event_bus_name("ordersaga")
                .source("other.team")
                .detail_type("Small")
                .detail("{}")
                .build(),
        );
    }
    let err = service_error(eleven.send()).await;
    assert!(
        message(&err).contains("less than or equal to 10"),
        "{err:?}"
    );
    let archived = events
        .describe_archive()
        .archive_name("ordersaga-archive")
        .send()
        .await
        .unwrap();
    assert_eq!(
        archived.event_count(),
        1,
        "only the accepted request was put"
    );
}

#[tokio::test]
async fn sqs_parameter_limits_are_invalid_parameter_value_and_an_oversize_body_is_refused() {
    let local = Local::emulator().await;
    let sqs = local.sqs();
    let url = local.queue_url("HighValueOrdersQueue");
    let err = service_error(
        sqs.receive_message()
            .queue_url(&url)
            .max_number_of_messages(11)
            .send(),
    )
    .await;
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&err),
        Some("InvalidParameterValue")
    );
    assert!(sqs_message(&err).contains("MaxNumberOfMessages"), "{err:?}");
    let err = service_error(
        sqs.send_message()
            .queue_url(&url)
            .message_body("x".repeat(1024 * 1024 + 1))
            .send(),
    )
    .await;
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&err),
        Some("InvalidParameterValue")
    );
    assert!(
        sqs_message(&err).contains("shorter than 1048576 bytes"),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_target_or_a_body_that_is_not_the_input_shape_is_a_400_naming_it() {
    let local = Local::emulator().await;
    let (status, head, body) = post(&local, "AWSEvents.FlyToTheMoon", "{}");
    assert_eq!(status, 400);
    assert!(
        head.contains("content-type: application/x-amz-json-1.1"),
        "{head}"
    );
    assert_eq!(body["__type"], "UnknownOperationException");
    assert!(body["message"].as_str().unwrap().contains("FlyToTheMoon"));

    let (status, _, body) = post(&local, "AWSEvents.PutEvents", r#"{"Entries": "many"}"#);
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "SerializationException");
    assert!(
        body["message"].as_str().unwrap().contains("Entries"),
        "{body}"
    );

    let (status, head, body) = post(&local, "AmazonSQS.ListQueues", "{}");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: application/x-amz-json-1.0"),
        "{head}"
    );
    assert!(body["QueueUrls"].as_array().unwrap().len() > 5);
}
