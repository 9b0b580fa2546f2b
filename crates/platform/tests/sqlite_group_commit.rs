//! Group commit in `platform::sqlite::Db`: each `transaction` is an atomic
//! unit even when it shares its SQLite transaction with others, and what a
//! caller acknowledges is committed when `transaction_durable` returns. A
//! second, plain connection to the same file shows what is committed.

use platform::StoreError;
use platform::sqlite::Db;
use rusqlite::Connection;
use std::path::PathBuf;

fn fresh_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ordersaga-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("db.sqlite")
}

fn committed_ids(path: &PathBuf) -> Vec<i64> {
    let other = Connection::open(path).expect("second connection");
    let mut stmt = other
        .prepare("SELECT id FROM t ORDER BY id")
        .expect("select");
    stmt.query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("ids")
}

fn insert(db: &Db, id: i64) -> Result<(), StoreError> {
    db.transaction(|tx| {
        tx.execute("INSERT INTO t (id) VALUES (?1)", [id])?;
        Ok(())
    })
}

#[test]
fn a_failed_unit_leaves_nothing_while_the_units_around_it_in_its_group_commit() {
    let path = fresh_file("failed-unit");
    let db = Db::open(&path).expect("open");
    db.migrate("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        .expect("table");
    insert(&db, 1).expect("first unit");
    let failed: Result<(), StoreError> = db.transaction(|tx| {
        tx.execute("INSERT INTO t (id) VALUES (2)", [])?;
        Err(StoreError::Unavailable("the unit's work failed".into()))
    });
    assert!(failed.is_err());
    insert(&db, 3).expect("third unit");
    db.transaction_durable(|tx| {
        tx.execute("INSERT INTO t (id) VALUES (4)", [])?;
        Ok::<_, StoreError>(())
    })
    .expect("durable unit");
    assert_eq!(committed_ids(&path), [1, 3, 4]);
}

#[test]
fn units_still_pending_are_committed_when_the_last_handle_is_dropped() {
    let path = fresh_file("drop");
    let db = Db::open(&path).expect("open");
    db.migrate("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        .expect("table");
    let clone = db.clone();
    insert(&db, 1).expect("unit");
    insert(&clone, 2).expect("unit on a clone");
    drop(db);
    drop(clone);
    assert_eq!(committed_ids(&path), [1, 2]);
}

#[test]
fn in_memory_every_unit_commits_and_a_failed_one_rolls_back() {
    let db = Db::in_memory().expect("memory");
    db.migrate("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        .expect("table");
    insert(&db, 1).expect("unit");
    assert!(insert(&db, 1).is_err(), "a duplicate key fails its unit");
    let n: i64 = db
        .transaction(|tx| tx.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)))
        .expect("count");
    assert_eq!(n, 1);
}
