//! What the EventBridge and SQS APIs acknowledge survives a SIGKILL of
//! `saga run` right after the acknowledgement. SQS's `200` for
//! `SendMessage` means the message is stored, and for `DeleteMessage` that
//! it is gone
//! (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html,
//! https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html);
//! a `PutEvents` entry with an `EventId` and no error code was accepted
//! (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html):
//! a client that was told so does not send again, nor expect the message
//! back. The runtime commits in groups a few milliseconds apart, so an
//! acknowledgement given before its group's commit would be lost by a kill
//! in between.

use crate::server::{Server, start};
use aws_sdk_sqs::config::{Credentials, Region};
use std::collections::BTreeSet;
use std::path::Path;

/// A queue of the template that no function consumes.
const QUEUE: &str = "HighValueOrdersQueue";
/// Where the template's PromotionOrdersRule puts every Order Placed that
/// carries a promotion code; no function consumes it either.
const PROMOTIONS: &str = "PromotionOrdersQueue";
const MESSAGES: usize = 20;

fn sqs(server: &Server) -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(format!("http://{}", server.addr))
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

fn url(server: &Server) -> String {
    queue_url(server, QUEUE)
}

fn queue_url(server: &Server, queue: &str) -> String {
    format!("http://{}/000000000000/{queue}", server.addr)
}

/// Every message on the queue, received (and so in flight) once each.
async fn receive_all(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<(String, String)> {
    let mut got = Vec::new();
    loop {
        let out = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .visibility_timeout(600)
            .send()
            .await
            .expect("ReceiveMessage");
        if out.messages().is_empty() {
            return got;
        }
        for m in out.messages() {
            got.push((
                m.body().unwrap_or_default().to_owned(),
                m.receipt_handle().unwrap_or_default().to_owned(),
            ));
        }
    }
}

fn restart(db: &Path, server: Server) -> Server {
    server.kill();
    start(db)
}

#[test]
fn sqs_messages_the_api_acknowledged_survive_a_sigkill_right_after_and_deleted_ones_stay_deleted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("saga.db");
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let server = start(&db);
    let sent: BTreeSet<String> = runtime.block_on(async {
        let (sqs, url) = (sqs(&server), url(&server));
        let mut sent = BTreeSet::new();
        for i in 0..MESSAGES {
            let body = format!("{{\"acknowledged\": {i}}}");
            sqs.send_message()
                .queue_url(&url)
                .message_body(&body)
                .send()
                .await
                .expect("SendMessage");
            sent.insert(body);
        }
        sent
    });
    // SIGKILL as soon as the last 200 arrived.
    let server = restart(&db, server);
    let received = runtime.block_on(receive_all(&sqs(&server), &url(&server)));
    let bodies: BTreeSet<String> = received.iter().map(|(b, _)| b.clone()).collect();
    assert_eq!(
        bodies, sent,
        "every message SendMessage acknowledged is on the queue after the kill"
    );

    runtime.block_on(async {
        let (sqs, url) = (sqs(&server), url(&server));
        for (_, handle) in &received {
            sqs.delete_message()
                .queue_url(&url)
                .receipt_handle(handle)
                .send()
                .await
                .expect("DeleteMessage");
        }
    });
    // Messages still in flight at a kill are received again after the
    // restart: a delete lost with the process would show here.
    let server = restart(&db, server);
    let again = runtime.block_on(receive_all(&sqs(&server), &url(&server)));
    assert!(
        again.is_empty(),
        "messages DeleteMessage acknowledged came back after the kill: {again:?}"
    );
    server.stop();
}

#[test]
fn events_put_events_acknowledged_are_on_the_bus_after_a_sigkill_right_after() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("saga.db");
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let server = start(&db);
    let example: serde_json::Value = serde_json::from_str(include_str!(
        "../../../../events-schema/examples/order-placed.json"
    ))
    .expect("the example");
    assert!(example["detail"]["data"]["promotionCode"].is_string());
    let put = runtime.block_on(async {
        let config = aws_sdk_eventbridge::Config::builder()
            .behavior_version(aws_sdk_eventbridge::config::BehaviorVersion::latest())
            .region(aws_sdk_eventbridge::config::Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .endpoint_url(format!("http://{}", server.addr))
            .build();
        let events = aws_sdk_eventbridge::Client::from_conf(config);
        let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
            .event_bus_name("ordersaga")
            .source("shop.orders")
            .detail_type("Order Placed")
            .detail(example["detail"].to_string())
            .build();
        let mut put = 0;
        for _ in 0..MESSAGES / 2 {
            let out = events
                .put_events()
                .set_entries(Some(vec![entry.clone(); 2]))
                .send()
                .await
                .expect("PutEvents");
            assert_eq!(out.failed_entry_count(), 0);
            put += out.entries().len();
        }
        put
    });
    // SIGKILL as soon as the last 200 arrived.
    let server = restart(&db, server);
    let routed = runtime.block_on(receive_all(&sqs(&server), &queue_url(&server, PROMOTIONS)));
    assert_eq!(
        routed.len(),
        put,
        "every event PutEvents acknowledged reached the queue its rule targets"
    );
    server.stop();
}
