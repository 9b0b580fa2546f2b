//! `saga test-event-pattern`.

use crate::{fixture, saga};

const EVENT: &str = r#"{"id": "1", "account": "123456789012", "source": "shop.orders",
    "detail-type": "Order Placed", "time": "2026-01-01T00:00:00Z", "region": "eu-west-1",
    "resources": [], "detail": {"amount": 300}}"#;

fn test(pattern: &str, event: &str) -> crate::Run {
    saga(&[
        "test-event-pattern",
        "--event-pattern",
        pattern,
        "--event",
        event,
    ])
}

#[test]
fn test_event_pattern_prints_true_for_a_matching_event() {
    let run = test(
        r#"{"source": ["shop.orders"], "detail": {"amount": [3e2]}}"#,
        EVENT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), r#"{"Result": true}"#);
}

#[test]
fn test_event_pattern_prints_false_for_an_event_that_does_not_match() {
    let run = test(r#"{"source": ["shop.payment"]}"#, EVENT);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), r#"{"Result": false}"#);
}

#[test]
fn test_event_pattern_reads_the_pattern_and_event_from_files() {
    let pattern = format!("file://{}", fixture("pattern.json"));
    let event = format!("file://{}", fixture("event.json"));
    let run = test(&pattern, &event);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), r#"{"Result": true}"#);
}

#[test]
fn an_invalid_pattern_fails_with_the_offending_path_on_stderr() {
    let run = test(
        r#"{"detail": {"amount": [{"numeric": [">", "x"]}]}}"#,
        EVENT,
    );
    assert!(!run.status.success());
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("detail.amount"), "{}", run.stderr);
    assert!(
        run.stderr.contains("InvalidEventPatternException"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_event_without_the_mandatory_fields_is_rejected() {
    let run = test(
        r#"{"source": ["shop.orders"]}"#,
        r#"{"source": "shop.orders"}"#,
    );
    assert!(!run.status.success());
    assert!(
        run.stderr.contains("missing required field `id`"),
        "{}",
        run.stderr
    );
    let no_resources = EVENT.replace(r#""resources": [],"#, "");
    let run = test(r#"{"source": ["shop.orders"]}"#, &no_resources);
    assert!(run.stderr.contains("`resources`"), "{}", run.stderr);
}

#[test]
fn an_event_that_is_not_json_is_rejected() {
    let run = test(r#"{"source": ["shop.orders"]}"#, "not json");
    assert!(!run.status.success());
    assert!(
        run.stderr.contains("Parameter Event is not valid"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_pattern_file_is_reported() {
    let run = test("file:///nonexistent/pattern.json", EVENT);
    assert!(!run.status.success());
    assert!(
        run.stderr.contains("/nonexistent/pattern.json"),
        "{}",
        run.stderr
    );
}
