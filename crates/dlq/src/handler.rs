use crate::domain::{InvalidQueueName, check_queue_name};
use crate::{DeadLetter, DlqStore, RedriveReport};
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use chrono::{DateTime, Utc};
use platform::{EventPublisher, PublishError, StoreError, metrics};
use thiserror::Error;

/// Records every message of a DLQ batch. A message whose record cannot be
/// written is reported as failed and stays on its DLQ.
pub async fn record_batch<S: DlqStore>(
    store: &S,
    batch: SqsEvent,
    now: DateTime<Utc>,
) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in &batch.records {
        let letter = DeadLetter::from_message(message, now);
        match store.record(&letter).await {
            Ok(()) => {
                metrics::count(metrics::DEAD_LETTERS, 1.0);
                tracing::warn!(
                    queue = %letter.queue,
                    message_id = %letter.message_id,
                    attempts = letter.attempts,
                    error = letter.error.as_deref().unwrap_or("unknown"),
                    "dead letter recorded"
                );
            }
            Err(error) => {
                tracing::error!(message_id = %letter.message_id, %error, "could not record dead letter; it stays on its queue");
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = letter.message_id;
                response.batch_item_failures.push(failure);
            }
        }
    }
    response
}

#[derive(Debug, Error)]
pub enum RedriveError {
    /// The request names a queue SQS could not have (retrying cannot help).
    #[error(transparent)]
    InvalidQueue(#[from] InvalidQueueName),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Publish(#[from] PublishError),
}

/// Puts pending dead letters (of one queue, or all) back on the bus, one at
/// a time, marking each as redriven only after the bus accepted it.
pub async fn redrive<S: DlqStore, P: EventPublisher>(
    store: &S,
    publisher: &P,
    queue: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RedriveReport, RedriveError> {
    if let Some(queue) = queue {
        check_queue_name(queue)?;
    }
    let mut report = RedriveReport::default();
    for letter in store.pending(queue).await? {
        match letter.to_event() {
            Ok(event) => {
                publisher.publish(std::slice::from_ref(&event)).await?;
                store
                    .mark_redriven(&letter.queue, &letter.message_id, now)
                    .await?;
                tracing::info!(queue = %letter.queue, message_id = %letter.message_id, event_id = %event.event_id, "redriven");
                report.redriven.push(letter.message_id);
            }
            Err(reason) => report.skipped.push((letter.message_id, reason)),
        }
    }
    Ok(report)
}
