//! `saga replay`: puts archived events back on the bus, like
//! `aws events start-replay`: each is marked with a `replay-name`, is not
//! archived again, and goes to every rule, or to `--rule` only.

use crate::saga_env::{self, SagaArgs};
use chrono::{DateTime, Utc};
use clap::Args;
use emulator::ReplayFilter;
use runtime::Options;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub saga: SagaArgs,
    /// Start of the window (RFC 3339, e.g. 2026-11-22T09:00:00Z, or a
    /// date, 2026-11-22, meaning its midnight UTC, as `saga report` reads).
    #[arg(long)]
    pub from: Option<String>,
    /// End of the window, inclusive (same forms as --from).
    #[arg(long)]
    pub to: Option<String>,
    /// Deliver only to this rule's targets.
    #[arg(long)]
    pub rule: Option<String>,
    /// The replay's name, stamped on every replayed event.
    #[arg(long)]
    pub name: Option<String>,
}

/// The same times `saga report` accepts.
fn time(flag: &str, text: &Option<String>) -> anyhow::Result<Option<DateTime<Utc>>> {
    text.as_deref()
        .map(|t| reports::params::parse_time(flag, t).map_err(anyhow::Error::from))
        .transpose()
}

pub async fn run(
    args: &ReplayArgs,
    out: &mut impl Write,
) -> anyhow::Result<std::process::ExitCode> {
    saga_env::init_logs("warn");
    let filter = ReplayFilter {
        from: time("--from", &args.from)?,
        to: time("--to", &args.to)?,
        rule: args.rule.clone(),
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        anyhow::ensure!(from <= to, "--from is after --to");
    }
    saga_env::existing(&args.saga)?;
    let runtime = saga_env::start(&args.saga, Options::default()).await?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("replay-{}", Utc::now().format("%Y%m%dT%H%M%S")));
    let n = runtime.bus.replay(&name, &filter)?;
    let settled = runtime.wait_idle(Duration::from_secs(120)).await;
    runtime.bus.replay_finished()?;
    writeln!(
        out,
        "{name}: replayed {n} events{}",
        args.rule
            .as_ref()
            .map(|r| format!(" to {r}"))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "{}",
        if settled {
            "every replayed event was delivered"
        } else {
            "still delivering after 120 s; `saga run` will finish"
        }
    )?;
    runtime.shutdown().await;
    Ok(std::process::ExitCode::SUCCESS)
}
