//! `GetQueueAttributes`: the counts, visibility timeout and redrive policy
//! the runtime has for a queue
//! (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html).

use super::{queue_arn, queue_of};
use crate::{Api, ApiError};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every attribute name the API reference lists. The ones the runtime
/// has no value for (encryption, policies, FIFO settings, retention) are
/// left out of the answer, as SQS leaves out attributes a queue does not
/// have; a name not in this list is an error.
const KNOWN: [&str; 22] = [
    "All",
    "Policy",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
    "ApproximateNumberOfMessagesDelayed",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "RedriveAllowPolicy",
    "SqsManagedSseEnabled",
];

/// The largest message SQS takes, in bytes: 1 MiB since January 2026
/// (https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb).
pub(crate) const MAX_MESSAGE_SIZE: usize = 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetQueueAttributesInput {
    queue_url: String,
    #[serde(default)]
    attribute_names: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetQueueAttributesOutput {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<&'static str, String>,
}

pub(crate) fn get_queue_attributes(
    api: &Api,
    input: GetQueueAttributesInput,
) -> Result<GetQueueAttributesOutput, ApiError> {
    let queue = queue_of(api, &input.queue_url)?;
    if let Some(unknown) = input
        .attribute_names
        .iter()
        .find(|n| !KNOWN.contains(&n.as_str()))
    {
        return Err(ApiError::sqs(
            StatusCode::BAD_REQUEST,
            "InvalidAttributeName",
            "InvalidAttributeName",
            format!("Unknown Attribute {unknown}."),
        ));
    }
    let wanted = |name: &str| {
        input
            .attribute_names
            .iter()
            .any(|n| n == "All" || n == name)
    };
    let queues = &api.emulator.queues;
    let spec = queues.spec(&queue).ok_or_else(super::does_not_exist)?;
    let counts = queues.counts(&queue).map_err(ApiError::store)?;
    let mut values: Vec<(&'static str, String)> = vec![
        ("ApproximateNumberOfMessages", counts.visible.to_string()),
        (
            "ApproximateNumberOfMessagesNotVisible",
            counts.in_flight.to_string(),
        ),
        (
            "ApproximateNumberOfMessagesDelayed",
            counts.delayed.to_string(),
        ),
        (
            "VisibilityTimeout",
            spec.visibility_timeout.as_secs().to_string(),
        ),
        ("QueueArn", queue_arn(&queue)),
        ("MaximumMessageSize", MAX_MESSAGE_SIZE.to_string()),
        ("DelaySeconds", "0".into()),
        ("ReceiveMessageWaitTimeSeconds", "0".into()),
    ];
    if let Some(r) = &spec.redrive {
        values.push((
            "RedrivePolicy",
            serde_json::json!({
                "deadLetterTargetArn": queue_arn(&r.dead_letter_queue),
                "maxReceiveCount": r.max_receive_count,
            })
            .to_string(),
        ));
    }
    Ok(GetQueueAttributesOutput {
        attributes: values.into_iter().filter(|(k, _)| wanted(k)).collect(),
    })
}
