//! What every service's store port has in common, whichever adapter
//! (DynamoDB or SQLite) stands behind it.

use events::OutgoingEvent;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The database could not be reached, was busy, or throttled us.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A stored record does not parse: retrying reads the same bytes.
    #[error("stored record is corrupt: {0}")]
    Corrupt(String),
}

impl crate::Retryable for StoreError {
    fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

impl From<rusqlite::Error> for StoreError {
    /// A damaged database file is not a passing unavailability: retrying
    /// reads the same damaged page, so it is [`StoreError::Corrupt`], and
    /// the API says so instead of "retry shortly" forever.
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                StoreError::Corrupt(format!("the SQLite database file is damaged: {e}"))
            }
            _ => StoreError::Unavailable(format!("sqlite: {e}")),
        }
    }
}

/// The result of committing a state change together with its idempotency
/// record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Commit<T = ()> {
    Done(T),
    /// Another delivery of the same event committed first; this is the
    /// outcome it recorded.
    AlreadyProcessed(Vec<OutgoingEvent>),
}
