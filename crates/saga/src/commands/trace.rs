//! `saga trace ORDER_ID`: an order's events from the archive, as text and
//! as a Mermaid sequence diagram of who sent what to whom (the model is
//! `console::trace`, which the web console draws too).

use crate::saga_env::{self, SagaArgs};
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct TraceArgs {
    #[command(flatten)]
    pub saga: SagaArgs,
    /// The order id (from POST /orders).
    pub order_id: String,
}

pub async fn run(args: &TraceArgs, out: &mut impl Write) -> anyhow::Result<std::process::ExitCode> {
    anyhow::ensure!(
        events::OrderId::parse(&args.order_id).is_some(),
        "{}",
        console::trace::TraceError::NotAnOrderId(args.order_id.clone())
    );
    let runtime = saga_env::open(&args.saga).await?;
    let trace = console::trace::order_trace(&runtime.bus, &runtime.saga(), &args.order_id)?;
    if trace.steps.is_empty() {
        writeln!(
            out,
            "no events for order {} in {}",
            args.order_id,
            args.saga.db.display()
        )?;
        return Ok(std::process::ExitCode::FAILURE);
    }
    writeln!(out, "order {}", args.order_id)?;
    for step in &trace.steps {
        writeln!(
            out,
            "  {}  {:<10} {:<30} {}",
            step.at, step.from, step.detail_type, step.event_id
        )?;
    }
    writeln!(out, "\n```mermaid\n{}```", trace.mermaid())?;
    runtime.shutdown().await;
    Ok(std::process::ExitCode::SUCCESS)
}
