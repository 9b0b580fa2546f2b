//! The examples of the EventBridge user guide, each as a test. The page each
//! comes from is named above it.

use crate::matches;

/// The sample EC2 event of "Amazon EventBridge event patterns".
const EC2_EVENT: &str = r#"{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}
}"#;

// Page: "Amazon EventBridge event patterns".
#[test]
fn the_ec2_termination_pattern_matches_the_sample_event() {
    let pattern = r#"{
      "source": ["aws.ec2"],
      "detail-type": ["EC2 Instance State-change Notification"],
      "detail": {"state": ["terminated"]}
    }"#;
    assert!(matches(pattern, EC2_EVENT));
    assert!(!matches(
        pattern,
        &EC2_EVENT.replace("terminated", "running")
    ));
}

// Page: "Amazon EventBridge event patterns" — fields absent from the pattern are ignored.
#[test]
fn fields_the_pattern_does_not_mention_are_ignored() {
    assert!(matches(r#"{"source": ["aws.ec2"]}"#, EC2_EVENT));
}

// Page: "Matching events on null values and empty strings in Amazon EventBridge".
const NULL_EVENT: &str = r#"{
  "version": "0",
  "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
  "detail-type": "EC2 Instance Launch Successful",
  "source": "aws.autoscaling",
  "account": "123456789012",
  "time": "2015-11-11T21:31:47Z",
  "region": "us-east-1",
  "resources": [],
  "detail": {"eventVersion": "", "responseElements": null}
}"#;

#[test]
fn an_empty_string_pattern_matches_an_empty_string() {
    assert!(matches(r#"{"detail": {"eventVersion": [""]}}"#, NULL_EVENT));
}

#[test]
fn a_null_pattern_matches_a_null_value() {
    assert!(matches(
        r#"{"detail": {"responseElements": [null]}}"#,
        NULL_EVENT
    ));
}

#[test]
fn null_and_the_empty_string_are_not_interchangeable() {
    assert!(!matches(
        r#"{"detail": {"eventVersion": [null]}}"#,
        NULL_EVENT
    ));
    assert!(!matches(
        r#"{"detail": {"responseElements": [""]}}"#,
        NULL_EVENT
    ));
}

// Page: "Content filtering in Amazon EventBridge event patterns", Prefix matching.
#[test]
fn prefix_matches_the_start_of_time() {
    let pattern = r#"{"time": [{"prefix": "2017-10-02"}]}"#;
    assert!(matches(pattern, r#"{"time": "2017-10-02T18:43:48Z"}"#));
    assert!(!matches(pattern, r#"{"time": "2017-10-03T18:43:48Z"}"#));
}

// Content filtering: Prefix matching while ignoring case.
#[test]
fn prefix_with_equals_ignore_case_ignores_case() {
    let pattern = r#"{"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}"#;
    for service in ["EventBridge", "EVENTBRIDGE", "eventbridge"] {
        assert!(matches(
            pattern,
            &format!(r#"{{"detail": {{"service": "{service}"}}}}"#)
        ));
    }
    assert!(!matches(
        pattern,
        r#"{"detail": {"service": "Event Bridge"}}"#
    ));
}

// Content filtering: Suffix matching.
#[test]
fn suffix_matches_a_file_extension() {
    let pattern = r#"{"FileName": [{"suffix": ".png"}]}"#;
    assert!(matches(pattern, r#"{"FileName": "image.png"}"#));
    assert!(!matches(pattern, r#"{"FileName": "image.PNG"}"#));
}

// Content filtering: Suffix matching while ignoring case.
#[test]
fn suffix_with_equals_ignore_case_ignores_case() {
    let pattern = r#"{"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}"#;
    assert!(matches(pattern, r#"{"detail": {"FileName": "image.PNG"}}"#));
    assert!(matches(pattern, r#"{"detail": {"FileName": "image.png"}}"#));
    assert!(!matches(
        pattern,
        r#"{"detail": {"FileName": "image.jpg"}}"#
    ));
}

// Content filtering: Anything-but matching, with a string and with a number.
#[test]
fn anything_but_a_string_or_a_number() {
    let state = r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#;
    assert!(matches(state, r#"{"detail": {"state": "running"}}"#));
    assert!(!matches(state, r#"{"detail": {"state": "initializing"}}"#));
    let limit = r#"{"detail": {"x-limit": [{"anything-but": 123}]}}"#;
    assert!(matches(limit, r#"{"detail": {"x-limit": 124}}"#));
    assert!(!matches(limit, r#"{"detail": {"x-limit": 123}}"#));
    assert!(!matches(limit, r#"{"detail": {"x-limit": 1.23e2}}"#));
}

// Content filtering: anything-but with lists of strings and of numbers.
#[test]
fn anything_but_a_list() {
    let states = r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#;
    assert!(matches(states, r#"{"detail": {"state": "running"}}"#));
    assert!(!matches(states, r#"{"detail": {"state": "overloaded"}}"#));
    let limits = r#"{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}"#;
    assert!(matches(limits, r#"{"detail": {"x-limit": 150}}"#));
    assert!(!matches(limits, r#"{"detail": {"x-limit": 300.0}}"#));
}

// Content filtering: anything-but prefix, suffix, equals-ignore-case and wildcard.
#[test]
fn anything_but_prefix_suffix_ignore_case_and_wildcard() {
    let prefix = r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#;
    assert!(matches(prefix, r#"{"detail": {"state": "running"}}"#));
    assert!(!matches(prefix, r#"{"detail": {"state": "initializing"}}"#));
    let suffix = r#"{"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}}"#;
    assert!(matches(suffix, r#"{"detail": {"FileName": "a.jpg"}}"#));
    assert!(!matches(suffix, r#"{"detail": {"FileName": "a.png"}}"#));
    let ignore_case = r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}}"#;
    assert!(matches(ignore_case, r#"{"detail": {"state": "running"}}"#));
    assert!(!matches(ignore_case, r#"{"detail": {"state": "STOPPED"}}"#));
    let wildcard = r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}"#;
    assert!(matches(
        wildcard,
        r#"{"detail": {"FilePath": "/usr/bin/x"}}"#
    ));
    assert!(!matches(
        wildcard,
        r#"{"detail": {"FilePath": "/usr/lib/x"}}"#
    ));
}

// Content filtering: Numeric matching.
#[test]
fn numeric_ranges_and_equality() {
    let pattern = r#"{"detail": {
        "c-count": [{"numeric": [">", 0, "<=", 5]}],
        "d-count": [{"numeric": ["<", 10]}],
        "x-limit": [{"numeric": ["=", 3.018e2]}]
    }}"#;
    assert!(matches(
        pattern,
        r#"{"detail": {"c-count": 5, "d-count": 9.99, "x-limit": 301.8}}"#
    ));
    assert!(!matches(
        pattern,
        r#"{"detail": {"c-count": 0, "d-count": 9, "x-limit": 301.8}}"#
    ));
    assert!(!matches(
        pattern,
        r#"{"detail": {"c-count": 5, "d-count": 10, "x-limit": 301.8}}"#
    ));
    assert!(!matches(
        pattern,
        r#"{"detail": {"c-count": 5, "d-count": 9, "x-limit": "301.8"}}"#
    ));
}

// Content filtering: IP address matching.
#[test]
fn cidr_matches_addresses_in_the_block() {
    let v4 = r#"{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}"#;
    assert!(matches(
        v4,
        r#"{"detail": {"sourceIPAddress": "10.0.0.255"}}"#
    ));
    assert!(!matches(
        v4,
        r#"{"detail": {"sourceIPAddress": "10.0.1.1"}}"#
    ));
    let v6 = r#"{"detail": {"sourceIPAddress": [{"cidr": "bc2a:c1d2:ce11::/48"}]}}"#;
    assert!(matches(
        v6,
        r#"{"detail": {"sourceIPAddress": "bc2a:c1d2:ce11:0:0:0:0:1"}}"#
    ));
    assert!(!matches(
        v6,
        r#"{"detail": {"sourceIPAddress": "bc2a:c1d2:ce12::1"}}"#
    ));
}

// Content filtering: Exists matching.
#[test]
fn exists_true_and_false() {
    let present = r#"{"detail": {"state": [{"exists": true}]}}"#;
    let absent = r#"{"detail": {"state": [{"exists": false}]}}"#;
    assert!(matches(present, EC2_EVENT));
    assert!(!matches(absent, EC2_EVENT));
    let without = r#"{"source": "aws.ec2", "detail": {"instance-id": "i-1"}}"#;
    assert!(!matches(present, without));
    assert!(matches(absent, without));
}

// Content filtering: Equals-ignore-case matching.
#[test]
fn equals_ignore_case_matches_any_casing() {
    let pattern =
        r#"{"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}"#;
    assert!(matches(pattern, EC2_EVENT));
}

// Content filtering: Wildcard matching.
#[test]
fn wildcard_matches_file_names_and_services() {
    let pattern = r#"{"detail": {"FileName": [{"wildcard": "dir/*.png"}]}}"#;
    assert!(matches(pattern, r#"{"detail": {"FileName": "dir/a.png"}}"#));
    assert!(matches(
        pattern,
        r#"{"detail": {"FileName": "dir/sub/a.png"}}"#
    ));
    assert!(!matches(
        pattern,
        r#"{"detail": {"FileName": "other/a.png"}}"#
    ));
    let service = r#"{"source": [{"wildcard": "Simple*Service"}]}"#;
    assert!(matches(service, r#"{"source": "SimpleQueueService"}"#));
}

// Content filtering: Complex example with multiple matching.
#[test]
fn the_complex_example_combines_operators() {
    let pattern = r#"{
      "time": [{"prefix": "2017-10-02"}],
      "detail": {
        "state": [{"anything-but": "initializing"}],
        "c-count": [{"numeric": [">", 0, "<=", 5]}],
        "d-count": [{"numeric": ["<", 10]}],
        "x-limit": [{"anything-but": [100, 200, 300]}]
      }
    }"#;
    let event = r#"{"time": "2017-10-02T18:43:48Z", "detail": {"state": "running", "c-count": 2, "d-count": 3, "x-limit": 301}}"#;
    assert!(matches(pattern, event));
    assert!(!matches(pattern, &event.replace("301", "300")));
}

// Content filtering: $or matching.
#[test]
fn or_matches_when_any_branch_matches() {
    let pattern = r#"{"detail": {"$or": [
        {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
        {"d-count": [{"numeric": ["<", 10]}]},
        {"x-limit": [{"numeric": ["=", 3.018e2]}]}
    ]}}"#;
    assert!(matches(pattern, r#"{"detail": {"c-count": 3}}"#));
    assert!(matches(pattern, r#"{"detail": {"d-count": 3}}"#));
    assert!(matches(pattern, r#"{"detail": {"x-limit": 301.8}}"#));
    assert!(!matches(
        pattern,
        r#"{"detail": {"c-count": 30, "d-count": 30}}"#
    ));
}

// Content filtering: $or across levels, combined with other fields.
#[test]
fn or_branches_can_name_fields_at_different_levels() {
    let pattern = r#"{
      "source": ["aws.ec2"],
      "$or": [
        {"detail-type": ["EC2 Instance State-change Notification"]},
        {"detail": {"state": ["pending"]}}
      ]
    }"#;
    assert!(matches(pattern, EC2_EVENT));
    let other = r#"{"source": "aws.ec2", "detail-type": "x", "detail": {"state": "pending"}}"#;
    assert!(matches(pattern, other));
    assert!(!matches(pattern, &other.replace("pending", "running")));
    assert!(!matches(pattern, &EC2_EVENT.replace("aws.ec2", "aws.s3")));
}

// Page: "Arrays in EventBridge event patterns".
#[test]
fn a_pattern_list_matches_an_event_array_that_shares_any_value() {
    let pattern = r#"{"resources": [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"
    ]}"#;
    let event = r#"{"resources": [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:000000000000:instance/i-b188560f"
    ]}"#;
    assert!(matches(pattern, event));
    let disjoint = r#"{"resources": ["arn:aws:ec2:us-east-1:000000000000:instance/i-b188560f"]}"#;
    assert!(!matches(pattern, disjoint));
}

// Page: "Comparison operators for use in event patterns" — And across fields.
#[test]
fn several_fields_must_all_match() {
    let pattern = r#"{"Location": ["New York"], "Day": ["Monday"]}"#;
    assert!(matches(
        pattern,
        r#"{"Location": "New York", "Day": "Monday"}"#
    ));
    assert!(!matches(
        pattern,
        r#"{"Location": "New York", "Day": "Tuesday"}"#
    ));
}
