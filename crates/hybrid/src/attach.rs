//! The template's bus, archive, rules and queues where they already exist,
//! found instead of created: `saga run --no-functions` makes them from the
//! same template and serves them through the EventBridge and SQS APIs
//! (which refuse `CreateQueue` and `PutRule`: there the template is the
//! source of truth). Names follow the provisioner's rule, `<prefix><LogicalId>`
//! and the bus `<prefix><EventBusName>`; with an empty prefix that is how
//! `saga run` names them.
//!
//! Found with `DescribeEventBus`, `GetQueueUrl` then `GetQueueAttributes`
//! (the queue's ARN), `DescribeArchive`, and for each rule delivering to
//! queues `DescribeRule` and `ListTargetsByRule`, whose targets must be the
//! queues found: a rule that delivers elsewhere would leave the pollers
//! waiting on a queue nothing reaches. Rules delivering to something else
//! (the data lake's Firehose stream) are left out, as the provisioner leaves
//! them out. What is not there is an error naming it.

use crate::names::StackNames;
use crate::resolved::{Resolved, text, unresolved_target};
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::QueueAttributeName;
use std::error::Error as StdError;
use thiserror::Error;
use wiring::template::{Template, TemplateError, resolve};

/// The error codes of a resource that does not exist: EventBridge's
/// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DescribeRule.html#API_DescribeRule_Errors)
/// and SQS's, in the JSON protocol and in the query protocol's code
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html#API_GetQueueUrl_Errors).
const NOT_FOUND: [&str; 3] = [
    "ResourceNotFoundException",
    "QueueDoesNotExist",
    "AWS.SimpleQueueService.NonExistentQueue",
];

#[derive(Debug, Error)]
pub enum AttachError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The endpoint answered that the resource does not exist: not worth
    /// retrying, the endpoint serves another template (or none).
    #[error(
        "the endpoint has no {resource_type} {logical_id} (looked up as {name}): {reason}; is it `saga run --no-functions` of this template?"
    )]
    Missing {
        resource_type: &'static str,
        logical_id: String,
        name: String,
        reason: String,
    },
    #[error(
        "rule {rule} does not deliver to {queue} ({arn}) as the template says; its targets are {targets:?}"
    )]
    Target {
        rule: String,
        queue: String,
        arn: String,
        targets: Vec<String>,
    },
    /// The call failed for another reason (the endpoint is down, a
    /// timeout): a retry may help.
    #[error("looking up {resource_type} {logical_id} (as {name}): {reason}")]
    Call {
        resource_type: &'static str,
        logical_id: String,
        name: String,
        reason: String,
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
}

impl AttachError {
    /// Whether asking again may succeed (the endpoint was not reachable,
    /// or failed); a missing resource stays missing.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Call { .. })
    }
}

/// What a lookup is about, for its error.
struct Lookup<'a> {
    resource_type: &'static str,
    logical_id: &'a str,
    name: &'a str,
}

impl Lookup<'_> {
    fn fail<E, R>(&self, error: SdkError<E, R>) -> AttachError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let not_found = error
            .as_service_error()
            .and_then(ProvideErrorMetadata::code)
            .is_some_and(|code| NOT_FOUND.contains(&code));
        let reason = DisplayErrorContext(&error).to_string();
        if not_found {
            AttachError::Missing {
                resource_type: self.resource_type,
                logical_id: self.logical_id.to_owned(),
                name: self.name.to_owned(),
                reason,
            }
        } else {
            AttachError::Call {
                resource_type: self.resource_type,
                logical_id: self.logical_id.to_owned(),
                name: self.name.to_owned(),
                reason,
                source: Box::new(error),
            }
        }
    }

    /// An answer without the field the lookup needs.
    fn incomplete(&self, field: &str) -> AttachError {
        AttachError::Call {
            resource_type: self.resource_type,
            logical_id: self.logical_id.to_owned(),
            name: self.name.to_owned(),
            reason: format!("the answer has no {field}"),
            source: format!("no {field}").into(),
        }
    }
}

/// Finds the bus, queues, archive and queue-delivering rules of `template`
/// at the EventBridge and SQS endpoint of `config`, named with `prefix`;
/// their physical names in the `describe-stack-resources` shape. Creates
/// nothing.
pub async fn attach(
    config: &aws_config::SdkConfig,
    template: &Template,
    prefix: &str,
) -> Result<StackNames, AttachError> {
    let events = aws_sdk_eventbridge::Client::new(config);
    let sqs = aws_sdk_sqs::Client::new(config);
    let region = config
        .region()
        .map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
    let mut found = Resolved::new(template, prefix, &region);
    for bus in template.resources_of_type("AWS::Events::EventBus") {
        let id = bus.logical_id.as_str();
        let name_value = bus.properties.get("Name").cloned().unwrap_or_default();
        let name = text(&resolve(&name_value, &found, (id, "Name"))?).unwrap_or_else(|| id.into());
        let lookup = Lookup {
            resource_type: "AWS::Events::EventBus",
            logical_id: id,
            name: &name,
        };
        let out = events
            .describe_event_bus()
            .name(&name)
            .send()
            .await
            .map_err(|e| lookup.fail(e))?;
        let arn = out.arn.ok_or_else(|| lookup.incomplete("Arn"))?;
        found.record_bus(id, &name, arn);
    }
    for queue in template.resources_of_type("AWS::SQS::Queue") {
        let id = queue.logical_id.as_str();
        let name = format!("{prefix}{id}");
        let lookup = Lookup {
            resource_type: "AWS::SQS::Queue",
            logical_id: id,
            name: &name,
        };
        let url = sqs
            .get_queue_url()
            .queue_name(&name)
            .send()
            .await
            .map_err(|e| lookup.fail(e))?
            .queue_url
            .ok_or_else(|| lookup.incomplete("QueueUrl"))?;
        let arn = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| lookup.fail(e))?
            .attributes
            .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
            .ok_or_else(|| lookup.incomplete("QueueArn attribute"))?;
        found.record_queue(id, &url, &name, arn);
    }
    for archive in template.resources_of_type("AWS::Events::Archive") {
        let id = archive.logical_id.as_str();
        let name_value = archive
            .properties
            .get("ArchiveName")
            .cloned()
            .unwrap_or_default();
        let name =
            text(&resolve(&name_value, &found, (id, "ArchiveName"))?).unwrap_or_else(|| id.into());
        let lookup = Lookup {
            resource_type: "AWS::Events::Archive",
            logical_id: id,
            name: &name,
        };
        events
            .describe_archive()
            .archive_name(&name)
            .send()
            .await
            .map_err(|e| lookup.fail(e))?;
        found.record(id, &name, None, lookup.resource_type);
    }
    for rule in template.resources_of_type("AWS::Events::Rule") {
        let id = rule.logical_id.as_str();
        if let Some(target) = unresolved_target(&found, &rule.properties) {
            tracing::debug!(rule = id, target = %target, "rule not looked up: it delivers to no queue");
            continue;
        }
        let name = format!("{prefix}{id}");
        let props = resolve(&rule.properties.clone().into(), &found, (id, "Properties"))?;
        let bus = text(&props["EventBusName"]).unwrap_or_else(|| "default".into());
        let lookup = Lookup {
            resource_type: "AWS::Events::Rule",
            logical_id: id,
            name: &name,
        };
        events
            .describe_rule()
            .name(&name)
            .event_bus_name(&bus)
            .send()
            .await
            .map_err(|e| lookup.fail(e))?;
        let targets: Vec<String> = events
            .list_targets_by_rule()
            .rule(&name)
            .event_bus_name(&bus)
            .send()
            .await
            .map_err(|e| lookup.fail(e))?
            .targets
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.arn)
            .collect();
        for wanted in props["Targets"].as_array().into_iter().flatten() {
            let arn = text(&wanted["Arn"]).unwrap_or_default();
            if !targets.contains(&arn) {
                return Err(AttachError::Target {
                    rule: name,
                    queue: text(&wanted["Id"]).unwrap_or_default(),
                    arn,
                    targets,
                });
            }
        }
        found.record(id, &name, None, lookup.resource_type);
    }
    Ok(found.names)
}

#[cfg(test)]
#[path = "attach_tests.rs"]
mod tests;
