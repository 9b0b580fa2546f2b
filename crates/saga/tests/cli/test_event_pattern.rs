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
fn an_event_without_the_mandatory_fields_is_rejected_with_aws_wording() {
    // Observed on AWS (LocalStack's AWS-validated snapshot
    // `test_invalid_event_payload`): ValidationException "Parameter Event is
    // not valid." for {"testEvent": "value"}.
    let run = test(
        r#"{"source": ["shop.orders"]}"#,
        r#"{"source": "shop.orders"}"#,
    );
    assert!(!run.status.success());
    assert!(
        run.stderr.contains(
            "ValidationException: Parameter Event is not valid. Reason: missing required field `id`"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_event_without_resources_is_answered_as_aws_does() {
    // AWS answers TestEventPattern for events without `resources`, though
    // the API reference lists it as mandatory (every AWS-validated case of
    // LocalStack's test_events_patterns.py omits it).
    let no_resources = EVENT.replace(r#""resources": [],"#, "");
    let run = test(r#"{"source": ["shop.orders"]}"#, &no_resources);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), r#"{"Result": true}"#);
}

#[test]
fn a_detail_type_list_is_matched_by_its_element() {
    // Observed on AWS: LocalStack's AWS-validated case `content_ignorecase`
    // (event `"detail-type": ["EC2 Instance State-change Notification"]`).
    let event = EVENT.replace(
        r#""detail-type": "Order Placed""#,
        r#""detail-type": ["Order Placed"]"#,
    );
    let run = test(
        r#"{"detail-type": [{"equals-ignore-case": "order placed"}]}"#,
        &event,
    );
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), r#"{"Result": true}"#);
}

#[test]
fn test_event_pattern_and_saga_match_give_the_pattern_crates_answer() {
    // One code path: the command prints what `pattern::test_event_pattern`
    // answers, and `saga match` routes the same event the same way.
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            r#"{"detail": {"state": {"status": ["running"]}}}"#,
            r#"{"state.status": "running"}"#,
        ),
        (
            r#"{"detail": {"state.status": ["running"]}}"#,
            r#"{"state": {"status": "running"}}"#,
        ),
        (
            r#"{"detail": {"state": {"status": ["running"]}}}"#,
            r#"{"state.status": {"status": "running"}}"#,
        ),
        (
            r#"{"detail": {"amount": [{"numeric": [">", 100]}]}}"#,
            r#"{"amount": 300}"#,
        ),
    ];
    for (pattern, detail) in cases {
        let event = EVENT
            .replace(r#"{"amount": 300}"#, detail)
            .replace('\n', " ");
        let expected = pattern::test_event_pattern(pattern, &event).expect("valid case");
        let run = test(pattern, &event);
        assert_eq!(
            run.stdout.trim(),
            format!("{{\"Result\": {expected}}}"),
            "{pattern} {event}"
        );
        let rules = dir.path().join("rules.json");
        let events = dir.path().join("events.jsonl");
        std::fs::write(&rules, format!(r#"{{"the-rule": {pattern}}}"#)).expect("write rules");
        std::fs::write(&events, format!("{event}\n")).expect("write events");
        let run = saga(&[
            "match",
            "--rules",
            &rules.display().to_string(),
            "--events",
            &events.display().to_string(),
        ]);
        assert_eq!(
            run.stdout.contains("  the-rule\n"),
            expected,
            "{}",
            run.stdout
        );
    }
}

#[test]
fn a_too_complex_wildcard_is_refused_with_aws_wording() {
    // Observed on AWS: LocalStack's AWS-validated case
    // `content_wildcard_complex_EXC`.
    let run = test(
        r#"{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}"#,
        EVENT,
    );
    assert!(!run.status.success());
    assert!(
        run.stderr.contains(
            "InvalidEventPatternException: Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"
        ),
        "{}",
        run.stderr
    );
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
