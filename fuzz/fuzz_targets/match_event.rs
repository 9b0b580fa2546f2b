//! Differential target: the first byte splits the input into a pattern and
//! an event; the byte reader, the `serde_json::Value` paths and the
//! multi-rule matcher must agree whenever serde_json reads the event, and
//! matching a `ValidEvent` must accept and match exactly like the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pattern::{MatchScratch, MatcherBuilder, Pattern, ValidEvent};

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let split = usize::from(split).min(rest.len());
    let (pattern_bytes, event) = rest.split_at(split);
    let Ok(pattern_text) = std::str::from_utf8(pattern_bytes) else {
        return;
    };
    let Ok(pattern) = Pattern::parse(pattern_text) else {
        return;
    };
    let by_bytes = pattern.matches_json(event);
    let mut builder = MatcherBuilder::new();
    builder.add(0u8, pattern.clone());
    let matcher = builder.build();
    let by_matcher = matcher.matching_rules(event).map(|rules| !rules.is_empty());
    assert_eq!(by_bytes, by_matcher);
    let validated = ValidEvent::parse(event).and_then(|valid| {
        let mut out = Vec::new();
        matcher.matching_valid_into(&valid, &mut MatchScratch::default(), &mut out)?;
        Ok(!out.is_empty())
    });
    assert_eq!(by_matcher.is_ok(), validated.is_ok());
    if let (Ok(direct), Ok(validated)) = (&by_matcher, &validated) {
        assert_eq!(direct, validated);
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(event)
        && value.is_object()
        && let Ok(by_bytes) = by_bytes
    {
        assert_eq!(by_bytes, pattern.matches(&value));
        // The matcher's own `Value` path settles checks after reading,
        // not while reading: it must agree too.
        assert_eq!(by_bytes, !matcher.matching_rules_for_value(&value).is_empty());
    }
});
