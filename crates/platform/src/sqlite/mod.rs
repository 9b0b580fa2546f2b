//! One SQLite database shared by every service's local adapter, in WAL mode
//! with `synchronous=NORMAL`: a committed transaction survives a crash of
//! the process (kill -9); only a power loss can lose the last commits
//! (https://www.sqlite.org/pragma.html#pragma_synchronous).
//!
//! **Group commit.** Every [`Db::transaction`] is a unit of work: a
//! savepoint inside a group transaction that stays open while more units
//! follow, and commits at most [`GROUP_WINDOW`] after it began (a flusher
//! thread commits an idle group) or after [`GROUP_UNITS`] units. A unit run
//! with [`Db::transaction_durable`] waits for its group's commit, which
//! then comes sooner: at most [`DURABLE_WINDOW`] later, so the units run
//! meanwhile share it. One commit then writes the pages many units touched
//! once, instead of once per unit.
//!
//! The guarantees stay those of one transaction per unit:
//! - a unit is atomic: when its work fails, its savepoint is rolled back and
//!   nothing of it remains, exactly as a rolled-back transaction;
//! - units are serialised by the connection's lock, and a group commits a
//!   prefix of that sequence, so a crash leaves the database as it was
//!   after some unit, which is a state one-transaction-per-unit could also
//!   have crashed in. Work lost that way was never acknowledged outside
//!   the process, and is redone: queue messages become visible again;
//! - what is acknowledged outside the process (an order's `201`, a read
//!   answered over HTTP) goes through [`Db::transaction_durable`], which
//!   returns only after the group holding it committed;
//! - a group that fails to commit is rolled back whole, as a crash would;
//!   a durable unit in it gets an error, though its own work succeeded.

mod group;
mod lock;
mod origin;

use events::{EventId, OutgoingEvent};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use group::Shared;
pub use group::{DURABLE_WINDOW, GROUP_UNITS, GROUP_WINDOW};
pub use lock::{DbLock, Holder, LockError, lock_path};
pub use origin::origin;

pub use crate::store::StoreError;

/// The page cache of the connection.
const CACHE_KIB: i64 = 32 * 1024;
/// The WAL frames after which the flusher makes the log start over
/// (`restart_frames`), and the size SQLite truncates the WAL file to when
/// it does (`keep_bytes`, https://www.sqlite.org/pragma.html#pragma_journal_size_limit).
///
/// Under steady load a group is open nearly all the time, so a PASSIVE
/// checkpoint never finds the whole log copied, and SQLite only rewinds the
/// log when a write transaction begins on a log that is entirely copied
/// back ("checkpoint starvation", https://www.sqlite.org/wal.html#avoiding_excessively_large_wal_files).
/// Before this bound a `make load` run grew the WAL to 12 GB, and its
/// index (mapped into the process) grew the RSS with it.
#[derive(Debug, Clone, Copy)]
pub struct WalBound {
    pub restart_frames: i64,
    pub keep_bytes: i64,
    /// How often, at most, the WAL is checkpointed while commits go on (and
    /// at once when they pause). A longer interval copies a page rewritten
    /// by many commits once instead of many times; the log can grow by what
    /// is written in one interval beyond `restart_frames`.
    pub checkpoint_every: Duration,
}

impl Default for WalBound {
    fn default() -> Self {
        Self {
            restart_frames: 16 * 1024,
            keep_bytes: 64 * 1024 * 1024,
            checkpoint_every: Duration::from_millis(250),
        }
    }
}

#[derive(Clone)]
pub struct Db {
    handle: Arc<Handle>,
}

/// Dropped with the last clone of a [`Db`]: commits what is open and lets
/// the flusher stop.
struct Handle {
    shared: Arc<Shared>,
    /// The file, for [`Db::reader`]; `None` in memory.
    path: Option<std::path::PathBuf>,
}

impl Db {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, WalBound::default())
    }

    pub fn open_with(path: &Path, wal: WalBound) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        // 2 KiB pages, for a new database (an existing one keeps its own):
        // most of what the saga writes is small changes at random keys,
        // and each costs a whole page in the WAL and again when it is
        // checkpointed. Measured with `saga demo --orders 5000`: bytes
        // written per order 0.44 MB at 4 KiB pages, 0.14 MB at 2 KiB,
        // 0.11 MB at 1 KiB, but 1 KiB pages need 50 % more writes (rows
        // of ~1 KB spill) and were slower than both.
        conn.pragma_update(None, "page_size", 2048)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // Checkpoints run on the flusher's own connection, off the path
        // of every commit (see `flush_loop`).
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "journal_size_limit", wal.keep_bytes)?;
        let checkpointer = Connection::open(path)?;
        checkpointer.busy_timeout(Duration::from_secs(5))?;
        Self::from_connection(conn, Some((checkpointer, wal, path.to_owned())))
    }

    pub fn in_memory() -> Result<Self, StoreError> {
        Self::from_connection(Connection::open_in_memory()?, None)
    }

    /// A connection of its own that only reads, for long queries (the
    /// reports) that must not hold the one writing connection every
    /// placement and delivery waits for: in WAL mode readers run beside
    /// the writer and see the last commit
    /// (https://www.sqlite.org/wal.html#concurrency). `None` in memory,
    /// where only the writing connection sees the data.
    pub fn reader(&self) -> Result<Option<Connection>, StoreError> {
        let Some(path) = &self.handle.path else {
            return Ok(None);
        };
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(Some(conn))
    }

    /// `checkpointer` is a second connection to the same file; without one
    /// (in memory) nothing is durable anyway, and every unit commits at once.
    fn from_connection(
        conn: Connection,
        checkpointer: Option<(Connection, WalBound, std::path::PathBuf)>,
    ) -> Result<Self, StoreError> {
        let grouped = checkpointer.is_some();
        conn.set_prepared_statement_cache_capacity(256);
        // The query planner stability guarantee: a statement keeps its
        // plan whatever values are bound. Without it SQLite marks a
        // statement whose plan read a bound value (`LIMIT ?`, a range on
        // an indexed column) to be compiled again when that binding
        // changes or is cleared, and rusqlite clears the bindings of every
        // statement it returns to its cache: every receive and outbox read
        // was parsed and planned anew
        // (https://www.sqlite.org/c3ref/c_dbconfig_defensive.html,
        // SQLITE_DBCONFIG_ENABLE_QPSG).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        // Every service's hot pages stay in memory: a bounded cache, so
        // memory stays flat however long the run.
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.execute_batch(
            // A rowid table: rows (each with its outcome's JSON) are
            // appended in the order they are handled, and only the small
            // key index is written at a random place, where the rows
            // themselves were before, splitting full pages.
            "CREATE TABLE IF NOT EXISTS processed_events (
                consumer TEXT NOT NULL,
                event_id TEXT NOT NULL,
                outcome TEXT NOT NULL,
                UNIQUE (consumer, event_id)
            );",
        )?;
        let shared = Arc::new(Shared::new(conn, grouped));
        let mut path = None;
        if let Some((checkpointer, wal, file)) = checkpointer {
            path = Some(file);
            let flusher = shared.clone();
            std::thread::Builder::new()
                .name("sqlite-group-commit".into())
                .spawn(move || flusher.flush_loop(checkpointer, wal))
                .map_err(|e| StoreError::Unavailable(format!("group commit thread: {e}")))?;
        }
        Ok(Self {
            handle: Arc::new(Handle { shared, path }),
        })
    }

    /// Runs `work` as one unit: all of it or none of it is ever committed.
    /// The commit itself may follow a few milliseconds later, together with
    /// other units (see the module documentation).
    pub fn transaction<T, E>(&self, work: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        self.handle.shared.unit(work, false).map(|(value, _)| value)
    }

    /// [`Db::transaction`] for async callers: waiting for the connection
    /// does not hold up the thread, which runs other tasks meanwhile.
    pub async fn transaction_async<T, E>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        self.handle
            .shared
            .unit_async(work, false)
            .await
            .map(|(value, _)| value)
    }

    /// [`Db::transaction`] that returns only once the unit is committed,
    /// for what the caller acknowledges outside the process. The commit
    /// is awaited, not waited for on the thread: the thread runs the
    /// units that share it meanwhile.
    pub async fn transaction_durable<T, E>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let (value, group) = self.handle.shared.unit_async(work, true).await?;
        if let Some(group) = group {
            self.handle.shared.committed(group).await?;
        }
        Ok(value)
    }

    /// Groups committed since the database was opened: with the units
    /// run, how many units a commit carries.
    pub fn commits(&self) -> u64 {
        self.handle.shared.lock().commits()
    }

    /// Creates a service's tables.
    pub fn migrate(&self, ddl: &str) -> Result<(), StoreError> {
        let shared = &self.handle.shared;
        let mut state = shared.lock();
        shared.commit(&mut state)?;
        state.conn.execute_batch(ddl)?;
        Ok(())
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shared.close();
    }
}

/// The outcome recorded when `consumer` handled `event_id`, if it did.
pub fn processed_outcome(
    tx: &Connection,
    consumer: &str,
    event_id: EventId,
) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
    let text: Option<String> = tx
        .prepare_cached(
            "SELECT outcome FROM processed_events WHERE consumer = ?1 AND event_id = ?2",
        )?
        .query_row(params![consumer, event_id.to_string()], |row| row.get(0))
        .optional()?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            StoreError::record(format!("the outcome {consumer} recorded for {event_id}"), e)
        })
    })
    .transpose()
}

/// Records that `consumer` handled `event_id` with this outcome, in the same
/// transaction as the state change it made.
pub fn mark_processed(
    tx: &Connection,
    consumer: &str,
    event_id: EventId,
    outcome: &[OutgoingEvent],
) -> Result<(), StoreError> {
    let text = serde_json::to_string(outcome)
        .map_err(|e| StoreError::record("an outcome to record", e))?;
    tx.prepare_cached(
        "INSERT INTO processed_events (consumer, event_id, outcome) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![consumer, event_id.to_string(), text])?;
    Ok(())
}

/// `execute` and `query_row` through the connection's statement cache: the
/// adapters run the same few statements for every event, and parsing one
/// costs more than running it.
pub trait CachedStatements {
    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
    fn query_row_cached<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
}

impl CachedStatements for Connection {
    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn query_row_cached<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_statement_is_not_prepared_again_when_its_bound_values_change() {
        let dir = std::env::temp_dir().join(format!("ordersaga-qpsg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = Db::open(&dir.join("db.sqlite")).expect("open");
        db.migrate(
            "CREATE TABLE q (queue TEXT, visible_at INTEGER, sent_at INTEGER);
             CREATE INDEX q_receive ON q (queue, visible_at, sent_at);",
        )
        .expect("schema");
        // A receive: its plan could depend on `?2` and its LIMIT on `?3`.
        const RECEIVE: &str = "SELECT sent_at FROM q WHERE queue = ?1 AND visible_at <= ?2
                               ORDER BY visible_at, sent_at LIMIT ?3";
        let reprepared = db
            .transaction(|tx| {
                let mut reprepared = 0;
                for now in 0..20_i64 {
                    let mut stmt = tx.prepare_cached(RECEIVE)?;
                    stmt.query_map(params!["orders", now, 10 + now], |r| r.get::<_, i64>(0))?
                        .for_each(drop);
                    reprepared = stmt.get_status(rusqlite::StatementStatus::RePrepare);
                }
                Ok::<_, StoreError>(reprepared)
            })
            .expect("queries");
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(reprepared, 0);
    }
}
