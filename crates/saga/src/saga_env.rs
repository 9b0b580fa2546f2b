//! What the runtime commands share: the template, the database, logging,
//! the catalogue, the stop signal.

use anyhow::Context;
use clap::Args;
use emulator::Faults;
use runtime::{Options, Runtime, Saga};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct SagaArgs {
    /// The SAM template the saga is wired by.
    #[arg(long, default_value = "infra/template.yaml")]
    pub template: PathBuf,
    /// The SQLite file holding every table, queue, DLQ and the archive.
    #[arg(long, default_value = ".saga/saga.db")]
    pub db: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct FaultArgs {
    /// Probability that a delivery fails before its handler runs.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Probability that a handled message is delivered again.
    #[arg(long, default_value_t = 0.0)]
    pub duplicate_rate: f64,
    /// Probability that a handler's outcome is not published although its
    /// state change committed (a crash between the two).
    #[arg(long, default_value_t = 0.0)]
    pub crash_rate: f64,
    /// Upper bound, in milliseconds, of a random delay before each delivery.
    #[arg(long, default_value_t = 0)]
    pub delay: u64,
    /// Probability that a delivery is held back so later messages overtake
    /// it, and that a batch reaches its handler shuffled.
    #[arg(long, default_value_t = 0.0)]
    pub reorder_rate: f64,
    /// The seed of the fault schedule: the same seed, the same faults.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl FaultArgs {
    pub fn faults(&self) -> anyhow::Result<Faults> {
        for (name, rate) in [
            ("--fail-rate", self.fail_rate),
            ("--duplicate-rate", self.duplicate_rate),
            ("--crash-rate", self.crash_rate),
            ("--reorder-rate", self.reorder_rate),
        ] {
            anyhow::ensure!(
                (0.0..=1.0).contains(&rate),
                "{name} must be between 0 and 1, got {rate}"
            );
        }
        Ok(Faults {
            seed: self.seed,
            fail_rate: self.fail_rate,
            duplicate_rate: self.duplicate_rate,
            max_delay: Duration::from_millis(self.delay),
            publish_fail_rate: self.crash_rate,
            reorder_rate: self.reorder_rate,
            ..Faults::none()
        })
    }
}

/// Human-readable logs on stderr; `RUST_LOG` overrides `default`.
pub fn init_logs(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .compact()
        .with_writer(std::io::stderr)
        .try_init();
}

/// The template, read as the embedded backend runs it.
pub fn load(args: &SagaArgs) -> anyhow::Result<Saga> {
    let template = wiring::template::Template::from_path(&args.template)?;
    runtime::load(&template).with_context(|| format!("wiring {}", args.template.display()))
}

pub async fn start(args: &SagaArgs, options: Options) -> anyhow::Result<Runtime> {
    start_saga(args, load(args)?, options).await
}

/// [`start`] with the saga already loaded (and changed: `saga run
/// --no-functions` leaves its functions out).
pub async fn start_saga(args: &SagaArgs, saga: Saga, options: Options) -> anyhow::Result<Runtime> {
    let options = Options {
        database: Some(args.db.clone()),
        ..options
    };
    Runtime::start(saga, options)
        .await
        .with_context(|| format!("starting the saga on {}", args.db.display()))
}

/// Opens the database without running consumers: for commands that only
/// read, or that must not take messages another `saga run` holds.
/// For commands that work on what a database holds: a database that is
/// not there is an error naming the path (a mistyped `--db`), never an
/// empty database created to report that it holds nothing.
pub fn existing(args: &SagaArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.db.is_file(),
        "no saga database at {} (run `saga run` or `saga demo` first, or pass --db)",
        args.db.display()
    );
    Ok(())
}

/// A database that is not there is an error (a mistyped `--db`), never
/// an empty database created to report that it holds nothing.
pub async fn open(args: &SagaArgs) -> anyhow::Result<Runtime> {
    existing(args)?;
    start(
        args,
        Options {
            workers: false,
            ..Options::default()
        },
    )
    .await
}

/// Loads the seed catalogue when the inventory is empty.
pub async fn seed_catalogue(runtime: &Runtime) -> anyhow::Result<Option<usize>> {
    if !runtime.services.inventory.all_items()?.is_empty() {
        return Ok(None);
    }
    let items = inventory::catalogue::parse(inventory::catalogue::SEED)?;
    Ok(Some(
        inventory::catalogue::load(&runtime.services.inventory, &items).await?,
    ))
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
