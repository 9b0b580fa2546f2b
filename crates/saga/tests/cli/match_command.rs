//! `saga match`.

use crate::{fixture, match_template, saga};

#[test]
fn match_lists_the_rules_and_targets_of_each_event() {
    let run = match_template("template.yaml");
    assert!(run.status.success(), "{}", run.stderr);
    let expected_first = "line 1 (shop.orders / Order Placed):\n  OrdersRule -> OrdersQueue\n  \
                          BigOrderRule -> PaymentQueue, AuditFunction\n  NullPromotionRule -> AuditFunction\n";
    assert!(run.stdout.contains(expected_first), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("line 2 (shop.payment / Payment Authorized): no rule matched")
    );
    assert!(
        run.stdout
            .contains("line 4 (shop.orders / Order Cancelled):\n  OrdersRule -> OrdersQueue\n")
    );
}

#[test]
fn match_reports_disabled_and_scheduled_rules_as_skipped() {
    let run = match_template("template.yaml");
    assert!(run.stdout.contains("3 rules loaded"), "{}", run.stdout);
    assert!(run.stdout.contains("skipped rule RetiredRule (disabled)"));
    assert!(
        run.stdout
            .contains("skipped rule NightlyRule (schedule only)")
    );
}

#[test]
fn match_ends_with_a_summary_including_events_per_second() {
    let run = match_template("template.yaml");
    let summary = run.stdout.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with(
            "summary: 3 events, 2 matched at least one rule, 4 rule matches, 0 invalid"
        ),
        "{summary}"
    );
    assert!(summary.contains("events per second"), "{summary}");
}

#[test]
fn match_accepts_a_plain_json_rules_file() {
    // Rules from a JSON object are taken in name order.
    let run = saga(&[
        "match",
        "--rules",
        &fixture("rules.json"),
        "--events",
        &fixture("events.jsonl"),
    ]);
    assert!(run.status.success(), "{}", run.stderr);
    assert!(
        run.stdout
            .contains("line 1 (shop.orders / Order Placed):\n  orders\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("line 2 (shop.payment / Payment Authorized):\n  as-text\n  not-orders\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn match_reports_invalid_event_lines_and_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let events = dir.path().join("events.jsonl");
    std::fs::write(
        &events,
        "{\"source\": \"shop.orders\"}\n{not json\n[1, 2]\n",
    )
    .expect("write events");
    let run = match_rules_file(&events);
    assert!(!run.status.success());
    // The same check and wording as `saga test-event-pattern` (AWS's
    // TestEventPattern refuses an event without its mandatory fields).
    assert!(
        run.stdout.contains(
            "line 1 (shop.orders / ?): invalid event: Parameter Event is not valid. Reason: missing required field `id`"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "line 2: invalid event: Parameter Event is not valid. Reason: event is not valid JSON"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "line 3: invalid event: Parameter Event is not valid. Reason: event is not a JSON object"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("3 invalid"), "{}", run.stdout);
}

#[test]
fn match_needs_a_template_or_a_rules_file() {
    let run = saga(&["match", "--events", &fixture("events.jsonl")]);
    assert!(!run.status.success());
    assert!(
        run.stderr.contains("--template") || run.stderr.contains("--rules"),
        "{}",
        run.stderr
    );
}

#[test]
fn match_reports_a_line_that_is_not_utf8_as_an_invalid_event_and_matches_the_rest() {
    // Before, the whole run stopped at such a line ("cannot read ...") and
    // the events after it were never matched.
    let dir = tempfile::tempdir().expect("temp dir");
    let events = dir.path().join("events.jsonl");
    let good = std::fs::read(fixture("events.jsonl")).expect("read fixture");
    let mut text = b"{\"id\": \"\xff\"}\r\n".to_vec();
    text.extend_from_slice(&good);
    std::fs::write(&events, text).expect("write events");
    let run = match_rules_file(&events);
    assert!(!run.status.success());
    assert!(
        run.stdout.contains(
            "line 1: invalid event: Parameter Event is not valid. Reason: event is not valid UTF-8"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("line 2 (shop.orders / Order Placed):\n  orders\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("1 invalid"), "{}", run.stdout);
}

/// `saga match` with the fixture rules over `events`.
fn match_rules_file(events: &std::path::Path) -> crate::Run {
    saga(&[
        "match",
        "--rules",
        &fixture("rules.json"),
        "--events",
        &events.display().to_string(),
    ])
}
