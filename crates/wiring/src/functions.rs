//! The template's functions as the saga runs them: which handler each
//! runs (chosen by its `bootstrap` binary), the SQS event source mappings
//! that feed the consumers, the HTTP API routes, and the outbox relay.
//! Both backends take this [`Wiring`]; the embedded backend adds the
//! emulated resources (crates/runtime).

use crate::template::{FunctionEvent, Template, TemplateError};

/// The functions of the template, as the saga runs them.
#[derive(Debug, Clone)]
pub struct Wiring {
    pub consumers: Vec<ConsumerSpec>,
    pub routes: Vec<RouteSpec>,
    /// The template has an outbox relay function for the orders table.
    pub outbox_relay: bool,
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

/// A route as the API's route lookup (`platform::http::find_route`)
/// reads it.
impl platform::http::RouteKey for RouteSpec {
    fn method(&self) -> &str {
        &self.method
    }
    fn path(&self) -> &str {
        &self.path
    }
}

fn invalid(resource: &str, property: &str, reason: impl Into<String>) -> TemplateError {
    TemplateError::InvalidProperty {
        resource: resource.to_owned(),
        property: property.to_owned(),
        reason: reason.into(),
    }
}

/// Reads the functions: each SQS event source is a consumer whose binary
/// is one of the saga's handlers, each HttpApi event a route of an API
/// binary, a DynamoDB stream event only the outbox relay's; and every path
/// an `AWS::Serverless::HttpApi` declares must be some function's route.
/// Anything else is an error naming the resource and the property.
pub fn load(template: &Template) -> Result<Wiring, TemplateError> {
    let mut consumers = Vec::new();
    let mut routes = Vec::new();
    let mut outbox_relay = false;
    for f in template.functions()? {
        for event in &f.events {
            match event {
                FunctionEvent::Sqs {
                    queue,
                    batch_size,
                    report_batch_item_failures,
                    max_concurrency,
                } => {
                    let handler = ConsumerHandler::for_binary(&f.binary).ok_or_else(|| {
                        invalid(
                            &f.logical_id,
                            "Metadata.BuildProperties.Binary",
                            format!("{} is not an SQS consumer of this project", f.binary),
                        )
                    })?;
                    consumers.push(ConsumerSpec {
                        function: f.logical_id.clone(),
                        handler,
                        queue: queue.clone(),
                        batch_size: usize::try_from(*batch_size).unwrap_or(10),
                        report_batch_item_failures: *report_batch_item_failures,
                        max_concurrency: *max_concurrency,
                        environment: f.environment.clone(),
                    });
                }
                FunctionEvent::HttpApi { method, path } => {
                    let handler = ApiHandler::for_binary(&f.binary).ok_or_else(|| {
                        invalid(
                            &f.logical_id,
                            "Metadata.BuildProperties.Binary",
                            format!("{} does not serve HTTP", f.binary),
                        )
                    })?;
                    routes.push(RouteSpec {
                        method: method.clone(),
                        path: path.clone(),
                        function: f.logical_id.clone(),
                        handler,
                    });
                }
                FunctionEvent::DynamoDbStream { .. } if f.binary == "outbox-relay" => {
                    outbox_relay = true
                }
                FunctionEvent::DynamoDbStream { .. } => {
                    return Err(invalid(
                        &f.logical_id,
                        "Events",
                        format!(
                            "{} has a DynamoDB stream event; only outbox-relay runs locally",
                            f.binary
                        ),
                    ));
                }
            }
        }
    }
    for api in template.http_apis()? {
        for (method, path) in &api.declared_routes {
            if !routes
                .iter()
                .any(|r| &r.method == method && &r.path == path)
            {
                return Err(invalid(
                    &api.logical_id,
                    &format!("DefinitionBody.paths.{path}.{}", method.to_lowercase()),
                    "is not the HttpApi event of any function, so the local runtime would not serve it",
                ));
            }
        }
    }
    Ok(Wiring {
        consumers,
        routes,
        outbox_relay,
    })
}
