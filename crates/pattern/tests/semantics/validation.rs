//! Invalid patterns are rejected with an error naming the offending path.

use pattern::{Pattern, PatternError};

use crate::rejects;

fn path_of(pattern: &str) -> String {
    let error = rejects(pattern);
    let message = error.to_string();
    match error.path() {
        Some(path) => {
            assert!(message.contains(path.as_str()), "{message}");
            path.as_str().to_owned()
        }
        None => panic!("error without a path: {message}"),
    }
}

#[test]
fn a_pattern_that_is_not_an_object_is_rejected() {
    assert!(matches!(rejects("[]"), PatternError::NotAnObject { .. }));
    assert!(matches!(
        rejects("\"source\""),
        PatternError::NotAnObject { .. }
    ));
    assert!(matches!(rejects("{"), PatternError::Json(_)));
}

#[test]
fn empty_objects_and_arrays_are_rejected() {
    assert!(matches!(rejects("{}"), PatternError::EmptyObject { .. }));
    assert_eq!(path_of(r#"{"detail": {}}"#), "detail");
    assert_eq!(path_of(r#"{"detail": {"amount": []}}"#), "detail.amount");
}

#[test]
fn a_leaf_that_is_not_an_array_is_rejected() {
    let error = rejects(r#"{"detail": {"amount": 5}}"#);
    assert!(matches!(error, PatternError::LeafNotArray { .. }));
    assert!(error.to_string().contains("detail.amount"), "{error}");
    assert_eq!(path_of(r#"{"source": "aws.ec2"}"#), "source");
}

#[test]
fn nested_arrays_in_a_match_list_are_rejected() {
    assert!(matches!(
        rejects(r#"{"source": [["a"]]}"#),
        PatternError::InvalidMatchValue { .. }
    ));
}

#[test]
fn unknown_operators_are_rejected() {
    let error = rejects(r#"{"detail": {"x": [{"regex": "a.*"}]}}"#);
    assert!(
        matches!(error, PatternError::UnknownOperator { ref operator, .. } if operator == "regex")
    );
    assert!(matches!(
        rejects(r#"{"x": [{"prefix": {"wildcard": "a"}}]}"#),
        PatternError::UnknownOperator { .. }
    ));
    assert!(matches!(
        rejects(r#"{"x": [{"anything-but": {"numeric": [">", 1]}}]}"#),
        PatternError::UnknownOperator { .. }
    ));
}

#[test]
fn operator_objects_need_exactly_one_key() {
    assert!(matches!(
        rejects(r#"{"x": [{}]}"#),
        PatternError::OperatorArity { found: 0, .. }
    ));
    assert!(matches!(
        rejects(r#"{"x": [{"prefix": "a", "suffix": "b"}]}"#),
        PatternError::OperatorArity { found: 2, .. }
    ));
}

#[test]
fn operators_given_the_wrong_type_are_rejected() {
    for pattern in [
        r#"{"x": [{"prefix": 5}]}"#,
        r#"{"x": [{"suffix": null}]}"#,
        r#"{"x": [{"equals-ignore-case": 5}]}"#,
        r#"{"x": [{"wildcard": true}]}"#,
        r#"{"x": [{"exists": "true"}]}"#,
        r#"{"x": [{"numeric": ">"}]}"#,
        r#"{"x": [{"cidr": 10}]}"#,
        r#"{"x": [{"exact": 1}]}"#,
        r#"{"x": [{"prefix": {"equals-ignore-case": 1}}]}"#,
        r#"{"x": [{"anything-but": {"prefix": 1}}]}"#,
    ] {
        assert!(
            matches!(rejects(pattern), PatternError::WrongType { .. }),
            "{pattern}"
        );
    }
}

#[test]
fn invalid_numeric_expressions_are_rejected() {
    for pattern in [
        r#"{"x": [{"numeric": []}]}"#,
        r#"{"x": [{"numeric": [">"]}]}"#,
        r#"{"x": [{"numeric": ["!=", 1]}]}"#,
        r#"{"x": [{"numeric": [">", "1"]}]}"#,
        r#"{"x": [{"numeric": [">", 5, "<", 1]}]}"#,
        r#"{"x": [{"numeric": [">", 5, "<", 5]}]}"#,
        r#"{"x": [{"numeric": [">", 1, ">", 5]}]}"#,
        r#"{"x": [{"numeric": ["<", 1, ">", 0]}]}"#,
        r#"{"x": [{"numeric": ["=", 1, "<", 5]}]}"#,
        r#"{"x": [{"numeric": [">", 0, "<", 5, "<", 6]}]}"#,
    ] {
        assert!(
            matches!(rejects(pattern), PatternError::InvalidNumeric { .. }),
            "{pattern}"
        );
    }
}

#[test]
fn numbers_outside_the_numeric_range_are_rejected_in_comparisons() {
    assert!(matches!(
        rejects(r#"{"x": [{"numeric": [">", 5000000001]}]}"#),
        PatternError::NumberOutOfRange { .. }
    ));
    assert!(matches!(
        rejects(r#"{"x": [{"anything-but": [1, 6e9]}]}"#),
        PatternError::NumberOutOfRange { .. }
    ));
    assert!(Pattern::parse(r#"{"x": [{"numeric": [">=", -5e9, "<=", 5e9]}]}"#).is_ok());
}

#[test]
fn invalid_cidr_blocks_are_rejected() {
    for block in [
        "10.0.0.0/33",
        "10.0.0/24",
        "::/129",
        "not-an-ip/8",
        "10.0.0.0/",
        "10.0.0.0/a",
    ] {
        let pattern = format!(r#"{{"ip": [{{"cidr": "{block}"}}]}}"#);
        assert!(
            matches!(rejects(&pattern), PatternError::InvalidCidr { .. }),
            "{block}"
        );
    }
}

#[test]
fn wildcards_eventbridge_rejects_are_rejected() {
    for wildcard in [r"a**b", r"a\\b\\c\\", r"a\\x"] {
        let pattern = format!(r#"{{"x": [{{"wildcard": "{wildcard}"}}]}}"#);
        assert!(
            matches!(rejects(&pattern), PatternError::InvalidWildcard { .. }),
            "{wildcard}"
        );
    }
    assert!(matches!(
        rejects(r#"{"x": [{"anything-but": {"wildcard": ["ok*", "bad**"]}}]}"#),
        PatternError::InvalidWildcard { .. }
    ));
}

#[test]
fn invalid_anything_but_values_are_rejected() {
    for pattern in [
        r#"{"x": [{"anything-but": []}]}"#,
        r#"{"x": [{"anything-but": ["a", 1]}]}"#,
        r#"{"x": [{"anything-but": [null]}]}"#,
        r#"{"x": [{"anything-but": null}]}"#,
        r#"{"x": [{"anything-but": true}]}"#,
        r#"{"x": [{"anything-but": {"prefix": ""}}]}"#,
        r#"{"x": [{"anything-but": {"suffix": ["a", ""]}}]}"#,
    ] {
        assert!(
            matches!(rejects(pattern), PatternError::InvalidAnythingBut { .. }),
            "{pattern}"
        );
    }
}

#[test]
fn or_needs_an_array_of_at_least_two_objects() {
    for pattern in [
        r#"{"$or": []}"#,
        r#"{"$or": [{"a": ["1"]}]}"#,
        r#"{"$or": {"a": ["1"]}}"#,
        r#"{"$or": [{"a": ["1"]}, "b"]}"#,
    ] {
        assert!(
            matches!(rejects(pattern), PatternError::InvalidOr { .. }),
            "{pattern}"
        );
    }
}

#[test]
fn errors_inside_or_branches_name_the_branch() {
    assert_eq!(
        path_of(r#"{"detail": {"$or": [{"a": ["1"]}, {"b": 2}]}}"#),
        "detail.$or[1].b"
    );
}

#[test]
fn operator_names_cannot_be_fields_inside_or() {
    assert!(matches!(
        rejects(r#"{"$or": [{"numeric": ["1"]}, {"b": ["2"]}]}"#),
        PatternError::ReservedFieldInOr { .. }
    ));
    assert!(Pattern::parse(r#"{"numeric": ["1"]}"#).is_ok());
}

#[test]
fn a_too_deep_pattern_is_rejected_before_parsing() {
    let deep = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    assert!(matches!(rejects(&deep), PatternError::TooDeep { .. }));
}
