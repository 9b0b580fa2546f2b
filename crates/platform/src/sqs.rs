//! Turns an SQS batch of EventBridge events into handler calls, reporting
//! each failed message by id so the rest of the batch is not retried
//! (Lambda's `ReportBatchItemFailures`).

use crate::Retryable;
use crate::metrics;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use events::{BusEvent, Reading, Reads, SagaEvent};
use std::error::Error;
use std::future::Future;
use tracing::Instrument;

/// Runs `handle` on every message of the batch, in order, and returns the
/// ids of the messages that failed. A message that cannot be parsed, or is of
/// an unknown type, fails too: after `maxReceiveCount` receives SQS moves it
/// to the queue's DLQ, where it is recorded instead of being dropped; so
/// does an event of a major the consumer does not read (`reads`) unless a
/// copy of it in a major it reads reaches it too.
pub async fn process_batch<F, Fut, T, E>(
    reads: &Reads,
    batch: SqsEvent,
    handle: F,
) -> SqsBatchResponse
where
    F: Fn(SagaEvent) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Error + Retryable,
{
    let mut response = SqsBatchResponse::default();
    for failed in process_batch_detailed(reads, batch, handle).await {
        let mut f = BatchItemFailure::default();
        f.item_identifier = failed.message_id;
        response.batch_item_failures.push(f);
    }
    response
}

/// A message of a batch that failed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedMessage {
    pub message_id: String,
    pub error: String,
}

/// [`process_batch`] that also says why each message failed; the local
/// runtime keeps the error with the message, as the error attributes of a
/// dead letter.
pub async fn process_batch_detailed<F, Fut, T, E>(
    reads: &Reads,
    batch: SqsEvent,
    handle: F,
) -> Vec<FailedMessage>
where
    F: Fn(SagaEvent) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Error + Retryable,
{
    let mut failed = Vec::new();
    for message in batch.records {
        if let Err(error) = process_message(reads, &message, &handle).await {
            failed.push(FailedMessage {
                message_id: message.message_id.unwrap_or_default(),
                error,
            });
        }
    }
    failed
}

async fn process_message<F, Fut, T, E>(
    reads: &Reads,
    message: &SqsMessage,
    handle: &F,
) -> Result<(), String>
where
    F: Fn(SagaEvent) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Error + Retryable,
{
    let message_id = message.message_id.as_deref().unwrap_or_default();
    let body = message.body.as_deref().unwrap_or_default();
    let event = match BusEvent::from_json(body).and_then(BusEvent::into_saga) {
        Ok(event) => event,
        Err(error) => {
            let error = crate::error::chain(&error);
            tracing::error!(message_id, %error, "message is not a saga event; failing it so it reaches the DLQ");
            metrics::count(metrics::HANDLER_FAILURES, 1.0);
            return Err(error);
        }
    };
    match reads.reading(&event) {
        Ok(Reading::Handle) => {}
        Ok(Reading::Skip { read_as }) => {
            tracing::debug!(
                message_id,
                detail_type = event.detail_type(),
                version = event.metadata().version,
                read_as,
                "a copy of an event also published in a major this consumer reads; that copy is handled"
            );
            return Ok(());
        }
        Err(error) => {
            tracing::error!(message_id, %error, "a major this consumer does not read; failing it so it reaches the DLQ");
            metrics::count(metrics::HANDLER_FAILURES, 1.0);
            return Err(error.to_string());
        }
    }
    let span = event_span(&event);
    let result = handle(event).instrument(span.clone()).await;
    let _entered = span.enter();
    match result {
        Ok(_) => Ok(()),
        Err(error) => {
            // A failure a retry cannot mend (a bug, damaged data) still
            // fails the message, so it reaches the DLQ and is never lost;
            // the log says it is permanent, so it surfaces at once.
            let retryable = error.is_retryable();
            let error = crate::error::chain(&error);
            if retryable {
                tracing::error!(message_id, %error, retryable, "handler failed; the message will be retried");
            } else {
                tracing::error!(message_id, %error, retryable, "handler failed permanently; a retry cannot help, the message is bound for the DLQ");
            }
            metrics::count(metrics::HANDLER_FAILURES, 1.0);
            Err(error)
        }
    }
}

/// The span every log line of a handler runs in, so each line carries the
/// order id, the event id and the correlation id.
pub fn event_span(event: &SagaEvent) -> tracing::Span {
    let m = event.metadata();
    tracing::info_span!(
        "event",
        order_id = %event.order_id(),
        event_id = %m.event_id,
        correlation_id = %m.correlation_id,
        detail_type = event.detail_type(),
    )
}
