//! anything but: cases with AWS's answers.

use crate::Expect::{Answer, Invalid};
use crate::Source::Observed;
use crate::{Case, check};

#[test]
fn aws_recorded_answers_anything_but() {
    check(CASES);
}

const CASES: &[Case] = &[
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_ignorecase"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "pending"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_ignorecase_EXC"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "pending"}}"#,
        expect: Invalid(
            r#"Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."#,
        ),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_ignorecase_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "INITIALIZING"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_ignorecase_list"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["initializing", "stopped"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "pending"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_ignorecase_list_EXC"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "pending"}}"#,
        expect: Invalid(
            r#"Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."#,
        ),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_ignorecase_list_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["initializing", "stopped"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "Stopped"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_ignorecase_list_missing_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["initializing", "stopped"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_ignorecase_list_null"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["initializing", "stopped"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_ignorecase_missing_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_ignorecase_null"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_number"),
        pattern: r#"{"detail": {"x-limit": [{"anything-but": 123}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"x-limit": 789}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_number_NEG"),
        pattern: r#"{"detail": {"x-limit": [{"anything-but": 123}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"x-limit": 123}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_number_list"),
        pattern: r#"{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"x-limit": 999}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_number_list_NEG"),
        pattern: r#"{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"x-limit": 100}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_number_zero"),
        pattern: r#"{"detail": {"x-limit": [{"anything-but": 0}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"x-limit": 789}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_string"),
        pattern: r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "pending"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_string_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "initializing"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_string_list"),
        pattern: r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "pending"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_string_list_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "stopped"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_string_list_missing_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_string_list_null"),
        pattern: r#"{"detail": {"state": [{"anything-but": ["stopped", "running"]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_string_list_null_type_EXC"),
        pattern: r#"{"detail": {"state": [{"anything-but": ["stopped", null]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "pending"}}"#,
        expect: Invalid(r#"Inside anything but list, start|null|boolean is not supported."#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_string_missing_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_string_null"),
        pattern: r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_but_string_null_type_EXC"),
        pattern: r#"{"detail": {"state": [{"anything-but": null}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": null}}"#,
        expect: Invalid(r#"Value of anything-but must be an array or single string/number value."#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "post-init"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "init-prefix"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_empty_EXC"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"prefix": ""}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.txt.bak"}}"#,
        expect: Invalid(r#"Null prefix/suffix not allowed"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_ignorecase_EXC"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.txt.bak"}}"#,
        expect: Invalid(r#"Value of anything-but must be an array or single string/number value."#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_int_EXC"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": 123}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "post-init"}}"#,
        expect: Invalid(r#"prefix/suffix match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_int_value"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": 12}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_list"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": ["init", "test"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "post-init"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_list_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": ["init", "post"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "post-init"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_list_int"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": ["init", "test"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": 12}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_list_missing_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": ["init", "post"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_list_null"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": ["init", "test"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_list_type_EXC"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": [123, "test"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "post-init"}}"#,
        expect: Invalid(r#"prefix/suffix match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_missing_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_prefix_null"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.txt.bak"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_NEG"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.txt"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_empty_EXC"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": ""}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.txt.bak"}}"#,
        expect: Invalid(r#"Null prefix/suffix not allowed"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_ignorecase_EXC"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.txt.bak"}}"#,
        expect: Invalid(r#"Value of anything-but must be an array or single string/number value."#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_int_EXC"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": 123}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.txt.bak"}}"#,
        expect: Invalid(r#"prefix/suffix match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_list"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": [".txt", ".jpg"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.txt.bak"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_list_NEG"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": [".txt", ".jpg"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.jpg"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_list_missing_NEG"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": [".txt", ".jpg"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_list_null"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": [".txt", ".jpg"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_list_null_type_EXC"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": [null, ".txt"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.txt.bak"}}"#,
        expect: Invalid(r#"prefix/suffix match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_list_type_EXC"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": [123, ".txt"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": "file.txt.bak"}}"#,
        expect: Invalid(r#"prefix/suffix match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_missing_NEG"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_suffix_null"),
        pattern: r#"{"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FileName": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard"),
        pattern: r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/dir/*"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FilePath": "dir/init/file"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_NEG"),
        pattern: r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/init/*"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FilePath": "dir/init/file"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_empty"),
        pattern: r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": ""}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FilePath": "dir/init/file"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_int"),
        pattern: r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/dir/*"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FilePath": 123}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_list"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"wildcard": ["*/init/*", "*/dir/*"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "dir/post/dir"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_list_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"wildcard": ["*/init/*", "*/dir/*"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "dir/init/dir"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_list_missing_NEG"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"wildcard": ["*/init/*", "*/dir/*"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_list_null"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"wildcard": ["*/init/*", "*/dir/*"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_list_type_EXC"),
        pattern: r#"{"detail": {"state": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"state": "dir/post/dir"}}"#,
        expect: Invalid(r#"wildcard match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_missing_NEG"),
        pattern: r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/init/*"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_null"),
        pattern: r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/dir/*"}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FilePath": null}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-anything-but
    Case {
        source: Observed("content_anything_wildcard_type_EXC"),
        pattern: r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": 123}}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"FilePath": "dir/init/file"}}"#,
        expect: Invalid(r#"wildcard match pattern must be a string"#),
    },
    Case {
        source: Observed("or-anything-but"),
        pattern: r#"{"dynamodb": {"NewImage": {"homemade": {"S": [{"anything-but": ["roses"]}, {"exists": false}]}}}}"#,
        event: r#"{"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "dynamodb": {"NewImage": {"homemade": {"S": "ABCD", "N": "1234"}}}}"#,
        expect: Answer(true),
    },
];
