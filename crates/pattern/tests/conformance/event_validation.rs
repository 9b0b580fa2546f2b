//! Which events AWS's TestEventPattern answers for, and which it refuses
//! ("Parameter Event is not valid."), and which patterns it refuses as not
//! JSON or not an object. The same check guards everything the local bus
//! takes from outside (`pattern::validate_event`).

use crate::Expect::{Answer, Invalid, InvalidEvent};
use crate::Source::{Docs, Observed};
use crate::{Case, Expect, Source, check, check_owned};
use pattern::{InvalidEvent as Refused, MAX_EVENT_BYTES, validate_event};

const EVENT: &str = r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"test": "test"}}"#;
const PATTERN: &str = r#"{"body": {"test2": [{"numeric": [">", 100]}]}}"#;

#[test]
fn aws_recorded_answers_event_validation() {
    check(CASES);
}

const CASES: &[Case] = &[
    // Observed: `test_plain_string_payload`, ValidationException.
    Case {
        source: Observed("test_plain_string_payload"),
        pattern: PATTERN,
        event: "plain string",
        expect: InvalidEvent("Parameter Event is not valid."),
    },
    Case {
        source: Observed("test_array_event_payload"),
        pattern: PATTERN,
        event: r#"["plain string"]"#,
        expect: InvalidEvent("Parameter Event is not valid."),
    },
    // The API reference lists id, account, source, time, region, resources
    // and detail-type as mandatory; AWS refuses an event without the first
    // six ...
    Case {
        source: Observed("test_invalid_event_payload"),
        pattern: PATTERN,
        event: r#"{"testEvent": "value"}"#,
        expect: InvalidEvent("Parameter Event is not valid."),
    },
    // ... but answers for one without `resources` (every recorded case lacks it).
    Case {
        source: Observed("test_event_pattern_source"),
        pattern: r#"{"source": ["order"], "detail-type": ["Test"]}"#,
        event: r#"{"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012", "region": "us-east-1", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Answer(true),
    },
    Case {
        source: Observed("test_event_pattern_source"),
        pattern: r#"{"source": ["shipment"], "detail-type": ["Test"]}"#,
        event: r#"{"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012", "region": "us-east-1", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Answer(false),
    },
    // A `detail-type` that is a list of strings is answered for.
    Case {
        source: Observed("content_ignorecase"),
        pattern: r#"{"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": ["EC2 Instance State-change Notification"], "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}"#,
        expect: Answer(true),
    },
    // Patterns that are not JSON objects: InvalidEventPatternException.
    Case {
        source: Observed("test_invalid_json_event_pattern[this is valid json but not a dict]"),
        pattern: "this is valid json but not a dict",
        event: EVENT,
        expect: Invalid("Unrecognized token 'this'"),
    },
    Case {
        source: Observed("test_invalid_json_event_pattern[{'bad': 'quotation'}]"),
        pattern: "{'bad': 'quotation'}",
        event: EVENT,
        expect: Invalid(
            "Unexpected character (''' (code 39)): was expecting double-quote to start field name",
        ),
    },
    Case {
        source: Observed("test_invalid_json_event_pattern[{\"not\": closed mark\"]"),
        pattern: r#"{"not": closed mark""#,
        event: EVENT,
        expect: Invalid("Unrecognized token 'closed'"),
    },
    Case {
        source: Observed(
            "test_invalid_json_event_pattern[[\"not\", \"a\", \"dict\", \"but valid json\"]]",
        ),
        pattern: r#"["not", "a", "dict", "but valid json"]"#,
        event: EVENT,
        expect: Invalid("Filter is not an object"),
    },
    // The pattern is judged before the event.
    Case {
        source: Observed("test_invalid_json_event_pattern"),
        pattern: "[]",
        event: "plain string",
        expect: Invalid("Filter is not an object"),
    },
];

#[test]
fn a_pattern_that_is_not_an_object_is_refused_in_aws_words() {
    // Observed: `test_invalid_json_event_pattern[["not", "a", "dict", "but valid json"]]`.
    let refused = pattern::test_event_pattern(r#"["not", "a", "dict"]"#, EVENT).unwrap_err();
    assert!(
        refused.to_string().starts_with(
            "InvalidEventPatternException: Event pattern is not valid. Reason: Filter is not an object"
        ),
        "{refused}"
    );
}

/// The same check and wording wherever an event comes in.
#[test]
fn refusals_name_what_is_wrong_after_aws_wording() {
    let missing = validate_event(
        br#"{"id": "1", "account": "1", "source": "s", "time": "t", "region": "r"}"#,
    )
    .unwrap_err();
    assert_eq!(missing, Refused::MissingField("detail-type"));
    assert_eq!(
        missing.to_string(),
        "Parameter Event is not valid. Reason: missing required field `detail-type`"
    );
    assert!(!missing.is_retryable());
    let not_json = validate_event(b"plain string").unwrap_err().to_string();
    assert!(
        not_json.starts_with("Parameter Event is not valid. Reason: event is not valid JSON"),
        "{not_json}"
    );
    // Present is enough, whatever the value (AWS answers for a list).
    let odd = br#"{"id": 1, "account": null, "source": {}, "time": [], "region": true, "detail-type": ["x"]}"#;
    assert!(validate_event(odd).is_ok());
}

/// An event as big as EventBridge takes, with `size` bytes of text.
fn event_of_size(size: usize) -> String {
    let head = r#"{"id": "1", "source": "big", "detail-type": "t", "account": "1", "region": "r", "time": "t", "detail": {"blob": ""#;
    let tail = r#"", "flag": "on"}}"#;
    format!("{head}{}{tail}", "x".repeat(size - head.len() - tail.len()))
}

const EVENT_SIZE_DOCS: Source =
    Docs("https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html");

#[test]
fn an_event_at_the_size_limit_is_matched_and_one_byte_more_is_refused() {
    // EventBridge takes events up to 1 MB since January 2026 (256 KB before).
    let at_limit = event_of_size(MAX_EVENT_BYTES);
    assert_eq!(at_limit.len(), 1024 * 1024);
    let pattern = r#"{"detail": {"flag": ["on"]}}"#;
    check_owned(EVENT_SIZE_DOCS, pattern, &at_limit, Answer(true));
    let over = event_of_size(MAX_EVENT_BYTES + 1);
    check_owned(
        EVENT_SIZE_DOCS,
        pattern,
        &over,
        Expect::InvalidEvent("too large"),
    );
    assert_eq!(
        validate_event(over.as_bytes()).unwrap_err(),
        Refused::TooLarge {
            size: MAX_EVENT_BYTES + 1,
            limit: MAX_EVENT_BYTES
        }
    );
}
