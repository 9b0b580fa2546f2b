//! The transactional outbox relay: Order Placed events written with their
//! order are put on the bus afterwards. On AWS the relay reads the table's
//! stream; locally it polls the SQLite outbox table. Either way an event is
//! published at least once (consumers dedupe on its id) and never lost.

use crate::sqlite::SqliteOrderStore;
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use events::OutgoingEvent;
use platform::{EventPublisher, PublishError, StoreError};
use thiserror::Error;

/// Outbox rows published per [`relay_outbox_once`] call.
pub const RELAY_BATCH: usize = 100;

/// The attribute of an outbox item that holds the [`OutgoingEvent`] JSON.
pub const OUTBOX_EVENT_ATTRIBUTE: &str = "event";
pub const OUTBOX_PK_PREFIX: &str = "OUTBOX#";

#[derive(Debug, Error)]
pub enum RelayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Publish(#[from] PublishError),
}

/// Publishes up to [`RELAY_BATCH`] pending outbox events of the SQLite store,
/// then removes them; returns how many were published. On a publish error
/// nothing is removed, so the next call publishes them again.
pub async fn relay_outbox_once<P: EventPublisher>(
    store: &SqliteOrderStore,
    publisher: &P,
) -> Result<usize, RelayError> {
    let entries = store.take_outbox(RELAY_BATCH)?;
    if entries.is_empty() {
        return Ok(0);
    }
    let events: Vec<OutgoingEvent> = entries.iter().map(|e| e.event.clone()).collect();
    publisher.publish(&events).await?;
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    store.ack_outbox(&ids)?;
    Ok(events.len())
}

/// The outbox event a stream record carries, `None` for any other record
/// (the template's filter already drops those; this checks again).
pub fn outbox_event(record: &EventRecord) -> Result<Option<OutgoingEvent>, String> {
    if record.event_name != "INSERT" {
        return Ok(None);
    }
    let image = serde_json::to_value(&record.change.new_image).map_err(|e| e.to_string())?;
    let is_outbox = image["PK"]["S"]
        .as_str()
        .is_some_and(|pk| pk.starts_with(OUTBOX_PK_PREFIX));
    if !is_outbox {
        return Ok(None);
    }
    let text = image[OUTBOX_EVENT_ATTRIBUTE]["S"]
        .as_str()
        .ok_or_else(|| format!("outbox item has no string attribute `{OUTBOX_EVENT_ATTRIBUTE}`"))?;
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| format!("outbox event does not parse: {e}"))
}

/// The relay Lambda: publishes the outbox events of a stream batch in order,
/// in PutEvents-sized chunks. At the first failure it stops and reports that
/// chunk's first record: Lambda retries the shard from that sequence number
/// (the records after it too), and after its retries sends the batch to the
/// relay's DLQ. A record that cannot be parsed fails the same way.
pub async fn relay_stream<P: EventPublisher>(publisher: &P, batch: Event) -> DynamoDbEventResponse {
    let mut pending: Vec<(&EventRecord, OutgoingEvent)> = Vec::new();
    let mut unreadable = None;
    for record in &batch.records {
        match outbox_event(record) {
            Ok(Some(event)) => pending.push((record, event)),
            Ok(None) => {
                tracing::debug!(stream_event_id = %record.event_id, "not an outbox insert; skipped")
            }
            Err(error) => {
                tracing::error!(stream_event_id = %record.event_id, %error, "outbox record is unreadable");
                unreadable = Some(record);
                break;
            }
        }
    }
    let mut response = DynamoDbEventResponse::default();
    if let Some(failed) = publish_all(publisher, &pending).await.or(unreadable) {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = failed.change.sequence_number.clone();
        response.batch_item_failures.push(failure);
    }
    response
}

/// Publishes in chunks; returns the first record of the first chunk that
/// failed.
async fn publish_all<'a, P: EventPublisher>(
    publisher: &P,
    pending: &[(&'a EventRecord, OutgoingEvent)],
) -> Option<&'a EventRecord> {
    for chunk in pending.chunks(platform::publisher::MAX_ENTRIES_PER_CALL) {
        let events: Vec<OutgoingEvent> = chunk.iter().map(|(_, e)| e.clone()).collect();
        match publisher.publish(&events).await {
            Ok(()) => {
                for e in &events {
                    tracing::info!(order_id = %e.order_id, emitted = %e.detail_type, emitted_id = %e.event_id, "relayed");
                }
            }
            Err(error) => {
                tracing::error!(%error, "outbox events not published; the stream will retry");
                return Some(chunk[0].0);
            }
        }
    }
    None
}
