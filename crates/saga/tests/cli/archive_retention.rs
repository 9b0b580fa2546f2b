//! `saga run` enforces the template's archive retention (`RetentionDays:
//! 90`), as EventBridge discards archived events older than it
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archives.html,
//! https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html):
//! a database whose archive holds events from 100 days ago loses them when
//! a runtime starts on it, and keeps the younger ones.

use crate::demo;
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

/// Events from more than 95 days ago, and every event.
const OLD: &str = "SELECT count(*) FROM bus_archive WHERE time < ?1";
const ALL: &str = "SELECT count(*) FROM bus_archive WHERE ?1 IS NOT NULL";

fn count(db: &Path, sql: &str) -> i64 {
    let days_95 = (chrono::Utc::now() - chrono::Duration::days(95))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let conn = Connection::open(db).unwrap();
    conn.query_row(sql, [days_95], |r| r.get(0)).unwrap()
}

/// Dates the archived events of half the orders 100 days before now, as
/// if they had been put then (the archive's column and the event's time);
/// the newest event stays young, since the archive always keeps it.
fn age_half_the_orders(db: &Path) -> i64 {
    let conn = Connection::open(db).unwrap();
    let old = (chrono::Utc::now() - chrono::Duration::days(100))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    conn.execute(
        "UPDATE bus_archive SET time = ?1, event = json_set(event, '$.time', ?1)
         WHERE correlation_id IN (SELECT order_id FROM orders ORDER BY order_id LIMIT 30)
           AND seq < (SELECT max(seq) FROM bus_archive)",
        [&old],
    )
    .unwrap();
    conn.query_row(
        "SELECT count(*) FROM bus_archive WHERE time = ?1",
        [&old],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn saga_run_deletes_archived_events_older_than_the_templates_90_days_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = demo(db.to_str().unwrap());
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    let before = count(&db, ALL);
    let aged = age_half_the_orders(&db);
    assert!(aged > 0 && aged < before, "{aged} of {before} aged");
    assert_eq!(count(&db, OLD), aged);

    let server = crate::start_run(&db);
    let deadline = Instant::now() + Duration::from_secs(60);
    // The sweep logs what it deleted once it committed.
    while (count(&db, OLD) > 0 || !server.log_so_far().contains("deleted"))
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let (old, all) = (count(&db, OLD), count(&db, ALL));
    let log = server.log_so_far();
    server.kill();
    assert_eq!(old, 0, "the aged events are still archived:\n{log}");
    assert_eq!(all, before - aged, "the younger events are kept:\n{log}");
    assert!(
        log.contains("archive retention: 90 days") && log.contains("deleted"),
        "{log}"
    );
}
