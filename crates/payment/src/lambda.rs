//! The Lambda adapter: an SQS batch of bus events in, the ids of the
//! messages that failed out (`ReportBatchItemFailures`).

use crate::handler;
use crate::ports::{PaymentGateway, PaymentStore};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use platform::EventPublisher;

pub async fn consume<S, G, P>(
    store: &S,
    gateway: &G,
    reads: &events::Reads,
    publisher: &P,
    batch: SqsEvent,
) -> SqsBatchResponse
where
    S: PaymentStore,
    G: PaymentGateway,
    P: EventPublisher,
{
    platform::consumer::consume_batch(publisher, reads, batch, |e| {
        handler::handle(store, gateway, e, Utc::now())
    })
    .await
}
