//! A publisher that records the events it is given, or refuses them as an
//! unreachable bus would, for the tests of `handle_and_publish` and of the
//! Lambda adapters.

use events::OutgoingEvent;
use platform::{EventPublisher, PublishError};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Default)]
pub struct RecordingPublisher {
    published: Mutex<Vec<OutgoingEvent>>,
    failing: AtomicBool,
}

impl RecordingPublisher {
    /// One whose bus is down: every publish fails with a transport error
    /// (retryable) until [`RecordingPublisher::recover`].
    pub fn failing() -> Self {
        let p = Self::default();
        p.failing.store(true, Ordering::SeqCst);
        p
    }

    /// The bus is reachable again.
    pub fn recover(&self) {
        self.failing.store(false, Ordering::SeqCst);
    }

    /// Everything published so far, in order.
    pub fn published(&self) -> Vec<OutgoingEvent> {
        self.published
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl EventPublisher for RecordingPublisher {
    async fn publish(&self, events: &[OutgoingEvent]) -> Result<(), PublishError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(PublishError::Transport("bus down".into()));
        }
        self.published
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(events);
        Ok(())
    }
}
