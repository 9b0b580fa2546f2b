//! `make bench-scale` (part of `make bench`): what a big database costs.
//! For each size (SCALE_ORDERS, default 10000,100000,1000000 settled
//! orders, written by `saga seed` at max(10,000, N / 87) a day, so the
//! last day holds about 10,000 orders at every size and the history stays
//! inside the archive's 90 days), the release `saga run` on that database:
//!
//! - its start-up time (spawn to "serving", the median of three starts);
//! - `POST /orders` and `GET /orders/{id}` (ids drawn from the whole
//!   database), each at a steady 500/s open loop for SCALE_SECONDS (10),
//!   latency counted from each request's scheduled time, so a stall is
//!   not hidden by requests that were never sent;
//! - each report over the last day and over everything;
//! - `saga trace` of a seeded order (a process of its own);
//! - its peak RSS (VmHWM) and the database's bytes per order.
//!
//! Every figure is printed with its ratio to the first size's figure from
//! the same run (the baseline), with the machine's load average.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RATE: f64 = 500.0;
const REPORTS: [&str; 5] = [
    "orders-by-status",
    "cancellation-reasons",
    "time-to-final-state",
    "revenue",
    "dead-letters",
];

fn template() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/template.yaml")
}

fn saga() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_saga"))
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sizes() -> Vec<usize> {
    std::env::var("SCALE_ORDERS")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .map(|s| {
            s.trim()
                .replace('_', "")
                .parse()
                .expect("SCALE_ORDERS: numbers")
        })
        .collect()
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// One size's figures, in milliseconds unless named otherwise.
#[derive(Debug, Default, Clone)]
struct Figures {
    orders: usize,
    seed_s: f64,
    bytes_per_order: f64,
    startup: f64,
    post: (f64, f64),
    get: (f64, f64),
    trace: f64,
    day: Vec<f64>,
    all: Vec<f64>,
    rss_mib: f64,
    day_orders: i64,
    failures: Vec<String>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    percentile(&xs, 0.5)
}

/// Sends `make(i)` at RATE/s for `seconds`; the p50 and p99 of each
/// request's time from its scheduled start to its answer, and what failed.
async fn open_loop<F>(seconds: u64, make: F) -> ((f64, f64), Vec<String>)
where
    F: Fn(usize) -> reqwest::RequestBuilder,
{
    let start = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..(RATE * seconds as f64) as usize {
        let at = start + Duration::from_secs_f64(i as f64 / RATE);
        tokio::time::sleep_until(at).await;
        let request = make(i);
        tasks.spawn(async move {
            let answer = request.send().await;
            let took = ms(at.elapsed());
            match answer {
                Ok(r) if r.status().is_success() => Ok(took),
                Ok(r) => Err(format!(
                    "{} {}",
                    r.status(),
                    r.text().await.unwrap_or_default()
                )),
                Err(e) => Err(e.to_string()),
            }
        });
    }
    let (mut took, mut failed) = (Vec::new(), Vec::new());
    while let Some(done) = tasks.join_next().await {
        match done.expect("request task") {
            Ok(t) => took.push(t),
            Err(e) => failed.push(e),
        }
    }
    took.sort_by(f64::total_cmp);
    ((percentile(&took, 0.5), percentile(&took, 0.99)), failed)
}

fn query(db: &Path, sql: &str) -> Vec<String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("database");
    let mut stmt = conn.prepare(sql).expect("query");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("rows")
        .map(Result::unwrap)
        .collect()
}

/// The database file and its write-ahead log.
fn db_bytes(db: &Path) -> u64 {
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    [db, wal.as_path()]
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum()
}

fn seed(n: usize, db: &Path) -> f64 {
    let per_day = (n as f64 / 87.0).max(10_000.0);
    let started = Instant::now();
    let out = Command::new(saga())
        .args([
            "seed",
            "--orders",
            &n.to_string(),
            "--per-day",
            &per_day.to_string(),
        ])
        .args(["--template", template(), "--db"])
        .arg(db)
        .output()
        .expect("saga seed runs");
    assert!(
        out.status.success(),
        "saga seed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed().as_secs_f64()
}

fn trace(db: &Path, order: &str) -> f64 {
    let started = Instant::now();
    let out = Command::new(saga())
        .args(["trace", order, "--template", template(), "--db"])
        .arg(db)
        .output()
        .expect("saga trace runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ms(started.elapsed())
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

async fn report(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    day: bool,
) -> Result<f64, String> {
    let mut url = format!("{base}/reports/{name}");
    if day {
        let now = chrono::Utc::now();
        let from =
            (now - chrono::Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let to = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        url = format!("{url}?from={from}&to={to}");
    }
    let started = Instant::now();
    let answer = client.get(&url).send().await.map_err(|e| e.to_string())?;
    let status = answer.status();
    let body = answer.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{name}: {status} {body}"));
    }
    Ok(ms(started.elapsed()))
}

async fn measure(n: usize, dir: &Path, seconds: u64) -> Figures {
    let db = dir.join(format!("scale-{n}.db"));
    let mut f = Figures {
        orders: n,
        seed_s: seed(n, &db),
        ..Figures::default()
    };
    f.bytes_per_order = db_bytes(&db) as f64 / n as f64;
    let sample = query(
        &db,
        "SELECT order_id FROM orders ORDER BY random() LIMIT 5000",
    );
    let day_ago = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    f.day_orders = query(
        &db,
        &format!("SELECT count(*) || '' FROM orders WHERE created_at >= '{day_ago}'"),
    )[0]
    .parse()
    .unwrap_or(0);

    // The median of three starts: the first follows the seed's writes,
    // which the kernel may still be flushing.
    let args = ["--template", template(), "--db", db.to_str().unwrap()];
    let mut starts = Vec::new();
    for _ in 0..2 {
        let started = Instant::now();
        let run = testkit::saga_run::start(saga(), args);
        starts.push(ms(started.elapsed()));
        run.stop();
    }
    let started = Instant::now();
    let run = testkit::saga_run::start(saga(), args);
    starts.push(ms(started.elapsed()));
    f.startup = median(starts);
    let base = run.endpoint();
    let client = reqwest::Client::new();

    let (post, failed) = open_loop(seconds, |i| {
        client
            .post(format!("{base}/orders"))
            .header("content-type", "application/json")
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .body(saga::commands::demo::order_body(i).to_string())
    })
    .await;
    f.post = post;
    f.failures
        .extend(failed.into_iter().map(|e| format!("POST: {e}")));
    let (get, failed) = open_loop(seconds, |i| {
        client.get(format!("{base}/orders/{}", sample[i % sample.len()]))
    })
    .await;
    f.get = get;
    f.failures
        .extend(failed.into_iter().map(|e| format!("GET: {e}")));

    for day in [true, false] {
        for name in REPORTS {
            let mut times = Vec::new();
            for _ in 0..3 {
                match report(&client, &base, name, day).await {
                    Ok(t) => times.push(t),
                    Err(e) => {
                        f.failures.push(e);
                        times.push(f64::NAN);
                    }
                }
            }
            let m = median(times);
            if day { f.day.push(m) } else { f.all.push(m) }
        }
    }
    f.trace = median((0..3).map(|i| trace(&db, &sample[i])).collect());
    f.rss_mib = peak_rss_mib(run.pid());
    run.stop();
    f
}

fn row(name: &str, unit: &str, values: &[f64]) {
    let base = values[0];
    let mut line = format!("  {name:<44}");
    for (i, v) in values.iter().enumerate() {
        if i == 0 {
            line.push_str(&format!(" {v:>10.1} {unit:<3}"));
        } else {
            line.push_str(&format!(" {v:>10.1} ({:.2}x)", v / base));
        }
    }
    println!("{line}");
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this
    // binary without it, and then it only says so.
    if !std::env::args().any(|a| a == "--bench") {
        println!("scale: run with `cargo bench -p saga --bench scale` (or make bench-scale)");
        return;
    }
    let seconds: u64 = env_or("SCALE_SECONDS", 10);
    let kept = std::env::var("SCALE_DIR").ok().map(PathBuf::from);
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = kept.as_deref().unwrap_or(scratch.path());
    std::fs::create_dir_all(dir).expect("SCALE_DIR");
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let mut all = Vec::new();
    for n in sizes() {
        println!("scale: {n} orders (load {})", load());
        let f = runtime.block_on(measure(n, dir, seconds));
        println!(
            "  seeded in {:.1} s, {} orders in the last day, load after {}",
            f.seed_s,
            f.day_orders,
            load()
        );
        for failure in f.failures.iter().take(5) {
            println!("  FAILED {failure}");
        }
        all.push(f);
    }
    let header: Vec<String> = all.iter().map(|f| format!("{:>16}", f.orders)).collect();
    println!(
        "scale figures, ratio to the {} orders figure of this run:",
        all[0].orders
    );
    println!("  {:<44}{}", "orders", header.join(""));
    let col = |get: &dyn Fn(&Figures) -> f64| all.iter().map(get).collect::<Vec<_>>();
    row("saga run start-up", "ms", &col(&|f| f.startup));
    row("POST /orders p50 at 500/s", "ms", &col(&|f| f.post.0));
    row("POST /orders p99 at 500/s", "ms", &col(&|f| f.post.1));
    row("GET /orders/{id} p50 at 500/s", "ms", &col(&|f| f.get.0));
    row("GET /orders/{id} p99 at 500/s", "ms", &col(&|f| f.get.1));
    row("saga trace", "ms", &col(&|f| f.trace));
    for (i, name) in REPORTS.iter().enumerate() {
        row(
            &format!("report {name}, last day"),
            "ms",
            &col(&|f| f.day[i]),
        );
    }
    for (i, name) in REPORTS.iter().enumerate() {
        row(
            &format!("report {name}, everything"),
            "ms",
            &col(&|f| f.all[i]),
        );
    }
    row("saga run peak RSS", "MiB", &col(&|f| f.rss_mib));
    row(
        "database bytes per order",
        "B",
        &col(&|f| f.bytes_per_order),
    );
    row("saga seed", "s", &col(&|f| f.seed_s));
    let failures: usize = all.iter().map(|f| f.failures.len()).sum();
    println!("  failed requests: {failures}; load {}", load());
}
