//! cidr: cases with AWS's answers.

use crate::Expect::{Answer, Invalid};
use crate::Source::Observed;
use crate::{Case, check};

#[test]
fn aws_recorded_answers_cidr() {
    check(CASES);
}

const CASES: &[Case] = &[
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-ip-matching
    Case {
        source: Observed("content_ip_address"),
        pattern: r#"{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"sourceIPAddress": "10.0.0.255"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-ip-matching
    Case {
        source: Observed("content_ip_address_EXC"),
        pattern: r#"{"detail": {"sourceIPAddress": [{"cidr": "bad-filter"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"sourceIPAddress": "10.0.0.255"}}"#,
        expect: Invalid(r#"Malformed CIDR, one '/' required"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-ip-matching
    Case {
        source: Observed("content_ip_address_NEG"),
        pattern: r#"{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"sourceIPAddress": "10.0.0.256"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-ip-matching
    Case {
        source: Observed("content_ip_address_bad_ip_EXC"),
        pattern: r#"{"detail": {"sourceIPAddress": [{"cidr": "xx.11.xx/8"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"sourceIPAddress": "10.0.0.255"}}"#,
        expect: Invalid(r#"Nonstandard IP address: xx.11.xx"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-ip-matching
    Case {
        source: Observed("content_ip_address_bad_mask_EXC"),
        pattern: r#"{"detail": {"sourceIPAddress": [{"cidr": "bad-/64filter"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"sourceIPAddress": "10.0.0.255"}}"#,
        expect: Invalid(r#"Malformed CIDR, mask bits must be an integer"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-ip-matching
    Case {
        source: Observed("content_ip_address_bad_type_NEG"),
        pattern: r#"{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"sourceIPAddress": 123}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-ip-matching
    Case {
        source: Observed("content_ip_address_type_EXC"),
        pattern: r#"{"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"sourceIPAddress": "10.0.0.255"}}"#,
        expect: Invalid(r#"prefix match pattern must be a string"#),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-ip-matching
    Case {
        source: Observed("content_ip_address_v6"),
        pattern: r#"{"detail": {"sourceIPAddress": [{"cidr": "2001:db8:1234:1a00::/64"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"sourceIPAddress": "2001:0db8:1234:1a00:0000:0000:0000:0000"}}"#,
        expect: Answer(true),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-ip-matching
    Case {
        source: Observed("content_ip_address_v6_NEG"),
        pattern: r#"{"detail": {"sourceIPAddress": [{"cidr": "2001:db8:1234:1a00::/64"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"sourceIPAddress": "2001:0db8:123f:1a01:0000:0000:0000:0000"}}"#,
        expect: Answer(false),
    },
    // Example of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#eb-filtering-ip-matching
    Case {
        source: Observed("content_ip_address_v6_bad_ip_EXC"),
        pattern: r#"{"detail": {"sourceIPAddress": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}}"#,
        event: r#"{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z", "detail": {"sourceIPAddress": "10.0.0.255"}}"#,
        expect: Invalid(r#"Nonstandard IP address: xxxx:db8:1234:1a00::"#),
    },
];
