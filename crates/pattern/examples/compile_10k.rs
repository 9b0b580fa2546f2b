//! Prints how long compiling 10,000 rules takes and how much memory it uses.
//!
//! Run with `cargo run --release -p pattern --example compile_10k`. The
//! rules mix the benchmark workloads: exact source/detail-type rules and
//! variations of the thirty mixed rules, each made distinct.

use std::time::Instant;

use pattern::{MatcherBuilder, Pattern};

// Shared with the benchmarks, which use the parts this example does not.
#[allow(dead_code)]
#[path = "../benches/support/workloads.rs"]
mod workloads;

const RULES: usize = 10_000;

/// Peak resident memory of this process in KiB, from /proc (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn rules() -> Vec<(String, String)> {
    let mixed = workloads::mixed_rules();
    let mut rules = workloads::exact_rules(RULES / 2);
    for i in 0..RULES - rules.len() {
        let (name, json) = &mixed[i % mixed.len()];
        // Distinct source values keep every rule its own.
        let json = json.replacen('{', &format!(r#"{{"account":["{i:012}"],"#), 1);
        rules.push((format!("{name}-{i}"), json));
    }
    rules
}

fn main() {
    let texts = rules();
    let before = peak_rss_kib();
    let started = Instant::now();
    let mut builder = MatcherBuilder::new();
    for (name, json) in &texts {
        match Pattern::parse(json) {
            Ok(pattern) => {
                builder.add(name.clone(), pattern);
            }
            Err(error) => panic!("{name}: {error}"),
        }
    }
    let matcher = builder.build();
    let elapsed = started.elapsed();
    let after = peak_rss_kib();
    println!(
        "compiled {} rules (parse + validate + build) in {:.1} ms",
        matcher.len(),
        elapsed.as_secs_f64() * 1e3
    );
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "peak resident memory: {:.1} MiB total, {:.1} MiB grown while compiling",
            after as f64 / 1024.0,
            after.saturating_sub(before) as f64 / 1024.0
        ),
        _ => println!("peak resident memory: unavailable on this platform"),
    }
    let event = workloads::order_event(0);
    let matched = matcher.matching_rules(event.as_bytes()).map(|m| m.len());
    println!("a sample event matches {matched:?} rules");
}
