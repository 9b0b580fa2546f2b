//! The one delivery step every consumer shares: handle, then publish the
//! outcome. Handlers record their outcome in the same transaction as their
//! state change, and return the recorded outcome again for an event they
//! already handled; so a crash between commit and publish is repaired by
//! the retry, which publishes the same events (same ids) once more.

use crate::{EventPublisher, PublishError, Retryable};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use events::{OutgoingEvent, Reads, SagaEvent};
use std::error::Error as StdError;
use std::future::Future;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConsumerError<E> {
    #[error(transparent)]
    Handler(E),
    #[error("outcome not published")]
    Publish(#[from] PublishError),
}

impl<E: Retryable> Retryable for ConsumerError<E> {
    fn is_retryable(&self) -> bool {
        match self {
            ConsumerError::Handler(e) => e.is_retryable(),
            ConsumerError::Publish(e) => e.is_retryable(),
        }
    }
}

pub async fn handle_and_publish<P, F, Fut, E>(
    publisher: &P,
    event: SagaEvent,
    handle: F,
) -> Result<Vec<OutgoingEvent>, ConsumerError<E>>
where
    P: EventPublisher,
    F: FnOnce(SagaEvent) -> Fut,
    Fut: Future<Output = Result<Vec<OutgoingEvent>, E>>,
{
    let outcome = handle(event).await.map_err(ConsumerError::Handler)?;
    if !outcome.is_empty() {
        publisher.publish(&outcome).await?;
        for e in &outcome {
            tracing::info!(emitted = %e.detail_type, emitted_id = %e.event_id, "published");
        }
    }
    Ok(outcome)
}

/// What a service's SQS-triggered Lambda does with one batch: each message
/// is handled and its outcome published; failed messages are reported by id.
/// `reads`: the majors of each event type the function reads (its
/// `READS_<TYPE>_MAJORS` settings).
pub async fn consume_batch<P, F, Fut, E>(
    publisher: &P,
    reads: &Reads,
    batch: SqsEvent,
    handle: F,
) -> SqsBatchResponse
where
    P: EventPublisher,
    F: Fn(SagaEvent) -> Fut,
    Fut: Future<Output = Result<Vec<OutgoingEvent>, E>>,
    E: StdError + Retryable,
{
    crate::sqs::process_batch(reads, batch, |event| {
        handle_and_publish(publisher, event, &handle)
    })
    .await
}

/// [`consume_batch`] that also says why each message failed.
pub async fn consume_batch_detailed<P, F, Fut, E>(
    publisher: &P,
    reads: &Reads,
    batch: SqsEvent,
    handle: F,
) -> Vec<crate::sqs::FailedMessage>
where
    P: EventPublisher,
    F: Fn(SagaEvent) -> Fut,
    Fut: Future<Output = Result<Vec<OutgoingEvent>, E>>,
    E: StdError + Retryable,
{
    crate::sqs::process_batch_detailed(reads, batch, |event| {
        handle_and_publish(publisher, event, &handle)
    })
    .await
}
