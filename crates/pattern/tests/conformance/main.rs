//! Conformance with AWS: every case is a pattern, an event and the answer of
//! AWS's `TestEventPattern`, checked against `pattern::test_event_pattern`
//! (which `saga test-event-pattern` prints) and, for answered cases, against
//! every other way of matching (one pattern on bytes, on a validated event,
//! on a `serde_json::Value`, and a bus's matcher), so that they all give
//! AWS's answer.
//!
//! Each case names where its answer comes from ([`Source`]). Organised by
//! behaviour: one file per operator family, one for dotted paths and one
//! for event validation. The earlier user-guide and event-ruler cases stay
//! in `tests/semantics`.

mod anything_but;
mod cidr;
mod dotted_paths;
mod equals_ignore_case;
mod event_validation;
mod exact_and_structure;
mod exists;
mod numeric;
mod or;
mod prefix_suffix;
mod wildcard;

use pattern::{
    MatchScratch, MatcherBuilder, Pattern, TestEventPatternError, ValidEvent, test_event_pattern,
};

/// Where a case's expected answer comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// Observed on AWS: the answer of TestEventPattern recorded in
    /// LocalStack's AWS-validated snapshot
    /// (localstack/localstack, tests/aws/services/events/test_events_patterns.snapshot.json),
    /// for the case of that name (its pattern and event are
    /// tests/aws/services/events/event_pattern_templates/<name>.json5, or the
    /// named test of test_events_patterns.py).
    Observed(&'static str),
    /// Documented: the page of the EventBridge user guide or API reference.
    Docs(&'static str),
    /// aws/event-ruler, the engine EventBridge runs: the named test or README
    /// section.
    EventRuler(&'static str),
}

/// What AWS answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// `{"Result": true}` or `{"Result": false}`.
    Answer(bool),
    /// InvalidEventPatternException; AWS's reason, as AWS words it (ours
    /// names the same problem and the field path, in our words, except
    /// where noted).
    Invalid(&'static str),
    /// ValidationException "Parameter Event is not valid."; what is wrong.
    InvalidEvent(&'static str),
}

pub struct Case {
    pub source: Source,
    pub pattern: &'static str,
    pub event: &'static str,
    pub expect: Expect,
}

/// Checks every case and reports all disagreements at once.
pub fn check(cases: &[Case]) {
    let failures: Vec<String> = cases.iter().filter_map(disagreement).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree with AWS:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Checks one case given as owned text (for generated events).
pub fn check_owned(source: Source, pattern: &str, event: &str, expect: Expect) {
    if let Some(failure) = disagreement_of(source, pattern, event, expect) {
        panic!("{failure}");
    }
}

fn disagreement(case: &Case) -> Option<String> {
    disagreement_of(case.source, case.pattern, case.event, case.expect)
}

fn disagreement_of(source: Source, pattern: &str, event: &str, expect: Expect) -> Option<String> {
    let got = test_event_pattern(pattern, event);
    let fine = match (&got, expect) {
        (Ok(answer), Expect::Answer(want)) => {
            if let Some(split) = other_paths_disagree(pattern, event, *answer) {
                return Some(format!("{source:?}: {split}"));
            }
            *answer == want
        }
        (Err(TestEventPatternError::InvalidEventPattern(_)), Expect::Invalid(_)) => true,
        (Err(TestEventPatternError::Validation(_)), Expect::InvalidEvent(_)) => true,
        _ => false,
    };
    (!fine).then(|| {
        let shown: String = event.chars().take(300).collect();
        format!(
            "{source:?}: expected {expect:?}, got {got:?}\n  pattern {pattern}\n  event {shown}"
        )
    })
}

/// Every other entry point must give the answer `test_event_pattern` gave.
fn other_paths_disagree(pattern: &str, event: &str, answer: bool) -> Option<String> {
    let compiled = Pattern::parse(pattern).ok()?;
    let mut verdicts = vec![("bytes", compiled.matches_json(event.as_bytes()).ok())];
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(event) {
        verdicts.push(("value", Some(compiled.matches(&value))));
    }
    let mut builder = MatcherBuilder::new();
    builder.add(
        "decoy",
        Pattern::parse(r#"{"source": ["no.such.source"]}"#).ok()?,
    );
    builder.add("rule", compiled);
    let matcher = builder.build();
    let by_matcher = matcher
        .matching_rules(event.as_bytes())
        .ok()
        .map(|rules| rules == [&"rule"]);
    verdicts.push(("matcher", by_matcher));
    let valid = ValidEvent::parse(event.as_bytes()).ok()?;
    let mut out = Vec::new();
    let by_valid = matcher
        .matching_valid_into(&valid, &mut MatchScratch::default(), &mut out)
        .ok()
        .map(|()| out == [&"rule"]);
    verdicts.push(("matcher, validated", by_valid));
    verdicts
        .into_iter()
        .find(|(_, verdict)| *verdict != Some(answer))
        .map(|(path, verdict)| {
            format!("{path} answers {verdict:?}, test_event_pattern {answer} for {pattern}")
        })
}
