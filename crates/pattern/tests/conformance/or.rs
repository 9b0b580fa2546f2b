//! or: cases with AWS's answers.

use crate::Expect::Answer;
use crate::Source::Observed;
use crate::{Case, check};

#[test]
fn aws_recorded_answers_or() {
    check(CASES);
}

const CASES: &[Case] = &[
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-complex-example-or
    Case {
        source: Observed("complex_or"),
        pattern: r#"{"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}, {"x-limit": [{"numeric": ["=", 301.8]}]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"c-count": 0, "d-count": 0, "x-limit": 901.8}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-complex-example-or
    Case {
        source: Observed("complex_or_NEG"),
        pattern: r#"{"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}, {"x-limit": [{"numeric": ["=", 301.8]}]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"c-count": 0, "d-count": 10, "x-limit": 901.8}}"#,
        expect: Answer(false),
    },
    Case {
        source: Observed("or-exists-parent"),
        pattern: r#"{"dynamodb": {"NewImage": {"homemade": {"S": [{"anything-but": ["roses"]}, {"exists": false}]}}}}"#,
        event: r#"{"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "dynamodb": {"NewImage": {"purchased": {"N": "789"}}}}"#,
        expect: Answer(true),
    },
    Case {
        source: Observed("or-exists"),
        pattern: r#"{"dynamodb": {"NewImage": {"homemade": {"S": [{"anything-but": ["roses"]}, {"exists": false}]}}}}"#,
        event: r#"{"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "dynamodb": {"NewImage": {"homemade": {"N": "789"}}}}"#,
        expect: Answer(true),
    },
    Case {
        source: Observed("or-numeric-anything-but"),
        pattern: r#"{"dynamodb": {"NewImage": {"numericFilter": {"N": [{"numeric": [">", 100]}, {"anything-but": "101"}]}}}}"#,
        event: r#"{"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "dynamodb": {"ApproximateCreationDateTime": 1733418659.0, "Keys": {"id": {"S": "id_value_1"}}, "NewImage": {"id": {"S": "id_value_1"}, "numericFilter": {"N": "42"}}, "SequenceNumber": "49658361752382621885697088319781165717078428243510427650", "SizeBytes": 52, "StreamViewType": "NEW_AND_OLD_IMAGES"}}"#,
        expect: Answer(true),
    },
    Case {
        source: Observed("or-numeric-anything-but_NEG"),
        pattern: r#"{"dynamodb": {"NewImage": {"numericFilter": {"N": [{"numeric": [">", 100]}, {"anything-but": "101"}]}}}}"#,
        event: r#"{"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "dynamodb": {"ApproximateCreationDateTime": 1733418659.0, "Keys": {"id": {"S": "id_value_1"}}, "NewImage": {"id": {"S": "id_value_1"}, "numericFilter": {"N": "101"}}, "SequenceNumber": "49658361752382621885697088319781165717078428243510427650", "SizeBytes": 52, "StreamViewType": "NEW_AND_OLD_IMAGES"}}"#,
        expect: Answer(false),
    },
];
