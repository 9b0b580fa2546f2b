//! `AWS::Events::Rule` resources.

use serde_yaml_ng::{Mapping, Value};

use super::error::TemplateError;
use super::intrinsic::ResourceRef;
use super::resource::Resource;
use super::value::Context;

pub(crate) const RESOURCE_TYPE: &str = "AWS::Events::Rule";

/// Whether the rule routes events (`State`, ENABLED when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleState {
    Enabled,
    Disabled,
    EnabledWithAllCloudTrailManagementEvents,
}

/// How a target's input is shaped before delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetInput {
    /// The whole event (no input property).
    Event,
    /// `Input`: constant JSON text.
    Constant(String),
    /// `InputPath`: a JSONPath into the event.
    Path(String),
    /// `InputTransformer`.
    Transformer {
        paths: Vec<(String, String)>,
        template: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub maximum_retry_attempts: Option<u64>,
    pub maximum_event_age_seconds: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleTarget {
    pub id: String,
    pub arn: ResourceRef,
    pub input: TargetInput,
    pub retry_policy: Option<RetryPolicy>,
    pub dead_letter_arn: Option<ResourceRef>,
    pub role_arn: Option<ResourceRef>,
    pub message_group_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRule {
    pub logical_id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `EventBusName`; `None` means the default bus.
    pub event_bus: Option<ResourceRef>,
    /// `EventPattern`, whether written as YAML or as a JSON string.
    pub event_pattern: Option<serde_json::Value>,
    pub schedule_expression: Option<String>,
    pub state: RuleState,
    pub targets: Vec<RuleTarget>,
}

impl EventRule {
    pub(crate) fn from_resource(resource: &Resource) -> Result<Self, TemplateError> {
        let id = resource.logical_id.as_str();
        let mut rule = EventRule {
            logical_id: id.to_owned(),
            name: None,
            description: None,
            event_bus: None,
            event_pattern: None,
            schedule_expression: None,
            state: RuleState::Enabled,
            targets: Vec::new(),
        };
        for (key, value) in &resource.properties {
            let key = key.as_str().unwrap_or_default();
            let at = Context::new(id, key);
            match key {
                "Name" => rule.name = Some(at.string(value)?),
                "Description" => rule.description = Some(at.string(value)?),
                "EventBusName" => rule.event_bus = Some(ResourceRef::from_yaml(value, &at)?),
                "EventPattern" => rule.event_pattern = Some(event_pattern(value, &at)?),
                "ScheduleExpression" => rule.schedule_expression = Some(at.string(value)?),
                "State" => rule.state = state(value, &at)?,
                "RoleArn" => {}
                "Targets" => rule.targets = targets(value, &at)?,
                other => {
                    return Err(TemplateError::UnsupportedProperty {
                        resource: id.to_owned(),
                        property: other.to_owned(),
                    });
                }
            }
        }
        if rule.event_pattern.is_none() && rule.schedule_expression.is_none() {
            return Err(TemplateError::MissingProperty {
                resource: id.to_owned(),
                property: "EventPattern".to_owned(),
            });
        }
        Ok(rule)
    }
}

/// CloudFormation accepts the pattern as a mapping or as JSON text; the text
/// form is how templates express `null`, which YAML-to-JSON conversion drops.
fn event_pattern(value: &Value, at: &Context<'_>) -> Result<serde_json::Value, TemplateError> {
    match value {
        Value::String(text) => {
            serde_json::from_str(text).map_err(|e| at.invalid(&format!("is not valid JSON: {e}")))
        }
        Value::Mapping(_) => at.json(value),
        Value::Tagged(tagged) => Err(at.unsupported(&tagged.tag.to_string())),
        _ => Err(at.invalid("must be a mapping or a JSON string")),
    }
}

fn state(value: &Value, at: &Context<'_>) -> Result<RuleState, TemplateError> {
    match at.string(value)?.as_str() {
        "ENABLED" => Ok(RuleState::Enabled),
        "DISABLED" => Ok(RuleState::Disabled),
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" => {
            Ok(RuleState::EnabledWithAllCloudTrailManagementEvents)
        }
        _ => Err(at
            .invalid("must be ENABLED, DISABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")),
    }
}

fn targets(value: &Value, at: &Context<'_>) -> Result<Vec<RuleTarget>, TemplateError> {
    let Value::Sequence(items) = value else {
        return Err(at.invalid("must be a list"));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = at.child(&i.to_string());
            match item {
                Value::Mapping(map) => target(map, &at),
                _ => Err(at.invalid("must be a mapping")),
            }
        })
        .collect()
}

fn target(map: &Mapping, at: &Context<'_>) -> Result<RuleTarget, TemplateError> {
    let mut id = None;
    let mut arn = None;
    let mut target = RuleTarget {
        id: String::new(),
        arn: ResourceRef::Literal(String::new()),
        input: TargetInput::Event,
        retry_policy: None,
        dead_letter_arn: None,
        role_arn: None,
        message_group_id: None,
    };
    let mut inputs = 0;
    for (key, value) in map {
        let key = key.as_str().unwrap_or_default();
        let at = at.child(key);
        match key {
            "Id" => id = Some(at.string(value)?),
            "Arn" => arn = Some(ResourceRef::from_yaml(value, &at)?),
            "Input" => {
                inputs += 1;
                target.input = TargetInput::Constant(at.string(value)?);
            }
            "InputPath" => {
                inputs += 1;
                target.input = TargetInput::Path(at.string(value)?);
            }
            "InputTransformer" => {
                inputs += 1;
                target.input = transformer(value, &at)?;
            }
            "RetryPolicy" => target.retry_policy = Some(retry_policy(value, &at)?),
            "DeadLetterConfig" => {
                let arn = value.get("Arn").ok_or_else(|| at.invalid("needs an Arn"))?;
                target.dead_letter_arn = Some(ResourceRef::from_yaml(arn, &at.child("Arn"))?);
            }
            "RoleArn" => target.role_arn = Some(ResourceRef::from_yaml(value, &at)?),
            "SqsParameters" => {
                let group = value
                    .get("MessageGroupId")
                    .ok_or_else(|| at.invalid("needs a MessageGroupId"))?;
                target.message_group_id = Some(at.child("MessageGroupId").string(group)?);
            }
            _ => {
                return Err(TemplateError::UnsupportedProperty {
                    resource: at.resource.to_owned(),
                    property: at.property.clone(),
                });
            }
        }
    }
    if inputs > 1 {
        return Err(at.invalid("may set only one of Input, InputPath and InputTransformer"));
    }
    let missing = |property: &str| TemplateError::MissingProperty {
        resource: at.resource.to_owned(),
        property: format!("{}.{property}", at.property),
    };
    target.id = id.ok_or_else(|| missing("Id"))?;
    target.arn = arn.ok_or_else(|| missing("Arn"))?;
    Ok(target)
}

fn transformer(value: &Value, at: &Context<'_>) -> Result<TargetInput, TemplateError> {
    let template_at = at.child("InputTemplate");
    let template = value
        .get("InputTemplate")
        .ok_or_else(|| template_at.invalid("is missing"))?;
    let template = template_at.string(template)?;
    let mut paths = Vec::new();
    if let Some(map) = value.get("InputPathsMap") {
        let map_at = at.child("InputPathsMap");
        let Value::Mapping(map) = map else {
            return Err(map_at.invalid("must be a mapping"));
        };
        for (name, path) in map {
            let name = map_at.string(name)?;
            let path = map_at.child(&name).string(path)?;
            paths.push((name, path));
        }
    }
    Ok(TargetInput::Transformer { paths, template })
}

fn retry_policy(value: &Value, at: &Context<'_>) -> Result<RetryPolicy, TemplateError> {
    let number = |key: &str| -> Result<Option<u64>, TemplateError> {
        match value.get(key) {
            None => Ok(None),
            Some(n) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| at.child(key).invalid("must be a whole number")),
        }
    };
    Ok(RetryPolicy {
        maximum_retry_attempts: number("MaximumRetryAttempts")?,
        maximum_event_age_seconds: number("MaximumEventAgeInSeconds")?,
    })
}
