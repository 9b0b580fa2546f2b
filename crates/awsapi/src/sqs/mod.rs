//! The SQS API in its JSON protocol (AWS JSON 1.0, `X-Amz-Target:
//! AmazonSQS.<Operation>`, which current SDKs and the AWS CLI use) over the
//! template's queues and DLQs
//! (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html).
//!
//! Queue URLs are `http://<the endpoint's host>/000000000000/<QueueName>`,
//! a queue's name being its logical id in the template; any URL whose last
//! segment names a queue is accepted, as the endpoint's host may differ.

mod attributes;
mod messages;
mod move_tasks;

use crate::{Api, ApiError, input, output};
use axum::http::StatusCode;
use emulator::{ACCOUNT, REGION};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// What the SQS API keeps in memory until restart.
#[derive(Default)]
pub(crate) struct SqsState {
    /// When each queue was last purged: SQS allows one purge a minute.
    purged: Mutex<HashMap<String, Instant>>,
    pub tasks: move_tasks::Tasks,
}

pub(crate) async fn dispatch(
    api: &Api,
    host: &str,
    operation: &str,
    body: &[u8],
) -> Result<String, ApiError> {
    match operation {
        "ListQueues" => output(&list_queues(api, host, input(body)?)?),
        "GetQueueUrl" => output(&get_queue_url(api, host, input(body)?)?),
        "GetQueueAttributes" => output(&attributes::get_queue_attributes(api, input(body)?)?),
        "SendMessage" => output(&messages::send_message(api, input(body)?).await?),
        "SendMessageBatch" => output(&messages::send_message_batch(api, input(body)?).await?),
        "ReceiveMessage" => output(&messages::receive_message(api, input(body)?).await?),
        "DeleteMessage" => output(&messages::delete_message(api, input(body)?).await?),
        "DeleteMessageBatch" => output(&messages::delete_message_batch(api, input(body)?).await?),
        "ChangeMessageVisibility" => {
            output(&messages::change_message_visibility(api, input(body)?).await?)
        }
        "PurgeQueue" => output(&purge_queue(api, input(body)?).await?),
        "StartMessageMoveTask" => output(&move_tasks::start(api, input(body)?)?),
        "ListMessageMoveTasks" => output(&move_tasks::list(api, input(body)?)?),
        "CreateQueue" | "DeleteQueue" | "SetQueueAttributes" | "TagQueue" | "UntagQueue"
        | "AddPermission" | "RemovePermission" => Err(unsupported(format!(
            "{operation} is not served by the local runtime: queues and their attributes come from the SAM template (infra/template.yaml); change the template and restart `saga run`"
        ))),
        _ => Err(ApiError::unknown_operation(format!(
            "AmazonSQS.{operation} is not an operation the local SQS API serves"
        ))),
    }
}

pub(crate) fn queue_url(host: &str, queue: &str) -> String {
    format!("http://{host}/{ACCOUNT}/{queue}")
}

pub(crate) fn queue_arn(queue: &str) -> String {
    format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}")
}

pub(crate) fn does_not_exist() -> ApiError {
    ApiError::sqs(
        StatusCode::BAD_REQUEST,
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
    )
}

pub(crate) fn invalid_parameter(message: impl Into<String>) -> ApiError {
    ApiError::sqs(
        StatusCode::BAD_REQUEST,
        "InvalidParameterValue",
        "InvalidParameterValue",
        message,
    )
}

pub(crate) fn unsupported(message: impl Into<String>) -> ApiError {
    ApiError::sqs(
        StatusCode::BAD_REQUEST,
        "UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation",
        message,
    )
}

/// The queue a `QueueUrl` names (its last path segment).
pub(crate) fn queue_of(api: &Api, url: &str) -> Result<String, ApiError> {
    let name = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    api.emulator
        .queues
        .spec(name)
        .map(|s| s.name.clone())
        .ok_or_else(does_not_exist)
}

/// The queue an ARN names.
pub(crate) fn queue_of_arn(api: &Api, arn: &str) -> Option<String> {
    let name = arn.strip_prefix(&format!("arn:aws:sqs:{REGION}:{ACCOUNT}:"))?;
    api.emulator.queues.spec(name).map(|s| s.name.clone())
}

/// Checks an integer parameter's range, with SQS's message.
pub(crate) fn in_range(
    name: &str,
    value: Option<i64>,
    min: i64,
    max: i64,
) -> Result<Option<i64>, ApiError> {
    match value {
        Some(v) if v < min || v > max => Err(invalid_parameter(format!(
            "Value {v} for parameter {name} is invalid. Reason: Must be between {min} and {max}, if provided."
        ))),
        v => Ok(v),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListQueuesInput {
    queue_name_prefix: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListQueuesOutput {
    queue_urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

fn list_queues(
    api: &Api,
    host: &str,
    input: ListQueuesInput,
) -> Result<ListQueuesOutput, ApiError> {
    let max = in_range("MaxResults", input.max_results, 1, 1000)?;
    let urls: Vec<String> = api
        .emulator
        .queues
        .specs()
        .into_iter()
        .filter(|s| {
            input
                .queue_name_prefix
                .as_deref()
                .is_none_or(|p| s.name.starts_with(p))
        })
        .map(|s| queue_url(host, &s.name))
        .collect();
    // Without MaxResults, SQS lists up to 1,000 queues and no token.
    let (queue_urls, next_token) = match max {
        None => (urls.into_iter().take(1000).collect(), None),
        Some(max) => {
            let start = match input.next_token.as_deref() {
                Some(t) => t
                    .parse::<usize>()
                    .map_err(|_| invalid_parameter(format!("Invalid NextToken value {t}.")))?,
                None => 0,
            };
            let total = urls.len();
            let page: Vec<String> = urls.into_iter().skip(start).take(max as usize).collect();
            let next = (start + page.len() < total).then(|| (start + page.len()).to_string());
            (page, next)
        }
    };
    Ok(ListQueuesOutput {
        queue_urls,
        next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetQueueUrlInput {
    queue_name: String,
    #[serde(rename = "QueueOwnerAWSAccountId")]
    queue_owner_account_id: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetQueueUrlOutput {
    queue_url: String,
}

fn get_queue_url(
    api: &Api,
    host: &str,
    input: GetQueueUrlInput,
) -> Result<GetQueueUrlOutput, ApiError> {
    if input
        .queue_owner_account_id
        .as_deref()
        .is_some_and(|a| a != ACCOUNT)
    {
        return Err(does_not_exist());
    }
    let spec = api
        .emulator
        .queues
        .spec(&input.queue_name)
        .ok_or_else(does_not_exist)?;
    Ok(GetQueueUrlOutput {
        queue_url: queue_url(host, &spec.name),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PurgeQueueInput {
    queue_url: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Empty {}

async fn purge_queue(api: &Api, input: PurgeQueueInput) -> Result<Empty, ApiError> {
    let queue = queue_of(api, &input.queue_url)?;
    {
        let mut purged = api.sqs.purged.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(at) = purged.get(&queue)
            && at.elapsed().as_secs() < 60
        {
            return Err(ApiError::sqs(
                StatusCode::FORBIDDEN,
                "PurgeQueueInProgress",
                "AWS.SimpleQueueService.PurgeQueueInProgress",
                format!("Only one PurgeQueue operation on {queue} is allowed every 60 seconds."),
            ));
        }
        purged.insert(queue.clone(), Instant::now());
    }
    let n = api
        .emulator
        .queues
        .purge(&queue)
        .await
        .map_err(ApiError::store)?;
    tracing::warn!(queue, messages = n, "queue purged through the SQS API");
    Ok(Empty {})
}
