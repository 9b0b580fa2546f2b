//! The Lambda adapter: an SQS batch of bus events in, the ids of the
//! messages that failed out (`ReportBatchItemFailures`).

use crate::handler;
use crate::ports::{Carrier, ShipmentStore};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use platform::EventPublisher;

pub async fn consume<S, C, P>(
    store: &S,
    carrier: &C,
    scheduled_majors: &events::Majors,
    reads: &events::Reads,
    publisher: &P,
    batch: SqsEvent,
) -> SqsBatchResponse
where
    S: ShipmentStore,
    C: Carrier,
    P: EventPublisher,
{
    platform::consumer::consume_batch(publisher, reads, batch, |e| {
        handler::handle(store, carrier, scheduled_majors, e, Utc::now())
    })
    .await
}
