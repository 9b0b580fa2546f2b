//! Missing fields, nulls, empty arrays, numeric precision, unicode, long strings.

use crate::matches;

#[test]
fn a_missing_field_matches_only_exists_false() {
    let event = r#"{"detail": {}}"#;
    assert!(!matches(r#"{"detail": {"x": ["a"]}}"#, event));
    assert!(!matches(
        r#"{"detail": {"x": [{"anything-but": "a"}]}}"#,
        event
    ));
    assert!(!matches(r#"{"detail": {"x": [null]}}"#, event));
    assert!(matches(r#"{"detail": {"x": [{"exists": false}]}}"#, event));
    assert!(matches(
        r#"{"detail": {"x": [{"exists": false}]}}"#,
        r#"{"source": "s"}"#
    ));
}

#[test]
fn null_is_a_value_that_exists() {
    let event = r#"{"detail": {"x": null}}"#;
    assert!(matches(r#"{"detail": {"x": [{"exists": true}]}}"#, event));
    assert!(!matches(r#"{"detail": {"x": [{"exists": false}]}}"#, event));
    assert!(matches(
        r#"{"detail": {"x": [{"anything-but": "a"}]}}"#,
        event
    ));
    assert!(!matches(r#"{"detail": {"x": [{"prefix": ""}]}}"#, event));
    assert!(!matches(
        r#"{"detail": {"x": [{"numeric": [">", 0]}]}}"#,
        event
    ));
}

#[test]
fn an_empty_array_holds_no_value() {
    let event = r#"{"resources": []}"#;
    assert!(!matches(r#"{"resources": [{"exists": true}]}"#, event));
    assert!(matches(r#"{"resources": [{"exists": false}]}"#, event));
    assert!(!matches(r#"{"resources": [{"anything-but": "a"}]}"#, event));
    assert!(matches(
        r#"{"resources": [{"exists": true}]}"#,
        r#"{"resources": ["a"]}"#
    ));
}

#[test]
fn exists_only_looks_at_leaves_not_objects() {
    let event = r#"{"detail": {"c-count": {"c1": 100}}}"#;
    assert!(matches(
        r#"{"detail": {"c-count": [{"exists": false}]}}"#,
        event
    ));
    assert!(!matches(
        r#"{"detail": {"c-count": [{"exists": true}]}}"#,
        event
    ));
}

#[test]
fn the_empty_prefix_matches_every_string_but_nothing_else() {
    let pattern = r#"{"x": [{"prefix": ""}]}"#;
    assert!(matches(pattern, r#"{"x": ""}"#));
    assert!(matches(pattern, r#"{"x": "abc"}"#));
    assert!(!matches(pattern, r#"{"x": 1}"#));
    assert!(!matches(pattern, r#"{"x": true}"#));
}

#[test]
fn numbers_compare_as_numbers_in_exact_matching() {
    let pattern = r#"{"x": [300]}"#;
    for value in ["300", "300.0", "3e2", "3.0E+2", "300.0000001"] {
        assert!(matches(pattern, &format!(r#"{{"x": {value}}}"#)), "{value}");
    }
    assert!(!matches(pattern, r#"{"x": 300.000001}"#));
    assert!(!matches(pattern, r#"{"x": "300"}"#));
    assert!(!matches(r#"{"x": ["300"]}"#, r#"{"x": 300}"#));
}

#[test]
fn numbers_outside_the_numeric_range_still_match_exactly() {
    assert!(matches(
        r#"{"account": [123456789012]}"#,
        r#"{"account": 123456789012}"#
    ));
    assert!(!matches(
        r#"{"account": [123456789012]}"#,
        r#"{"account": 123456789013}"#
    ));
    assert!(!matches(
        r#"{"x": [{"numeric": [">", 0]}]}"#,
        r#"{"x": 5000000001}"#
    ));
    assert!(matches(
        r#"{"x": [{"numeric": ["<=", 5e9]}]}"#,
        r#"{"x": 5000000000}"#
    ));
}

#[test]
fn numeric_precision_is_six_decimal_places() {
    let pattern = r#"{"x": [{"numeric": [">", 0]}]}"#;
    assert!(matches(pattern, r#"{"x": 0.000001}"#));
    assert!(!matches(pattern, r#"{"x": 0.0000001}"#));
    assert!(matches(
        r#"{"x": [{"numeric": ["=", 1.5]}]}"#,
        r#"{"x": 15e-1}"#
    ));
}

#[test]
fn huge_and_tiny_numbers_do_not_break_matching() {
    let pattern = r#"{"x": [{"numeric": ["<", 0]}]}"#;
    assert!(!matches(pattern, r#"{"x": 1e400}"#));
    assert!(!matches(pattern, r#"{"x": -1e400}"#));
    assert!(!matches(pattern, r#"{"x": 1e-400}"#));
    let long = format!(r#"{{"x": 1{}}}"#, "0".repeat(5000));
    assert!(!matches(pattern, &long));
}

#[test]
fn numeric_does_not_match_numeric_looking_strings() {
    assert!(!matches(
        r#"{"x": [{"numeric": [">", 0]}]}"#,
        r#"{"x": "5"}"#
    ));
}

#[test]
fn booleans_match_only_booleans() {
    assert!(matches(r#"{"x": [true]}"#, r#"{"x": true}"#));
    assert!(!matches(r#"{"x": [true]}"#, r#"{"x": "true"}"#));
    assert!(!matches(r#"{"x": ["true"]}"#, r#"{"x": true}"#));
}

#[test]
fn anything_but_matches_values_of_another_type() {
    assert!(matches(r#"{"x": [{"anything-but": "a"}]}"#, r#"{"x": 5}"#));
    assert!(matches(
        r#"{"x": [{"anything-but": [1, 2]}]}"#,
        r#"{"x": "1"}"#
    ));
    assert!(matches(
        r#"{"x": [{"anything-but": {"prefix": "a"}}]}"#,
        r#"{"x": 1}"#
    ));
}

#[test]
fn unicode_and_escapes_are_compared_by_their_characters() {
    let pattern = r#"{"name": ["café ☕"]}"#;
    assert!(matches(pattern, r#"{"name": "café ☕"}"#));
    assert!(matches(pattern, r#"{"name": "caf\u00e9 \u2615"}"#));
    assert!(matches(
        r#"{"emoji": ["😀"]}"#,
        r#"{"emoji": "\ud83d\ude00"}"#
    ));
    assert!(matches(
        r#"{"q": ["say \"hi\""]}"#,
        r#"{"q": "say \"hi\""}"#
    ));
    assert!(matches(
        r#"{"name": [{"equals-ignore-case": "ÉCOLE"}]}"#,
        r#"{"name": "école"}"#
    ));
    assert!(matches(r#"{"naïve": ["x"]}"#, r#"{"na\u00efve": "x"}"#));
}

#[test]
fn very_long_strings_match() {
    let long = "a".repeat(200_000);
    let event = format!(r#"{{"x": "{long}b"}}"#);
    assert!(matches(r#"{"x": [{"prefix": "aaaa"}]}"#, &event));
    assert!(matches(r#"{"x": [{"suffix": "ab"}]}"#, &event));
    assert!(matches(r#"{"x": [{"wildcard": "*a*b"}]}"#, &event));
    assert!(matches(
        r#"{"x": [{"equals-ignore-case": "AAA"}]}"#,
        r#"{"x": "aaa"}"#
    ));
    let upper = format!(
        r#"{{"x": [{{"equals-ignore-case": "{}B"}}]}}"#,
        "A".repeat(300)
    );
    assert!(matches(
        &upper,
        &format!(r#"{{"x": "{}b"}}"#, "a".repeat(300))
    ));
}

#[test]
fn escaped_wildcards_match_literal_stars_and_backslashes() {
    assert!(matches(
        r#"{"x": [{"wildcard": "a\\*b"}]}"#,
        r#"{"x": "a*b"}"#
    ));
    assert!(!matches(
        r#"{"x": [{"wildcard": "a\\*b"}]}"#,
        r#"{"x": "aXb"}"#
    ));
    assert!(matches(
        r#"{"x": [{"wildcard": "a\\\\*"}]}"#,
        r#"{"x": "a\\anything"}"#
    ));
}

#[test]
fn several_values_for_one_field_match_if_any_does() {
    let pattern = r#"{"x": ["a", {"prefix": "b"}, {"numeric": [">", 10]}, null]}"#;
    for event in [
        r#"{"x": "a"}"#,
        r#"{"x": "bee"}"#,
        r#"{"x": 11}"#,
        r#"{"x": null}"#,
    ] {
        assert!(matches(pattern, event), "{event}");
    }
    assert!(!matches(pattern, r#"{"x": 10}"#));
}

#[test]
fn the_exact_operator_matches_a_string() {
    assert!(matches(r#"{"x": [{"exact": "a"}]}"#, r#"{"x": "a"}"#));
    assert!(!matches(r#"{"x": [{"exact": "a"}]}"#, r#"{"x": "A"}"#));
}

/// From event-ruler's anything-but tests (rewritten): numeric exclusions do
/// not exclude strings, and string exclusions apply per field.
#[test]
fn numeric_anything_but_lets_strings_through() {
    let pattern = r#"{
        "a": [{"anything-but": ["dad0", "dad1"]}],
        "b": [{"anything-but": [111, 222]}],
        "z": [{"numeric": [">", 0, "<", 1]}]
    }"#;
    assert!(matches(
        pattern,
        r#"{"a": "child", "b": "444", "z": 0.001}"#
    ));
    assert!(matches(pattern, r#"{"a": "dad4", "b": 444, "z": 0.001}"#));
    assert!(!matches(pattern, r#"{"a": "dad4", "b": 222, "z": 0.001}"#));
    assert!(!matches(pattern, r#"{"a": "dad1", "b": 444, "z": 0.001}"#));
}

#[test]
fn a_repeated_key_forgets_the_fields_of_its_earlier_value() {
    let event = r#"{"a": {"b": "x"}, "a": 1}"#;
    assert!(!matches(r#"{"a": {"b": ["x"]}}"#, event));
    assert!(matches(r#"{"a": {"b": [{"exists": false}]}}"#, event));
    assert!(matches(r#"{"a": [1]}"#, event));
    let event = r#"{"a": [{"b": "x"}], "a": {"b": "y"}}"#;
    assert!(matches(r#"{"a": {"b": ["y"]}}"#, event));
    assert!(!matches(r#"{"a": {"b": ["x"]}}"#, event));
}

#[test]
fn a_repeated_key_inside_array_elements_keeps_its_last_value_per_element() {
    let event = r#"{"a":[{"b":"x","c":1,"b":"y"},{"b":"z","b":"w"},{"c":2,"b":"x"}]}"#;
    assert!(!matches(r#"{"a": {"b": ["z"]}}"#, event));
    assert!(matches(r#"{"a": {"b": ["y"], "c": [1]}}"#, event));
    assert!(!matches(r#"{"a": {"b": ["x"], "c": [1]}}"#, event));
    assert!(matches(r#"{"a": {"b": ["x"], "c": [2]}}"#, event));
    assert!(matches(r#"{"a": {"b": ["w"]}}"#, event));
    let nested = r#"{"d":{"e":{"f":"1"},"g":"2","e":{"f":"3"}},"d":{"e":{"f":"4"}}}"#;
    assert!(matches(r#"{"d": {"e": {"f": ["4"]}}}"#, nested));
    assert!(!matches(r#"{"d": {"g": ["2"]}}"#, nested));
    assert!(!matches(r#"{"d": {"e": {"f": ["3"]}}}"#, nested));
}
