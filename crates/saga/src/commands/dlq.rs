//! `saga dlq list` and `saga dlq redrive`: dead letters recorded by the DLQ
//! service, and putting them back on the bus.

use crate::saga_env::{self, SagaArgs};
use clap::{Args, Subcommand};
use runtime::Options;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct DlqArgs {
    #[command(subcommand)]
    pub command: DlqCommand,
}

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// Lists dead letters not yet redriven.
    List(DlqQueueArgs),
    /// Puts dead letters back on the bus, with their original event id.
    Redrive(DlqQueueArgs),
}

#[derive(Debug, Args)]
pub struct DlqQueueArgs {
    #[command(flatten)]
    pub saga: SagaArgs,
    /// Only this DLQ (its logical id, e.g. InventoryDLQ).
    #[arg(long)]
    pub queue: Option<String>,
}

/// `--queue` must name one of the template's dead-letter queues: a typo
/// would otherwise list or redrive nothing and look like success.
fn known_queue(args: &DlqQueueArgs) -> anyhow::Result<()> {
    let Some(queue) = &args.queue else {
        return Ok(());
    };
    let saga = saga_env::load(&args.saga)?;
    console::dead_letters::check_dead_letter_queue(&saga, queue)
        .map_err(|e| anyhow::anyhow!("--queue {e} ({})", args.saga.template.display()))?;
    Ok(())
}

pub async fn run(args: &DlqArgs, out: &mut impl Write) -> anyhow::Result<std::process::ExitCode> {
    saga_env::init_logs("warn");
    let (DlqCommand::List(a) | DlqCommand::Redrive(a)) = &args.command;
    known_queue(a)?;
    saga_env::existing(&a.saga)?;
    match &args.command {
        DlqCommand::List(a) => {
            let runtime = saga_env::open(&a.saga).await?;
            let list = console::dead_letters::list(
                &runtime.services.dead_letters,
                &runtime.queues,
                &runtime.saga(),
                a.queue.as_deref(),
            )
            .await?;
            writeln!(out, "{} dead letter(s)", list.letters.len())?;
            for l in &list.letters {
                let l = (&l.letter, &l.kind);
                writeln!(
                    out,
                    "  {:<20} {}  attempts {}  {}",
                    l.0.queue, l.0.message_id, l.0.attempts, l.1
                )?;
                writeln!(
                    out,
                    "  {:<20} error: {}",
                    "",
                    l.0.error.as_deref().unwrap_or("unknown")
                )?;
            }
            // Messages on a DLQ that the DLQ service has not recorded yet
            // (the saga was stopped before it could).
            for u in &list.unrecorded {
                writeln!(
                    out,
                    "  {}: {} message(s) not recorded yet; `saga run` records them",
                    u.queue, u.messages
                )?;
            }
            runtime.shutdown().await;
        }
        DlqCommand::Redrive(a) => {
            let runtime = saga_env::start(&a.saga, Options::default()).await?;
            let report = dlq::redrive(
                &runtime.services.dead_letters,
                &runtime.publisher(),
                a.queue.as_deref(),
                chrono::Utc::now(),
            )
            .await?;
            let settled = runtime.wait_idle(Duration::from_secs(120)).await;
            writeln!(out, "redriven: {}", report.redriven.len())?;
            for (id, why) in &report.skipped {
                writeln!(out, "left in place: {id}: {why}")?;
            }
            if !settled {
                writeln!(out, "still delivering after 120 s; `saga run` will finish")?;
            }
            runtime.shutdown().await;
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
