//! The EventBridge and SQS APIs `saga run` serves, driven by the AWS SDK
//! for Rust (a client nobody here wrote) against the runtime wired from the
//! real template. Each operation has a test; so do the error shapes SDKs
//! classify and retry by.

mod archive;
mod errors;
mod eventbridge;
mod sqs_messages;
mod sqs_queues;

use aws_sdk_sqs::config::{Credentials, Region};
use runtime::{Mount, Options, Runtime};
use saga::saga_env::{self, SagaArgs};
use std::sync::Arc;
use std::time::Duration;

/// A runtime serving the AWS APIs on an ephemeral loopback port.
pub struct Local {
    pub runtime: Runtime,
    pub endpoint: String,
    _dir: tempfile::TempDir,
}

/// The template `make run` serves.
pub fn template() -> std::path::PathBuf {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/template.yaml").into()
}

impl Local {
    /// Without consumers: only the bus and the queues act, so what a test
    /// puts on a queue stays there for it to see.
    pub async fn emulator() -> Local {
        Self::start(false).await
    }

    pub async fn start(workers: bool) -> Local {
        let dir = tempfile::tempdir().unwrap();
        let args = SagaArgs {
            template: template(),
            db: dir.path().join("saga.db"),
        };
        let runtime = saga_env::start(
            &args,
            Options {
                listen: Some("127.0.0.1:0".parse().unwrap()),
                workers,
                mount: Some(Mount(Arc::new(awsapi::router))),
                ..Options::default()
            },
        )
        .await
        .unwrap();
        let endpoint = format!("http://{}", runtime.addr.unwrap());
        Local {
            runtime,
            endpoint,
            _dir: dir,
        }
    }

    pub fn events(&self) -> aws_sdk_eventbridge::Client {
        let config = aws_sdk_eventbridge::Config::builder()
            .behavior_version(aws_sdk_eventbridge::config::BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .endpoint_url(&self.endpoint)
            .build();
        aws_sdk_eventbridge::Client::from_conf(config)
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        let config = aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .endpoint_url(&self.endpoint)
            .build();
        aws_sdk_sqs::Client::from_conf(config)
    }

    pub fn queue_url(&self, queue: &str) -> String {
        format!("{}/000000000000/{queue}", self.endpoint)
    }
}

/// An Order Placed detail with a promotion code, which the template's
/// OrdersRule, InventoryRule and PromotionOrdersRule all match.
pub fn promoted_order_placed() -> String {
    let example: serde_json::Value = serde_json::from_str(include_str!(
        "../../../../events-schema/examples/order-placed.json"
    ))
    .unwrap();
    let mut detail = example["detail"].clone();
    detail["data"]["promotionCode"] = "WINTER".into();
    detail.to_string()
}

/// Puts [`promoted_order_placed`] on the bus with the SDK.
pub async fn put_promoted_order(events: &aws_sdk_eventbridge::Client) {
    let out = events
        .put_events()
        .entries(
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .event_bus_name("ordersaga")
                .source("shop.orders")
                .detail_type("Order Placed")
                .detail(promoted_order_placed())
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_entry_count(), 0);
}

/// Messages waiting on `queue`, as GetQueueAttributes counts them.
pub async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> (i64, i64) {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::All)
        .send()
        .await
        .unwrap();
    let get = |name: A| {
        out.attributes()
            .and_then(|a| a.get(&name))
            .map(|v| v.parse::<i64>().unwrap())
            .unwrap()
    };
    (
        get(A::ApproximateNumberOfMessages),
        get(A::ApproximateNumberOfMessagesNotVisible),
    )
}

/// Polls `check` every 50 ms for up to 10 s.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never: {what}");
}
