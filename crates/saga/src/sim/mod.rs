//! Deterministic simulation: the whole saga in the embedded runtime, under a
//! schedule of faults drawn from a seed, checked after each seed.
//!
//! What a seed fixes: the orders, their idempotency keys (so every order id,
//! which the simulator derives from its key instead of the API's
//! time-ordered one, and every event id, derived from it), the catalogue, the fault
//! rates, the poison message and the moment of the crash. Every fault
//! decision is a function of the seed, the event id, the consumer and the
//! delivery attempt ([`emulator::Faults`]), never of the clock, so a given
//! delivery of a given event meets the same fault on every run.
//!
//! What a seed does not fix is thread and timer interleaving: which of two
//! ready consumers runs first, which messages share a batch (and so whether
//! a batch is shuffled), how many copies a re-published outcome makes, and
//! which of two orders racing for scarce stock wins. So the totals of
//! injected faults of one seed vary by a few percent from run to run, and
//! the checks accept either winner of a race. A failing seed is rerun with
//! `saga simulate --seed N`: the same plan and the same fault schedule,
//! not necessarily the same interleaving.

mod checks;
mod plan;
mod summary;

pub use plan::{Plan, SagaPath};
pub use summary::{SeedResult, Summary};

use emulator::Fault;
use runtime::{Options, Runtime, Saga};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Orders per seed.
    pub orders: usize,
    /// Seeds run at once (they mostly wait on retry backoffs).
    pub jobs: usize,
    /// How long a seed may take to settle before it counts as a failure.
    pub settle: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            orders: 12,
            jobs: 16,
            settle: Duration::from_secs(60),
        }
    }
}

/// Queues a poison message may be sent to: those a consumer drains and
/// that redrive to a DLQ.
fn poisonable(saga: &Saga) -> Vec<String> {
    saga.wiring
        .consumers
        .iter()
        .filter(|c| {
            saga.resources
                .queues
                .iter()
                .any(|q| q.name == c.queue && q.redrive.is_some())
        })
        .map(|c| c.queue.clone())
        .collect()
}

/// A database file for a seed that crashes, on tmpfs when there is one.
fn scratch_db(seed: u64) -> PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("saga-sim-{}-{seed}.db", std::process::id()))
}

fn remove_db(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

async fn start(wiring: &Saga, plan: &Plan, db: Option<&PathBuf>) -> Result<Runtime, String> {
    let options = Options {
        database: db.cloned(),
        listen: None,
        faults: plan.faults.clone(),
        workers: true,
        ..Options::default()
    };
    Runtime::start(wiring.clone(), options)
        .await
        .map_err(|e| format!("the runtime did not start: {e}"))
}

/// Places the plan's orders, sends its poison, crashes and restarts when
/// the plan says; returns the runtime now running.
async fn drive(wiring: &Saga, plan: &Plan, db: Option<&PathBuf>) -> Result<(Runtime, u32), String> {
    let mut runtime = start(wiring, plan, db).await?;
    inventory::catalogue::load(&runtime.services.inventory, &plan.catalogue)
        .await
        .map_err(|e| format!("catalogue: {e}"))?;
    let mut restarts = 0;
    for i in 0..=plan.orders.len() {
        if plan.poison.after == i {
            runtime
                .queues
                .send(&plan.poison.queue, &plan.poison.body)
                .map_err(|e| format!("poison: {e}"))?;
        }
        if plan.crash_after == Some(i) {
            runtime.kill().await;
            runtime = start(wiring, plan, db).await?;
            restarts += 1;
        }
        let Some(order) = plan.orders.get(i) else {
            break;
        };
        tokio::time::sleep(order.pause).await;
        let body = order.body.to_string();
        let sends = if order.resend { 2 } else { 1 };
        for _ in 0..sends {
            let response = orders::place_order_as(
                &runtime.services.orders,
                body.as_bytes(),
                Some(&order.key),
                chrono::Utc::now(),
                checks::order_id(&order.key),
            )
            .await;
            if response.status >= 300
                || response.body["orderId"] != checks::order_id(&order.key).to_string()
            {
                return Err(format!(
                    "order {i} was refused: {} {}",
                    response.status, response.body
                ));
            }
            runtime.order_placed();
        }
    }
    Ok((runtime, restarts))
}

/// Runs one seed to the end and checks it.
pub async fn run_seed(wiring: &Saga, seed: u64, config: &SimConfig) -> SeedResult {
    let started = Instant::now();
    let plan = Plan::new(seed, config.orders, &poisonable(wiring));
    let db = plan.crash_after.map(|_| scratch_db(seed));
    if let Some(db) = &db {
        remove_db(db);
    }
    let mut result = SeedResult::new(seed);
    match drive(wiring, &plan, db.as_ref()).await {
        Ok((runtime, restarts)) => {
            let idle = runtime.wait_idle(config.settle).await;
            match checks::check(&runtime, &plan, idle).await {
                Ok((wrong, paths)) => {
                    result.failures = wrong;
                    result.paths = paths;
                }
                Err(e) => result
                    .failures
                    .push(format!("the stores could not be read: {e}")),
            }
            result.restarts = restarts;
            runtime.shutdown().await;
        }
        Err(e) => result.failures.push(e),
    }
    for kind in Fault::ALL {
        result.faults.push((kind, plan.faults.injected.get(kind)));
    }
    result.poisoned = 1;
    if let Some(db) = &db {
        remove_db(db);
    }
    result.elapsed = started.elapsed();
    result
}

/// Runs `seeds`, `config.jobs` at a time, on the current Tokio runtime;
/// `each` sees every result as it comes.
pub async fn run_seeds(
    wiring: Arc<Saga>,
    seeds: std::ops::Range<u64>,
    config: SimConfig,
    each: impl Fn(&SeedResult) + Send + Sync + 'static,
) -> Summary {
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(seeds.start));
    let each = Arc::new(each);
    let mut tasks = Vec::new();
    for _ in 0..config.jobs.max(1) {
        let (wiring, next, config, each, end) = (
            wiring.clone(),
            next.clone(),
            config.clone(),
            each.clone(),
            seeds.end,
        );
        tasks.push(tokio::spawn(async move {
            let mut results = Vec::new();
            loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= end {
                    return results;
                }
                let result = run_seed(&wiring, seed, &config).await;
                each(&result);
                results.push(result);
            }
        }));
    }
    let mut summary = Summary::default();
    for task in tasks {
        match task.await {
            Ok(results) => results.into_iter().for_each(|r| summary.add(r)),
            Err(e) => summary.crashed.push(e.to_string()),
        }
    }
    summary.elapsed = started.elapsed();
    summary
}
