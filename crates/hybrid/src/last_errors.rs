//! Why each failed message failed, until SQS moves it to its DLQ.
//!
//! SQS moves a message that exhausted `maxReceiveCount` to the DLQ with its
//! body, attributes and message id, but nothing says why it failed: Lambda
//! reports only the ids of the failed messages
//! (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
//! The embedded runtime keeps the last error with the message and hands it
//! to the DLQ function as the `ErrorMessage` attribute; the hybrid runtime
//! does the same from here: every poller remembers the last error of each
//! message its function failed, and the DLQ's poller puts it on the dead
//! letter, found by the message id SQS keeps across the move.

use platform::sqs::FailedMessage;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// The attribute the DLQ function reads the error from (`DeadLetter::from_message`).
pub const ERROR_ATTRIBUTE: &str = "ErrorMessage";

/// At most this many failed messages are remembered; the oldest go first.
/// A message forgotten this way is recorded with no reason, never lost.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub struct LastErrors {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    errors: HashMap<String, String>,
    order: VecDeque<String>,
}

impl LastErrors {
    /// Keeps each failed message's error, replacing an earlier one.
    pub fn remember(&self, failed: &[FailedMessage]) {
        let mut inner = self.lock();
        for f in failed {
            if inner
                .errors
                .insert(f.message_id.clone(), f.error.clone())
                .is_none()
            {
                inner.order.push_back(f.message_id.clone());
            }
        }
        if inner.order.len() > 2 * CAPACITY {
            // Ids forgotten since are still queued: drop them.
            let Inner { errors, order } = &mut *inner;
            order.retain(|id| errors.contains_key(id));
        }
        while inner.errors.len() > CAPACITY {
            match inner.order.pop_front() {
                Some(oldest) => {
                    inner.errors.remove(&oldest);
                }
                None => break,
            }
        }
    }

    /// Forgets messages that were handled after all.
    pub fn forget<'a>(&self, message_ids: impl IntoIterator<Item = &'a str>) {
        let mut inner = self.lock();
        for id in message_ids {
            inner.errors.remove(id);
        }
    }

    /// The last error of a message, once: it is now a dead letter.
    pub fn take(&self, message_id: &str) -> Option<String> {
        self.lock().errors.remove(message_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain maps behind, still usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(id: &str, error: &str) -> FailedMessage {
        FailedMessage {
            message_id: id.into(),
            error: error.into(),
        }
    }

    #[test]
    fn the_last_error_of_a_message_is_given_once() {
        let errors = LastErrors::default();
        errors.remember(&[failed("m1", "first"), failed("m2", "other")]);
        errors.remember(&[failed("m1", "second")]);
        assert_eq!(errors.take("m1").as_deref(), Some("second"));
        assert_eq!(errors.take("m1"), None);
        errors.forget(["m2"]);
        assert_eq!(errors.take("m2"), None);
    }

    #[test]
    fn past_its_capacity_the_oldest_error_is_forgotten_first() {
        let errors = LastErrors::default();
        let many: Vec<_> = (0..=CAPACITY)
            .map(|i| failed(&format!("m{i}"), "e"))
            .collect();
        errors.remember(&many);
        assert_eq!(errors.take("m0"), None);
        assert!(errors.take(&format!("m{CAPACITY}")).is_some());
    }
}
