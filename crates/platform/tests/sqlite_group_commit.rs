//! Group commit in `platform::sqlite::Db`: each `transaction` is an atomic
//! unit even when it shares its SQLite transaction with others, and what a
//! caller acknowledges is committed when `transaction_durable` returns. A
//! second, plain connection to the same file shows what is committed.

use platform::StoreError;
use platform::sqlite::{Db, WalBound};
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

#[tokio::test]
async fn a_failed_unit_leaves_nothing_while_the_units_around_it_in_its_group_commit() {
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
    .await
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

#[test]
fn the_wal_starts_over_while_units_never_pause_so_it_stays_bounded() {
    let path = fresh_file("wal-bound");
    let bound = WalBound {
        restart_frames: 256,
        keep_bytes: 1024 * 1024,
        checkpoint_every: std::time::Duration::from_millis(5),
    };
    let db = Db::open_with(&path, bound).expect("open");
    db.migrate("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        .expect("table");
    let wal = path.with_extension("sqlite-wal");
    let mut largest = 0;
    // About 24 MB of rows, written back to back: a group is open nearly all
    // the time, which is what starved the checkpoint before the bound.
    for id in 0..24_000_i64 {
        db.transaction(|tx| {
            tx.execute("INSERT INTO t (id, body) VALUES (?1, zeroblob(1000))", [id])?;
            Ok::<_, StoreError>(())
        })
        .expect("unit");
        if id % 500 == 0 {
            largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        }
    }
    drop(db);
    let data = std::fs::metadata(&path).expect("database file").len();
    assert!(
        data > 15_000_000,
        "the rows reached the database file: {data} bytes"
    );
    assert!(
        largest < 8 * 1024 * 1024,
        "the WAL grew to {largest} bytes while {data} bytes were written through it"
    );
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_durable_units_are_each_committed_by_the_time_they_return_and_share_commits() {
    let path = fresh_file("durable-join");
    let db = Db::open(&path).expect("open");
    db.migrate("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        .expect("table");
    let before = db.commits();
    let (tasks, each) = (64_i64, 20_i64);
    let mut running = Vec::new();
    for task in 0..tasks {
        let (db, path) = (db.clone(), path.clone());
        running.push(tokio::spawn(async move {
            let reader = Connection::open(&path).expect("reader");
            for n in 0..each {
                let id = task * each + n;
                db.transaction_durable(|tx| {
                    tx.execute("INSERT INTO t (id) VALUES (?1)", [id])?;
                    Ok::<_, StoreError>(())
                })
                .await
                .expect("durable unit");
                let seen: i64 = reader
                    .query_row("SELECT COUNT(*) FROM t WHERE id = ?1", [id], |r| r.get(0))
                    .expect("read");
                assert_eq!(seen, 1, "unit {id} is committed once its call returned");
            }
        }));
    }
    for task in running {
        task.await.expect("task");
    }
    let (commits, units) = (db.commits() - before, (tasks * each) as u64);
    // 64 placements in flight at once, as under `make load`: while one
    // waits for its commit, the others' units join its group.
    assert!(
        commits * 4 < units,
        "{units} durable units took {commits} commits"
    );
    drop(db);
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}

/// A unit on another thread holds the connection until it is signalled;
/// on a one-thread runtime, a task queues for the connection and then the
/// task that sends the signal runs. Had the queued task blocked the
/// runtime's only thread, the signal would never be sent.
#[test]
fn a_task_waiting_for_the_connection_leaves_its_thread_to_other_tasks() {
    let path = fresh_file("gate");
    let db = Db::open(&path).expect("open");
    db.migrate("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        .expect("table");
    let one_thread = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    };
    let (signal, signalled) = std::sync::mpsc::channel::<()>();
    let (holding, held) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn({
        let db = db.clone();
        move || {
            one_thread().block_on(db.transaction_async(move |tx| {
                holding.send(()).expect("holding");
                signalled
                    .recv_timeout(std::time::Duration::from_secs(10))
                    .expect("signalled");
                tx.execute("INSERT INTO t (id) VALUES (1)", [])?;
                Ok::<_, StoreError>(())
            }))
        }
    });
    held.recv().expect("the holder has the connection");
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn({
        let db = db.clone();
        move || {
            one_thread().block_on(async move {
                let waiter = tokio::spawn(async move { insert_async(&db, 2).await });
                tokio::task::yield_now().await;
                signal.send(()).expect("signal");
                let _ = done.send(waiter.await.expect("waiter"));
            });
        }
    });
    finished
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the signal was sent: the waiting task did not block the thread")
        .expect("second unit");
    holder.join().expect("holder").expect("first unit");
    drop(db);
    assert_eq!(committed_ids(&path), [1, 2]);
}

async fn insert_async(db: &Db, id: i64) -> Result<(), StoreError> {
    db.transaction_async(|tx| {
        tx.execute("INSERT INTO t (id) VALUES (?1)", [id])?;
        Ok(())
    })
    .await
}
