//! `saga demo`: places N orders mixed across every saga path on a fresh
//! database, waits until each is final, and prints throughput, latency,
//! outcomes and the invariant check. It is also the runtime's benchmark.

use crate::saga_env::{self, FaultArgs, SagaArgs};
use clap::Args;
use inventory::StockItem;
use runtime::{Options, Runtime};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The SAM template the saga is wired by.
    #[arg(long, default_value = "infra/template.yaml")]
    pub template: PathBuf,
    /// The database demo creates (and replaces on the next run). Demo
    /// refuses a database it did not create, or one a runtime holds.
    #[arg(long, default_value = ".saga/demo.db")]
    pub db: PathBuf,
    #[command(flatten)]
    pub faults: FaultArgs,
    /// How many orders to place.
    #[arg(long, default_value_t = 1000)]
    pub orders: usize,
    /// How many placements are in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Place orders at this many per second (open loop) instead of as fast
    /// as the concurrency allows: latency is then measured under a steady
    /// load rather than behind a backlog.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Give up waiting for final states after this many seconds.
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
    /// Send an Idempotency-Key with every placement, as real clients do
    /// (the default): each key gets a record naming its order, whose id is
    /// time-ordered (UUID v7) either way.
    #[arg(long = "idempotency-keys", overrides_with = "no_idempotency_keys")]
    pub idempotency_keys_flag: bool,
    /// Place orders without an Idempotency-Key (the keyless baseline).
    #[arg(long, overrides_with = "idempotency_keys_flag")]
    pub no_idempotency_keys: bool,
}

impl DemoArgs {
    /// Whether placements carry an Idempotency-Key.
    pub fn keyed(&self) -> bool {
        !self.no_idempotency_keys
    }
}

/// The i-th order of the mix: two happy paths in six, then out of stock, a
/// declined payment, an unserved country, and a high-value order with a
/// promotion code.
pub fn order_body(i: usize) -> Value {
    let mut body = json!({
        "customerId": format!("demo-{}", i % 97),
        "lines": [{"sku": "KB-001", "quantity": 1}, {"sku": "MOUSE-002", "quantity": 2}],
        "shipTo": {"name": "Demo", "line1": "1 Demo Street", "city": "London", "postalCode": "N1", "country": "GB"},
        "paymentToken": "tok_visa"
    });
    match i % 6 {
        2 => body["lines"] = json!([{"sku": "SOLD-OUT-001", "quantity": 1}]),
        3 => body["paymentToken"] = json!("tok_declined"),
        4 => body["shipTo"]["country"] = json!("AQ"),
        5 => {
            body["lines"] = json!([{"sku": "LAPTOP-PRO", "quantity": 1}]);
            body["promotionCode"] = json!("WELCOME10");
        }
        _ => {}
    }
    body
}

/// The seed catalogue with enough stock for `orders` orders (the sold-out
/// item stays at zero, for the out-of-stock path).
pub fn demo_catalogue(orders: usize) -> anyhow::Result<Vec<StockItem>> {
    let mut items = inventory::catalogue::parse(inventory::catalogue::SEED)?;
    for item in &mut items {
        if item.available > 0 {
            item.available = u32::try_from(orders * 3)
                .unwrap_or(u32::MAX)
                .max(item.available);
        }
    }
    Ok(items)
}

async fn place_all(
    runtime: &Arc<Runtime>,
    orders: usize,
    concurrency: usize,
    rate: Option<f64>,
    keyed: bool,
) -> anyhow::Result<()> {
    let next = Arc::new(AtomicUsize::new(0));
    let start = tokio::time::Instant::now();
    // A JoinSet: aborting the placement (Ctrl-C) aborts every placer too.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (runtime, next) = (runtime.clone(), next.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= orders {
                    return Ok::<_, anyhow::Error>(());
                }
                if let Some(rate) = rate {
                    tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / rate))
                        .await;
                }
                let body = order_body(i).to_string();
                let key = format!("demo-{i}");
                let response = orders::place_order(
                    &runtime.services.orders,
                    body.as_bytes(),
                    keyed.then_some(key.as_str()),
                    chrono::Utc::now(),
                )
                .await;
                anyhow::ensure!(
                    response.status < 300,
                    "order {i} was refused: {} {}",
                    response.status,
                    response.body
                );
                runtime.order_placed();
            }
        });
    }
    while let Some(placed) = tasks.join_next().await {
        placed??;
    }
    Ok(())
}

/// Resident memory of this process (Linux `VmRSS`), sampled during the run
/// to show whether memory stays flat; `None` where `/proc` has no figure.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resident memory at the start of the run, its peak, and at the end.
#[derive(Debug, Default, Clone, Copy)]
struct Rss {
    start: Option<u64>,
    peak: Option<u64>,
    end: Option<u64>,
}

impl Rss {
    fn sample(&mut self) {
        let now = rss_kib();
        self.start = self.start.or(now);
        self.peak = self.peak.max(now);
        self.end = now;
    }
}

fn progress(placed: usize, finals: i64, total: usize) {
    let width = 30;
    let done = (finals.max(0) as usize * width) / total.max(1);
    eprint!(
        "\r[{}{}] placed {placed}/{total}, final {finals}/{total}  ",
        "#".repeat(done),
        " ".repeat(width - done.min(width))
    );
    let _ = std::io::stderr().flush();
}

pub async fn run(args: &DemoArgs, out: &mut impl Write) -> anyhow::Result<std::process::ExitCode> {
    saga_env::init_logs("warn");
    let saga = SagaArgs {
        template: args.template.clone(),
        db: args.db.clone(),
    };
    let faults = args.faults.faults()?;
    // The template is read before anything is removed.
    saga_env::load(&saga)?;
    let options = Options {
        faults,
        lock: Some(crate::fresh_db::claim(&args.db, crate::fresh_db::DEMO)?),
        ..Options::default()
    };
    let runtime = Arc::new(saga_env::start(&saga, options).await?);
    crate::fresh_db::record(&runtime.services.db, crate::fresh_db::DEMO)?;
    let catalogue = demo_catalogue(args.orders)?;
    inventory::catalogue::load(&runtime.services.inventory, &catalogue).await?;
    let mut rss = Rss::default();
    rss.sample();
    let commits_before = runtime.services.db.commits();
    let started = Instant::now();
    if let Some(rate) = args.rate {
        anyhow::ensure!(
            rate > 0.0 && rate.is_finite(),
            "--rate must be a positive number of orders per second"
        );
    }
    let placing = tokio::spawn({
        let runtime = runtime.clone();
        let (n, c, r, k) = (args.orders, args.concurrency, args.rate, args.keyed());
        async move { place_all(&runtime, n, c, r, k).await }
    });
    let deadline = started + Duration::from_secs(args.timeout);
    let interrupted = saga_env::shutdown_signal();
    tokio::pin!(interrupted);
    loop {
        let by_status = runtime::report::orders_by_status(&runtime)?;
        let total: i64 = by_status.values().sum();
        let finals = total - by_status.get("PENDING").copied().unwrap_or(0);
        progress(usize::try_from(total).unwrap_or(0), finals, args.orders);
        rss.sample();
        if finals as usize >= args.orders
            || Instant::now() > deadline
            || placing.is_finished() && runtime.is_idle()?
        {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(200)) => {}
            () = &mut interrupted => {
                placing.abort();
                let _ = placing.await;
                eprintln!();
                writeln!(
                    out,
                    "interrupted: {total} of {} orders placed, {finals} final; they stay in {}",
                    args.orders,
                    args.db.display()
                )?;
                unshared(runtime).await?.shutdown().await;
                // 128 + SIGINT, as a shell reports a command Ctrl-C stopped.
                return Ok(std::process::ExitCode::from(130));
            }
        }
    }
    placing.await??;
    let idle = runtime
        .wait_idle(deadline.saturating_duration_since(Instant::now()))
        .await;
    let elapsed = started.elapsed();
    rss.sample();
    eprintln!();
    let outcomes = runtime::report::outcomes(&runtime)?;
    let report = runtime.invariants(&catalogue)?;
    print_report(out, args, elapsed, &outcomes, &report, idle)?;
    print_rss(out, &rss)?;
    let commits = runtime.services.db.commits() - commits_before;
    writeln!(
        out,
        "sqlite:      {commits} group commits ({:.2} per order)",
        commits as f64 / args.orders.max(1) as f64
    )?;
    unshared(runtime).await?.shutdown().await;
    Ok(if report.holds() && idle {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}

/// The runtime once the placers' clones are gone: aborted tasks drop
/// theirs when they next run, on any thread.
async fn unshared(mut runtime: Arc<Runtime>) -> anyhow::Result<Runtime> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match Arc::try_unwrap(runtime) {
            Ok(runtime) => return Ok(runtime),
            Err(shared) if Instant::now() < deadline => {
                runtime = shared;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(_) => anyhow::bail!("the placers still hold the runtime after 5 s"),
        }
    }
}

fn print_rss(out: &mut impl Write, rss: &Rss) -> anyhow::Result<()> {
    let mib = |k: Option<u64>| {
        k.map_or("n/a".to_owned(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        })
    };
    writeln!(
        out,
        "memory:      RSS start {}, peak {}, end {}",
        mib(rss.start),
        mib(rss.peak),
        mib(rss.end)
    )?;
    Ok(())
}

fn print_report(
    out: &mut impl Write,
    args: &DemoArgs,
    elapsed: Duration,
    outcomes: &runtime::report::Outcomes,
    report: &wiring::invariants::InvariantReport,
    idle: bool,
) -> anyhow::Result<()> {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let finals = outcomes.confirmed + outcomes.cancelled.values().sum::<i64>();
    writeln!(
        out,
        "orders:      {} placed, {finals} final, concurrency {}, ids {}",
        args.orders,
        args.concurrency,
        if args.keyed() {
            "time-ordered, each with an Idempotency-Key"
        } else {
            "time-ordered, no Idempotency-Key"
        }
    )?;
    writeln!(
        out,
        "throughput:  {:.0} orders/s (placement to final state, {:.2} s)",
        args.orders as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    )?;
    writeln!(
        out,
        "latency:     p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(outcomes.latency(0.5)),
        ms(outcomes.latency(0.99)),
        ms(outcomes.latency(1.0))
    )?;
    writeln!(out, "outcomes:    CONFIRMED {}", outcomes.confirmed)?;
    for (reason, n) in &outcomes.cancelled {
        writeln!(out, "             CANCELLED {reason} {n}")?;
    }
    let check = |ok: bool| if ok { "held" } else { "VIOLATED" };
    writeln!(out, "invariants:")?;
    writeln!(
        out,
        "  every order final ........................ {} ({} pending)",
        check(report.not_final == 0 && idle),
        report.not_final
    )?;
    writeln!(
        out,
        "  stock conserved .......................... {} {:?}",
        check(report.stock_violations.is_empty() && report.reservations_held == 0),
        report.stock_violations
    )?;
    writeln!(
        out,
        "  no cancelled order keeps a payment ....... {} ({})",
        check(report.cancelled_with_authorized_payment == 0),
        report.cancelled_with_authorized_payment
    )?;
    writeln!(
        out,
        "  every confirmed order paid once .......... {} ({} unpaid)",
        check(report.confirmed_without_payment == 0),
        report.confirmed_without_payment
    )?;
    writeln!(
        out,
        "  no event lost ............................ {} ({} undelivered)",
        check(report.undelivered == 0),
        report.undelivered
    )?;
    writeln!(
        out,
        "dead letters: {}",
        if report.dead_letters.is_empty() {
            "none".to_owned()
        } else {
            format!("{:?}", report.dead_letters)
        }
    )?;
    Ok(())
}
