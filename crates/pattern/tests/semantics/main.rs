//! Behaviour of patterns, one test binary for all of it.

mod arrays_and_nesting;
mod docs_examples;
mod edge_cases;
mod incoming;
mod matcher;
mod robustness;
mod validation;

use std::fmt::Debug;

use pattern::{
    EventError, MatchScratch, Matcher, MatcherBuilder, Pattern, PatternError, ValidEvent,
};

/// Matches `event` against `pattern` through every entry point and insists
/// they agree, so each test also checks the single-pattern reader, the
/// `serde_json::Value` path and the multi-rule matcher against each other.
pub fn matches(pattern: &str, event: &str) -> bool {
    let compiled = Pattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    let by_bytes = compiled
        .matches_json(event.as_bytes())
        .unwrap_or_else(|e| panic!("{event}: {e}"));
    // serde_json refuses numbers beyond f64 (1e400) that the event reader accepts.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(event) {
        assert_eq!(
            by_bytes,
            compiled.matches(&value),
            "value path disagrees for {pattern} / {event}"
        );
    }
    let mut builder = MatcherBuilder::new();
    builder.add(
        "decoy",
        Pattern::parse(r#"{"source": ["nothing.matches.this"]}"#).expect("valid"),
    );
    builder.add("rule", compiled);
    let matcher = builder.build();
    let matched = matching(&matcher, event.as_bytes()).expect("valid event");
    assert_eq!(
        by_bytes,
        matched == [&"rule"],
        "matcher disagrees for {pattern} / {event}"
    );
    by_bytes
}

/// Parses a pattern that must be invalid and returns the error.
pub fn rejects(pattern: &str) -> PatternError {
    match Pattern::parse(pattern) {
        Ok(_) => panic!("pattern should be rejected: {pattern}"),
        Err(e) => e,
    }
}

/// The rules `event` matches, read straight from its bytes, after checking
/// that validating it once (`ValidEvent::parse`) and matching the validated
/// event gives the same answer: the same rules, or an error for both.
pub fn matching<'m, R: PartialEq + Debug>(
    matcher: &'m Matcher<R>,
    event: &[u8],
) -> Result<Vec<&'m R>, EventError> {
    let direct = matcher.matching_rules(event);
    let validated = ValidEvent::parse(event).and_then(|valid| {
        let mut out = Vec::new();
        matcher.matching_valid_into(&valid, &mut MatchScratch::default(), &mut out)?;
        Ok(out)
    });
    incoming::agrees_with_validating_first(matcher, event);
    match (&direct, &validated) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", String::from_utf8_lossy(event)),
        (Err(a), Err(b)) => assert_eq!(
            std::mem::discriminant(a),
            std::mem::discriminant(b),
            "{}",
            String::from_utf8_lossy(event)
        ),
        _ => panic!(
            "validating first changed the outcome for {}: {direct:?} vs {validated:?}",
            String::from_utf8_lossy(event)
        ),
    }
    direct
}
