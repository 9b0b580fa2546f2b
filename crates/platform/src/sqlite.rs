//! One SQLite database shared by every service's local adapter. WAL mode
//! with `synchronous=NORMAL`: a committed transaction survives a crash of
//! the process (kill -9); only a power loss can lose the last commits.

use events::{EventId, OutgoingEvent};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

pub use crate::store::StoreError;

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::from_connection(conn)
    }

    pub fn in_memory() -> Result<Self, StoreError> {
        Self::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(conn: Connection) -> Result<Self, StoreError> {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS processed_events (
                consumer TEXT NOT NULL,
                event_id TEXT NOT NULL,
                outcome TEXT NOT NULL,
                PRIMARY KEY (consumer, event_id)
            ) WITHOUT ROWID;",
        )?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite itself consistent
        // (the transaction rolls back on drop), so the poison is ignored.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `work` in one transaction, committed only if it returns `Ok`.
    pub fn transaction<T, E>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Creates a service's tables.
    pub fn migrate(&self, ddl: &str) -> Result<(), StoreError> {
        self.lock().execute_batch(ddl)?;
        Ok(())
    }
}

/// The outcome recorded when `consumer` handled `event_id`, if it did.
pub fn processed_outcome(
    tx: &Transaction<'_>,
    consumer: &str,
    event_id: EventId,
) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
    let text: Option<String> = tx
        .query_row(
            "SELECT outcome FROM processed_events WHERE consumer = ?1 AND event_id = ?2",
            params![consumer, event_id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// Records that `consumer` handled `event_id` with this outcome, in the same
/// transaction as the state change it made.
pub fn mark_processed(
    tx: &Transaction<'_>,
    consumer: &str,
    event_id: EventId,
    outcome: &[OutgoingEvent],
) -> Result<(), StoreError> {
    let text = serde_json::to_string(outcome).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT INTO processed_events (consumer, event_id, outcome) VALUES (?1, ?2, ?3)",
        params![consumer, event_id.to_string(), text],
    )?;
    Ok(())
}
