//! `saga demo`, `trace`, `dlq list` and `replay` on a real database file,
//! through the real binary.

use crate::{demo, saga, template};

#[test]
fn demo_settles_every_order_and_reports_the_invariants_held() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = demo(db.to_str().unwrap());
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("60 placed, 60 final"), "{}", run.stdout);
    assert!(run.stdout.contains("orders/s"));
    assert!(run.stdout.contains("p99"));
    // Three paths in six confirm (two plain, one high-value with a
    // promotion code); each failure path takes one in six.
    assert!(run.stdout.contains("CONFIRMED 30"), "{}", run.stdout);
    for reason in [
        "OUT_OF_STOCK 10",
        "PAYMENT_DECLINED 10",
        "SHIPMENT_FAILED 10",
    ] {
        assert!(run.stdout.contains(reason), "{reason}: {}", run.stdout);
    }
    assert!(!run.stdout.contains("VIOLATED"), "{}", run.stdout);

    // The archive now answers trace and replay; the DLQ is empty.
    let orders: Vec<String> = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn
            .prepare("SELECT order_id FROM orders WHERE status = 'CONFIRMED' LIMIT 1")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let trace = saga(&[
        "trace",
        &orders[0],
        "--template",
        &template(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(trace.status.success(), "{}", trace.stderr);
    assert!(trace.stdout.contains("Order Confirmed"));
    assert!(trace.stdout.contains("sequenceDiagram"));
    assert!(
        trace.stdout.contains("orders->>inventory: Order Placed"),
        "{}",
        trace.stdout
    );

    let list = saga(&[
        "dlq",
        "list",
        "--template",
        &template(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(list.status.success(), "{}", list.stderr);
    assert!(
        list.stdout.starts_with("0 dead letter(s)"),
        "{}",
        list.stdout
    );

    let replay = saga(&[
        "replay",
        "--rule",
        "PaymentRule",
        "--template",
        &template(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(replay.status.success(), "{}", replay.stderr);
    assert!(
        replay.stdout.contains("every replayed event was delivered"),
        "{}",
        replay.stdout
    );
}

#[test]
fn trace_of_something_that_is_not_an_order_id_names_the_problem() {
    let run = saga(&[
        "trace",
        "not-a-uuid",
        "--template",
        &template(),
        "--db",
        "/nonexistent/x.db",
    ]);
    assert!(!run.status.success());
    assert!(run.stderr.contains("not-a-uuid"), "{}", run.stderr);
}

#[test]
fn a_fault_rate_outside_zero_to_one_is_refused() {
    let run = saga(&[
        "demo",
        "--orders",
        "1",
        "--fail-rate",
        "1.5",
        "--template",
        &template(),
        "--db",
        "/tmp/never.db",
    ]);
    assert!(!run.status.success());
    assert!(run.stderr.contains("--fail-rate"), "{}", run.stderr);
}
