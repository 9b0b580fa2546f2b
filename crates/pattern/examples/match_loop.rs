//! Matches one benchmark workload in a loop, for profilers that count
//! instructions (`valgrind --tool=callgrind`), which stay comparable on a
//! loaded machine where wall-clock benchmarks do not.
//!
//! `cargo run --release -p pattern --example match_loop -- b 20000 [quamina]`
//! runs workload (a), (b) or (c) 20,000 times with this engine, or quamina;
//! `validated` matches events validated once beforehand (`ValidEvent`),
//! `validate` only validates them. Workload `v` names no field (reading is
//! validation alone); `c0`, `v0` are `c`, `v` on events whose `detail` is 0.

use std::hint::black_box;

use pattern::{MatchScratch, MatcherBuilder, Pattern, ValidEvent};

#[allow(dead_code)]
#[path = "../benches/support/workloads.rs"]
mod workloads;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workload = args.get(1).map_or("b", String::as_str);
    let rounds: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let engine = args.get(3).map_or("ours", String::as_str);
    // A trailing `0` (`c0`, `v0`): the same events with `detail` replaced
    // by 0, to see what reading `detail` costs each engine.
    let (workload, trim) = match workload.strip_suffix('0') {
        Some(base) => (base, true),
        None => (workload, false),
    };
    let mut events = match workload {
        "c" => workloads::exact_events(1000, 64),
        _ => workloads::order_events(64),
    };
    if trim {
        events = workloads::without_detail(&events);
    }
    let rules = match workload {
        "a" => workloads::saga_rules(),
        "c" => workloads::exact_rules(1000),
        // Names no field of the events: reading is then pure validation.
        "v" => vec![("none".to_owned(), r#"{"zzz": ["a"]}"#.to_owned())],
        _ => workloads::mixed_rules(),
    };
    let mut total = 0;
    if engine == "quamina" {
        let mut quamina = quamina::Quamina::new();
        for (name, json) in &rules {
            quamina.add_pattern(name.clone(), json).expect("valid rule");
        }
        for i in 0..rounds {
            let event = black_box(events[i % events.len()].as_bytes());
            total += quamina.matches_for_event(event).expect("valid").len();
        }
    } else {
        let mut builder = MatcherBuilder::new();
        for (name, json) in &rules {
            builder.add(name.clone(), Pattern::parse(json).expect("valid rule"));
        }
        let matcher = builder.build();
        let mut scratch = MatchScratch::default();
        let mut out = Vec::new();
        let valid: Vec<ValidEvent<'_>> = events
            .iter()
            .map(|event| ValidEvent::parse(event.as_bytes()).expect("valid"))
            .collect();
        for i in 0..rounds {
            if engine == "validated" {
                let event = black_box(&valid[i % valid.len()]);
                matcher
                    .matching_valid_into(event, &mut scratch, &mut out)
                    .expect("valid");
                total += out.len();
                continue;
            }
            if engine == "validate" {
                let event = black_box(events[i % events.len()].as_bytes());
                total += ValidEvent::parse(event).map_or(0, |_| 1);
                continue;
            }
            let event = black_box(events[i % events.len()].as_bytes());
            matcher
                .matching_rules_into(event, &mut scratch, &mut out)
                .expect("valid");
            total += out.len();
        }
    }
    println!("{engine} {workload}: {rounds} events, {total} matches");
}
