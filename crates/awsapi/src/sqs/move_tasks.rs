//! DLQ redrive as SQS offers it: `StartMessageMoveTask` moves a dead-letter
//! queue's messages back to the queues they came from (or to
//! `DestinationArn`), and `ListMessageMoveTasks` reports the task
//! (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html).
//! Locally the move is one transaction, not paced by
//! `MaxNumberOfMessagesPerSecond`; tasks are kept in memory until restart.

use super::{queue_arn, queue_of_arn, unsupported};
use crate::{Api, ApiError};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Task {
    #[serde(skip_serializing_if = "Option::is_none")]
    task_handle: Option<String>,
    status: &'static str,
    source_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    destination_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_number_of_messages_per_second: Option<i64>,
    approximate_number_of_messages_moved: i64,
    approximate_number_of_messages_to_move: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<String>,
    started_timestamp: i64,
}

/// Every task started since `saga run` started, newest last.
#[derive(Default, Clone)]
pub(crate) struct Tasks(Arc<Mutex<Vec<Task>>>);

impl Tasks {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Task>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn not_found(field: &str) -> ApiError {
    ApiError::sqs(
        StatusCode::BAD_REQUEST,
        "ResourceNotFoundException",
        "ResourceNotFoundException",
        format!("The resource that you specified for the {field} parameter doesn't exist."),
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StartInput {
    source_arn: String,
    destination_arn: Option<String>,
    max_number_of_messages_per_second: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StartOutput {
    task_handle: String,
}

pub(crate) fn start(api: &Api, input: StartInput) -> Result<StartOutput, ApiError> {
    let source = queue_of_arn(api, &input.source_arn).ok_or_else(|| not_found("SourceArn"))?;
    let queues = &api.emulator.queues;
    let is_dlq = queues.specs().iter().any(|s| {
        s.redrive
            .as_ref()
            .is_some_and(|r| r.dead_letter_queue == source)
    });
    if !is_dlq {
        return Err(unsupported(format!(
            "Source queue {source} must be configured as a Dead Letter Queue."
        )));
    }
    let destination = match &input.destination_arn {
        Some(arn) => Some(queue_of_arn(api, arn).ok_or_else(|| not_found("DestinationArn"))?),
        None => None,
    };
    super::in_range(
        "MaxNumberOfMessagesPerSecond",
        input.max_number_of_messages_per_second,
        1,
        500,
    )?;
    let handle = uuid::Uuid::new_v4().to_string();
    let to_move = queues.counts(&source).map_err(ApiError::store)?;
    {
        let mut tasks = api.sqs.tasks.lock();
        if tasks
            .iter()
            .any(|t| t.source_arn == input.source_arn && t.status == "RUNNING")
        {
            return Err(unsupported(format!(
                "There is already a task running for {source}. Only one active task is allowed for each source queue ARN at a given time."
            )));
        }
        tasks.push(Task {
            task_handle: Some(handle.clone()),
            status: "RUNNING",
            source_arn: queue_arn(&source),
            destination_arn: input.destination_arn.clone(),
            max_number_of_messages_per_second: input.max_number_of_messages_per_second,
            approximate_number_of_messages_moved: 0,
            approximate_number_of_messages_to_move: to_move.visible
                + to_move.in_flight
                + to_move.delayed,
            failure_reason: None,
            started_timestamp: chrono::Utc::now().timestamp_millis(),
        });
    }
    let queues = queues.clone();
    let tasks = api.sqs.tasks.clone();
    let task = handle.clone();
    tokio::spawn(async move {
        let outcome = queues
            .move_messages(&source, destination.as_deref(), usize::MAX >> 1)
            .await;
        let mut tasks = tasks.lock();
        if let Some(t) = tasks
            .iter_mut()
            .find(|t| t.task_handle.as_deref() == Some(&task))
        {
            match outcome {
                Ok(moved) => {
                    tracing::info!(queue = %source, moved, "DLQ redriven through the SQS API");
                    t.status = "COMPLETED";
                    t.approximate_number_of_messages_moved = moved as i64;
                }
                Err(e) => {
                    t.status = "FAILED";
                    t.failure_reason = Some(e.to_string());
                }
            }
            // SQS gives a task handle only while the task runs.
            t.task_handle = None;
        }
    });
    Ok(StartOutput {
        task_handle: handle,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListInput {
    source_arn: String,
    max_results: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListOutput {
    results: Vec<Task>,
}

pub(crate) fn list(api: &Api, input: ListInput) -> Result<ListOutput, ApiError> {
    let source = queue_of_arn(api, &input.source_arn).ok_or_else(|| not_found("SourceArn"))?;
    let max = super::in_range("MaxResults", input.max_results, 1, 10)?.unwrap_or(1);
    let results = api
        .sqs
        .tasks
        .lock()
        .iter()
        .rev()
        .filter(|t| t.source_arn == queue_arn(&source))
        .take(max as usize)
        .cloned()
        .collect();
    Ok(ListOutput { results })
}
