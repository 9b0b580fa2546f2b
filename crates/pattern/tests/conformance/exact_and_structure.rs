//! exact and structure: cases with AWS's answers.

use crate::Expect::{Answer, Invalid};
use crate::Source::{Docs, EventRuler, Observed};
use crate::{Case, check};

#[test]
fn aws_recorded_answers_exact_and_structure() {
    check(CASES);
}

#[test]
fn duplicate_keys_null_and_empty_values() {
    check(MORE);
}

const NULL_DOCS: &str =
    "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html";

const MORE: &[Case] = &[
    // A key repeated in a pattern: the last one holds (AWS answered true:
    // `eu-central-1` is not `us-` prefixed but is anything-but `us-east`).
    Case {
        source: Observed("test_event_pattern_with_multi_key"),
        pattern: r#"{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"location": "eu-central-1"}}"#,
        expect: Answer(true),
    },
    Case {
        source: EventRuler("MachineTest.testDuplicateKeyLastOneWins"),
        pattern: r#"{"x": ["y"], "x": ["z"]}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "x": "y"}"#,
        expect: Answer(false),
    },
    Case {
        source: EventRuler("MachineTest.testDuplicateKeyLastOneWins"),
        pattern: r#"{"x": ["y"], "x": ["z"]}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "x": "z"}"#,
        expect: Answer(true),
    },
    // null and "" are different values.
    Case {
        source: Docs(NULL_DOCS),
        pattern: r#"{"detail": {"responseElements": [null]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"responseElements": null}}"#,
        expect: Answer(true),
    },
    Case {
        source: Docs(NULL_DOCS),
        pattern: r#"{"detail": {"responseElements": [null]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"responseElements": ""}}"#,
        expect: Answer(false),
    },
    Case {
        source: Docs(NULL_DOCS),
        pattern: r#"{"detail": {"eventVersion": [""]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"eventVersion": ""}}"#,
        expect: Answer(true),
    },
    // An empty array in the event holds no value to match.
    Case {
        source: Docs(
            "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html",
        ),
        pattern: r#"{"detail": {"tags": ["a"]}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"tags": []}}"#,
        expect: Answer(false),
    },
    // An empty array in the pattern is refused.
    Case {
        source: Observed("arrays_empty_EXC"),
        pattern: r#"{"detail": {"tags": []}}"#,
        event: r#"{"id": "1", "source": "s", "detail-type": "t", "account": "1", "region": "r", "time": "t"}"#,
        expect: Invalid("Empty arrays are not allowed"),
    },
];

const CASES: &[Case] = &[
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
    Case {
        source: Observed("arrays"),
        pattern: r#"{"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f", "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f", "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "resources": ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate", "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
    Case {
        source: Observed("arrays_NEG"),
        pattern: r#"{"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f", "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f", "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "resources": ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate"]}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
    Case {
        source: Observed("arrays_empty_EXC"),
        pattern: r#"{"resources": []}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "resources": []}"#,
        expect: Invalid(r#"Empty arrays are not allowed"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
    Case {
        source: Observed("arrays_empty_null_NEG"),
        pattern: r#"{"resources": [null]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "resources": []}"#,
        expect: Answer(false),
    },
    Case {
        source: Observed("boolean"),
        pattern: r#"{"boolean": [false]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "boolean": false}"#,
        expect: Answer(true),
    },
    Case {
        source: Observed("boolean_NEG"),
        pattern: r#"{"boolean": [false]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "boolean": true}"#,
        expect: Answer(false),
    },
    Case {
        source: Observed("complex_many_rules"),
        pattern: r#"{"source": [{"exists": true}], "detail-type": [{"prefix": "core.app"}], "detail": {"description": ["this-is-event-details"], "amount": [200], "salary": [2000, 4000], "env": ["dev", "prod"], "user": ["user1", "user2", "user3"], "admins": ["skyli", {"prefix": "hey"}, {"prefix": "ad"}], "test1": [{"anything-but": 200}], "test2": [{"anything-but": "test2"}], "test3": [{"anything-but": ["test3", "test33"]}], "test4": [{"anything-but": {"prefix": "test4"}}], "num-test1": [{"numeric": ["<", 200]}], "num-test2": [{"numeric": ["<=", 200]}], "num-test3": [{"numeric": [">", 200]}], "num-test4": [{"numeric": [">=", 200]}], "num-test5": [{"numeric": [">=", 200, "<=", 500]}], "num-test6": [{"numeric": [">", 200, "<", 500]}], "num-test7": [{"numeric": [">=", 200, "<", 500]}]}}"#,
        event: r#"{"id": "1", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "EventBusName": "my-event-bus-name", "source": "core.update-account-command", "detail-type": "core.app.backend", "detail": {"description": "this-is-event-details", "amount": 200, "salary": 2000, "env": "prod", "user": "user3", "admins": "admin", "test1": 300, "test2": "test22", "test3": "test333", "test4": "this test4", "ip": "10.102.1.100", "num-test1": 100, "num-test2": 200, "num-test3": 300, "num-test4": 200, "num-test5": 500, "num-test6": 300, "num-test7": 300}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-complex-example
    Case {
        source: Observed("complex_multi_match"),
        pattern: r#"{"time": [{"prefix": "2022-07-13"}], "detail": {"state": [{"anything-but": "initializing"}], "c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"anything-but": [100, 200, 300]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "processing", "c-count": 3, "d-count": 9, "x-limit": 999}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-complex-example
    Case {
        source: Observed("complex_multi_match_NEG"),
        pattern: r#"{"time": [{"prefix": "2022-07-13"}], "detail": {"state": [{"anything-but": "initializing"}], "c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"anything-but": [100, 200, 300]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "processing", "c-count": 3, "d-count": 9, "x-limit": 300}}"#,
        expect: Answer(false),
    },
    Case {
        source: Observed("dynamodb"),
        pattern: r#"{"dynamodb": {"NewImage": {"homemade": {"N": ["1234"]}}}}"#,
        event: r#"{"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "dynamodb": {"NewImage": {"homemade": {"S": "ABCD", "N": "1234"}}}}"#,
        expect: Answer(true),
    },
    Case {
        source: Observed("int_nolist_EXC"),
        pattern: r#"{"int": 42}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "int": 42}"#,
        expect: Invalid(r#""int" must be an object or an array"#),
    },
    Case {
        source: Observed("key_case_sensitive_NEG"),
        pattern: r#"{"MY_KEY": ["my-value"]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "my_key": "my-value"}"#,
        expect: Answer(false),
    },
    // Example of https://github.com/localstack/localstack/pull/10600
    Case {
        source: Observed("list_within_dict"),
        pattern: r#"{"detail": {"automations": {"id": [{"exists": true}]}}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"automations": [{"key1": "value1"}, {"id": "match-does-exist"}, {"key2": "value2"}]}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
    Case {
        source: Observed("minimal"),
        pattern: r#"{"id": ["1"]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Answer(true),
    },
    Case {
        source: Observed("nested_json_NEG"),
        pattern: r#"{"detail": {"my-key": ["my-value"]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": "{\"my-key\": \"my-value\"}"}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
    Case {
        source: Observed("null_value"),
        pattern: r#"{"detail": {"responseElements": [null]}}"#,
        event: r#"{"version": "0", "id": "3e3c153a-8339-4e30-8c35-687ebef853fe", "detail-type": "EC2 Instance Launch Successful", "source": "aws.autoscaling", "account": "123456789012", "time": "2015-11-11T21:31:47Z", "region": "us-east-1", "resources": [], "detail": {"eventVersion": "", "responseElements": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
    Case {
        source: Observed("null_value_NEG"),
        pattern: r#"{"detail": {"responseElements": [null]}}"#,
        event: r#"{"version": "0", "id": "3e3c153a-8339-4e30-8c35-687ebef853fe", "detail-type": "EC2 Instance Launch Successful", "source": "aws.autoscaling", "account": "123456789012", "time": "2015-11-11T21:31:47Z", "region": "us-east-1", "resources": [], "detail": {"eventVersion": "", "responseElements": "null"}}"#,
        expect: Answer(false),
    },
    Case {
        source: Observed("operator_case_sensitive_EXC"),
        pattern: r#"{"my_key": [{"EXISTS": true}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "my_key": "my-value"}"#,
        expect: Invalid(r#"Unrecognized match type EXISTS"#),
    },
    Case {
        source: Observed("operator_multiple_list"),
        pattern: r#"{"my_key": [{"exists": true}, {"prefix": "IGNORED"}, {"suffix": "IGNORED"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "my_key": "my-value"}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
    Case {
        source: Observed("sample1"),
        pattern: r#"{"source": ["order"], "detail-type": ["Test"]}"#,
        event: r#"{"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    Case {
        source: Observed("string"),
        pattern: r#"{"string": ["A CamelCase string with an emoji \ud83d\ude80 and trailing whitespace "]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "string": "A CamelCase string with an emoji \ud83d\ude80 and trailing whitespace "}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
    Case {
        source: Observed("string_empty"),
        pattern: r#"{"detail": {"eventVersion": [""]}}"#,
        event: r#"{"version": "0", "id": "3e3c153a-8339-4e30-8c35-687ebef853fe", "detail-type": "EC2 Instance Launch Successful", "source": "aws.autoscaling", "account": "123456789012", "time": "2015-11-11T21:31:47Z", "region": "us-east-1", "resources": [], "detail": {"eventVersion": "", "responseElements": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    Case {
        source: Observed("string_nolist_EXC"),
        pattern: r#"{"string": "my-value"}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "string": "my-value"}"#,
        expect: Invalid(r#""string" must be an object or an array"#),
    },
];
