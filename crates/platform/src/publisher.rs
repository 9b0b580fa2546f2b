use events::OutgoingEvent;
use std::future::Future;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PublishError {
    /// Some entries were still rejected after every retry; the caller must
    /// fail the message so the whole outcome is published again later.
    #[error("{failed} of {total} events were not accepted by the bus: {detail}")]
    Rejected {
        failed: usize,
        total: usize,
        detail: String,
    },
    #[error("event {event_id} is {size} bytes; an entry may be at most 256 KiB")]
    TooLarge { event_id: String, size: usize },
    #[error("the bus could not be reached: {0}")]
    Transport(String),
    /// The call to the bus failed (unreachable, throttled, refused).
    #[error("the bus could not be reached")]
    Call(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl crate::Retryable for PublishError {
    fn is_retryable(&self) -> bool {
        !matches!(self, PublishError::TooLarge { .. })
    }
}

/// Puts events on the saga bus. Implementations must either accept every
/// event or return an error: a partial success is reported as an error, and
/// publishing the same events again is harmless because consumers dedupe on
/// `metadata.eventId`.
pub trait EventPublisher: Send + Sync {
    fn publish(
        &self,
        events: &[OutgoingEvent],
    ) -> impl Future<Output = Result<(), PublishError>> + Send;
}

/// PutEvents takes at most 10 entries per call, and a call's entries may add
/// up to at most 256 KiB
/// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
/// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
pub const MAX_ENTRIES_PER_CALL: usize = 10;
pub const MAX_BYTES_PER_CALL: usize = 256 * 1024;

/// Splits events into PutEvents calls within both limits, in order.
pub fn chunks(events: &[OutgoingEvent]) -> Result<Vec<Vec<&OutgoingEvent>>, PublishError> {
    let mut out: Vec<Vec<&OutgoingEvent>> = Vec::new();
    let mut bytes = 0;
    for event in events {
        let size = event.entry_size();
        if size > MAX_BYTES_PER_CALL {
            return Err(PublishError::TooLarge {
                event_id: event.event_id.to_string(),
                size,
            });
        }
        match out.last_mut() {
            Some(chunk)
                if chunk.len() < MAX_ENTRIES_PER_CALL && bytes + size <= MAX_BYTES_PER_CALL =>
            {
                chunk.push(event);
                bytes += size;
            }
            _ => {
                out.push(vec![event]);
                bytes = size;
            }
        }
    }
    Ok(out)
}
