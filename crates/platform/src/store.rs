//! What every service's store port has in common, whichever adapter
//! (DynamoDB or SQLite) stands behind it.

use events::OutgoingEvent;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The store cannot do the work now for a reason that passes: a
    /// conflicting write, a record not readable yet.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A stored record does not parse: retrying reads the same bytes.
    #[error("stored record is corrupt: {0}")]
    Corrupt(String),
    /// A stored record (`what`) is not the JSON its reader expects.
    #[error("stored record is corrupt: {what}")]
    Record {
        what: String,
        #[source]
        source: serde_json::Error,
    },
    /// SQLite failed; `fault` says why, and whether trying again can help.
    #[error("SQLite: {fault}")]
    Sqlite {
        fault: SqliteFault,
        #[source]
        source: rusqlite::Error,
    },
    /// A DynamoDB call failed: unreachable, throttled, or refused.
    #[error("DynamoDB call failed")]
    DynamoDb(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl crate::Retryable for StoreError {
    fn is_retryable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) | StoreError::DynamoDb(_) => true,
            StoreError::Corrupt(_) | StoreError::Record { .. } => false,
            StoreError::Sqlite { fault, .. } => fault.is_retryable(),
        }
    }
}

impl StoreError {
    /// A stored record that does not parse.
    pub fn record(what: impl Into<String>, source: serde_json::Error) -> Self {
        StoreError::Record {
            what: what.into(),
            source,
        }
    }

    /// Whether the stored data itself is damaged (a record that does not
    /// parse, a damaged database file): an operator must restore it.
    pub fn is_damage(&self) -> bool {
        matches!(
            self,
            StoreError::Corrupt(_)
                | StoreError::Record { .. }
                | StoreError::Sqlite {
                    fault: SqliteFault::Damaged,
                    ..
                }
        )
    }
}

/// Why SQLite failed, by its result code
/// (https://www.sqlite.org/rescode.html), as far as a retry is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteFault {
    /// Another connection holds the lock (`SQLITE_BUSY` once the busy
    /// timeout ran out, `SQLITE_LOCKED`), or the work was rolled back under
    /// us (`SQLITE_ABORT`: a group commit that failed, `SQLITE_INTERRUPT`,
    /// `SQLITE_SCHEMA`, `SQLITE_PROTOCOL`): the same work can succeed later.
    Busy,
    /// The disk is full, an I/O failed or memory ran out (`SQLITE_FULL`,
    /// `SQLITE_IOERR`, `SQLITE_NOMEM`): it may pass.
    Resources,
    /// A constraint of the schema refused the write (`SQLITE_CONSTRAINT`:
    /// unique, not null, check, foreign key, a trigger's `RAISE`): the
    /// code asked for something the schema forbids, and asks again on a
    /// retry. A bug, to surface, not to retry.
    Constraint,
    /// The database file is damaged (`SQLITE_CORRUPT`, `SQLITE_NOTADB`):
    /// retrying reads the same damaged page.
    Damaged,
    /// Anything else (`SQLITE_ERROR`, a missing table, a read-only file, a
    /// value of the wrong type): not known to be permanent, so retried as
    /// before; only what cannot pass is taken out of the retries.
    Other,
}

impl SqliteFault {
    pub fn of(error: &rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::*;
        match error.sqlite_error_code() {
            Some(
                DatabaseBusy
                | DatabaseLocked
                | OperationAborted
                | OperationInterrupted
                | SchemaChanged
                | FileLockingProtocolFailed,
            ) => SqliteFault::Busy,
            Some(DiskFull | SystemIoFailure | OutOfMemory) => SqliteFault::Resources,
            Some(ConstraintViolation) => SqliteFault::Constraint,
            Some(DatabaseCorrupt | NotADatabase) => SqliteFault::Damaged,
            _ => SqliteFault::Other,
        }
    }

    pub fn is_retryable(self) -> bool {
        !matches!(self, SqliteFault::Constraint | SqliteFault::Damaged)
    }
}

impl std::fmt::Display for SqliteFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SqliteFault::Busy => "the database is busy (locked by another connection); retry",
            SqliteFault::Resources => "the disk or memory failed us; retry",
            SqliteFault::Constraint => {
                "a write broke a constraint of the schema (a bug: retrying would do the same)"
            }
            SqliteFault::Damaged => {
                "the SQLite database file is damaged; retrying will not help: restore it"
            }
            SqliteFault::Other => "the statement failed",
        })
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(source: rusqlite::Error) -> Self {
        StoreError::Sqlite {
            fault: SqliteFault::of(&source),
            source,
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
