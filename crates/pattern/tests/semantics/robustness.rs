//! No input may panic or overflow the stack: deep nesting, garbage bytes,
//! huge numbers, and many random patterns and events.

use pattern::{EventError, MAX_NESTING_DEPTH, Matcher, MatcherBuilder, Pattern, PatternError};

/// A small deterministic generator so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KEYS: &[&str] = &["source", "detail", "a", "b", "$or", "numeric", "x"];
const SCALARS: &[&str] = &[
    "\"a\"",
    "\"\"",
    "1",
    "-0.5",
    "3e2",
    "1e400",
    "true",
    "false",
    "null",
    "\"10.0.0.1\"",
    "\"a*b\"",
    "\"\\u00e9\"",
    "5000000001",
    "-5e9",
];
const OPERATORS: &[&str] = &[
    "prefix",
    "suffix",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
    "wildcard",
    "equals-ignore-case",
    "exact",
    "bogus",
];

fn random_json(rng: &mut Rng, depth: usize) -> String {
    match if depth > 6 { 0 } else { rng.below(6) } {
        0 | 1 => rng.pick(SCALARS).to_owned(),
        2 => {
            let items: Vec<String> = (0..rng.below(4))
                .map(|_| random_json(rng, depth + 1))
                .collect();
            format!("[{}]", items.join(","))
        }
        3 => format!(
            "{{\"{}\": {}}}",
            rng.pick(OPERATORS),
            random_json(rng, depth + 1)
        ),
        4 => format!(
            "{{\"numeric\": [\">\", {}, \"<\", {}]}}",
            rng.pick(SCALARS),
            rng.pick(SCALARS)
        ),
        _ => {
            let fields: Vec<String> = (0..rng.below(4))
                .map(|_| format!("\"{}\": {}", rng.pick(KEYS), random_json(rng, depth + 1)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
    }
}

#[test]
fn random_patterns_and_events_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut valid = Vec::new();
    for _ in 0..20_000 {
        let text = random_json(&mut rng, 0);
        if let Ok(pattern) = Pattern::parse(&text) {
            valid.push(pattern);
        }
    }
    assert!(
        valid.len() > 50,
        "the generator should produce some valid patterns"
    );
    let mut builder = MatcherBuilder::new();
    for (i, pattern) in valid.iter().enumerate() {
        builder.add(i, pattern.clone());
    }
    let matcher = builder.build();
    for _ in 0..5_000 {
        let event = random_json(&mut rng, 0);
        let by_matcher = crate::matching(&matcher, event.as_bytes());
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&event)
            && value.is_object()
        {
            let matched = by_matcher.expect("serde_json accepted this event");
            assert_eq!(matched, matcher.matching_rules_for_value(&value), "{event}");
            for (i, pattern) in valid.iter().enumerate().take(50) {
                assert_eq!(pattern.matches(&value), matched.contains(&&i), "{event}");
            }
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    let pattern = Pattern::parse(r#"{"a": [{"prefix": ""}], "b": {"c": [{"exists": false}]}}"#)
        .expect("valid");
    let alphabet = b"{}[]\":,\\ u0123456789abcdeftrnl-+.eE\xff\xc3\xa9";
    for _ in 0..20_000 {
        let len = rng.below(40);
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let _ = pattern.matches_json(&bytes);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = Pattern::parse(text);
        }
    }
}

#[test]
fn ten_thousand_levels_of_nesting_are_clean_errors() {
    let pattern = Pattern::parse(r#"{"a": ["x"]}"#).expect("valid");
    for (open, close) in [("{\"a\":", "}"), ("[", "]"), ("{\"z\":", "}")] {
        let deep = format!("{}1{}", open.repeat(10_000), close.repeat(10_000));
        let event_error = pattern.matches_json(deep.as_bytes());
        assert_eq!(
            event_error,
            Err(EventError::TooDeep {
                limit: MAX_NESTING_DEPTH
            })
        );
        assert!(matches!(
            Pattern::parse(&deep),
            Err(PatternError::TooDeep { .. })
        ));
    }
    let unclosed = "[".repeat(10_000);
    assert!(Pattern::parse(&unclosed).is_err());
}

/// The multi-rule matcher (what `saga match` and the runtime use) gives the
/// same clean errors as a single pattern, whether or not its rules name the
/// damaged part, and its `serde_json::Value` path does not overflow either.
#[test]
fn the_matcher_rejects_deep_nesting_and_invalid_utf8_cleanly() {
    let mut builder = MatcherBuilder::new();
    builder.add(
        "named",
        Pattern::parse(r#"{"a": {"b": ["x"]}}"#).expect("valid"),
    );
    builder.add(
        "other",
        Pattern::parse(r#"{"z": [{"exists": false}]}"#).expect("valid"),
    );
    let matcher = builder.build();
    let too_deep = Err(EventError::TooDeep {
        limit: MAX_NESTING_DEPTH,
    });
    // Inside a field the rules read, and inside one they skip.
    for open in ["{\"a\":{\"b\":", "{\"q\":", "{\"a\":["] {
        let deep = format!("{}1{}", open.repeat(10_000), "}".repeat(10_000));
        assert_eq!(
            crate::matching(&matcher, deep.as_bytes()),
            too_deep,
            "{open}"
        );
    }
    let arrays = format!("{{\"a\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(crate::matching(&matcher, arrays.as_bytes()), too_deep);
    for bad in [
        &b"{\"a\": {\"b\": \"\xff\"}}"[..],
        b"{\"q\": \"\xc3\"}",
        b"{\"\xe2\x82\": 1}",
    ] {
        assert!(
            matches!(
                crate::matching(&matcher, bad),
                Err(EventError::InvalidUtf8 { .. })
            ),
            "{bad:?}"
        );
        let pattern = Pattern::parse(r#"{"a": {"b": ["x"]}}"#).expect("valid");
        assert!(matches!(
            pattern.matches_json(bad),
            Err(EventError::InvalidUtf8 { .. })
        ));
    }
    let mut value = serde_json::json!("x");
    for _ in 0..10_000 {
        let mut map = serde_json::Map::new();
        map.insert("a".to_owned(), value);
        value = serde_json::Value::Object(map);
    }
    let matched = matcher.matching_rules_for_value(&value);
    // serde_json drops deep values recursively; leak this one rather than
    // test serde_json's own stack use.
    std::mem::forget(value);
    // The chain holds only `a`s, so `a.b` is missing; so is `z`.
    assert_eq!(matched, [&"other"]);
}

#[test]
fn the_matcher_compares_huge_numbers_without_failing() {
    let mut builder = MatcherBuilder::new();
    builder.add(
        "not-one",
        Pattern::parse(r#"{"a": [{"anything-but": 1}]}"#).expect("valid"),
    );
    builder.add(
        "big",
        Pattern::parse(r#"{"a": [{"numeric": [">", 0]}]}"#).expect("valid"),
    );
    let matcher = builder.build();
    for huge in [
        "9".repeat(10_000),
        format!("-{}", "9".repeat(400)),
        "1e400".to_owned(),
    ] {
        let event = format!(r#"{{"a": {huge}}}"#);
        // Beyond EventBridge's numeric range: no numeric match, but still a
        // value other than 1.
        assert_eq!(
            crate::matching(&matcher, event.as_bytes()),
            Ok(vec![&"not-one"]),
            "{huge}"
        );
    }
}

#[test]
fn deep_values_built_in_memory_do_not_overflow() {
    let pattern = Pattern::parse(r#"{"a": ["x"]}"#).expect("valid");
    let mut value = serde_json::json!("x");
    for _ in 0..10_000 {
        value = serde_json::Value::Array(vec![value]);
    }
    let mut map = serde_json::Map::new();
    map.insert("a".to_owned(), value);
    let event = serde_json::Value::Object(map);
    assert!(!pattern.matches(&event));
    // serde_json drops deep values recursively; leak this one rather than
    // test serde_json's own stack use.
    std::mem::forget(event);
}

#[test]
fn huge_numbers_are_handled() {
    // serde_json refuses numbers beyond f64, which makes a clean JSON error.
    let huge = format!(r#"{{"a": [{}]}}"#, "9".repeat(10_000));
    assert!(matches!(Pattern::parse(&huge), Err(PatternError::Json(_))));
    assert!(matches!(
        Pattern::parse(r#"{"a": [{"numeric": [">", 1e400]}]}"#),
        Err(PatternError::Json(_))
    ));
    let pattern = Pattern::parse(r#"{"a": [{"anything-but": 1}]}"#).expect("valid");
    let event = format!(r#"{{"a": {}}}"#, "9".repeat(10_000));
    assert!(pattern.matches_json(event.as_bytes()).expect("valid event"));
}

/// The event reader accepts exactly the JSON objects serde_json accepts,
/// however an event is damaged and whichever parts the rules skip.
#[test]
fn damaged_events_are_rejected_like_serde_json_does() {
    let mut rng = Rng(7);
    let mut builder = MatcherBuilder::new();
    builder.add(
        "r",
        Pattern::parse(r#"{"b": [{"prefix": ""}], "d": {"e": [1]}}"#).expect("valid"),
    );
    let matcher = builder.build();
    let seeds = [
        r#"{"a": "x\"y\\z\u00e9", "b": ["long string value", 12.5e-3, true], "d": {"e": [null, {"f": false}], "g": -0}}"#,
        "{\n  \"a\" : [ 1 , 2 ] ,\n\t\"b\" : \"\\/\" ,\"d\":{ }\r\n}",
        r#"{"d": {"e": [[], {}, "abcdefghijklmnop"], "h": 1E+2}, "b": "q"}"#,
        // Compact, as EventBridge sends events: the skipper's fast lane.
        r#"{"x":{"a":"b","n":-12.5e3,"o":{"p":1,"q":"r"},"s":[1,"t",{"u":true}]},"b":"v","d":{"e":0}}"#,
    ];
    damage_and_compare(&mut rng, &seeds, &matcher, 40_000);
}

/// The same for long compact events like the benchmarks' (strings longer
/// than the sixteen bytes a SIMD step covers, non-ASCII text, numbers
/// stepped over inline), with rules that name almost nothing, so that the
/// damage mostly lands in parts the reader skips.
#[test]
fn damaged_long_compact_events_are_rejected_like_serde_json_does() {
    let mut rng = Rng(11);
    let mut builder = MatcherBuilder::new();
    builder.add(
        "r",
        Pattern::parse(r#"{"source": ["svc.1"], "detail-type": ["Type1"]}"#).expect("valid"),
    );
    let matcher = builder.build();
    let seeds = [
        r#"{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3700000001","detail-type":"Type1","source":"svc.1","resources":["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"],"detail":{"metadata":{"correlationId":"corr-000001","schemaVersion":1},"data":{"amount":{"minor":8419,"currency":"EUR"},"items":[{"sku":"SKU-1","quantity":2,"price":{"minor":4999.5e-1}},{"sku":"SKU-7","quantity":10}],"city":"Zürich – Genève, ünïcødé all the way","zero":0,"neg":-120,"t":true,"n":null}}}"#,
        r#"{"source":"svc.1","detail-type":"Type1","detail":{"a-rather-long-key-name-of-forty-bytes!!":"a value that runs well past sixteen bytes and then some more","b":[1234567890123,-0.5,1e10,"x"],"c":{"d":{"e":{"f":"deep and long enough to span a step"}}}}}"#,
    ];
    damage_and_compare(&mut rng, &seeds, &matcher, 6_000);
}

/// Damages one of `seeds` one to two bytes at a time, `rounds` times, and
/// checks that the matcher accepts it exactly when serde_json does, and
/// then finds the same rules as on serde_json's value.
fn damage_and_compare(rng: &mut Rng, seeds: &[&str], matcher: &Matcher<&str>, rounds: usize) {
    let alphabet = b"{}[]\":,\\ \t\nu0123456789abcdeftrnl-+.eE\x01\x7f";
    for _ in 0..rounds {
        let mut bytes = seeds[rng.below(seeds.len())].as_bytes().to_vec();
        for _ in 0..1 + rng.below(2) {
            let at = rng.below(bytes.len());
            let byte = alphabet[rng.below(alphabet.len())];
            match rng.below(3) {
                0 => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, byte),
                _ => bytes[at] = byte,
            }
        }
        let ours = crate::matching(matcher, &bytes);
        let theirs = serde_json::from_slice::<serde_json::Value>(&bytes);
        // serde_json refuses lone surrogates that the reader replaces, and
        // numbers beyond f64 that events may carry (docs/pattern.md).
        if theirs.as_ref().is_err_and(|e| {
            let message = e.to_string();
            message.contains("surrogate") || message.contains("out of range")
        }) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        match theirs {
            Ok(value) if value.is_object() => {
                let matched = ours.unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(matched, matcher.matching_rules_for_value(&value), "{text}");
            }
            Ok(_) => assert_eq!(ours, Err(EventError::NotAnObject), "{text}"),
            Err(_) => assert!(ours.is_err(), "accepted invalid JSON: {text}"),
        }
    }
}
