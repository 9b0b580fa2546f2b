//! `AWS::Serverless::Function` resources: which binary runs, and the events
//! that invoke it (SQS queues, HTTP API routes, DynamoDB streams).

use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;

use super::error::TemplateError;
use super::intrinsic::ResourceRef;
use super::resource::Resource;
use super::value::Context;

pub(crate) const RESOURCE_TYPE: &str = "AWS::Serverless::Function";

/// Lambda's default SQS batch size
/// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
const DEFAULT_SQS_BATCH: u64 = 10;

#[derive(Debug, Clone, PartialEq)]
pub enum FunctionEvent {
    Sqs {
        queue: String,
        batch_size: u64,
        report_batch_item_failures: bool,
        /// `ScalingConfig.MaximumConcurrency` (2 to 1000).
        max_concurrency: Option<u32>,
    },
    HttpApi {
        method: String,
        path: String,
    },
    /// A DynamoDB stream of a table of this template.
    DynamoDbStream {
        table: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionResource {
    pub logical_id: String,
    /// `Metadata.BuildProperties.Binary`: the `bootstrap` it builds.
    pub binary: String,
    pub events: Vec<FunctionEvent>,
    /// Environment variables with literal values (`Globals` first, then the
    /// function's own); values that are intrinsics are left out, as they
    /// name cloud resources.
    pub environment: BTreeMap<String, String>,
}

fn literal_vars(map: Option<&Value>, into: &mut BTreeMap<String, String>) {
    let vars = map
        .and_then(|e| e.get("Variables"))
        .and_then(Value::as_mapping);
    for (k, v) in vars.into_iter().flatten() {
        let value = match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        if let (Some(k), Some(v)) = (k.as_str(), value) {
            into.insert(k.to_owned(), v);
        }
    }
}

/// `HttpApi` event properties the local runtime honours (`Path`, `Method`,
/// payload format 2.0) or that have no local effect: the API it belongs to
/// (the runtime serves one), a route's authorizer (not enforced locally, as
/// `saga run` says), its timeout and throttling.
const HTTP_API_EVENT_PROPERTIES: &[&str] = &[
    "ApiId",
    "Path",
    "Method",
    "Auth",
    "TimeoutInMillis",
    "PayloadFormatVersion",
    "RouteSettings",
];

/// `SQS` event properties the local runtime honours; any other (a filter,
/// a batching window, `Enabled`) would change delivery and is refused.
const SQS_EVENT_PROPERTIES: &[&str] = &[
    "Queue",
    "BatchSize",
    "FunctionResponseTypes",
    "ScalingConfig",
];

fn check_properties(at: &Context<'_>, props: &Value, known: &[&str]) -> Result<(), TemplateError> {
    for key in props.as_mapping().into_iter().flat_map(Mapping::keys) {
        let key = key.as_str().unwrap_or_default();
        if !known.contains(&key) {
            return Err(TemplateError::UnsupportedProperty {
                resource: at.resource.to_owned(),
                property: format!("{}.{key}", at.property),
            });
        }
    }
    Ok(())
}

impl FunctionResource {
    fn check_http_api_event(at: &Context<'_>, props: &Value) -> Result<(), TemplateError> {
        check_properties(at, props, HTTP_API_EVENT_PROPERTIES)?;
        match props.get("PayloadFormatVersion") {
            None => Ok(()),
            Some(v) if at.child("PayloadFormatVersion").string(v)? == "2.0" => Ok(()),
            Some(_) => Err(at
                .child("PayloadFormatVersion")
                .invalid("must be 2.0: the handlers read payload format 2.0 requests")),
        }
    }

    pub(crate) fn from_resource(
        resource: &Resource,
        globals: &Mapping,
    ) -> Result<Self, TemplateError> {
        let id = resource.logical_id.as_str();
        let binary = resource
            .metadata
            .get("BuildProperties")
            .and_then(|b| b.get("Binary"))
            .and_then(Value::as_str)
            .ok_or_else(|| TemplateError::MissingProperty {
                resource: id.to_owned(),
                property: "Metadata.BuildProperties.Binary".to_owned(),
            })?
            .to_owned();
        let mut environment = BTreeMap::new();
        literal_vars(
            globals.get("Function").and_then(|f| f.get("Environment")),
            &mut environment,
        );
        literal_vars(resource.properties.get("Environment"), &mut environment);
        let mut events = Vec::new();
        for (name, event) in resource
            .properties
            .get("Events")
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap_or_default();
            let at = Context::new(id, &format!("Events.{name}"));
            events.push(Self::event(&at, event)?);
        }
        Ok(Self {
            logical_id: id.to_owned(),
            binary,
            events,
            environment,
        })
    }

    fn event(at: &Context<'_>, event: &Value) -> Result<FunctionEvent, TemplateError> {
        let kind = event
            .get("Type")
            .and_then(Value::as_str)
            .ok_or_else(|| at.child("Type").invalid("is required"))?;
        let props = event
            .get("Properties")
            .cloned()
            .unwrap_or(Value::Mapping(Mapping::new()));
        let props_at = at.child("Properties");
        let reference = |key: &str| -> Result<String, TemplateError> {
            let at = props_at.child(key);
            let value = props.get(key).ok_or_else(|| at.invalid("is required"))?;
            ResourceRef::from_yaml(value, &at)?
                .logical_id()
                .map(str::to_owned)
                .ok_or_else(|| at.invalid("must refer to a resource of this template"))
        };
        match kind {
            "SQS" => {
                check_properties(&props_at, &props, SQS_EVENT_PROPERTIES)?;
                let batch_size = match props.get("BatchSize") {
                    None => DEFAULT_SQS_BATCH,
                    Some(v) => v
                        .as_u64()
                        .filter(|n| (1..=10_000).contains(n))
                        .ok_or_else(|| props_at.child("BatchSize").invalid("must be 1 to 10000"))?,
                };
                let report = props
                    .get("FunctionResponseTypes")
                    .and_then(Value::as_sequence)
                    .is_some_and(|types| {
                        types
                            .iter()
                            .any(|t| t.as_str() == Some("ReportBatchItemFailures"))
                    });
                let max_concurrency = match props.get("ScalingConfig") {
                    None => None,
                    Some(scaling) => {
                        let at = props_at.child("ScalingConfig").child("MaximumConcurrency");
                        let max = scaling
                            .get("MaximumConcurrency")
                            .ok_or_else(|| at.invalid("is required in ScalingConfig"))?;
                        let max = max
                            .as_u64()
                            .filter(|n| (2..=1000).contains(n))
                            .ok_or_else(|| at.invalid("must be 2 to 1000"))?;
                        Some(u32::try_from(max).unwrap_or(1000))
                    }
                };
                Ok(FunctionEvent::Sqs {
                    queue: reference("Queue")?,
                    batch_size,
                    report_batch_item_failures: report,
                    max_concurrency,
                })
            }
            "HttpApi" => {
                Self::check_http_api_event(&props_at, &props)?;
                Ok(FunctionEvent::HttpApi {
                    method: props_at
                        .child("Method")
                        .string(props.get("Method").unwrap_or(&Value::String("ANY".into())))?,
                    path: props_at.child("Path").string(
                        props
                            .get("Path")
                            .ok_or_else(|| props_at.child("Path").invalid("is required"))?,
                    )?,
                })
            }
            "DynamoDB" => {
                // The stream is `!GetAtt Table.StreamArn`.
                Ok(FunctionEvent::DynamoDbStream {
                    table: reference("Stream")?,
                })
            }
            other => Err(TemplateError::UnsupportedProperty {
                resource: at.resource.to_owned(),
                property: format!("{}.Type: {other}", at.property),
            }),
        }
    }
}
