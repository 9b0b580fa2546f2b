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
