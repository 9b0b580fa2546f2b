//! Turns an SQS batch of EventBridge events into handler calls, reporting
//! each failed message by id so the rest of the batch is not retried
//! (Lambda's `ReportBatchItemFailures`).

use crate::Retryable;
use crate::metrics;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use events::{BusEvent, Reading, Reads, SagaEvent};
use std::fmt::Display;
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
    E: Display + Retryable,
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
    E: Display + Retryable,
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
    E: Display + Retryable,
{
    let message_id = message.message_id.as_deref().unwrap_or_default();
    let body = message.body.as_deref().unwrap_or_default();
    let event = match BusEvent::from_json(body).and_then(BusEvent::into_saga) {
        Ok(event) => event,
        Err(error) => {
            tracing::error!(message_id, %error, "message is not a saga event; failing it so it reaches the DLQ");
            metrics::count(metrics::HANDLER_FAILURES, 1.0);
            return Err(error.to_string());
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
            tracing::error!(message_id, %error, retryable = error.is_retryable(), "handler failed");
            metrics::count(metrics::HANDLER_FAILURES, 1.0);
            Err(error.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Debug)]
    struct Boom;
    impl Display for Boom {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("boom")
        }
    }
    impl Retryable for Boom {
        fn is_retryable(&self) -> bool {
            true
        }
    }

    fn message(id: &str, body: &str) -> SqsMessage {
        let mut m = SqsMessage::default();
        m.message_id = Some(id.into());
        m.body = Some(body.into());
        m
    }

    fn example(slug: &str) -> String {
        let path = format!(
            "{}/../../events-schema/examples/{slug}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).unwrap()
    }

    fn batch(messages: Vec<SqsMessage>) -> SqsEvent {
        let mut e = SqsEvent::default();
        e.records = messages;
        e
    }

    #[tokio::test]
    async fn a_failing_message_does_not_fail_the_rest_of_its_batch() {
        let seen = Mutex::new(Vec::new());
        let batch = batch(vec![
            message("m1", &example("order-placed")),
            message("m2", &example("payment-failed")),
            message("m3", &example("shipment-failed")),
        ]);
        let response = process_batch(&Reads::all(), batch, |e: SagaEvent| {
            seen.lock().unwrap().push(e.detail_type());
            let fail = e.detail_type() == "Payment Failed";
            async move { if fail { Err(Boom) } else { Ok(()) } }
        })
        .await;
        let failed: Vec<_> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, vec!["m2"]);
        assert_eq!(seen.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn unparseable_and_unknown_messages_are_reported_as_failed() {
        let unknown = example("order-placed").replace("Order Placed", "Order Teleported");
        let batch = batch(vec![
            message("garbage", "{not json"),
            message("unknown", &unknown),
            message("ok", &example("order-confirmed")),
        ]);
        let response = process_batch(&Reads::all(), batch, |_e: SagaEvent| async {
            Ok::<(), Boom>(())
        })
        .await;
        let failed: Vec<_> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, vec!["garbage", "unknown"]);
    }

    #[tokio::test]
    async fn a_consumer_reading_major_1_only_skips_a_copy_it_reads_elsewhere_and_fails_one_it_does_not()
     {
        let v2 = example("shipment-scheduled.v2");
        let mut copy: serde_json::Value = serde_json::from_str(&v2).unwrap();
        copy["detail"]["metadata"]["alsoPublishedAs"] = serde_json::json!([1]);
        let batch = batch(vec![
            message("v2-copy", &copy.to_string()),
            message("v2-only", &v2),
            message("v1", &example("shipment-scheduled")),
        ]);
        let reads = Reads::from_env([("READS_SHIPMENT_SCHEDULED_MAJORS", "1")]).unwrap();
        let seen = Mutex::new(Vec::new());
        let failed = process_batch_detailed(&reads, batch, |e: SagaEvent| {
            seen.lock().unwrap().push(e.metadata().version);
            async { Ok::<(), Boom>(()) }
        })
        .await;
        assert_eq!(
            *seen.lock().unwrap(),
            [1],
            "only the major 1 copy is handled"
        );
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert_eq!(failed[0].message_id, "v2-only");
        assert_eq!(
            failed[0].error,
            "`Shipment Scheduled` version 2 is not a major this consumer reads (it reads version 1)"
        );
    }
}
