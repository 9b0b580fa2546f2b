//! Arrays in events, nested objects and `$or` nesting.

use crate::matches;

#[test]
fn a_scalar_matches_any_value_in_the_list() {
    assert!(matches(r#"{"x": ["a", "b"]}"#, r#"{"x": "b"}"#));
}

#[test]
fn an_event_array_matches_when_any_element_does() {
    let pattern = r#"{"x": [{"numeric": [">", 10]}]}"#;
    assert!(matches(pattern, r#"{"x": [1, 2, 30]}"#));
    assert!(!matches(pattern, r#"{"x": [1, 2, 3]}"#));
    assert!(matches(pattern, r#"{"x": [[1], [[40]]]}"#));
}

#[test]
fn anything_but_matches_an_array_with_any_other_element() {
    let pattern = r#"{"price": [{"anything-but": [100, 500]}]}"#;
    assert!(matches(pattern, r#"{"price": [100, 50]}"#));
    assert!(!matches(pattern, r#"{"price": [100, 500]}"#));
}

#[test]
fn objects_inside_arrays_are_matched_element_by_element() {
    let event = r#"{"employees": [
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Anna", "lastName": "Smith"},
        {"firstName": "Peter", "lastName": "Jones"}
    ]}"#;
    assert!(matches(r#"{"employees": {"firstName": ["Anna"]}}"#, event));
    assert!(matches(
        r#"{"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}"#,
        event
    ));
    // Fields from different elements never combine (event-ruler README, "JSON Array Matching").
    assert!(!matches(
        r#"{"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}"#,
        event
    ));
}

#[test]
fn nested_arrays_of_objects_are_flattened() {
    let event = r#"{"employees": [[{"firstName": "John"}, {"firstName": "Anna"}], [{"firstName": "Peter"}]]}"#;
    assert!(matches(r#"{"employees": {"firstName": ["Peter"]}}"#, event));
}

#[test]
fn an_object_pattern_does_not_match_a_scalar() {
    assert!(!matches(
        r#"{"detail": {"x": ["1"]}}"#,
        r#"{"detail": "x"}"#
    ));
    assert!(matches(
        r#"{"detail": {"x": [{"exists": false}]}}"#,
        r#"{"detail": "x"}"#
    ));
}

#[test]
fn a_leaf_pattern_does_not_match_an_object() {
    assert!(!matches(
        r#"{"detail": ["x"]}"#,
        r#"{"detail": {"x": "x"}}"#
    ));
}

#[test]
fn nested_or_inside_or() {
    let pattern = r#"{"$or": [
        {"source": ["a"]},
        {"$or": [{"detail": {"n": [{"numeric": [">", 5]}]}}, {"detail-type": ["t"]}]}
    ]}"#;
    assert!(matches(pattern, r#"{"source": "a"}"#));
    assert!(matches(pattern, r#"{"detail": {"n": 6}}"#));
    assert!(matches(pattern, r#"{"detail-type": "t"}"#));
    assert!(!matches(pattern, r#"{"source": "b", "detail": {"n": 5}}"#));
}

#[test]
fn two_or_groups_in_one_object_must_both_match() {
    let pattern = r#"{"detail": {
        "$or": [{"a": ["1"]}, {"b": ["1"]}],
        "c": ["1"]
    }}"#;
    assert!(matches(pattern, r#"{"detail": {"b": "1", "c": "1"}}"#));
    assert!(!matches(pattern, r#"{"detail": {"b": "1", "c": "2"}}"#));
}

#[test]
fn deep_nesting_up_to_the_limit_matches() {
    let depth = pattern::MAX_NESTING_DEPTH - 1;
    let pattern = format!("{}[\"v\"]{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let event = format!("{}\"v\"{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    assert!(matches(&pattern, &event));
}

#[test]
fn top_level_fields_match_like_any_other() {
    let event = r#"{"id": "1", "account": "123", "region": "eu-west-1", "time": "2024-01-01T00:00:00Z",
        "source": "s", "detail-type": "t", "resources": ["r1", "r2"], "detail": {}}"#;
    let pattern = r#"{"id": ["1"], "account": ["123"], "region": [{"prefix": "eu-"}],
        "time": [{"wildcard": "2024-*Z"}], "resources": ["r2"], "source": ["s"], "detail-type": ["t"]}"#;
    assert!(matches(pattern, event));
}

/// The array-consistent `exists: false` of event-ruler's ACMachineTest
/// (rewritten): absence is judged inside one array element.
#[test]
fn exists_false_is_judged_within_one_array_element() {
    let absent_name = r#"{"ctx": {"tasks": {
        "state": ["ACTIVE"],
        "provider": {"id": ["P"]},
        "resources": {"extra": {"caps": {"name": [{"exists": false}]}}}
    }}}"#;
    let absent_other = r#"{"ctx": {"tasks": {
        "state": ["ACTIVE"],
        "resources": {"extra": {"caps": {"other": [{"exists": false}]}}}
    }}}"#;
    let active_without_caps = r#"{"ctx": {"tasks": [
        {"state": "ACTIVE", "provider": {"id": "P"}, "resources": [{"kind": "focus"}]},
        {"state": "INACTIVE", "provider": {"id": "Q"},
         "resources": [{"extra": {"caps": [{"name": "n"}]}}]}
    ]}}"#;
    assert!(matches(absent_name, active_without_caps));
    assert!(matches(absent_other, active_without_caps));
    let active_with_caps = r#"{"ctx": {"tasks": [
        {"state": "ACTIVE", "provider": {"id": "P"},
         "resources": [{"extra": {"caps": [{"name": "x"}]}}]},
        {"state": "INACTIVE", "provider": {"id": "Q"},
         "resources": [{"extra": {"caps": [{"name": "y"}]}}]}
    ]}}"#;
    assert!(!matches(absent_name, active_with_caps));
    assert!(matches(absent_other, active_with_caps));
}
