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
    /// The pattern as the template wrote it, as JSON text (what
    /// `DescribeRule` answers).
    pub event_pattern: String,
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

    /// The saga events this consumer's handler acts on (its crate's
    /// `ACCEPTS`, which its dispatch goes by); `None` for the dead-letter
    /// recorder, which reads DLQ messages rather than events a rule delivers.
    pub fn accepts(self) -> Option<&'static [events::EventKind]> {
        Some(match self {
            Self::Orders => orders::handler::ACCEPTS,
            Self::Inventory => inventory::handler::ACCEPTS,
            Self::Payment => payment::handler::ACCEPTS,
            Self::Shipping => shipping::handler::ACCEPTS,
            Self::DeadLetters => return None,
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
    /// `ScalingConfig.MaximumConcurrency`, if the template sets it.
    pub max_concurrency: Option<u32>,
    /// The function's environment variables from the template.
    pub environment: std::collections::BTreeMap<String, String>,
}

/// Batches an SQS event source mapping processes at once when messages
/// arrive: "Lambda starts processing five batches at a time with five
/// concurrent invocations of your function"
/// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
/// Lambda then scales up to 1,000; locally five pollers already keep the
/// database busy on a small machine.
pub const SQS_POLLERS: u32 = 5;

impl ConsumerSpec {
    /// How many batches the mapping processes at once: five, or fewer if
    /// `MaximumConcurrency` caps it.
    pub fn pollers(&self) -> u32 {
        self.max_concurrency
            .map_or(SQS_POLLERS, |max| max.min(SQS_POLLERS))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiHandler {
    Orders,
    /// `GET /reports/{name}`: the reports crate over the local archive
    /// (Athena over the data lake on AWS).
    Reports,
}

impl ApiHandler {
    pub fn for_binary(binary: &str) -> Option<Self> {
        match binary {
            "orders-api" => Some(Self::Orders),
            "reports-api" => Some(Self::Reports),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: String,
    pub path: String,
    pub function: String,
    pub handler: ApiHandler,
}
