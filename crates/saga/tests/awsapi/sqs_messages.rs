//! SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch) and
//! ChangeMessageVisibility through the SDK.

use crate::{Local, depth};
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageAttributeValue, MessageSystemAttributeName,
    SendMessageBatchRequestEntry,
};
use std::time::{Duration, Instant};
use testkit::aws::service_error;

/// MD5OfMessageBody is the hex MD5 of the body; this one is RFC 1321's
/// well-known digest of "The quick brown fox jumps over the lazy dog".
#[tokio::test]
async fn send_receive_and_delete_round_trip_a_message_with_its_md5_and_attributes() {
    let local = Local::emulator().await;
    let sqs = local.sqs();
    let url = local.queue_url("HighValueOrdersQueue");
    let sent = sqs
        .send_message()
        .queue_url(&url)
        .message_body("The quick brown fox jumps over the lazy dog")
        .message_attributes(
            "team",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("fulfilment")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent.md5_of_message_body(),
        Some("9e107d9d372bb6826bd81d3542a419d6")
    );
    assert!(sent.md5_of_message_attributes().is_some());
    let got = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap();
    let m = &got.messages()[0];
    assert_eq!(m.message_id(), sent.message_id());
    assert_eq!(m.md5_of_body(), sent.md5_of_message_body());
    assert_eq!(
        m.md5_of_message_attributes(),
        sent.md5_of_message_attributes()
    );
    assert_eq!(
        m.message_attributes().unwrap()["team"].string_value(),
        Some("fulfilment")
    );
    let system = m.attributes().unwrap();
    assert_eq!(
        system[&MessageSystemAttributeName::ApproximateReceiveCount],
        "1"
    );
    assert!(system.contains_key(&MessageSystemAttributeName::SentTimestamp));
    assert_eq!(depth(&sqs, &url).await, (0, 1));
    sqs.delete_message()
        .queue_url(&url)
        .receipt_handle(m.receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(depth(&sqs, &url).await, (0, 0));
}

/// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
#[tokio::test]
async fn a_received_message_stays_hidden_for_its_visibility_timeout_and_change_message_visibility_shows_it_again()
 {
    let local = Local::emulator().await;
    let sqs = local.sqs();
    let url = local.queue_url("HighValueOrdersQueue");
    sqs.send_message()
        .queue_url(&url)
        .message_body("m")
        .send()
        .await
        .unwrap();
    let first = sqs
        .receive_message()
        .queue_url(&url)
        .visibility_timeout(1)
        .send()
        .await
        .unwrap();
    let handle = first.messages()[0].receipt_handle().unwrap().to_owned();
    let hidden = sqs.receive_message().queue_url(&url).send().await.unwrap();
    assert!(hidden.messages().is_empty());
    // Visible again after its 1 s timeout: a long poll sees it.
    let again = sqs
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(5)
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .visibility_timeout(600)
        .send()
        .await
        .unwrap();
    let m = &again.messages()[0];
    assert_eq!(
        m.attributes().unwrap()[&MessageSystemAttributeName::ApproximateReceiveCount],
        "2"
    );
    sqs.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(m.receipt_handle().unwrap())
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    assert_eq!(depth(&sqs, &url).await, (1, 0));
    sqs.delete_message()
        .queue_url(&url)
        .receipt_handle(&handle)
        .send()
        .await
        .unwrap();
    let err = service_error(
        sqs.change_message_visibility()
            .queue_url(&url)
            .receipt_handle(&handle)
            .visibility_timeout(5)
            .send(),
    )
    .await;
    assert!(err.is_message_not_inflight(), "{err:?}");
}

#[tokio::test]
async fn a_long_poll_returns_as_soon_as_a_message_arrives() {
    let local = Local::emulator().await;
    let sqs = local.sqs();
    let url = local.queue_url("HighValueOrdersQueue");
    let started = Instant::now();
    let poll = tokio::spawn({
        let (sqs, url) = (sqs.clone(), url.clone());
        async move {
            sqs.receive_message()
                .queue_url(&url)
                .wait_time_seconds(20)
                .send()
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    sqs.send_message()
        .queue_url(&url)
        .message_body("now")
        .send()
        .await
        .unwrap();
    let got = poll.await.unwrap();
    assert_eq!(got.messages()[0].body(), Some("now"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn send_message_batch_and_delete_message_batch_report_each_entry() {
    let local = Local::emulator().await;
    let sqs = local.sqs();
    let url = local.queue_url("HighValueOrdersQueue");
    let entry = |id: &str, body: &str| {
        SendMessageBatchRequestEntry::builder()
            .id(id)
            .message_body(body)
            .build()
            .unwrap()
    };
    let sent = sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a", "one"))
        .entries(entry("b", "two"))
        .entries(entry("c", "three"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.successful().len(), 3);
    assert!(sent.failed().is_empty());
    let got = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let mut bodies: Vec<&str> = got.messages().iter().filter_map(|m| m.body()).collect();
    bodies.sort();
    assert_eq!(bodies, ["one", "three", "two"]);
    let mut delete = sqs.delete_message_batch().queue_url(&url);
    for (i, m) in got.messages().iter().enumerate() {
        delete = delete.entries(
            DeleteMessageBatchRequestEntry::builder()
                .id(format!("m{i}"))
                .receipt_handle(m.receipt_handle().unwrap())
                .build()
                .unwrap(),
        );
    }
    delete = delete.entries(
        DeleteMessageBatchRequestEntry::builder()
            .id("forged")
            .receipt_handle("not-a-handle")
            .build()
            .unwrap(),
    );
    let deleted = delete.send().await.unwrap();
    assert_eq!(deleted.successful().len(), 3);
    assert_eq!(deleted.failed()[0].id(), "forged");
    assert_eq!(deleted.failed()[0].code(), "ReceiptHandleIsInvalid");
    assert_eq!(depth(&sqs, &url).await, (0, 0));

    let err = service_error(
        sqs.send_message_batch()
            .queue_url(&url)
            .entries(entry("same", "1"))
            .entries(entry("same", "2"))
            .send(),
    )
    .await;
    assert!(err.is_batch_entry_ids_not_distinct(), "{err:?}");
    let mut eleven = sqs.send_message_batch().queue_url(&url);
    for i in 0..11 {
        eleven = eleven.entries(entry(&format!("e{i}"), "x"));
    }
    let err = service_error(eleven.send()).await;
    assert!(err.is_too_many_entries_in_batch_request(), "{err:?}");
    assert_eq!(
        depth(&sqs, &url).await,
        (0, 0),
        "a refused batch sends nothing"
    );
}
