//! `saga trace ORDER_ID`: an order's events from the archive, as text and
//! as a Mermaid sequence diagram of who sent what to whom.

use super::saga_env::{self, SagaArgs};
use clap::Args;
use runtime::{ReplayFilter, Runtime};
use std::collections::BTreeSet;
use std::io::Write;

#[derive(Debug, Args)]
pub struct TraceArgs {
    #[command(flatten)]
    pub saga: SagaArgs,
    /// The order id (from POST /orders).
    pub order_id: String,
}

/// `shop.inventory` → `inventory`.
fn service(source: &str) -> &str {
    source.strip_prefix("shop.").unwrap_or(source)
}

/// The function consuming a queue, named like its service where possible.
fn consumers_of(runtime: &Runtime, queue: &str) -> Vec<String> {
    runtime
        .wiring
        .consumers
        .iter()
        .filter(|c| c.queue == queue)
        .map(|c| {
            c.function
                .trim_end_matches("Function")
                .trim_end_matches("Consumer")
                .to_lowercase()
        })
        .collect()
}

pub async fn run(args: &TraceArgs, out: &mut impl Write) -> anyhow::Result<std::process::ExitCode> {
    anyhow::ensure!(
        events::OrderId::parse(&args.order_id).is_some(),
        "{} is not an order id (a UUID, as POST /orders returns)",
        args.order_id
    );
    let runtime = saga_env::open(&args.saga).await?;
    let archived = runtime
        .bus
        .archived(&ReplayFilter::default(), Some(&args.order_id))?;
    if archived.is_empty() {
        writeln!(
            out,
            "no events for order {} in {}",
            args.order_id,
            args.saga.db.display()
        )?;
        return Ok(std::process::ExitCode::FAILURE);
    }
    let mut seen = BTreeSet::new();
    let mut arrows = Vec::new();
    writeln!(out, "order {}", args.order_id)?;
    for a in &archived {
        let e = &a.event;
        let id = e["detail"]["metadata"]["eventId"]
            .as_str()
            .unwrap_or_default();
        let detail_type = e["detail-type"].as_str().unwrap_or_default();
        let from = service(e["source"].as_str().unwrap_or_default()).to_owned();
        // A re-published outcome keeps its id: show it once.
        if !seen.insert(id.to_owned()) {
            continue;
        }
        let at = e["detail"]["metadata"]["occurredAt"]
            .as_str()
            .unwrap_or_default();
        writeln!(out, "  {at}  {from:<10} {detail_type:<30} {id}")?;
        let mut to: Vec<String> = Vec::new();
        for (rule, queue) in runtime.bus.routes_for(e)? {
            let consumers = consumers_of(&runtime, queue);
            if consumers.is_empty() {
                to.push(format!("{queue} ({rule})"));
            }
            to.extend(consumers);
        }
        arrows.push((from, detail_type.to_owned(), to));
    }
    writeln!(out, "\n```mermaid\nsequenceDiagram")?;
    for (from, detail_type, to) in &arrows {
        if to.is_empty() {
            writeln!(out, "    {from}->>bus: {detail_type} (no rule matched)")?;
        }
        for target in to {
            let target = target.replace([' ', '(', ')'], "_");
            writeln!(out, "    {from}->>{target}: {detail_type}")?;
        }
    }
    writeln!(out, "```")?;
    runtime.shutdown().await;
    Ok(std::process::ExitCode::SUCCESS)
}
