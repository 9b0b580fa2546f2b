//! `saga report NAME [--from T] [--to T] [--format table|json|csv|svg]
//! [--chart FILE.svg]`: a report from the local archive, the same JSON the
//! reports function returns on AWS.

use crate::saga_env::{self, SagaArgs};
use anyhow::Context;
use clap::Args;
use reports::{Format, ReportName, Window};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub saga: SagaArgs,
    /// orders-by-status, cancellation-reasons, time-to-final-state,
    /// revenue or dead-letters.
    pub name: String,
    /// Start of the window (RFC 3339 or YYYY-MM-DD, inclusive).
    #[arg(long)]
    pub from: Option<String>,
    /// End of the window (RFC 3339 or YYYY-MM-DD, exclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// table, json, csv or svg.
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Also writes the report as an SVG chart to this file.
    #[arg(long)]
    pub chart: Option<PathBuf>,
}

pub async fn run(
    args: &ReportArgs,
    out: &mut impl Write,
) -> anyhow::Result<std::process::ExitCode> {
    // Every argument is checked before the database is opened.
    let name = ReportName::parse(&args.name)?;
    let window = Window::new(args.from.as_deref(), args.to.as_deref())?;
    let format = Format::parse(&args.format)?;
    if let Some(path) = &args.chart {
        anyhow::ensure!(
            path.extension().is_some_and(|e| e == "svg"),
            "--chart {}: the chart is SVG; name the file *.svg",
            path.display()
        );
    }
    let runtime = saga_env::open(&args.saga).await?;
    let report = reports::local::run(&runtime.services.db, name, &window);
    runtime.shutdown().await;
    let report = report?;
    let text = report.render(format);
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    if let Some(path) = &args.chart {
        std::fs::write(path, reports::chart::svg(&report))
            .with_context(|| format!("writing the chart to {}", path.display()))?;
        eprintln!("chart written to {}", path.display());
    }
    Ok(std::process::ExitCode::SUCCESS)
}
