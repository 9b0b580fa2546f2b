//! `saga simulate`: runs seeds of the deterministic simulation and prints
//! which saga paths and faults they reached; exits non-zero, naming each
//! failing seed, when a check fails.

use crate::saga_env::{self, SagaArgs};
use crate::sim::{self, SimConfig};
use clap::Args;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Only the template is read; the simulation keeps its stores in memory
    /// (or on tmpfs for seeds that crash), never in --db.
    #[command(flatten)]
    pub saga: SagaArgs,
    /// Run this one seed and say what it did (reproduces a failing seed).
    #[arg(long, conflicts_with_all = ["seeds", "from"])]
    pub seed: Option<u64>,
    /// How many seeds to run.
    #[arg(long, default_value_t = 200)]
    pub seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    pub from: u64,
    /// Orders per seed.
    #[arg(long, default_value_t = 12)]
    pub orders: usize,
    /// Seeds run at once.
    #[arg(long, default_value_t = 16)]
    pub jobs: usize,
    /// Seconds a seed may take to settle.
    #[arg(long, default_value_t = 60)]
    pub settle: u64,
}

pub async fn run(
    args: &SimulateArgs,
    out: &mut impl Write,
) -> anyhow::Result<std::process::ExitCode> {
    saga_env::init_logs("off");
    let wiring = Arc::new(saga_env::load(&args.saga)?);
    let config = SimConfig {
        orders: args.orders,
        jobs: args.jobs,
        settle: Duration::from_secs(args.settle),
    };
    let summary = match args.seed {
        Some(seed) => {
            let plan = sim::Plan::new(seed, config.orders, &[]);
            writeln!(out, "seed {seed}: {}", describe(&plan))?;
            sim::run_seeds(wiring, seed..seed + 1, config, |_| {}).await
        }
        None => {
            let seeds = args.from..args.from.saturating_add(args.seeds);
            sim::run_seeds(wiring, seeds, config, |r| {
                if !r.passed() {
                    eprintln!(
                        "seed {} FAILED (rerun: saga simulate --seed {}):\n  {}",
                        r.seed,
                        r.seed,
                        r.failures.join("\n  ")
                    );
                }
            })
            .await
        }
    };
    summary.print(out)?;
    Ok(if summary.passed() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}

fn describe(plan: &sim::Plan) -> String {
    let f = &plan.faults;
    let mut text = format!(
        "{} orders; fault rates: handler error {}, duplicate {}, crash before publish {}, reorder {}, delay up to {:?}; \
         poison after order {}; crash and restart {}",
        plan.orders.len(),
        f.fail_rate,
        f.duplicate_rate,
        f.publish_fail_rate,
        f.reorder_rate,
        f.max_delay,
        plan.poison.after,
        plan.crash_after
            .map_or("never".to_owned(), |i| format!("after order {i}")),
    );
    for (i, order) in plan.orders.iter().enumerate() {
        text.push_str(&format!(
            "\n  order {i} key {}{}: expects {:?}",
            order.key,
            if order.resend { " (sent twice)" } else { "" },
            order.expect
        ));
    }
    text
}
