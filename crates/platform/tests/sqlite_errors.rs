//! SQLite's failures, classified by their result code
//! (https://www.sqlite.org/rescode.html) as far as a retry is concerned,
//! each produced by real SQLite: a database another connection locks is
//! worth retrying; a write that breaks a constraint of the schema, or a
//! damaged file, is not, since a retry runs the same code against the
//! same data. The cause is kept (`source`), so logs and dead letters
//! still say what SQLite said.

use platform::error::chain;
use platform::sqlite::Db;
use platform::store::SqliteFault;
use platform::{Retryable, StoreError};
use rusqlite::Connection;
use std::error::Error;

fn fault(error: &StoreError) -> SqliteFault {
    match error {
        StoreError::Sqlite { fault, .. } => *fault,
        other => panic!("not a SQLite error: {other:?}"),
    }
}

#[test]
fn a_database_another_connection_holds_locked_is_busy_and_retryable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("locked.db");
    let holder = Connection::open(&path).expect("open");
    holder
        .execute_batch("CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
        .expect("the lock");
    let writer = Connection::open(&path).expect("open");
    // No waiting: SQLite answers SQLITE_BUSY at once
    // (https://www.sqlite.org/rescode.html#busy).
    writer
        .busy_timeout(std::time::Duration::ZERO)
        .expect("timeout");
    let error = StoreError::from(
        writer
            .execute("INSERT INTO t VALUES (2)", [])
            .expect_err("the database is locked"),
    );
    assert_eq!(fault(&error), SqliteFault::Busy);
    assert!(error.is_retryable(), "{}", chain(&error));
    assert!(!error.is_damage());

    holder.execute_batch("COMMIT").expect("released");
    writer
        .execute("INSERT INTO t VALUES (2)", [])
        .expect("the same write succeeds once the lock is gone");
}

#[test]
fn a_write_that_breaks_a_unique_constraint_is_a_bug_not_retried() {
    let db = Db::in_memory().expect("db");
    db.migrate("CREATE TABLE t (id TEXT PRIMARY KEY)")
        .expect("schema");
    let insert = |db: &Db| {
        db.transaction(|tx| {
            tx.execute("INSERT INTO t VALUES ('a')", [])?;
            Ok::<_, StoreError>(())
        })
    };
    insert(&db).expect("the first row");
    let error = insert(&db).expect_err("the same key again");
    assert_eq!(fault(&error), SqliteFault::Constraint);
    assert!(!error.is_retryable(), "{}", chain(&error));
    assert!(!error.is_damage());
    // SQLite's own words stay with the error, as its source.
    let source = error.source().expect("the SQLite error is kept");
    assert!(
        source
            .to_string()
            .contains("UNIQUE constraint failed: t.id"),
        "{source}"
    );
    assert!(chain(&error).contains("UNIQUE constraint failed: t.id"));
}

#[test]
fn not_null_and_check_constraints_are_bugs_too() {
    let db = Db::in_memory().expect("db");
    db.migrate("CREATE TABLE t (n INTEGER NOT NULL CHECK (n > 0))")
        .expect("schema");
    for sql in ["INSERT INTO t VALUES (NULL)", "INSERT INTO t VALUES (0)"] {
        let error = db
            .transaction(|tx| tx.execute(sql, []).map_err(StoreError::from))
            .expect_err(sql);
        assert_eq!(fault(&error), SqliteFault::Constraint, "{sql}");
        assert!(!error.is_retryable(), "{sql}");
    }
}

#[test]
fn a_damaged_table_is_damage_and_not_retried() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("damaged.db");
    {
        let db = Db::open(&path).expect("open");
        db.migrate("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)")
            .expect("schema");
        db.transaction(|tx| {
            tx.execute("INSERT INTO t VALUES ('a', 'hello')", [])?;
            Ok::<_, StoreError>(())
        })
        .expect("a row");
    }
    testkit::sqlite::damage_table(&path, "t");
    let db = Db::open(&path).expect("the header is intact");
    let error = db
        .transaction(|tx| {
            tx.query_row("SELECT body FROM t WHERE id = 'a'", [], |r| {
                r.get::<_, String>(0)
            })
            .map_err(StoreError::from)
        })
        .expect_err("the page is damaged");
    assert_eq!(fault(&error), SqliteFault::Damaged);
    assert!(!error.is_retryable(), "{}", chain(&error));
    assert!(error.is_damage());
    assert!(chain(&error).contains("malformed"), "{}", chain(&error));
}

#[test]
fn a_file_that_is_not_a_database_is_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.db");
    std::fs::write(
        &path,
        "not a database, but long enough for SQLite to read a header from it: ".repeat(4),
    )
    .expect("write");
    let error = match Db::open(&path) {
        Ok(_) => panic!("a text file opened as a database"),
        Err(e) => e,
    };
    assert_eq!(fault(&error), SqliteFault::Damaged);
    assert!(!error.is_retryable());
}
