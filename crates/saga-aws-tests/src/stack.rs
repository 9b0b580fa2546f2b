//! The template's resources that the functions touch, created in moto with
//! the AWS SDK: the five PK/SK tables (orders with its NEW_IMAGE stream),
//! the bus, every `AWS::Events::Rule` of `infra/template.yaml` with its
//! event pattern taken from the template and its target queue, and a tap
//! queue that receives every saga event put on the bus.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    StreamSpecification, StreamViewType,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

pub const BUS: &str = "ordersaga-bus";
pub const TABLES: [&str; 5] = [
    "OrdersTable",
    "InventoryTable",
    "PaymentsTable",
    "ShipmentsTable",
    "DlqTable",
];
pub const TAP_QUEUE: &str = "TapQueue";
/// Every event of the four saga sources, to the tap queue.
pub const TAP_PATTERN: &str =
    r#"{"source":["shop.orders","shop.inventory","shop.payment","shop.shipping"]}"#;

pub struct Stack {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub sqs: aws_sdk_sqs::Client,
    /// Queue URL by name (a rule's target id, or [`TAP_QUEUE`]).
    pub queues: BTreeMap<String, String>,
}

/// The rules of the template: logical id, event pattern (JSON), and the
/// target ids (the queues' logical ids).
pub fn template_rules(template: &Path) -> Vec<(String, Value, Vec<String>)> {
    let text = std::fs::read_to_string(template).expect("reading infra/template.yaml");
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("template is YAML");
    let resources = doc["Resources"].as_mapping().expect("template Resources");
    let mut rules = Vec::new();
    for (id, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Events::Rule") {
            continue;
        }
        let props = &resource["Properties"];
        let pattern: Value =
            serde_json::to_value(&props["EventPattern"]).expect("an event pattern is plain data");
        let targets = props["Targets"]
            .as_sequence()
            .map(|ts| {
                ts.iter()
                    .filter_map(|t| t["Id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        rules.push((id.as_str().unwrap_or_default().to_owned(), pattern, targets));
    }
    rules
}

impl Stack {
    pub async fn create(config: &aws_config::SdkConfig, template: &Path) -> Stack {
        let mut stack = Stack {
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            events: aws_sdk_eventbridge::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            queues: BTreeMap::new(),
        };
        create_tables(&stack.dynamodb).await;
        stack
            .events
            .create_event_bus()
            .name(BUS)
            .send()
            .await
            .expect("bus");
        let mut rules = template_rules(template);
        rules.push((
            "TapRule".into(),
            serde_json::from_str(TAP_PATTERN).expect("tap pattern"),
            vec![TAP_QUEUE.into()],
        ));
        for (rule, pattern, targets) in rules {
            stack.create_rule(&rule, &pattern, &targets).await;
        }
        stack
    }

    async fn create_rule(&mut self, rule: &str, pattern: &Value, targets: &[String]) {
        self.events
            .put_rule()
            .name(rule)
            .event_bus_name(BUS)
            .event_pattern(pattern.to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("rule {rule}: {e:?}"));
        for target in targets {
            let url = self.queue(target).await;
            let queue_arn = self.queue_arn(&url).await;
            let t = aws_sdk_eventbridge::types::Target::builder()
                .id(target)
                .arn(queue_arn)
                .build()
                .expect("target");
            self.events
                .put_targets()
                .rule(rule)
                .event_bus_name(BUS)
                .targets(t)
                .send()
                .await
                .unwrap_or_else(|e| panic!("target {target} of {rule}: {e:?}"));
        }
    }

    /// The queue's URL, creating it on first use.
    pub async fn queue(&mut self, name: &str) -> String {
        if let Some(url) = self.queues.get(name) {
            return url.clone();
        }
        let url = self
            .sqs
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("queue {name}: {e:?}"))
            .queue_url
            .expect("queue url");
        self.queues.insert(name.into(), url.clone());
        url
    }

    async fn queue_arn(&self, url: &str) -> String {
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("queue attributes");
        out.attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .cloned()
            .expect("queue arn")
    }

    /// The bodies (EventBridge events) on queue `name`, polled until at
    /// least `at_least` arrived or `timeout` passed; they are deleted.
    pub async fn drain(&self, name: &str, at_least: usize, timeout: Duration) -> Vec<Value> {
        let url = self
            .queues
            .get(name)
            .unwrap_or_else(|| panic!("no queue {name}"));
        let start = Instant::now();
        let mut bodies = Vec::new();
        loop {
            let out = self
                .sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .expect("receive");
            for m in out.messages() {
                let body = m.body().unwrap_or_default();
                bodies.push(serde_json::from_str(body).unwrap_or(Value::String(body.into())));
                if let Some(handle) = m.receipt_handle() {
                    let _ = self
                        .sqs
                        .delete_message()
                        .queue_url(url)
                        .receipt_handle(handle)
                        .send()
                        .await;
                }
            }
            if bodies.len() >= at_least || start.elapsed() > timeout {
                return bodies;
            }
        }
    }
}

/// Every table of [`TABLES`].
pub async fn create_tables(dynamodb: &aws_sdk_dynamodb::Client) {
    for table in TABLES {
        create_table(dynamodb, table).await;
    }
}

/// One of [`TABLES`] as the template defines it: PK/SK strings, on
/// demand, `OrdersTable` with its NEW_IMAGE stream.
pub async fn create_table(dynamodb: &aws_sdk_dynamodb::Client, name: &str) {
    let attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute")
    };
    let key = |n: &str, t| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
            .expect("key")
    };
    let mut create = dynamodb
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("PK"))
        .attribute_definitions(attr("SK"))
        .key_schema(key("PK", KeyType::Hash))
        .key_schema(key("SK", KeyType::Range));
    if name == "OrdersTable" {
        create = create.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewImage)
                .build()
                .expect("stream"),
        );
    }
    create
        .send()
        .await
        .unwrap_or_else(|e| panic!("table {name}: {e:?}"));
}
