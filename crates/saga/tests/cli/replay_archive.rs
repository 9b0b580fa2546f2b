//! What a replay adds to the archive (docs/local-runtime.md, "Replays"):
//! replayed events are not archived again, and a consumer that already
//! handled a replayed event publishes only what it never published before
//! (an outcome a crash kept from the bus); so N replays grow the archive
//! by those first-time outcomes only, not by a re-run of the whole saga.

use crate::{demo, saga, template};
use std::path::Path;

fn archived(db: &Path, detail_type: Option<&str>) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT count(*) FROM bus_archive WHERE ?1 IS NULL OR detail_type = ?1",
        [detail_type],
        |r| r.get(0),
    )
    .unwrap()
}

fn replay(db: &Path) {
    let run = saga(&[
        "replay",
        "--template",
        &template(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("every replayed event was delivered"),
        "{}",
        run.stdout
    );
}

#[test]
fn three_replays_leave_the_archive_as_it_was_when_every_outcome_was_published() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = demo(db.to_str().unwrap());
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    let before = archived(&db, None);
    assert!(before > 60, "{before}");
    for _ in 0..3 {
        replay(&db);
    }
    assert_eq!(
        archived(&db, None),
        before,
        "the old runtime re-ran the saga"
    );
}

#[test]
fn a_replay_publishes_an_outcome_a_crash_kept_from_the_bus_once_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = demo(db.to_str().unwrap());
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    // The orders service recorded these outcomes but, as if it crashed
    // between its commit and its publish, they never reached the bus (an
    // event nobody acts on further, so no consumer can have seen it).
    let lost = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "DELETE FROM bus_archive WHERE detail_type = 'Order Confirmed'",
            [],
        )
        .unwrap()
    };
    assert!(lost > 0, "the demo confirms orders");
    let before = archived(&db, None);
    replay(&db);
    assert_eq!(archived(&db, Some("Order Confirmed")), lost as i64);
    assert_eq!(archived(&db, None), before + lost as i64);
    replay(&db);
    assert_eq!(archived(&db, None), before + lost as i64, "published once");
}
