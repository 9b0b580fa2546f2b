//! `saga match`: route a file of events through a bus's rules and report
//! which rules and targets each reaches, then the throughput.
//!
//! The file is read in one buffered pass (bytes, one reused line buffer),
//! each event is checked and matched in one read of its text
//! (`Matcher::matching_incoming`: `validate_event`'s check, then matching),
//! which also yields the `source` and `detail-type` of the label, and the
//! results go through one output buffer. Profiled, the former loop spent
//! most of its time outside matching: a `serde_json::Value` parse of every
//! line for its label, a write call per output line, validation and
//! matching as two reads, and a `String` per line.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use pattern::{Envelope, MatchScratch};
use serde_json::Value;

use crate::rule_set::RuleSet;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("rule_source").required(true).args(["template", "rules"])))]
pub struct MatchArgs {
    /// A CloudFormation/SAM template whose AWS::Events::Rule resources to use.
    #[arg(long)]
    pub template: Option<PathBuf>,
    /// A JSON object mapping rule names to event patterns.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Events, one JSON object per line.
    #[arg(long)]
    pub events: PathBuf,
}

#[derive(Debug, Default)]
struct Tally {
    events: u64,
    matched_events: u64,
    rule_matches: u64,
    invalid: u64,
}

pub fn run(args: &MatchArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let rule_set = match (&args.template, &args.rules) {
        (Some(template), _) => RuleSet::from_template(template)?,
        (None, Some(rules)) => RuleSet::from_rules_file(rules)?,
        (None, None) => anyhow::bail!("give --template or --rules"),
    };
    // One write to the output per 64 KiB rather than per line.
    let mut out = BufWriter::with_capacity(1 << 16, out);
    writeln!(out, "{} rules loaded", rule_set.rules.len())?;
    for skipped in &rule_set.skipped {
        writeln!(out, "skipped rule {skipped}")?;
    }
    let file = std::fs::File::open(&args.events)
        .with_context(|| format!("cannot open events file {}", args.events.display()))?;
    let mut input = BufReader::with_capacity(1 << 16, file);
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut scratch = MatchScratch::default();
    let mut matched = Vec::new();
    let mut buffer = Vec::new();
    let mut number = 0;
    loop {
        buffer.clear();
        let read = input
            .read_until(b'\n', &mut buffer)
            .with_context(|| format!("cannot read {}", args.events.display()))?;
        if read == 0 {
            break;
        }
        number += 1;
        let line = trim_line_end(&buffer);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        tally.events += 1;
        // The same check as `saga test-event-pattern` and the bus: an event
        // TestEventPattern would refuse is reported, never matched.
        match rule_set
            .matcher
            .matching_incoming(line, &mut scratch, &mut matched)
        {
            Err(error) => {
                tally.invalid += 1;
                let label = refused_label(line);
                let fields = label.as_ref().map(|(s, d)| (s.as_deref(), d.as_deref()));
                write_label(&mut out, number, fields)?;
                writeln!(out, ": invalid event: {error}")?;
            }
            Ok(envelope) if matched.is_empty() => {
                write_label(&mut out, number, Some(fields(envelope)))?;
                writeln!(out, ": no rule matched")?;
            }
            Ok(envelope) => {
                tally.matched_events += 1;
                tally.rule_matches += matched.len() as u64;
                write_label(&mut out, number, Some(fields(envelope)))?;
                writeln!(out, ":")?;
                for &rule in &matched {
                    let rule = &rule_set.rules[rule];
                    if rule.targets.is_empty() {
                        writeln!(out, "  {}", rule.name)?;
                    } else {
                        writeln!(out, "  {} -> {}", rule.name, rule.targets.join(", "))?;
                    }
                }
            }
        }
    }
    write_summary(&tally, started.elapsed().as_secs_f64(), &mut out)?;
    out.flush()?;
    Ok(if tally.invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn fields(envelope: Envelope<'_>) -> (Option<&str>, Option<&str>) {
    (envelope.source, envelope.detail_type)
}

/// The line without its `\n` or `\r\n`, as `BufRead::lines` gives it.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// "line 3 (shop.orders / Order Placed)", or "line 3" for a line that is
/// not a JSON object; a field that is not a string shows as `?`.
fn write_label(
    out: &mut impl Write,
    number: usize,
    fields: Option<(Option<&str>, Option<&str>)>,
) -> std::io::Result<()> {
    match fields {
        Some((source, detail_type)) => write!(
            out,
            "line {number} ({} / {})",
            source.unwrap_or("?"),
            detail_type.unwrap_or("?")
        ),
        None => write!(out, "line {number}"),
    }
}

/// The label fields of a refused event that is still a JSON object (e.g.
/// one missing a required field). Refusals are rare: a full parse is
/// affordable here.
fn refused_label(line: &[u8]) -> Option<(Option<String>, Option<String>)> {
    let Ok(Value::Object(event)) = serde_json::from_slice::<Value>(line) else {
        return None;
    };
    let field = |name: &str| event.get(name).and_then(Value::as_str).map(str::to_owned);
    Some((field("source"), field("detail-type")))
}

fn write_summary(tally: &Tally, seconds: f64, out: &mut impl Write) -> std::io::Result<()> {
    let rate = if seconds > 0.0 {
        tally.events as f64 / seconds
    } else {
        0.0
    };
    writeln!(
        out,
        "summary: {} events, {} matched at least one rule, {} rule matches, {} invalid; \
         read, matched and written in {:.3} ms ({:.0} events per second)",
        tally.events,
        tally.matched_events,
        tally.rule_matches,
        tally.invalid,
        seconds * 1e3,
        rate
    )
}
