//! The Lambda adapter: an SQS batch of EventBridge events in, the ids of
//! the failed messages out.

use crate::ports::InventoryStore;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use platform::EventPublisher;
use platform::consumer::consume_batch;

pub async fn consume<S: InventoryStore, P: EventPublisher>(
    store: &S,
    reads: &events::Reads,
    publisher: &P,
    batch: SqsEvent,
) -> SqsBatchResponse {
    consume_batch(publisher, reads, batch, |event| {
        crate::handle(store, event, chrono::Utc::now())
    })
    .await
}
