//! `AWS::SQS::Queue` resources.

use serde_yaml_ng::Value;
use std::time::Duration;

use super::error::TemplateError;
use super::intrinsic::ResourceRef;
use super::resource::Resource;
use super::value::Context;

pub(crate) const RESOURCE_TYPE: &str = "AWS::SQS::Queue";

/// SQS's default visibility timeout
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html).
const DEFAULT_VISIBILITY_SECS: u64 = 30;

/// Properties that change nothing in a single-process run (encryption,
/// retention beyond the run, tags, polling, delivery delay of zero): read
/// and accepted. Anything not listed here or handled below is refused.
const NO_LOCAL_EFFECT: &[&str] = &[
    "QueueName",
    "MessageRetentionPeriod",
    "SqsManagedSseEnabled",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "Tags",
    "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds",
];

#[derive(Debug, Clone, PartialEq)]
pub struct QueueResource {
    pub logical_id: String,
    pub visibility_timeout: Duration,
    /// `(dead-letter queue logical id, maxReceiveCount)`.
    pub redrive: Option<(String, u32)>,
}

fn integer(at: &Context<'_>, value: &Value) -> Result<u64, TemplateError> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| at.invalid("must be a non-negative integer")),
        Value::String(s) => s
            .parse()
            .map_err(|_| at.invalid("must be a non-negative integer")),
        _ => Err(at.invalid("must be a non-negative integer")),
    }
}

impl QueueResource {
    pub(crate) fn from_resource(resource: &Resource) -> Result<Self, TemplateError> {
        let id = resource.logical_id.as_str();
        let mut queue = Self {
            logical_id: id.to_owned(),
            visibility_timeout: Duration::from_secs(DEFAULT_VISIBILITY_SECS),
            redrive: None,
        };
        for (key, value) in &resource.properties {
            let key = key.as_str().unwrap_or_default();
            let at = Context::new(id, key);
            match key {
                "VisibilityTimeout" => {
                    queue.visibility_timeout = Duration::from_secs(integer(&at, value)?)
                }
                "DelaySeconds" if integer(&at, value)? == 0 => {}
                "RedrivePolicy" => queue.redrive = Some(redrive(&at, value)?),
                k if NO_LOCAL_EFFECT.contains(&k) => {}
                _ => {
                    return Err(TemplateError::UnsupportedProperty {
                        resource: id.to_owned(),
                        property: key.to_owned(),
                    });
                }
            }
        }
        Ok(queue)
    }
}

fn redrive(at: &Context<'_>, value: &Value) -> Result<(String, u32), TemplateError> {
    let target = value
        .get("deadLetterTargetArn")
        .ok_or_else(|| at.child("deadLetterTargetArn").invalid("is required"))?;
    let target_at = at.child("deadLetterTargetArn");
    let dlq = ResourceRef::from_yaml(target, &target_at)?
        .logical_id()
        .map(str::to_owned)
        .ok_or_else(|| {
            target_at.invalid("must refer to a queue of this template (!GetAtt Queue.Arn)")
        })?;
    let count_at = at.child("maxReceiveCount");
    let count = integer(
        &count_at,
        value
            .get("maxReceiveCount")
            .ok_or_else(|| count_at.invalid("is required"))?,
    )?;
    let count = u32::try_from(count)
        .ok()
        .filter(|c| (1..=1000).contains(c))
        .ok_or_else(|| count_at.invalid("must be 1 to 1000"))?;
    Ok((dlq, count))
}
