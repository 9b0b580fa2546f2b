//! `saga test-event-pattern`, mirroring `aws events test-event-pattern`: the
//! answer is `pattern::test_event_pattern`'s, which the pattern crate's
//! conformance suite checks against AWS's recorded answers.

use std::io::Write;
use std::process::ExitCode;

use crate::input::text_or_file;
use clap::Args;

#[derive(Debug, Args)]
pub struct TestEventPatternArgs {
    /// The event pattern: JSON text, or file://path.
    #[arg(long)]
    pub event_pattern: String,
    /// The event: JSON text, or file://path.
    #[arg(long)]
    pub event: String,
}

pub fn run(args: &TestEventPatternArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let pattern = text_or_file(&args.event_pattern, "event pattern")?;
    let event = text_or_file(&args.event, "event")?;
    let result = pattern::test_event_pattern(&pattern, &event)?;
    writeln!(out, "{{\"Result\": {result}}}")?;
    Ok(ExitCode::SUCCESS)
}
