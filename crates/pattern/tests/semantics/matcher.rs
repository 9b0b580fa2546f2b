//! The multi-rule matcher.

use pattern::{EventError, MatchScratch, MatcherBuilder, Pattern};

fn rule(json: &str) -> Pattern {
    Pattern::parse(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[test]
fn the_matcher_returns_every_matching_rule_in_rule_order() {
    let mut builder = MatcherBuilder::new();
    builder
        .add("by-source", rule(r#"{"source": ["orders"]}"#))
        .add(
            "by-type",
            rule(r#"{"detail-type": ["OrderPlaced", "OrderCancelled"]}"#),
        )
        .add(
            "by-amount",
            rule(r#"{"detail": {"amount": [{"numeric": [">=", 100]}]}}"#),
        )
        .add("other", rule(r#"{"source": ["payments"]}"#))
        .add(
            "by-source-again",
            rule(r#"{"source": ["orders"], "detail-type": ["OrderPlaced"]}"#),
        );
    let matcher = builder.build();
    let event = br#"{"source": "orders", "detail-type": "OrderPlaced", "detail": {"amount": 150}}"#;
    let matched = matcher.matching_rules(event).expect("valid event");
    assert_eq!(
        matched,
        [&"by-source", &"by-type", &"by-amount", &"by-source-again"]
    );
}

#[test]
fn scratch_buffers_can_be_reused_across_events() {
    let mut builder = MatcherBuilder::new();
    for i in 0..100 {
        builder.add(
            i,
            rule(&format!(
                r#"{{"source": ["s{i}"], "detail-type": ["t{}"]}}"#,
                i % 7
            )),
        );
    }
    let matcher = builder.build();
    let mut scratch = MatchScratch::default();
    let mut out = Vec::new();
    for i in 0..1000 {
        let event = format!(
            r#"{{"source": "s{}", "detail-type": "t{}"}}"#,
            i % 100,
            i % 7
        );
        matcher
            .matching_rules_into(event.as_bytes(), &mut scratch, &mut out)
            .expect("valid event");
        let source = i % 100;
        let expected: Vec<&i32> = if source % 7 == i % 7 {
            vec![&source]
        } else {
            vec![]
        };
        assert_eq!(out, expected, "event {i}");
    }
}

#[test]
fn rules_without_exact_fields_are_still_evaluated() {
    let mut builder = MatcherBuilder::new();
    builder.add("prefix", rule(r#"{"source": [{"prefix": "ord"}]}"#));
    builder.add(
        "or",
        rule(r#"{"$or": [{"source": ["x"]}, {"source": ["orders"]}]}"#),
    );
    builder.add(
        "absent",
        rule(r#"{"detail": {"missing": [{"exists": false}]}}"#),
    );
    let matcher = builder.build();
    let matched = matcher
        .matching_rules(br#"{"source": "orders"}"#)
        .expect("valid");
    assert_eq!(matched, [&"prefix", &"or", &"absent"]);
}

#[test]
fn exact_strings_inside_arrays_select_their_rules() {
    let mut builder = MatcherBuilder::new();
    builder.add(
        "r",
        rule(r#"{"resources": ["b"], "detail": {"items": {"sku": ["x"]}}}"#),
    );
    let matcher = builder.build();
    let event = br#"{"resources": ["a", "b"], "detail": {"items": [{"sku": "y"}, {"sku": "x"}]}}"#;
    assert_eq!(matcher.matching_rules(event).expect("valid"), [&"r"]);
}

#[test]
fn invalid_events_are_errors() {
    let matcher = {
        let mut builder = MatcherBuilder::new();
        builder.add("r", rule(r#"{"source": ["a"]}"#));
        builder.build()
    };
    assert_eq!(
        crate::matching(&matcher, b"[1]"),
        Err(EventError::NotAnObject)
    );
    assert!(matches!(
        crate::matching(&matcher, b"{\"a\": }"),
        Err(EventError::Syntax { .. })
    ));
    assert!(matches!(
        crate::matching(&matcher, b"{\"a\": \"\xff\"}"),
        Err(EventError::InvalidUtf8 { .. })
    ));
    assert!(matches!(
        crate::matching(&matcher, b"{} x"),
        Err(EventError::Syntax { .. })
    ));
    assert!(matches!(
        crate::matching(&matcher, b""),
        Err(EventError::Syntax { .. })
    ));
    // Unreferenced parts are validated too.
    assert!(matches!(
        crate::matching(&matcher, br#"{"source": "a", "other": [1, 2,]}"#),
        Err(EventError::Syntax { .. })
    ));
}

#[test]
fn matching_a_parsed_value_agrees_with_matching_text() {
    let mut builder = MatcherBuilder::new();
    builder.add("r", rule(r#"{"detail": {"n": [{"numeric": [">", 1]}]}}"#));
    let matcher = builder.build();
    let value = serde_json::json!({"detail": {"n": 2}});
    assert_eq!(matcher.matching_rules_for_value(&value), [&"r"]);
    assert!(
        matcher
            .matching_rules_for_value(&serde_json::json!([1]))
            .is_empty()
    );
}

/// A rule is filed under its exact-string field and not re-checked there
/// once that field's value selected it; these cases are where that shortcut
/// could go wrong: the anchor inside an array of objects, beside fields in
/// the same elements or outside any array.
#[test]
fn rules_selected_by_a_value_inside_an_array_keep_array_consistency() {
    let outside = r#"{"detail": {"items": {"sku": ["X"]}}, "source": [{"prefix": "a"}]}"#;
    let event = |items: &str, source: &str| {
        format!(r#"{{"source": "{source}", "detail": {{"items": {items}}}}}"#)
    };
    assert!(crate::matches(
        outside,
        &event(r#"[{"sku": "Y"}, {"sku": "X"}]"#, "abc")
    ));
    assert!(!crate::matches(
        outside,
        &event(r#"[{"sku": "Y"}, {"sku": "X"}]"#, "b")
    ));
    assert!(!crate::matches(outside, &event(r#"[{"sku": "Y"}]"#, "abc")));
    assert!(crate::matches(
        outside,
        &event(r#"{"sku": ["Z", "X"]}"#, "a")
    ));

    let beside = r#"{"detail": {"items": {"sku": ["X"], "n": [1]}}}"#;
    let split = event(r#"[{"sku": "X", "n": 2}, {"sku": "Y", "n": 1}]"#, "a");
    assert!(!crate::matches(beside, &split));
    let together = event(r#"[{"sku": "Y", "n": 1}, {"sku": "X", "n": 1}]"#, "a");
    assert!(crate::matches(beside, &together));
    assert!(!crate::matches(
        beside,
        &event(r#"{"sku": "X", "n": 2}"#, "a")
    ));
}

/// A rule with one condition inside arrays of objects is decided by the
/// values at that path, without walking the rule element by element; the
/// walk is still used for `exists: false`, which an element holds by
/// lacking the field.
#[test]
fn one_condition_inside_arrays_is_decided_by_the_values_at_its_path() {
    let numeric = r#"{"source": ["a"], "d": {"items": {"n": [{"numeric": [">", 1]}]}}}"#;
    let event = |items: &str| format!(r#"{{"source": "a", "d": {{"items": {items}}}}}"#);
    assert!(crate::matches(numeric, &event(r#"[{"n": 0}, {"n": [5]}]"#)));
    assert!(crate::matches(
        numeric,
        &event(r#"[[{"n": 0}], [{"n": 3}]]"#)
    ));
    assert!(!crate::matches(
        numeric,
        &event(r#"[{"n": 0}, {"m": 5}, 7]"#)
    ));
    let lacking = r#"{"source": ["a"], "d": {"items": {"sku": [{"exists": false}]}}}"#;
    assert!(crate::matches(
        lacking,
        &event(r#"[{"sku": "X"}, {"other": 1}]"#)
    ));
    assert!(!crate::matches(
        lacking,
        &event(r#"[{"sku": "X"}, {"sku": null}]"#)
    ));
}

#[test]
fn a_scratch_shared_by_matchers_with_different_fields_answers_each_exactly() {
    let mut first = MatcherBuilder::new();
    first.add("first", rule(r#"{"detail": {"b": ["x"], "c": ["y"]}}"#));
    let first = first.build();
    let mut second = MatcherBuilder::new();
    second.add(
        "second",
        rule(r#"{"source": ["s"], "detail": {"c": ["y"]}}"#),
    );
    second.add("other", rule(r#"{"b": ["x"]}"#));
    let second = second.build();
    let events = [
        r#"{"source":"s","detail":{"b":"x","c":"y"},"b":"x"}"#,
        r#"{"detail":{"c":"y","b":"x"},"source":"s"}"#,
        r#"{"b":"x","detail":{"c":"n","b":"x"}}"#,
    ];
    let mut scratch = MatchScratch::default();
    let mut out = Vec::new();
    for round in 0..3 {
        for event in events {
            for matcher in [&first, &second] {
                matcher
                    .matching_rules_into(event.as_bytes(), &mut scratch, &mut out)
                    .expect("valid event");
                let fresh = matcher.matching_rules(event.as_bytes()).expect("valid");
                assert_eq!(out, fresh, "round {round}: {event}");
            }
        }
    }
    let matched = second
        .matching_rules(events[0].as_bytes())
        .expect("valid event");
    assert_eq!(matched, [&"second", &"other"]);
}
