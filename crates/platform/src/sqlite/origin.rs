//! Which command created a database, recorded inside it, so a command
//! that starts from a fresh database (`saga demo`) replaces only one it
//! created itself, never the orders of a `saga run`.

use super::Db;
use crate::store::StoreError;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::Path;

const CREATE: &str = "CREATE TABLE IF NOT EXISTS saga_origin (id INTEGER PRIMARY KEY CHECK (id = 1), created_by TEXT NOT NULL)";
const RECORD: &str = "INSERT OR IGNORE INTO saga_origin (id, created_by) VALUES (1, ?1)";
const READ: &str = "SELECT created_by FROM saga_origin WHERE id = 1";
const HAS_TABLE: &str = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'saga_origin'";

impl Db {
    /// Records that `command` created this database; a database keeps
    /// the first command recorded.
    pub fn record_origin(&self, command: &str) -> Result<(), StoreError> {
        self.migrate(CREATE)?;
        self.transaction(|tx| tx.execute(RECORD, [command]).map(drop))
            .map_err(StoreError::from)
    }
}

/// The command recorded as the creator of the database at `path`: `None`
/// for a saga database without a record (made by `saga run`, or before
/// records existed). Opens the file read-only, so a file that is not a
/// database is reported as an error, not changed.
pub fn origin(path: &Path) -> Result<Option<String>, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    if conn
        .query_row(HAS_TABLE, [], |_| Ok(()))
        .optional()?
        .is_none()
    {
        return Ok(None);
    }
    Ok(conn.query_row(READ, [], |row| row.get(0)).optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_remembers_the_command_that_created_it_and_a_plain_one_has_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        let plain = dir.path().join("plain.db");
        Db::open(&plain)
            .expect("open")
            .migrate("CREATE TABLE t (x)")
            .expect("ddl");
        assert_eq!(origin(&plain).expect("readable"), None);
        let demo = dir.path().join("demo.db");
        let db = Db::open(&demo).expect("open");
        db.record_origin("saga demo").expect("recorded");
        db.record_origin("saga run").expect("kept");
        drop(db);
        assert_eq!(
            origin(&demo).expect("readable").as_deref(),
            Some("saga demo")
        );
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "my notes, not a database, at least 100 bytes long so SQLite reads a header from it....").expect("write");
        assert!(
            origin(&text).is_err(),
            "a file that is not a database is an error"
        );
    }
}
