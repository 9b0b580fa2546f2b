//! Argument parsing and dispatch.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands;

#[derive(Debug, Parser)]
#[command(
    name = "saga",
    version,
    about = "The order saga on one machine, from infra/template.yaml, and EventBridge pattern tools"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tests whether an event matches an event pattern, like
    /// `aws events test-event-pattern`.
    TestEventPattern(commands::test_event_pattern::TestEventPatternArgs),
    /// Shows which rules, and so which targets, each event of a file reaches.
    Match(commands::match_events::MatchArgs),
    /// Runs the whole saga locally and serves the order API.
    Run(commands::run::RunArgs),
    /// Places N orders across every saga path and reports throughput,
    /// latency, outcomes and the invariants.
    Demo(commands::demo::DemoArgs),
    /// Writes a database of N settled orders, the rows the saga writes,
    /// copied from a real run of each kind of the demo's mix (for
    /// measuring a big database).
    Seed(commands::seed::SeedArgs),
    /// Shows an order's event timeline, as text and as a Mermaid diagram.
    Trace(commands::trace::TraceArgs),
    /// Replays archived events onto the bus.
    Replay(commands::replay::ReplayArgs),
    /// Lists or redrives dead-lettered messages.
    Dlq(commands::dlq::DlqArgs),
    /// Prints a report from the archive (table, JSON, CSV) and can draw it
    /// as an SVG chart.
    Report(commands::report::ReportArgs),
    /// Checks the template's rules against events-schema/ and the handlers:
    /// every emitted event type routed, every rule matching an example,
    /// every consumer fed what it accepts. Exits non-zero naming each gap.
    Lint(commands::lint::LintArgs),
    /// The compatibility gate over events-schema/: `check` compares every
    /// current contract with its last published revision and names each
    /// breaking change; `publish` records compatible ones as new revisions.
    Schema(commands::schema::SchemaArgs),
    /// Runs the saga under seeded faults, seed after seed, and checks the
    /// invariants after each.
    Simulate(commands::simulate::SimulateArgs),
    /// Writes the env file for `cargo lambda watch`: every function's
    /// variables from the template, pointed at `saga run`'s EventBridge and
    /// SQS APIs and a local DynamoDB; `--create-tables` creates the tables.
    LambdaEnv(commands::lambda_env::LambdaEnvArgs),
}

/// Runs the tool; errors go to stderr with a non-zero exit code.
pub fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::LineWriter::new(stdout.lock());
    let result = match cli.command {
        Command::TestEventPattern(args) => commands::test_event_pattern::run(&args, &mut out),
        Command::Match(args) => commands::match_events::run(&args, &mut out),
        Command::Run(args) => block_on(async {
            commands::run::run(&args, started)
                .await
                .map(|()| ExitCode::SUCCESS)
        }),
        Command::Demo(args) => block_on(commands::demo::run(&args, &mut out)),
        Command::Seed(args) => block_on(commands::seed::run(&args, &mut out)),
        Command::Trace(args) => block_on(commands::trace::run(&args, &mut out)),
        Command::Replay(args) => block_on(commands::replay::run(&args, &mut out)),
        Command::Dlq(args) => block_on(commands::dlq::run(&args, &mut out)),
        Command::Report(args) => block_on(commands::report::run(&args, &mut out)),
        Command::Lint(args) => commands::lint::run(&args, &mut out),
        Command::Schema(args) => commands::schema::run(&args, &mut out),
        Command::Simulate(args) => block_on(commands::simulate::run(&args, &mut out)),
        Command::LambdaEnv(args) => block_on(commands::lambda_env::run(&args, &mut out)),
    };
    let flushed = out.flush();
    match result.and_then(|code| flushed.map(|()| code).map_err(Into::into)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn block_on<F: std::future::Future<Output = anyhow::Result<ExitCode>>>(
    future: F,
) -> anyhow::Result<ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?
        .block_on(future)
}
