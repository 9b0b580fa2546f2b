//! dotted paths: cases with AWS's answers.

//!
//! EventBridge flattens the event and the pattern to dotted paths before
//! matching (event-ruler README, "Caveat: Compiled rules and JSON keys with
//! dots"), so a key `"a.b"` and a key `b` inside `a` are one path, on either
//! side, at any depth, beside arrays and inside them.

use crate::Expect::Answer;
use crate::Source::{EventRuler, Observed};
use crate::{Case, Source, check, check_owned};

#[test]
fn aws_recorded_answers_dotted_paths() {
    check(CASES);
}

const RULER: Source = EventRuler("README: Caveat: Compiled rules and JSON keys with dots");

fn event(detail: &str) -> String {
    format!(
        r#"{{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {detail}}}"#
    )
}

#[test]
fn joined_keys_match_nested_fields_in_every_combination() {
    let nested = r#"{"payload": {"nested": {"another-level": {"deep": "v"}}}}"#;
    let joined_event_keys = [
        r#"{"payload.nested.another-level.deep": "v"}"#,
        r#"{"payload.nested": {"another-level.deep": "v"}}"#,
        r#"{"payload": {"nested.another-level": {"deep": "v"}}}"#,
        nested,
    ];
    let patterns = [
        r#"{"detail": {"payload": {"nested": {"another-level": {"deep": ["v"]}}}}}"#,
        r#"{"detail": {"payload.nested.another-level.deep": ["v"]}}"#,
        r#"{"detail.payload.nested": {"another-level.deep": ["v"]}}"#,
        r#"{"detail": {"payload.nested": {"another-level": {"deep": [{"prefix": "v"}]}}}}"#,
    ];
    for detail in joined_event_keys {
        for pattern in patterns {
            check_owned(RULER, pattern, &event(detail), Answer(true));
            let other = event(&detail.replace("\"v\"", "\"w\""));
            check_owned(RULER, pattern, &other, Answer(false));
        }
    }
}

#[test]
fn joined_keys_work_inside_arrays_and_or_and_with_exists() {
    let cases = [
        // Inside an array of objects, with array consistency.
        (
            r#"{"detail": {"items": {"sku.id": ["a"], "qty": [1]}}}"#,
            r#"{"items": [{"sku": {"id": "a"}, "qty": 2}, {"sku.id": "b", "qty": 1}]}"#,
            false,
        ),
        (
            r#"{"detail": {"items": {"sku": {"id": ["b"]}, "qty": [1]}}}"#,
            r#"{"items": [{"sku": {"id": "a"}, "qty": 2}, {"sku.id": "b", "qty": 1}]}"#,
            true,
        ),
        (
            r#"{"detail": {"items.sku": {"id": ["b"]}}}"#,
            r#"{"items": [{"sku.id": "a"}, {"sku": {"id": "b"}}]}"#,
            true,
        ),
        // In $or branches.
        (
            r#"{"detail": {"$or": [{"a.b": ["x"]}, {"c": ["y"]}]}}"#,
            r#"{"a": {"b": "x"}}"#,
            true,
        ),
        (
            r#"{"detail": {"$or": [{"a": {"b": ["x"]}}, {"c": ["y"]}]}}"#,
            r#"{"a.b": "x"}"#,
            true,
        ),
        (
            r#"{"detail": {"$or": [{"a": {"b": ["x"]}}, {"c": ["y"]}]}}"#,
            r#"{"a.b": "z"}"#,
            false,
        ),
        // exists looks at the joined path.
        (
            r#"{"detail": {"a": {"b": [{"exists": true}]}}}"#,
            r#"{"a.b": 1}"#,
            true,
        ),
        (
            r#"{"detail": {"a.b": [{"exists": false}]}}"#,
            r#"{"a.b": 1}"#,
            false,
        ),
        (
            r#"{"detail": {"a.b": [{"exists": false}]}}"#,
            r#"{"a": {"c": 1}}"#,
            true,
        ),
        // A joined key longer than sixteen bytes.
        (
            r#"{"detail": {"a-rather-long-key": {"and-another-long-one": ["x"]}}}"#,
            r#"{"a-rather-long-key.and-another-long-one": "x"}"#,
            true,
        ),
        // A joined key beside an object of the same name, inside an array
        // (the walk) and outside (the slot table).
        (
            r#"{"detail": {"x": {"a": {"b": [2], "c": [1]}}}}"#,
            r#"{"x": [{"a": {"c": 1}, "a.b": 2}]}"#,
            true,
        ),
        (
            r#"{"detail": {"x": {"a": {"b": [2], "c": [1]}}}}"#,
            r#"{"x": [{"a": {"c": 1}}, {"a.b": 2}]}"#,
            false,
        ),
        (
            r#"{"detail": {"a": {"b": [2], "c": [1]}}}"#,
            r#"{"a": {"c": 1}, "a.b": 2}"#,
            true,
        ),
        (
            r#"{"detail": {"$or": [{"a": {"b": [2], "c": [1]}}, {"z": [0]}]}}"#,
            r#"{"a": {"c": 1}, "a.b": 2}"#,
            true,
        ),
        (
            r#"{"detail": {"$or": [{"a": {"b": {"d": [3]}, "c": [1]}}, {"z": [0]}]}}"#,
            r#"{"a": {"c": 1}, "a.b.d": 3}"#,
            true,
        ),
        (
            r#"{"detail": {"x": {"a": {"b": ["v"], "c": ["w"]}}}}"#,
            r#"{"x": [{"a": {"c": "w"}, "a.b": "v"}]}"#,
            true,
        ),
        (
            r#"{"detail": {"x": {"a": {"b": ["v"], "c": ["w"]}}}}"#,
            r#"{"x": [{"a": {"b": "v"}, "a.c": "w"}]}"#,
            true,
        ),
        (
            r#"{"detail": {"x": {"a": {"b": ["v"], "c": ["w"]}}}}"#,
            r#"{"x": [{"a": {"b": "v"}}, {"a.c": "w"}]}"#,
            false,
        ),
        // Not a prefix match on keys: `a.bc` is not `a.b`.
        (
            r#"{"detail": {"a": {"b": ["x"]}}}"#,
            r#"{"a.bc": "x"}"#,
            false,
        ),
    ];
    for (pattern, detail, answer) in cases {
        check_owned(RULER, pattern, &event(detail), Answer(answer));
    }
}

/// A payload like the one AWS was asked about in
/// `test_event_with_large_and_complex_payload`: tens of kilobytes, objects
/// nested several levels, arrays of objects, and the field the pattern
/// names (a list of objects) deep inside, after many others.
fn large_payload() -> String {
    let filler = |n: usize| -> String {
        (0..n)
            .map(|i| format!(r#""field{i}": {{"name": "value-{i}", "count": {i}, "tags": ["a", "b"], "inner": {{"x": [{{"y": {i}.5}}]}}}}"#))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let deep =
        r#"[{"inside-list": "q-test-value", "other": "x"}, {"inside-list": "nope"}, {"z": 1}]"#;
    format!(
        r#"{{"sourceHostname": "lambda.amazonaws.com", "retryCount": 0, "metadata": {{}}, "payload": {{{}, "nested": {{{}, "another-level": {{"before": "x", "deep": {deep}, "after": [1, 2]}}, {}}}}}}}"#,
        filler(120),
        filler(120),
        filler(120)
    )
}

#[test]
fn a_dotted_pattern_key_reaches_deep_into_a_large_payload() {
    let event = format!(
        r#"{{"id": "1", "source": "soft1", "detail-type": "cmd.documents.generate", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}}"#,
        large_payload()
    );
    assert!(event.len() > 30_000, "{}", event.len());
    let source = Observed("test_event_with_large_and_complex_payload");
    check_owned(
        source,
        r#"{"detail-type": ["cmd.documents.generate"]}"#,
        &event,
        Answer(true),
    );
    check_owned(
        source,
        r#"{"detail": {"payload.nested.another-level.deep": {"inside-list": [{"prefix": "q-test"}]}}}"#,
        &event,
        Answer(true),
    );
    check_owned(
        source,
        r#"{"detail": {"payload.nested.another-level.deep": {"inside-list": [{"prefix": "r-test"}]}}}"#,
        &event,
        Answer(false),
    );
}

const CASES: &[Case] = &[
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    Case {
        source: Observed("dot_joining_event"),
        pattern: r#"{"detail": {"state": {"status": ["running"]}}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state.status": "running"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    Case {
        source: Observed("dot_joining_event_NEG"),
        pattern: r#"{"detail": {"state": {"status": ["running"]}}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state.status": {"status": "running"}}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    Case {
        source: Observed("dot_joining_pattern"),
        pattern: r#"{"detail": {"state.status": ["running"]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": {"status": "running"}}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    Case {
        source: Observed("dot_joining_pattern_NEG"),
        pattern: r#"{"detail": {"state.status": {"status": ["running"]}}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": {"status": "running"}}}"#,
        expect: Answer(false),
    },
];
