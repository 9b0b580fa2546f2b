//! `saga report` through the real binary, on the database a `saga demo`
//! run leaves: the demo's mix of paths is known, so are the figures.

use crate::{demo, saga, template};

#[test]
fn reports_after_a_demo_count_the_demo_s_known_mix_and_draw_a_chart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    let demo = demo(db);
    assert!(demo.status.success(), "{}\n{}", demo.stdout, demo.stderr);
    let template = template();
    let report = |args: &[&str]| {
        let mut all = vec!["report", "--template", template.as_str(), "--db", db];
        all.extend_from_slice(args);
        saga(&all)
    };

    // One order in six on each failure path, three in six confirmed.
    let reasons = report(&["cancellation-reasons", "--format", "csv"]);
    assert!(reasons.status.success(), "{}", reasons.stderr);
    assert_eq!(
        reasons.stdout,
        "reason,orders\r\nOUT_OF_STOCK,10\r\nPAYMENT_DECLINED,10\r\nSHIPMENT_FAILED,10\r\n"
    );
    let times = report(&["time-to-final-state", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&times.stdout).unwrap();
    let orders: Vec<(String, i64)> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_owned(),
                r["orders"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        orders,
        [
            ("CONFIRMED".to_owned(), 30),
            ("OUT_OF_STOCK".to_owned(), 10),
            ("PAYMENT_DECLINED".to_owned(), 10),
            ("SHIPMENT_FAILED".to_owned(), 10)
        ]
    );
    for row in json["rows"].as_array().unwrap() {
        let (p50, p99) = (
            row["p50_ms"].as_i64().unwrap(),
            row["p99_ms"].as_i64().unwrap(),
        );
        assert!(0 <= p50 && p50 <= p99, "{row}");
    }

    let chart = dir.path().join("status.svg");
    let status = report(&["orders-by-status", "--chart", chart.to_str().unwrap()]);
    assert!(status.status.success(), "{}", status.stderr);
    assert!(
        status
            .stdout
            .starts_with("Orders by final status per hour\nhour"),
        "{}",
        status.stdout
    );
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("CONFIRMED"),
        "{svg}"
    );

    let dead = report(&["dead-letters", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&dead.stdout).unwrap();
    assert_eq!(
        json["rows"],
        serde_json::json!([]),
        "a demo without faults dead-letters nothing"
    );
}

#[test]
fn an_unknown_report_or_a_bad_window_fails_naming_it_before_opening_the_database() {
    let run = saga(&["report", "sales", "--db", "/nonexistent/saga.db"]);
    assert!(!run.status.success());
    assert!(
        run.stderr.contains("unknown report \"sales\""),
        "{}",
        run.stderr
    );
    let run = saga(&[
        "report",
        "revenue",
        "--from",
        "2026-11-23",
        "--to",
        "2026-11-22",
    ]);
    assert!(!run.status.success());
    assert!(run.stderr.contains("parameter to:"), "{}", run.stderr);
    let run = saga(&["report", "revenue", "--db", "/nonexistent/saga.db"]);
    assert!(
        run.stderr
            .contains("no saga database at /nonexistent/saga.db"),
        "{}",
        run.stderr
    );
}
