//! The [`EventPublisher`] over Amazon EventBridge `PutEvents`.

use crate::{EventPublisher, PublishError};
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use events::OutgoingEvent;
use std::time::Duration;

pub use crate::publisher::{MAX_BYTES_PER_CALL, MAX_ENTRIES_PER_CALL, chunks};

/// Attempts per chunk: the first call, then retries of only the entries
/// that failed (a partial failure returns 200 with `FailedEntryCount` > 0).
pub const ATTEMPTS: u32 = 4;

#[derive(Clone)]
pub struct EventBridgePublisher {
    client: Client,
    bus_name: String,
    backoff: Duration,
}

impl EventBridgePublisher {
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
            backoff: Duration::from_millis(50),
        }
    }

    /// For tests: retry without waiting.
    pub fn without_backoff(mut self) -> Self {
        self.backoff = Duration::ZERO;
        self
    }

    fn entry(&self, event: &OutgoingEvent) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(&event.source)
            .detail_type(&event.detail_type)
            .detail(&event.detail)
            .build()
    }

    async fn put_chunk(&self, chunk: &[&OutgoingEvent]) -> Result<(), PublishError> {
        let mut pending: Vec<&OutgoingEvent> = chunk.to_vec();
        let mut last_error = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(self.backoff * 2u32.pow(attempt - 1)).await;
            }
            let output = self
                .client
                .put_events()
                .set_entries(Some(pending.iter().map(|e| self.entry(e)).collect()))
                .send()
                .await
                .map_err(|e| PublishError::Call(Box::new(e)))?;
            if output.failed_entry_count() == 0 {
                return Ok(());
            }
            // Result entries are in request order; a failed one has an
            // ErrorCode and no EventId.
            let results = output.entries();
            let mut still_failed = Vec::new();
            for (i, event) in pending.iter().enumerate() {
                match results.get(i) {
                    Some(r) if r.error_code().is_none() => {}
                    Some(r) => {
                        last_error = format!(
                            "{}: {}",
                            r.error_code().unwrap_or_default(),
                            r.error_message().unwrap_or_default()
                        );
                        still_failed.push(*event);
                    }
                    None => still_failed.push(*event),
                }
            }
            tracing::warn!(
                failed = still_failed.len(),
                attempt,
                error = %last_error,
                "PutEvents rejected entries; retrying only those"
            );
            pending = still_failed;
        }
        Err(PublishError::Rejected {
            failed: pending.len(),
            total: chunk.len(),
            detail: last_error,
        })
    }
}

impl EventPublisher for EventBridgePublisher {
    async fn publish(&self, events: &[OutgoingEvent]) -> Result<(), PublishError> {
        for chunk in chunks(events)? {
            self.put_chunk(&chunk).await?;
        }
        Ok(())
    }
}
