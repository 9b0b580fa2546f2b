//! From `infra/template.yaml` to what the embedded backend runs: the
//! emulator's [`Resources`] (the bus, its rules and targets, the queues and
//! their redrive policies, the archive) and the functions' [`Wiring`]
//! (crates/wiring). Anything the embedded backend would have to ignore to
//! run gets an error naming the resource and the property, so a local run
//! never silently differs from the template.

use ::wiring::Wiring;
use ::wiring::template::{
    ResourceRef, RuleState, RuleTarget, TargetInput, Template, TemplateError,
};
use emulator::{ArchiveSpec, InputSpec, QueueSpec, Redrive, Resources, RuleSpec, TargetSpec};
use serde_yaml_ng::Value;
use std::collections::BTreeSet;

/// The whole saga of a template, as the embedded backend runs it.
#[derive(Debug, Clone)]
pub struct Saga {
    pub resources: Resources,
    pub wiring: Wiring,
}

/// Resource types that take no part in local delivery: permissions, logs,
/// alarms, and tables (each service keeps its table in the SQLite database).
const NO_LOCAL_EFFECT: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::Logs::LogGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::SQS::QueuePolicy",
    "AWS::Events::EventBusPolicy",
    "AWS::Lambda::Permission",
    "AWS::DynamoDB::Table",
    // The data lake, its catalogue and queries, and the schema registry:
    // locally the reports read the bus archive and the recorded dead
    // letters in SQLite (crates/reports), and the schemas are the files
    // in events-schema/. A rule delivering to the lake's Firehose stream
    // is checked by `lake_target`, never dropped silently.
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::KinesisFirehose::DeliveryStream",
    "AWS::Pipes::Pipe",
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Athena::WorkGroup",
    "AWS::Athena::NamedQuery",
    "AWS::EventSchemas::Registry",
    "AWS::EventSchemas::Schema",
];

/// Whether a rule target is one of this template's Firehose streams.
/// Locally the bus archive plays the data lake (it keeps every event put
/// on the bus), so such a target needs the archive and has nothing else
/// to deliver.
fn lake_target(
    template: &Template,
    rule: &str,
    target: &RuleTarget,
    archived: bool,
) -> Result<bool, TemplateError> {
    let Some(stream) = target.arn.logical_id().and_then(|id| {
        template
            .resources_of_type("AWS::KinesisFirehose::DeliveryStream")
            .find(|r| r.logical_id == id)
    }) else {
        return Ok(false);
    };
    if !archived {
        return Err(invalid(
            rule,
            &format!("Targets.{}.Arn", target.id),
            format!(
                "delivers to Firehose stream {}, which the local runtime emulates with the bus archive, and the template has no AWS::Events::Archive",
                stream.logical_id
            ),
        ));
    }
    Ok(true)
}

fn invalid(resource: &str, property: &str, reason: impl Into<String>) -> TemplateError {
    TemplateError::InvalidProperty {
        resource: resource.to_owned(),
        property: property.to_owned(),
        reason: reason.into(),
    }
}

fn unsupported(resource: &str, property: &str) -> TemplateError {
    TemplateError::UnsupportedProperty {
        resource: resource.to_owned(),
        property: property.to_owned(),
    }
}

pub fn load(template: &Template) -> Result<Saga, TemplateError> {
    let handled: BTreeSet<&str> = [
        "AWS::Events::EventBus",
        "AWS::Events::Rule",
        "AWS::Events::Archive",
        "AWS::SQS::Queue",
        "AWS::Serverless::Function",
        "AWS::Serverless::HttpApi",
    ]
    .into();
    for r in template.resources() {
        if !handled.contains(r.resource_type.as_str())
            && !NO_LOCAL_EFFECT.contains(&r.resource_type.as_str())
        {
            return Err(unsupported(
                &r.logical_id,
                &format!("Type: {}", r.resource_type),
            ));
        }
    }
    let (bus_id, bus_name) = bus(template)?;
    let queues: Vec<QueueSpec> = template
        .queues()?
        .into_iter()
        .map(|q| QueueSpec {
            name: q.logical_id,
            visibility_timeout: q.visibility_timeout,
            redrive: q
                .redrive
                .map(|(dead_letter_queue, max_receive_count)| Redrive {
                    dead_letter_queue,
                    max_receive_count,
                }),
        })
        .collect();
    let queue_ids: BTreeSet<&str> = queues.iter().map(|q| q.name.as_str()).collect();
    let archived = archive(template, &bus_id)?.is_some();
    let mut rules = Vec::new();
    for rule in template.event_rules()? {
        let id = rule.logical_id.as_str();
        if rule.event_bus.as_ref().and_then(ResourceRef::logical_id) != Some(bus_id.as_str()) {
            return Err(invalid(
                id,
                "EventBusName",
                format!("must be !Ref {bus_id}: the local runtime emulates that bus only"),
            ));
        }
        if rule.schedule_expression.is_some() {
            return Err(unsupported(id, "ScheduleExpression"));
        }
        let pattern_json = rule
            .event_pattern
            .as_ref()
            .ok_or_else(|| invalid(id, "EventPattern", "is required"))?;
        let pattern = pattern::Pattern::from_value(pattern_json)
            .map_err(|e| invalid(id, "EventPattern", e.to_string()))?;
        let mut targets = Vec::new();
        let mut lake_only = !rule.targets.is_empty();
        for t in &rule.targets {
            if lake_target(template, id, t, archived)? {
                continue;
            }
            lake_only = false;
            let queue = t
                .arn
                .logical_id()
                .filter(|q| queue_ids.contains(q))
                .ok_or_else(|| {
                    invalid(
                        id,
                        &format!("Targets.{}.Arn", t.id),
                        "must be !GetAtt <Queue>.Arn of an SQS queue of this template",
                    )
                })?;
            let input = match &t.input {
                TargetInput::Event => InputSpec::Event,
                TargetInput::Constant(text) => InputSpec::Constant(text.clone()),
                TargetInput::Path(path) => InputSpec::Path(path.clone()),
                TargetInput::Transformer { paths, template } => InputSpec::Transformer {
                    paths: paths.iter().cloned().collect(),
                    template: template.clone(),
                },
            };
            input
                .check()
                .map_err(|reason| invalid(id, &format!("Targets.{}", t.id), reason))?;
            targets.push(TargetSpec {
                id: t.id.clone(),
                queue: queue.to_owned(),
                input,
            });
        }
        if lake_only {
            tracing::debug!(
                rule = id,
                "delivers only to the data lake: served by the bus archive"
            );
            continue;
        }
        rules.push(RuleSpec {
            name: rule.logical_id.clone(),
            pattern,
            event_pattern: pattern_json.to_string(),
            enabled: !matches!(rule.state, RuleState::Disabled),
            targets,
        });
    }
    Ok(Saga {
        resources: Resources {
            bus_name,
            rules,
            queues,
            archive: archive(template, &bus_id)?,
        },
        wiring: ::wiring::load(template)?,
    })
}

/// The template's one custom bus: its logical id and name.
fn bus(template: &Template) -> Result<(String, String), TemplateError> {
    let buses: Vec<_> = template
        .resources_of_type("AWS::Events::EventBus")
        .collect();
    let [bus] = buses.as_slice() else {
        return Err(TemplateError::Yaml(format!(
            "the local runtime emulates exactly one AWS::Events::EventBus; the template has {}",
            buses.len()
        )));
    };
    let name = match bus.properties.get("Name") {
        Some(Value::String(name)) => name.clone(),
        Some(Value::Tagged(t)) if t.tag == "!Ref" => {
            let param = t.value.as_str().unwrap_or_default();
            template.parameter_default(param).ok_or_else(|| {
                invalid(
                    &bus.logical_id,
                    "Name",
                    format!("refers to parameter {param}, which has no Default"),
                )
            })?
        }
        _ => bus.logical_id.clone(),
    };
    Ok((bus.logical_id.clone(), name))
}

fn archive(template: &Template, bus_id: &str) -> Result<Option<ArchiveSpec>, TemplateError> {
    let mut found = None;
    for a in template.resources_of_type("AWS::Events::Archive") {
        if a.properties.contains_key("EventPattern") {
            return Err(unsupported(&a.logical_id, "EventPattern"));
        }
        let source = a.properties.get("SourceArn").and_then(|v| match v {
            Value::Tagged(t) => t
                .value
                .as_str()
                .map(|s| s.split('.').next().unwrap_or(s).to_owned()),
            _ => None,
        });
        if source.as_deref() != Some(bus_id) {
            return Err(invalid(
                &a.logical_id,
                "SourceArn",
                format!("must be !GetAtt {bus_id}.Arn"),
            ));
        }
        found = Some(ArchiveSpec {
            name: archive_name(template, a.properties.get("ArchiveName"))
                .unwrap_or_else(|| a.logical_id.clone()),
            retention_days: retention_days(&a.logical_id, a.properties.get("RetentionDays"))?,
        });
    }
    Ok(found)
}

/// `RetentionDays`, absent being 0 (indefinitely), as AWS reads it
/// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html).
fn retention_days(archive: &str, days: Option<&Value>) -> Result<u32, TemplateError> {
    let Some(days) = days else { return Ok(0) };
    days.as_u64()
        .or_else(|| days.as_str().and_then(|t| t.parse().ok()))
        .and_then(|d| u32::try_from(d).ok())
        .ok_or_else(|| {
            invalid(
                archive,
                "RetentionDays",
                "must be a whole number of days, 0 or more",
            )
        })
}

/// The archive's `ArchiveName` as deployed: text, or a `!Sub` of
/// parameters with defaults (`${EventBusName}-archive`); None otherwise,
/// and the logical id stands for it.
fn archive_name(template: &Template, name: Option<&Value>) -> Option<String> {
    match name? {
        Value::String(s) => Some(s.clone()),
        Value::Tagged(t) if t.tag.to_string().trim_start_matches('!') == "Sub" => {
            let mut text = t.value.as_str()?.to_owned();
            while let Some(start) = text.find("${") {
                let end = start + text[start..].find('}')?;
                let value = template.parameter_default(&text[start + 2..end])?;
                text.replace_range(start..=end, &value);
            }
            Some(text)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project_template() -> Template {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/template.yaml");
        Template::from_path(std::path::Path::new(path)).unwrap()
    }

    #[test]
    fn the_project_template_wires_every_consumer_rule_queue_and_route() {
        let Saga {
            resources: w,
            wiring: f,
        } = load(&project_template()).unwrap();
        assert_eq!(w.bus_name, "ordersaga");
        let archive = w.archive.as_ref().unwrap();
        assert_eq!(archive.name, "ordersaga-archive");
        assert_eq!(archive.retention_days, 90, "the template's RetentionDays");
        assert!(f.outbox_relay);
        let consumers: BTreeSet<_> = f.consumers.iter().map(|c| c.function.as_str()).collect();
        for f in [
            "OrdersConsumerFunction",
            "InventoryFunction",
            "PaymentFunction",
            "ShippingFunction",
            "DlqFunction",
        ] {
            assert!(consumers.contains(f), "{f} missing");
        }
        let inventory = w
            .queues
            .iter()
            .find(|q| q.name == "InventoryQueue")
            .unwrap();
        assert_eq!(
            inventory.redrive.as_ref().unwrap().dead_letter_queue,
            "InventoryDLQ"
        );
        assert!(
            f.routes
                .iter()
                .any(|r| r.method == "POST" && r.path == "/orders")
        );
        assert!(w.rules.iter().any(|r| r.name == "HighValueOrdersRule"));
    }

    #[test]
    fn an_unsupported_resource_type_is_named_in_the_error() {
        let text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n";
        let err = load(&Template::from_yaml(text).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Topic") && err.contains("AWS::SNS::Topic"),
            "{err}"
        );
    }

    const BUS: &str =
        "Resources:\n  Bus:\n    Type: AWS::Events::EventBus\n    Properties: {Name: b}\n";

    #[test]
    fn an_api_path_no_function_serves_is_refused_naming_it() {
        let text = format!(
            "{BUS}  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionBody:\n        openapi: 3.0.1\n        paths:\n          /refunds:\n            post: {{security: [{{AWS_IAM: []}}]}}\n"
        );
        let err = load(&Template::from_yaml(&text).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("resource Api") && err.contains("DefinitionBody.paths./refunds.post"),
            "{err}"
        );
    }

    #[test]
    fn an_http_api_event_property_the_runtime_cannot_honour_is_refused() {
        let text = format!(
            "{BUS}  Fn:\n    Type: AWS::Serverless::Function\n    Metadata: {{BuildProperties: {{Binary: orders-api}}}}\n    Properties:\n      Events:\n        Get:\n          Type: HttpApi\n          Properties: {{Path: /orders, Method: GET, Auth: {{Authorizer: AWS_IAM}}, CustomDomain: x}}\n"
        );
        let err = load(&Template::from_yaml(&text).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("resource Fn") && err.contains("Events.Get.Properties.CustomDomain"),
            "{err}"
        );
    }

    const LAKE: &str = "Resources:
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: b}}
  Stream: {Type: AWS::KinesisFirehose::DeliveryStream}
  ToLake:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: {source: [shop.orders]}
      Targets: [{Id: S, Arn: !GetAtt Stream.Arn, RoleArn: !GetAtt Role.Arn}]
";

    #[test]
    fn a_rule_into_the_lake_s_firehose_stream_is_served_by_the_archive() {
        let text = format!(
            "{LAKE}  Archive: {{Type: AWS::Events::Archive, Properties: {{SourceArn: !GetAtt Bus.Arn}}}}\n"
        );
        let w = load(&Template::from_yaml(&text).unwrap())
            .unwrap()
            .resources;
        assert!(w.archive.is_some());
        assert!(w.rules.is_empty(), "nothing to deliver locally");
    }

    #[test]
    fn an_archive_without_retention_days_keeps_events_indefinitely_and_a_bad_value_is_refused() {
        // Absent is 0, and 0 is "retained indefinitely":
        // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html
        let bus = "Resources:\n  Bus: {Type: AWS::Events::EventBus, Properties: {Name: b}}\n";
        let with = |props: &str| {
            format!(
                "{bus}  A: {{Type: AWS::Events::Archive, Properties: {{SourceArn: !GetAtt Bus.Arn{props}}}}}\n"
            )
        };
        let archive = |text: String| {
            load(&Template::from_yaml(&text).unwrap()).map(|s| s.resources.archive.unwrap())
        };
        let absent = archive(with("")).unwrap();
        assert_eq!((absent.retention_days, absent.retention()), (0, None));
        assert_eq!(
            archive(with(", RetentionDays: 0")).unwrap().retention(),
            None
        );
        assert_eq!(
            archive(with(", RetentionDays: 7")).unwrap().retention_days,
            7
        );
        let err = archive(with(", RetentionDays: -1"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("resource A") && err.contains("RetentionDays"),
            "{err}"
        );
    }

    #[test]
    fn a_rule_into_firehose_without_an_archive_is_refused_naming_rule_and_target() {
        let err = load(&Template::from_yaml(LAKE).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("resource ToLake")
                && err.contains("Targets.S.Arn")
                && err.contains("Stream"),
            "{err}"
        );
    }

    #[test]
    fn a_queue_property_the_runtime_cannot_honour_is_refused() {
        let text = "Resources:\n  Bus:\n    Type: AWS::Events::EventBus\n    Properties: {Name: b}\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      FifoQueue: true\n";
        let err = load(&Template::from_yaml(text).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("resource Q") && err.contains("FifoQueue"),
            "{err}"
        );
    }
}
