//! `TestEventPattern`: whether an event matches a pattern, with the API's
//! errors. `saga test-event-pattern` is this function, and the conformance
//! suite checks it against AWS's recorded answers.

use crate::Pattern;
use crate::error::PatternError;
use crate::incoming::{InvalidEvent, validate_event};

/// Why TestEventPattern gives no answer; the messages carry AWS's exception
/// names and wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TestEventPatternError {
    #[error("InvalidEventPatternException: Event pattern is not valid. Reason: {0}")]
    InvalidEventPattern(#[source] PatternError),
    #[error("ValidationException: {0}")]
    Validation(#[source] InvalidEvent),
}

/// The answer of AWS's `TestEventPattern` for `pattern` and `event` (both
/// JSON text): the pattern is checked first, then the event (see
/// [`crate::validate_event`]), then the event is matched through the same
/// reader and rule evaluation the bus uses.
pub fn test_event_pattern(pattern: &str, event: &str) -> Result<bool, TestEventPatternError> {
    let pattern = Pattern::parse(pattern).map_err(TestEventPatternError::InvalidEventPattern)?;
    let event = validate_event(event.as_bytes()).map_err(TestEventPatternError::Validation)?;
    pattern
        .matches_valid(&event)
        .map_err(|e| TestEventPatternError::Validation(InvalidEvent::Unreadable(e)))
}
