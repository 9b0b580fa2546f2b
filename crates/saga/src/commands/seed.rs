//! `saga seed --orders N`: a database of N settled orders, the rows the
//! saga writes, without running the saga N times (see `crate::seed`).
//! For measuring what a big database costs (docs/benchmarks.md).

use crate::saga_env::{self, SagaArgs};
use clap::Args;
use runtime::Options;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The SAM template the saga is wired by.
    #[arg(long, default_value = "infra/template.yaml")]
    pub template: PathBuf,
    /// The database seed creates (and replaces on the next run, as demo
    /// does its own). Seed refuses a database demo or seed did not create,
    /// or one a runtime holds.
    #[arg(long, default_value = ".saga/seed.db")]
    pub db: PathBuf,
    /// How many settled orders to write.
    #[arg(long)]
    pub orders: usize,
    /// Orders per day of history: the newest is placed now, the oldest
    /// N / per-day days ago. Keep N / per-day under the archive's
    /// RetentionDays (90), or `saga run` deletes the oldest events.
    #[arg(long, default_value_t = 10_000.0)]
    pub per_day: f64,
}

pub async fn run(args: &SeedArgs, out: &mut impl Write) -> anyhow::Result<std::process::ExitCode> {
    saga_env::init_logs("warn");
    anyhow::ensure!(args.orders > 0, "--orders must be at least 1");
    let env = SagaArgs {
        template: args.template.clone(),
        db: args.db.clone(),
    };
    // The template is read before anything is removed.
    let saga = saga_env::load(&env)?;
    let options = Options {
        workers: false,
        lock: Some(crate::fresh_db::claim(&args.db, crate::fresh_db::SEED)?),
        ..Options::default()
    };
    let runtime = saga_env::start(&env, options).await?;
    crate::fresh_db::record(&runtime.services.db, crate::fresh_db::SEED)?;
    let started = Instant::now();
    let plan = crate::seed::Plan {
        orders: args.orders,
        per_day: args.per_day,
        now: chrono::Utc::now(),
    };
    let seeded = crate::seed::seed(&saga, &runtime, &plan).await?;
    let report = runtime.invariants(&seeded.catalogue)?;
    runtime.shutdown().await;
    let elapsed = started.elapsed().as_secs_f64();
    // The file and its write-ahead log, whose pages a later checkpoint
    // moves into the file.
    let wal = PathBuf::from(format!("{}-wal", args.db.display()));
    let bytes: u64 = [&args.db, &wal]
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    writeln!(
        out,
        "seeded:      {} orders ({} rows) in {elapsed:.1} s, {:.0} orders/s, {:.1} days of history",
        args.orders,
        seeded.rows,
        args.orders as f64 / elapsed.max(1e-9),
        args.orders as f64 / args.per_day
    )?;
    writeln!(
        out,
        "database:    {} ({bytes} bytes, {:.0} bytes per order)",
        args.db.display(),
        bytes as f64 / args.orders as f64
    )?;
    writeln!(
        out,
        "invariants:  {} {:?}",
        if report.holds() { "held" } else { "VIOLATED" },
        report.orders_by_status
    )?;
    Ok(if report.holds() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}
