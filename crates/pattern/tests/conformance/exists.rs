//! exists: cases with AWS's answers.

use crate::Expect::Answer;
use crate::Source::Observed;
use crate::{Case, check};

#[test]
fn aws_recorded_answers_exists() {
    check(CASES);
}

const CASES: &[Case] = &[
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-exists-matching
    Case {
        source: Observed("content_exists"),
        pattern: r#"{"detail": {"state": [{"exists": true}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"instance-id": "i-abcd1111", "state": "pending"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-exists-matching
    Case {
        source: Observed("content_exists_NEG"),
        pattern: r#"{"detail": {"state": [{"exists": true}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"c-count": {"c1": 100}}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-exists-matching
    Case {
        source: Observed("content_exists_false"),
        pattern: r#"{"detail": {"level1": {"level2:": {"level3": {"level4": [{"exists": false}]}}}}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"level1": {"level2": "l2 value"}}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-exists-matching
    Case {
        source: Observed("content_exists_false_NEG"),
        pattern: r#"{"detail": {"level1": {"level2": {"level3": {"level4": [{"exists": false}]}}}}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"level1": {"level2": {"level3": {"level4": "l4 value"}}}}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.Lambda.Tutorial2.html
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-exists-matching
    Case {
        source: Observed("exists_dynamodb"),
        pattern: r#"{"dynamodb": {"presentKey": {"S": [{"exists": true}]}}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "dynamodb": {"id": {"S": "test1234"}, "presentKey": {"S": "test123"}}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.Lambda.Tutorial2.html
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-exists-matching
    Case {
        source: Observed("exists_dynamodb_NEG"),
        pattern: r#"{"dynamodb": {"presentKey": [{"exists": true}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "dynamodb": {"id": {"S": "test1234"}, "presentKey": {"S": "test123"}}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
    Case {
        source: Observed("exists_list_empty_NEG"),
        pattern: r#"{"resources": [{"exists": true}]}"#,
        event: r#"{"version": "0", "id": "3e3c153a-8339-4e30-8c35-687ebef853fe", "detail-type": "EC2 Instance Launch Successful", "source": "aws.autoscaling", "account": "123456789012", "time": "2015-11-11T21:31:47Z", "region": "us-east-1", "resources": [], "detail": {"eventVersion": "", "responseElements": null}}"#,
        expect: Answer(false),
    },
];
