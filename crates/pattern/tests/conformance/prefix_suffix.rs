//! prefix suffix: cases with AWS's answers.

use crate::Expect::{Answer, Invalid};
use crate::Source::Observed;
use crate::{Case, check};

#[test]
fn aws_recorded_answers_prefix_suffix() {
    check(CASES);
}

const CASES: &[Case] = &[
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-prefix-matching
    Case {
        source: Observed("content_prefix"),
        pattern: r#"{"time": [{"prefix": "2022-07-13"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-prefix-matching
    Case {
        source: Observed("content_prefix_NEG"),
        pattern: r#"{"time": [{"prefix": "2022-07-99"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Answer(false),
    },
    // Example of https://stackoverflow.com/questions/62406933/aws-eventbridge-pattern-to-capture-all-events
    Case {
        source: Observed("content_prefix_empty"),
        pattern: r#"{"source": [{"prefix": ""}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "pending"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-prefix-matching
    Case {
        source: Observed("content_prefix_ignorecase"),
        pattern: r#"{"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"service": "EvEnTb"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-prefix-matching
    Case {
        source: Observed("content_prefix_int_EXC"),
        pattern: r#"{"time": [{"prefix": 123}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Invalid(r#"prefix match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-prefix-matching
    Case {
        source: Observed("content_prefix_list_EXC"),
        pattern: r#"{"time": [{"prefix": ["2022-07-13"]}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Invalid(r#"prefix match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-suffix-matching
    Case {
        source: Observed("content_suffix"),
        pattern: r#"{"FileName": [{"suffix": ".png"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "FileName": "image.png"}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-suffix-matching
    Case {
        source: Observed("content_suffix_NEG"),
        pattern: r#"{"FileName": [{"suffix": ".PNG"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "FileName": "image.png"}"#,
        expect: Answer(false),
    },
    // Example of https://stackoverflow.com/questions/62406933/aws-eventbridge-pattern-to-capture-all-events
    Case {
        source: Observed("content_suffix_empty"),
        pattern: r#"{"source": [{"suffix": ""}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "pending"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-suffix-matching
    Case {
        source: Observed("content_suffix_ignorecase"),
        pattern: r#"{"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "image.PNG"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-suffix-matching
    Case {
        source: Observed("content_suffix_ignorecase_NEG"),
        pattern: r#"{"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "image.jpg"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-suffix-matching
    Case {
        source: Observed("content_suffix_int_EXC"),
        pattern: r#"{"FileName": [{"suffix": 123}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "FileName": "image.png"}"#,
        expect: Invalid(r#"suffix match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-suffix-matching
    Case {
        source: Observed("content_suffix_list_EXC"),
        pattern: r#"{"FileName": [{"suffix": [".png"]}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "FileName": "image.png"}"#,
        expect: Invalid(r#"suffix match pattern must be a string"#),
    },
    Case {
        source: Observed("prefix"),
        pattern: r#"{"dynamodb": {"Keys": {"PK": {"S": [{"prefix": "COMPANY"}]}, "SK": {"S": [{"prefix": "PRODUCT"}]}}}}"#,
        event: r#"{"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "dynamodb": {"ApproximateCreationDateTime": 1664559083.0, "Keys": {"SK": {"S": "PRODUCT#CHOCOLATE#DARK#1000"}, "PK": {"S": "COMPANY#1000"}}, "NewImage": {"quantity": {"N": "50"}, "company_id": {"S": "1000"}, "fabric": {"S": "Florida Chocolates"}, "price": {"N": "15"}, "stores": {"N": "5"}, "product_id": {"S": "1000"}, "SK": {"S": "PRODUCT#CHOCOLATE#DARK#1000"}, "PK": {"S": "COMPANY#1000"}, "state": {"S": "FL"}, "type": {"S": ""}}, "SequenceNumber": "700000000000888747038", "SizeBytes": 174, "StreamViewType": "NEW_AND_OLD_IMAGES"}}"#,
        expect: Answer(true),
    },
];
