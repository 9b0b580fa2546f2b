//! What the runtime runs: the resources of the template that take part in
//! delivery, as plain data.

use crate::transform::InputSpec;
use pattern::Pattern;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Wiring {
    pub bus_name: String,
    pub rules: Vec<RuleSpec>,
    pub queues: Vec<QueueSpec>,
    pub consumers: Vec<ConsumerSpec>,
    pub routes: Vec<RouteSpec>,
    /// An archive of every event put on the bus (the template's
    /// `AWS::Events::Archive` without an event pattern).
    pub archive: Option<String>,
    /// The template has an outbox relay function for the orders table.
    pub outbox_relay: bool,
}

#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub name: String,
    pub pattern: Pattern,
    pub enabled: bool,
    pub targets: Vec<TargetSpec>,
}

#[derive(Debug, Clone)]
pub struct TargetSpec {
    pub id: String,
    /// Logical id of the target queue.
    pub queue: String,
    pub input: InputSpec,
}

#[derive(Debug, Clone)]
pub struct QueueSpec {
    pub name: String,
    pub visibility_timeout: Duration,
    pub redrive: Option<Redrive>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redrive {
    pub dead_letter_queue: String,
    pub max_receive_count: u32,
}

/// The handler a function's `bootstrap` would run, chosen by its binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsumerHandler {
    Orders,
    Inventory,
    Payment,
    Shipping,
    DeadLetters,
}

impl ConsumerHandler {
    /// The consumer behind a `BuildProperties.Binary` name, if it is one.
    pub fn for_binary(binary: &str) -> Option<Self> {
        Some(match binary {
            "orders-consumer" => Self::Orders,
            "inventory-consumer" => Self::Inventory,
            "payment-consumer" => Self::Payment,
            "shipping-consumer" => Self::Shipping,
            "dlq-handler" => Self::DeadLetters,
            _ => return None,
        })
    }
}

/// One SQS event source mapping.
#[derive(Debug, Clone)]
pub struct ConsumerSpec {
    pub function: String,
    pub handler: ConsumerHandler,
    pub queue: String,
    pub batch_size: usize,
    pub report_batch_item_failures: bool,
    /// The function's environment variables from the template.
    pub environment: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiHandler {
    Orders,
}

impl ApiHandler {
    pub fn for_binary(binary: &str) -> Option<Self> {
        (binary == "orders-api").then_some(Self::Orders)
    }
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: String,
    pub path: String,
    pub function: String,
    pub handler: ApiHandler,
}
