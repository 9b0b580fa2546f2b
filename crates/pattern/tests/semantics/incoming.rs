//! `Matcher::matching_incoming`: `validate_event`'s check and the match in
//! one read must answer exactly as `validate_event` followed by
//! `matching_valid_indices` (what `saga match` did before, and what the
//! local bus does): the same refusals with the same errors, the same rules,
//! and `source` / `detail-type` as serde_json reads them.

use std::fmt::Debug;

use pattern::{
    InvalidEvent, MAX_EVENT_BYTES, MatchScratch, Matcher, MatcherBuilder, Pattern,
    REQUIRED_EVENT_FIELDS, validate_event,
};
use serde_json::Value;

/// Checks `matching_incoming` against validating first on `event`; every
/// matcher test goes through this (see `crate::matching`).
pub fn agrees_with_validating_first<R: Debug>(matcher: &Matcher<R>, event: &[u8]) {
    let text = String::from_utf8_lossy(event);
    let mut indices = Vec::new();
    let mut scratch = MatchScratch::default();
    let one_read = matcher
        .matching_incoming(event, &mut scratch, &mut indices)
        .map(|envelope| {
            (
                envelope.source.map(str::to_owned),
                envelope.detail_type.map(str::to_owned),
            )
        });
    let two_reads = validate_event(event).map(|valid| {
        let mut out = Vec::new();
        matcher
            .matching_valid_indices(&valid, &mut MatchScratch::default(), &mut out)
            .unwrap_or_else(|e| panic!("a validated event is readable: {e}: {text}"));
        out
    });
    match (one_read, two_reads) {
        (Ok((source, detail_type)), Ok(expected)) => {
            assert_eq!(indices, expected, "{text}");
            // serde_json refuses lone surrogates and numbers beyond f64.
            if let Ok(value) = serde_json::from_slice::<Value>(event) {
                let field = |name| value.get(name).and_then(Value::as_str).map(str::to_owned);
                assert_eq!(source, field("source"), "{text}");
                assert_eq!(detail_type, field("detail-type"), "{text}");
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
        (a, b) => panic!("one read {a:?} but validating first {b:?}: {text}"),
    }
}

fn saga_matcher() -> Matcher<&'static str> {
    let mut builder = MatcherBuilder::new();
    for (name, pattern) in [
        (
            "orders",
            r#"{"source": ["shop.orders"], "detail-type": ["Order Placed"]}"#,
        ),
        (
            "big",
            r#"{"detail": {"amount": [{"numeric": [">=", 100]}]}}"#,
        ),
        (
            "not-orders",
            r#"{"source": [{"anything-but": "shop.orders"}]}"#,
        ),
        ("lines", r#"{"detail": {"lines": {"sku": ["KB-001"]}}}"#),
        (
            "case",
            r#"{"detail-type": [{"equals-ignore-case": "order placed"}]}"#,
        ),
    ] {
        builder.add(name, Pattern::parse(pattern).expect("valid pattern"));
    }
    builder.build()
}

const EVENT: &str = r#"{"version":"0","id":"e-1","detail-type":"Order Placed","source":"shop.orders","account":"123456789012","time":"2026-11-22T09:00:00Z","region":"us-east-1","resources":[],"detail":{"amount":150,"lines":[{"sku":"KB-001","quantity":1},{"sku":"MOUSE-002","quantity":2}]}}"#;

#[test]
fn matching_incoming_matches_an_accepted_event_and_reads_its_label_fields() {
    let matcher = saga_matcher();
    let mut indices = Vec::new();
    let mut scratch = MatchScratch::default();
    let envelope = matcher
        .matching_incoming(EVENT.as_bytes(), &mut scratch, &mut indices)
        .expect("a valid event");
    assert_eq!(envelope.source, Some("shop.orders"));
    assert_eq!(envelope.detail_type, Some("Order Placed"));
    let names: Vec<_> = indices.iter().map(|&i| matcher.names()[i]).collect();
    assert_eq!(names, ["orders", "big", "lines", "case"]);
    agrees_with_validating_first(&matcher, EVENT.as_bytes());
}

#[test]
fn matching_incoming_refuses_what_validate_event_refuses_with_the_same_error() {
    let matcher = saga_matcher();
    let mut cases: Vec<Vec<u8>> = REQUIRED_EVENT_FIELDS
        .iter()
        .map(|field| {
            let mut event: Value = serde_json::from_str(EVENT).expect("JSON");
            event.as_object_mut().expect("object").remove(*field);
            event.to_string().into_bytes()
        })
        .collect();
    cases.extend(
        [
            "",
            "[1, 2]",
            "\"shop.orders\"",
            "{not json",
            &EVENT[..EVENT.len() - 1],
            &format!("{EVENT} x"),
            // `resources` is not required, as on AWS.
            &EVENT.replace(r#""resources":[],"#, ""),
        ]
        .map(|text| text.as_bytes().to_vec()),
    );
    cases.push(b"{\"id\": \"\xff\"}".to_vec());
    let mut huge = EVENT.replace(r#""amount":150"#, r#""amount":150,"pad":"PAD""#);
    huge = huge.replace("PAD", &"x".repeat(MAX_EVENT_BYTES));
    cases.push(huge.into_bytes());
    for case in &cases {
        agrees_with_validating_first(&matcher, case);
    }
    let mut scratch = MatchScratch::default();
    let missing = matcher.matching_incoming(&cases[0], &mut scratch, &mut Vec::new());
    assert_eq!(missing, Err(InvalidEvent::MissingField("id")));
}

#[test]
fn matching_incoming_labels_escaped_and_listed_fields_like_serde_json() {
    let matcher = saga_matcher();
    for event in [
        EVENT.replace(
            r#""source":"shop.orders""#,
            r#""source":"shop.\u006frders""#,
        ),
        EVENT.replace(
            r#""detail-type":"Order Placed""#,
            r#""detail-type":["Order Placed"]"#,
        ),
        EVENT.replace(r#""source":"shop.orders""#, r#""source":7"#),
        // A repeated key keeps its last value, as in serde_json.
        EVENT.replace(r#""region""#, r#""source":"shop.payment","region""#),
        EVENT.replace(',', ",\n  "),
    ] {
        agrees_with_validating_first(&matcher, event.as_bytes());
    }
}

#[test]
fn matching_incoming_agrees_with_validating_first_on_damaged_saga_events() {
    let matcher = saga_matcher();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut below = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let alphabet = b"{}[]\":,\\ \tu0123456789aeflnrst-+.E\x01\x7f";
    for _ in 0..10_000 {
        let mut bytes = EVENT.as_bytes().to_vec();
        let at = below(bytes.len());
        let byte = alphabet[below(alphabet.len())];
        match below(3) {
            0 => {
                bytes.remove(at);
            }
            1 => bytes.insert(at, byte),
            _ => bytes[at] = byte,
        }
        agrees_with_validating_first(&matcher, &bytes);
    }
}
