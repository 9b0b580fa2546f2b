//! `saga match`: route a file of events through a bus's rules and report
//! which rules and targets each reaches, then the throughput.

use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use pattern::MatchScratch;
use serde_json::Value;

use super::rule_set::RuleSet;
use crate::cli::MatchArgs;

#[derive(Debug, Default)]
struct Tally {
    events: u64,
    matched_events: u64,
    rule_matches: u64,
    invalid: u64,
    matching_time: Duration,
}

pub fn run(args: &MatchArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let rule_set = match (&args.template, &args.rules) {
        (Some(template), _) => RuleSet::from_template(template)?,
        (None, Some(rules)) => RuleSet::from_rules_file(rules)?,
        (None, None) => anyhow::bail!("give --template or --rules"),
    };
    writeln!(out, "{} rules loaded", rule_set.rules.len())?;
    for skipped in &rule_set.skipped {
        writeln!(out, "skipped rule {skipped}")?;
    }
    let file = std::fs::File::open(&args.events)
        .with_context(|| format!("cannot open events file {}", args.events.display()))?;
    let mut tally = Tally::default();
    let mut scratch = MatchScratch::default();
    let mut matched = Vec::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", args.events.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        tally.events += 1;
        let started = Instant::now();
        // The same check as `saga test-event-pattern` and the bus: an event
        // TestEventPattern would refuse is reported, never matched.
        let result = pattern::validate_event(line.as_bytes()).and_then(|event| {
            rule_set
                .matcher
                .matching_valid_indices(&event, &mut scratch, &mut matched)
                .map_err(pattern::InvalidEvent::Unreadable)
        });
        tally.matching_time += started.elapsed();
        let label = describe(&line, index + 1);
        if let Err(error) = result {
            tally.invalid += 1;
            writeln!(out, "{label}: invalid event: {error}")?;
            continue;
        }
        if matched.is_empty() {
            writeln!(out, "{label}: no rule matched")?;
            continue;
        }
        tally.matched_events += 1;
        tally.rule_matches += matched.len() as u64;
        writeln!(out, "{label}:")?;
        for &rule in &matched {
            let rule = &rule_set.rules[rule];
            if rule.targets.is_empty() {
                writeln!(out, "  {}", rule.name)?;
            } else {
                writeln!(out, "  {} -> {}", rule.name, rule.targets.join(", "))?;
            }
        }
    }
    write_summary(&tally, out)?;
    Ok(if tally.invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// "line 3 (shop.orders / Order Placed)", falling back to the line number.
fn describe(line: &str, number: usize) -> String {
    let Ok(event @ Value::Object(_)) = serde_json::from_str::<Value>(line) else {
        return format!("line {number}");
    };
    let field = |name: &str| {
        event
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned()
    };
    format!(
        "line {number} ({} / {})",
        field("source"),
        field("detail-type")
    )
}

fn write_summary(tally: &Tally, out: &mut impl Write) -> std::io::Result<()> {
    let seconds = tally.matching_time.as_secs_f64();
    let rate = if seconds > 0.0 {
        tally.events as f64 / seconds
    } else {
        0.0
    };
    writeln!(
        out,
        "summary: {} events, {} matched at least one rule, {} rule matches, {} invalid; \
         matching took {:.3} ms ({:.0} events per second)",
        tally.events,
        tally.matched_events,
        tally.rule_matches,
        tally.invalid,
        seconds * 1e3,
        rate
    )
}
