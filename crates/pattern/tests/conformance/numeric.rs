//! numeric: cases with AWS's answers.

use crate::Expect::{Answer, Invalid};
use crate::Source::{Docs, Observed};
use crate::{Case, check};

#[test]
fn aws_recorded_answers_numeric() {
    check(CASES);
}

/// "Numeric matching only works with values between -5.0e9 and +5.0e9
/// inclusive, with 15 digits of precision, or six digits to the right of
/// the decimal point."
const NUMERIC_DOCS: &str = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-numeric-matching";

#[test]
fn numbers_at_the_edges_of_the_documented_range() {
    check(EDGES);
}

const EDGES: &[Case] = &[
    Case {
        source: Docs(NUMERIC_DOCS),
        pattern: r#"{"detail": {"n": [{"numeric": [">=", -5e9, "<=", 5e9]}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"n": 5000000000}}"#,
        expect: Answer(true),
    },
    Case {
        source: Docs(NUMERIC_DOCS),
        pattern: r#"{"detail": {"n": [{"numeric": [">=", -5e9, "<=", 5e9]}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"n": -5.0e9}}"#,
        expect: Answer(true),
    },
    Case {
        source: Docs(NUMERIC_DOCS),
        pattern: r#"{"detail": {"n": [{"numeric": [">=", -5e9, "<=", 5e9]}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"n": 5000000000.000001}}"#,
        expect: Answer(false),
    },
    Case {
        source: Docs(NUMERIC_DOCS),
        pattern: r#"{"detail": {"n": [{"numeric": ["<", 0]}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"n": -5000000001}}"#,
        expect: Answer(false),
    },
    // Six digits after the point: a seventh does not count.
    Case {
        source: Docs(NUMERIC_DOCS),
        pattern: r#"{"detail": {"n": [{"numeric": ["=", 1]}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"n": 1.0000001}}"#,
        expect: Answer(true),
    },
    Case {
        source: Docs(NUMERIC_DOCS),
        pattern: r#"{"detail": {"n": [{"numeric": ["=", 1]}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"n": 1.000001}}"#,
        expect: Answer(false),
    },
    // An operand outside the range cannot be compared.
    Case {
        source: Docs(NUMERIC_DOCS),
        pattern: r#"{"detail": {"n": [{"numeric": [">", 5000000001]}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"n": 1}}"#,
        expect: Invalid("outside the numeric range"),
    },
    // Exact numbers beyond the range still match by value (account ids).
    Case {
        source: Docs(
            "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html",
        ),
        pattern: r#"{"detail": {"account": [123456789012]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"account": 123456789012}}"#,
        expect: Answer(true),
    },
];

const CASES: &[Case] = &[
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#filtering-numeric-matching
    Case {
        source: Observed("content_numeric_EXC"),
        pattern: r#"{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"c-count": 3}}"#,
        expect: Invalid(r#"Bad numeric range operator: >"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#filtering-numeric-matching
    Case {
        source: Observed("content_numeric_and"),
        pattern: r#"{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"numeric": ["=", 301.8]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"c-count": 3, "d-count": 9, "x-limit": 301.8}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#filtering-numeric-matching
    Case {
        source: Observed("content_numeric_and_NEG"),
        pattern: r#"{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"numeric": ["=", 301.8]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"c-count": 42, "d-count": 9, "x-limit": 301.8}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#filtering-numeric-matching
    Case {
        source: Observed("content_numeric_number_EXC"),
        pattern: r#"{"detail": {"c-count": [{"numeric": 10}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"c-count": 3}}"#,
        expect: Invalid(r#"Value of numeric must be an array."#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#filtering-numeric-matching
    Case {
        source: Observed("content_numeric_operatorcasing_EXC"),
        pattern: r#"{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"equal": 5}}"#,
        expect: Invalid(r#"Unrecognized match type NUMERIC"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#filtering-numeric-matching
    Case {
        source: Observed("content_numeric_syntax_EXC"),
        pattern: r#"{"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"c-count": 3}}"#,
        expect: Invalid(r#"Value of < must be numeric"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    Case {
        source: Observed("number_comparison_float"),
        pattern: r#"{"number": [300]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "number": 300.0}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    Case {
        source: Observed("numeric-int-float"),
        pattern: r#"{"number": [{"numeric": [">", 100]}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "number": 101.0}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    Case {
        source: Observed("numeric-null_NEG"),
        pattern: r#"{"number": [{"numeric": [">", 100]}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "number": null}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    Case {
        source: Observed("numeric-string_NEG"),
        pattern: r#"{"number": [{"numeric": [">", 100]}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "number": "300"}"#,
        expect: Answer(false),
    },
];
