//! Matching throughput of this engine against quamina on the same events and
//! rules, measured in one run: (a) the saga's rules, (b) thirty mixed rules,
//! (c) a thousand exact rules; plus compiling 10,000 rules.
//!
//! `ours` and `quamina` both start from the raw bytes of each event, but do
//! not do the same work with them: `ours` validates the whole event (an
//! event that is not valid JSON anywhere is refused, as EventBridge refuses
//! it) and reads the fields some rule names; quamina reads only until it has
//! every field its patterns name, validating nothing after that (it matches
//! an event cut off inside `detail`; the bench prints what each engine
//! answers on one). In (c), where the rules name `source` and `detail-type`
//! only, quamina never reads `detail`, about 60% of each event; the bench
//! times both engines again on the same events with `detail` replaced by 0.
//! `ours_validated` matches events that `ValidEvent::parse` validated once
//! beforehand, outside the timed loop, as EventBridge validates an event
//! once when PutEvents accepts it: it is the cost of matching alone, not a
//! like-for-like comparison with quamina.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use pattern::{MatchScratch, Matcher, MatcherBuilder, Pattern, ValidEvent};
use quamina::Quamina;

#[path = "support/workloads.rs"]
mod workloads;

fn ours(rules: &[(String, String)]) -> Matcher<String> {
    let mut builder = MatcherBuilder::new();
    for (name, json) in rules {
        let pattern = Pattern::parse(json).unwrap_or_else(|e| panic!("{name}: {e}"));
        builder.add(name.clone(), pattern);
    }
    builder.build()
}

fn theirs(rules: &[(String, String)]) -> Quamina<String> {
    let mut quamina = Quamina::new();
    for (name, json) in rules {
        quamina
            .add_pattern(name.clone(), json)
            .unwrap_or_else(|e| panic!("quamina rejects {name}: {e:?}"));
    }
    quamina
}

/// Both engines must agree before their speeds are compared.
fn check_agreement(ours: &Matcher<String>, theirs: &Quamina<String>, events: &[String]) -> usize {
    let mut total = 0;
    for event in events {
        let mut a: Vec<String> = ours
            .matching_rules(event.as_bytes())
            .expect("valid event")
            .into_iter()
            .cloned()
            .collect();
        let mut b = theirs
            .matches_for_event(event.as_bytes())
            .expect("valid event");
        let mut validated = Vec::new();
        let valid = ValidEvent::parse(event.as_bytes()).expect("valid event");
        ours.matching_valid_into(&valid, &mut MatchScratch::default(), &mut validated)
            .expect("valid event");
        let validated: Vec<String> = validated.into_iter().cloned().collect();
        assert_eq!(a, validated, "validated path disagrees on {event}");
        a.sort();
        b.sort();
        b.dedup();
        assert_eq!(a, b, "engines disagree on {event}");
        total += a.len();
    }
    total
}

fn workload(c: &mut Criterion, group_name: &str, rules: &[(String, String)], events: &[String]) {
    let matcher = ours(rules);
    let quamina = theirs(rules);
    let matches = check_agreement(&matcher, &quamina, events);
    eprintln!(
        "{group_name}: {} rules, {} events, {matches} matches in total, mean event size {} bytes",
        rules.len(),
        events.len(),
        events.iter().map(String::len).sum::<usize>() / events.len()
    );
    eprintln!(
        "{group_name}: `ours` and `quamina` read raw bytes per event; `ours` validates all of it, \
         quamina reads until it has the fields its patterns name and validates nothing after; \
         `ours_validated` excludes the one-time ValidEvent::parse done before timing"
    );
    let valid: Vec<ValidEvent<'_>> = events
        .iter()
        .map(|event| ValidEvent::parse(event.as_bytes()).expect("valid event"))
        .collect();
    let mut group = c.benchmark_group(group_name);
    let mut scratch = MatchScratch::default();
    let mut out = Vec::new();
    cycle(&mut group, "ours", events, |event| {
        matcher
            .matching_rules_into(event.as_bytes(), &mut scratch, &mut out)
            .expect("valid event");
        out.len()
    });
    cycle(&mut group, "ours_validated", &valid, |event| {
        matcher
            .matching_valid_into(event, &mut scratch, &mut out)
            .expect("valid event");
        out.len()
    });
    cycle(&mut group, "quamina", events, |event| {
        quamina
            .matches_for_event(event.as_bytes())
            .expect("valid event")
            .len()
    });
    group.finish();
    print_ratio(group_name, "", &matcher, &quamina, events);
}

/// What each engine answers on an event cut off inside `detail` (invalid
/// JSON: EventBridge refuses it on PutEvents).
fn print_cut_event(
    group_name: &str,
    ours: &Matcher<String>,
    theirs: &Quamina<String>,
    event: &str,
) {
    let Some(cut) = event
        .find(r#""detail":{"#)
        .and_then(|at| event.as_bytes().get(..at + 12))
    else {
        return;
    };
    eprintln!(
        "{group_name}: on an event cut off inside `detail`, quamina answers {:?}, ours {:?}",
        theirs.matches_for_event(cut),
        ours.matching_rules(cut),
    );
}

/// Criterion measures each engine in its own stretch of time, and on a
/// shared machine the load changes between stretches; this times both
/// engines in alternating rounds over the same events (raw bytes, as
/// `ours` and `quamina` above) and prints the median of the per-round
/// ratios, so every figure has its baseline from the same moments.
fn print_ratio(
    group_name: &str,
    variant: &str,
    ours: &Matcher<String>,
    theirs: &Quamina<String>,
    events: &[String],
) {
    const ROUNDS: usize = 9;
    let per_round = 20_000;
    let mut scratch = MatchScratch::default();
    let mut out = Vec::new();
    let time = |engine: &mut dyn FnMut(&[u8]) -> usize| {
        let started = std::time::Instant::now();
        let mut total = 0;
        for i in 0..per_round {
            total += engine(black_box(events[i % events.len()].as_bytes()));
        }
        black_box(total);
        started.elapsed().as_secs_f64() / per_round as f64
    };
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let quamina =
            time(&mut |event| theirs.matches_for_event(event).expect("valid event").len());
        let ours = time(&mut |event| {
            ours.matching_rules_into(event, &mut scratch, &mut out)
                .expect("valid event");
            out.len()
        });
        rounds.push((quamina / ours, ours, quamina));
    }
    rounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (ratio, ours, quamina) = rounds[ROUNDS / 2];
    eprintln!(
        "{group_name}{variant}: ours against quamina in the same run: {ratio:.2}x as fast \
         (median of {ROUNDS} alternating rounds of {per_round} events; that round: ours {:.3} us, \
         quamina {:.3} us per event; range {:.2}-{:.2}x; load {})",
        ours * 1e6,
        quamina * 1e6,
        rounds[0].0,
        rounds[ROUNDS - 1].0,
        load_average(),
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Benchmarks `run` on the events in turn, one per iteration.
fn cycle<T>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    events: &[T],
    mut run: impl FnMut(&T) -> usize,
) {
    group.bench_function(name, |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % events.len();
            black_box(run(black_box(&events[i])))
        });
    });
}

fn matching(c: &mut Criterion) {
    let events = workloads::order_events(64);
    workload(c, "a_saga_rules", &workloads::saga_rules(), &events);
    workload(c, "b_30_mixed_rules", &workloads::mixed_rules(), &events);
    let exact = workloads::exact_rules(1000);
    let exact_events = workloads::exact_events(1000, 64);
    workload(c, "c_1000_exact_rules", &exact, &exact_events);
    let (matcher, quamina) = (ours(&exact), theirs(&exact));
    print_cut_event("c_1000_exact_rules", &matcher, &quamina, &exact_events[0]);
    let trimmed = workloads::without_detail(&exact_events);
    check_agreement(&matcher, &quamina, &trimmed);
    print_ratio(
        "c_1000_exact_rules",
        " with detail replaced by 0",
        &matcher,
        &quamina,
        &trimmed,
    );
}

fn compiling(c: &mut Criterion) {
    let rules = workloads::exact_rules(10_000);
    let mixed = workloads::mixed_rules();
    let rules: Vec<(String, String)> = rules
        .into_iter()
        .chain((0..10).flat_map(|_| mixed.clone()))
        .take(10_000)
        .collect();
    let mut group = c.benchmark_group("compile_10000_rules");
    group.sample_size(10);
    group.bench_function("ours", |b| b.iter(|| black_box(ours(&rules)).len()));
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = matching, compiling
}
criterion_main!(benches);
