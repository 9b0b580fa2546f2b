//! wildcard: cases with AWS's answers.

//!
//! Complexity: AWS refuses wildcard patterns whose matching would be too
//! non-deterministic (event-ruler's MachineComplexityEvaluator, limit 10 per
//! rule; see `src/complexity.rs`). Escapes: `\*` is a literal star and `\\`
//! a literal backslash inside wildcards; in plain values both are ordinary
//! characters.

use crate::Expect::{Answer, Invalid};
use crate::Source::{Docs, EventRuler, Observed};
use crate::{Case, check};
use pattern::{MAX_WILDCARD_COMPLEXITY, Pattern, PatternError};

#[test]
fn aws_recorded_answers_wildcard() {
    check(CASES);
}

#[test]
fn wildcard_escapes_and_plain_stars_and_backslashes() {
    check(ESCAPES);
}

const WILDCARD_DOCS: &str = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching";

const ESCAPES: &[Case] = &[
    // A star and a backslash in plain values are just characters.
    Case {
        source: Observed("test_event_pattern_with_escape_characters"),
        pattern: r#"{"detail": {"escape_star": ["*"], "escape_backslash": ["\\"]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"escape_star": "*", "escape_backslash": "\\"}}"#,
        expect: Answer(true),
    },
    Case {
        source: Observed("test_event_pattern_with_escape_characters"),
        pattern: r#"{"detail": {"escape_star": ["*"]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"escape_star": "anything"}}"#,
        expect: Answer(false),
    },
    // In a wildcard, `\*` is a literal star ...
    Case {
        source: Docs(WILDCARD_DOCS),
        pattern: r#"{"detail": {"name": [{"wildcard": "a\\*b*"}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"name": "a*bcd"}}"#,
        expect: Answer(true),
    },
    Case {
        source: Docs(WILDCARD_DOCS),
        pattern: r#"{"detail": {"name": [{"wildcard": "a\\*b*"}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"name": "axbcd"}}"#,
        expect: Answer(false),
    },
    // ... and `\\` a literal backslash.
    Case {
        source: Docs(WILDCARD_DOCS),
        pattern: r#"{"detail": {"path": [{"wildcard": "C:\\\\*"}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"path": "C:\\Users"}}"#,
        expect: Answer(true),
    },
    // Any other escape is refused.
    Case {
        source: EventRuler("README: Wildcard matching (escape characters)"),
        pattern: r#"{"detail": {"path": [{"wildcard": "a\\b*"}]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"path": "ab"}}"#,
        expect: Invalid("Invalid escape character at pos 1"),
    },
];

#[test]
fn complexity_is_judged_per_field_over_the_whole_rule() {
    let too_complex = |json: &str| {
        matches!(
            Pattern::parse(json),
            Err(PatternError::TooComplex { limit }) if limit == MAX_WILDCARD_COMPLEXITY
        )
    };
    // Observed: accepted at complexity 7, refused at 11.
    assert!(!too_complex(
        r#"{"FileName": [{"wildcard": "/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}"#
    ));
    assert!(too_complex(
        r#"{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}"#
    ));
    // Four levels of `*:` score 9, under the limit.
    assert!(!too_complex(
        r#"{"EventBusArn": [{"wildcard": "*:*:*:*:event-bus/*"}]}"#
    ));
    // Wildcards on one field are run side by side, wherever they are in the
    // rule: four `*/?/*` values on `a` keep 13 prefixes alive on "/w/", two
    // on `a` and two on `b` at most 7.
    assert!(too_complex(
        r#"{"a": [{"wildcard": "*/w/*"}, {"wildcard": "*/x/*"}], "$or": [{"a": [{"anything-but": {"wildcard": ["*/y/*", "*/z/*"]}}]}, {"b": ["c"]}]}"#
    ));
    assert!(!too_complex(
        r#"{"a": [{"wildcard": "*/w/*"}, {"wildcard": "*/x/*"}], "b": [{"wildcard": "*/y/*"}, {"wildcard": "*/z/*"}]}"#
    ));
    // The AWS wording.
    let error = Pattern::parse(r#"{"x": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}"#).unwrap_err();
    assert!(error.to_string().starts_with(
        "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"
    ), "{error}");
}

const CASES: &[Case] = &[
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-wildcard-matching
    Case {
        source: Observed("content_wildcard_complex_EXC"),
        pattern: r#"{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus"}"#,
        expect: Invalid(
            r#"Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"#,
        ),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-wildcard-matching
    Case {
        source: Observed("content_wildcard_empty_NEG"),
        pattern: r#"{"EventBusArn": [{"wildcard": ""}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus"}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-wildcard-matching
    Case {
        source: Observed("content_wildcard_int_EXC"),
        pattern: r#"{"EventBusArn": [{"wildcard": 123}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus"}"#,
        expect: Invalid(r#"wildcard match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-wildcard-matching
    Case {
        source: Observed("content_wildcard_list_EXC"),
        pattern: r#"{"EventBusArn": [{"wildcard": ["arn:aws:events:us-east-1:**:event-bus/*"]}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus"}"#,
        expect: Invalid(r#"wildcard match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-wildcard-matching
    Case {
        source: Observed("content_wildcard_nonrepeating"),
        pattern: r#"{"FileName": [{"wildcard": "/Users/*/doc.txt"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "FileName": "/Users/ls_user/dir/dir/dir/dir/dir/doc.txt"}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-wildcard-matching
    Case {
        source: Observed("content_wildcard_nonrepeating_NEG"),
        pattern: r#"{"FileName": [{"wildcard": "/Users/*/doc.txt"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "FileName": "/Users/ls_user/dir/dir/dir/dir/dir/notmatchingdoc.txt"}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-wildcard-matching
    Case {
        source: Observed("content_wildcard_repeating"),
        pattern: r#"{"FileName": [{"wildcard": "/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "FileName": "/Users/ls_user/dir/dir/dir/dir/dir/doc.txt"}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-wildcard-matching
    Case {
        source: Observed("content_wildcard_repeating_NEG"),
        pattern: r#"{"FileName": [{"wildcard": "/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "FileName": "/Users/ls_user/dir/dir/dir/dir/otherdir/doc.txt"}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-wildcard-matching
    Case {
        source: Observed("content_wildcard_repeating_star_EXC"),
        pattern: r#"{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus"}"#,
        expect: Invalid(r#"Consecutive wildcard characters at pos 26"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-wildcard-matching
    Case {
        source: Observed("content_wildcard_simplified"),
        pattern: r#"{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus"}"#,
        expect: Answer(true),
    },
];
