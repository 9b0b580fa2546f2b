//! `saga seed` writes the rows `saga demo` gets from the real saga: the
//! same tables, the same kinds of rows in the same numbers, the saga's
//! own ids (every event id derived from its order by the services'
//! functions), times in order, and the invariants holding; and the
//! commands that read a database read a seeded one as they read a demo's.

use crate::{saga, template};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::Path;

/// What a database holds, by kind of row: every table's row count, and the
/// rows of each table counted by what tells one kind from another.
const SHAPE: &[&str] = &[
    "SELECT 'orders ' || status || ' ' || coalesce(json_extract(reason, '$.code'), '-'), count(*) FROM orders GROUP BY 1",
    "SELECT 'timeline ' || json_extract(entry, '$.detailType'), count(*) FROM orders_timeline GROUP BY 1",
    "SELECT 'keys', count(*) FROM orders_idempotency_keys",
    "SELECT 'outbox', count(*) FROM orders_outbox",
    "SELECT 'reservations ' || state, count(*) FROM inventory_reservations GROUP BY 1",
    "SELECT 'payments ' || status || ' ' || (refund_event_id IS NULL), count(*) FROM payments GROUP BY 1",
    "SELECT 'shipments ' || status, count(*) FROM shipments GROUP BY 1",
    "SELECT 'processed ' || consumer, count(*) FROM processed_events GROUP BY 1",
    "SELECT 'archive ' || detail_type, count(*) FROM bus_archive GROUP BY 1",
    "SELECT 'queued ' || queue || ' ' || (archive_seq IS NULL), count(*) FROM queue_messages GROUP BY 1",
    "SELECT 'dead letters', count(*) FROM dlq_messages",
    "SELECT 'stock ' || sku || ' ' || available || '/' || reserved || '/' || shipped, 1 FROM inventory_items",
    "SELECT 'table ' || name, 1 FROM sqlite_master WHERE type IN ('table', 'index')",
];

fn shape(db: &Path) -> BTreeMap<String, i64> {
    let conn = Connection::open(db).unwrap();
    let mut out = BTreeMap::new();
    for sql in SHAPE {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .unwrap();
        for row in rows {
            let (kind, n) = row.unwrap();
            out.insert(kind, n);
        }
    }
    out
}

fn strings(db: &Path, sql: &str) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// How many archived events have the id `EventId::derive` gives for their
/// cause and detail type.
fn derived(db: &Path) -> usize {
    let events = strings(
        db,
        "SELECT json_extract(event, '$.detail.metadata.eventId') || ' ' ||
                json_extract(event, '$.detail.metadata.causationId') || ' ' || detail_type
         FROM bus_archive WHERE detail_type != 'Order Placed'",
    );
    let derived = events
        .iter()
        .filter(|line| {
            let mut parts = line.splitn(3, ' ');
            let (id, cause, kind) = (parts.next(), parts.next(), parts.next());
            let cause = cause.and_then(events::EventId::parse).unwrap();
            id == Some(
                events::EventId::derive(cause, kind.unwrap())
                    .to_string()
                    .as_str(),
            )
        })
        .count();
    assert!(derived > 0, "{events:?}");
    derived
}

#[test]
fn a_seeded_database_holds_the_rows_a_demo_of_as_many_orders_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (seeded, demo) = (dir.path().join("seed.db"), dir.path().join("demo.db"));
    let db = |p: &Path| p.to_str().unwrap().to_owned();
    let seeding = seed("24", &seeded);
    assert!(
        seeding.status.success(),
        "{}\n{}",
        seeding.stdout,
        seeding.stderr
    );
    assert!(
        seeding.stdout.contains("invariants:  held"),
        "{}",
        seeding.stdout
    );
    let run = saga(&[
        "demo",
        "--orders",
        "24",
        "--concurrency",
        "4",
        "--template",
        &template(),
        "--db",
        &db(&demo),
    ]);
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);

    assert_eq!(shape(&seeded), shape(&demo));

    // Every order's saga events carry the ids the services derive from it.
    let placed = strings(
        &seeded,
        "SELECT correlation_id || ' ' || json_extract(event, '$.detail.metadata.eventId')
         FROM bus_archive WHERE detail_type = 'Order Placed'",
    );
    assert_eq!(placed.len(), 24);
    for line in placed {
        let (order, event) = line.split_once(' ').unwrap();
        let order = events::OrderId::parse(order).unwrap();
        assert_eq!(event, events::EventId::for_order_placed(order).to_string());
    }
    let orphans = strings(
        &seeded,
        "SELECT json_extract(event, '$.detail.metadata.eventId') FROM bus_archive
         WHERE detail_type != 'Order Placed'
           AND json_extract(event, '$.detail.metadata.causationId') NOT IN (
             SELECT json_extract(event, '$.detail.metadata.eventId') FROM bus_archive)
         UNION ALL
         SELECT event_id FROM processed_events WHERE event_id NOT IN (
           SELECT json_extract(event, '$.detail.metadata.eventId') FROM bus_archive)",
    );
    assert!(
        orphans.is_empty(),
        "events whose cause or event is missing: {orphans:?}"
    );
    assert_eq!(
        derived(&seeded),
        derived(&demo),
        "events derived from their cause"
    );
    // Orders in time order, and the archive's sequence in time order too.
    let ids = strings(&seeded, "SELECT order_id FROM orders ORDER BY created_at");
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "order ids are time-ordered (UUID v7)");
    let times = strings(&seeded, "SELECT time FROM bus_archive ORDER BY seq");
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // A seeded order reads as a demo order does.
    let confirmed = strings(
        &seeded,
        "SELECT order_id FROM orders WHERE status = 'CONFIRMED' LIMIT 1",
    );
    let trace = saga(&[
        "trace",
        &confirmed[0],
        "--template",
        &template(),
        "--db",
        &db(&seeded),
    ]);
    assert!(trace.status.success(), "{}", trace.stderr);
    assert!(
        trace.stdout.contains("orders->>inventory: Order Placed")
            && trace.stdout.contains("Order Confirmed"),
        "{}",
        trace.stdout
    );
}

/// `saga seed` of `orders` orders into `db`.
fn seed(orders: &str, db: &Path) -> crate::Run {
    saga(&[
        "seed",
        "--orders",
        orders,
        "--template",
        &template(),
        "--db",
        db.to_str().unwrap(),
    ])
}

#[test]
fn seed_replaces_its_own_database_and_refuses_one_a_saga_run_made() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seed.db");
    for _ in 0..2 {
        let run = seed("6", &db);
        assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    }
    assert_eq!(strings(&db, "SELECT count(*) || '' FROM orders"), ["6"]);
    // As a `saga run` database would be: no record of demo or seed.
    Connection::open(&db)
        .unwrap()
        .execute("DELETE FROM saga_origin", [])
        .unwrap();
    let refused = seed("6", &db);
    assert!(!refused.status.success());
    assert!(
        refused.stderr.contains("did not create"),
        "{}",
        refused.stderr
    );
    assert_eq!(strings(&db, "SELECT count(*) || '' FROM orders"), ["6"]);
}
