//! equals ignore case: cases with AWS's answers.

use crate::Expect::{Answer, Invalid};
use crate::Source::Observed;
use crate::{Case, check};

#[test]
fn aws_recorded_answers_equals_ignore_case() {
    check(CASES);
}

const CASES: &[Case] = &[
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-equals-ignore-case-matching
    Case {
        source: Observed("content_ignorecase"),
        pattern: r#"{"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": ["EC2 Instance State-change Notification"], "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-equals-ignore-case-matching
    Case {
        source: Observed("content_ignorecase_EXC"),
        pattern: r#"{"detail-type": [{"equals-ignore-case": ["ec2 instance state-change notification"]}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": ["EC2 Instance State-change Notification"], "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Invalid(r#"equals-ignore-case match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-equals-ignore-case-matching
    Case {
        source: Observed("content_ignorecase_NEG"),
        pattern: r#"{"detail-type": [{"equals-ignore-case": "I do not match"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": ["EC2 Instance State-change Notification"], "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-equals-ignore-case-matching
    Case {
        source: Observed("content_ignorecase_empty"),
        pattern: r#"{"detail": {"value": [{"equals-ignore-case": ""}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "random-value", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"value": ""}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-equals-ignore-case-matching
    Case {
        source: Observed("content_ignorecase_empty_NEG"),
        pattern: r#"{"detail": {"value": [{"equals-ignore-case": ""}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "random-value", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"value": "test-value"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-equals-ignore-case-matching
    Case {
        source: Observed("content_ignorecase_list_EXC"),
        pattern: r#"{"detail-type": [{"equals-ignore-case": {"prefix": "ec2"}}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": ["EC2 Instance State-change Notification"], "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Invalid(r#"equals-ignore-case match pattern must be a string"#),
    },
];
