//! Chaos: a real `saga run` process under a hostile mix for CHAOS_SECONDS
//! (default 12; `make chaos` runs 60), on loopback only. Bursts of orders
//! from many clients, SIGKILLs at random moments and restarts, a second
//! runtime trying the same database, clients dripping their headers, a
//! flood of report requests, idle sockets, and replays of the archive.
//! At the end every acknowledged order is final, stored once, the saga's
//! invariants hold, and each replay left the archive as documented (it
//! grows only by outcomes never published before; on a settled saga, by
//! nothing). Prints its figures.

#[path = "../support/http.rs"]
mod http;
#[path = "../support/server.rs"]
mod server;
#[path = "../support/stores.rs"]
mod stores;

use server::{start, template, try_start};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

const PLACERS: usize = 6;
const REPORTERS: usize = 4;
const IDLE_SOCKETS: usize = 200;
/// One kill per segment; every second segment ends with a replay.
const SEGMENT: Duration = Duration::from_secs(8);

fn order_body(i: usize) -> String {
    let (sku, token, country) = match i % 5 {
        0 | 1 => ("KB-001", "tok_visa", "GB"),
        2 => ("SOLD-OUT-001", "tok_visa", "GB"),
        3 => ("MOUSE-002", "tok_declined", "GB"),
        _ => ("CABLE-USB-C", "tok_visa", "AQ"),
    };
    format!(
        r#"{{"customerId":"chaos-{i}","lines":[{{"sku":"{sku}","quantity":1}}],"shipTo":{{"name":"Ada","line1":"1 Test Street","city":"London","postalCode":"N1","country":"{country}"}},"paymentToken":"{token}"}}"#
    )
}

fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// What the clients saw, shared by their threads.
#[derive(Default)]
struct Figures {
    accepted: Mutex<BTreeMap<usize, String>>,
    post_ms: Mutex<Vec<f64>>,
    cut_off_posts: AtomicUsize,
    busy_posts: AtomicUsize,
    reports_ok: AtomicUsize,
    reports_limited: AtomicUsize,
    slow_cut_off: AtomicUsize,
    second_runtime_refused: AtomicUsize,
}

/// Places order `i` with its key; `Some(id)` once acknowledged.
fn place(addr: SocketAddr, i: usize, figures: &Figures) -> Option<String> {
    let key = format!("chaos-{i}");
    let started = Instant::now();
    let Ok(response) = http::request(
        addr,
        "POST",
        "/orders",
        &[("Idempotency-Key", &key)],
        &order_body(i),
    ) else {
        figures.cut_off_posts.fetch_add(1, Ordering::Relaxed);
        return None;
    };
    if response.status == 503 {
        figures.busy_posts.fetch_add(1, Ordering::Relaxed);
        return None;
    }
    assert!(
        response.status == 201 || response.status == 200,
        "order {i}: {} {}",
        response.status,
        response.body
    );
    figures
        .post_ms
        .lock()
        .unwrap()
        .push(started.elapsed().as_secs_f64() * 1000.0);
    response.body["orderId"].as_str().map(str::to_owned)
}

/// Clients placing orders in bursts until `stop`; the order numbers a
/// kill cut off are placed again, with the same key.
fn placer(
    addr: Arc<RwLock<SocketAddr>>,
    next_order: Arc<AtomicUsize>,
    retry: Arc<Mutex<Vec<usize>>>,
    figures: Arc<Figures>,
    stop: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
    seed: u64,
) {
    let mut rng = seed | 1;
    while !stop.load(Ordering::Relaxed) {
        if paused.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        let burst = 1 + next(&mut rng) % 20;
        for _ in 0..burst {
            let i = retry
                .lock()
                .unwrap()
                .pop()
                .unwrap_or_else(|| next_order.fetch_add(1, Ordering::Relaxed));
            let at = *addr.read().unwrap();
            match place(at, i, &figures) {
                Some(id) => {
                    figures.accepted.lock().unwrap().insert(i, id);
                }
                None => retry.lock().unwrap().push(i),
            }
        }
        std::thread::sleep(Duration::from_millis(next(&mut rng) % 400));
    }
}

fn reporter(addr: Arc<RwLock<SocketAddr>>, figures: Arc<Figures>, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let at = *addr.read().unwrap();
        match http::request(at, "GET", "/reports/time-to-final-state", &[], "") {
            Ok(r) if r.status == 200 => {
                figures.reports_ok.fetch_add(1, Ordering::Relaxed);
            }
            Ok(r) => {
                assert_eq!(
                    r.status, 503,
                    "a report answers or says it is limited: {}",
                    r.body
                );
                figures.reports_limited.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// A client sending its request head a byte every 300 ms: the server must
/// cut it off at its header timeout rather than wait.
fn slow_client(addr: Arc<RwLock<SocketAddr>>, figures: Arc<Figures>, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let at = *addr.read().unwrap();
        let Ok(mut stream) = TcpStream::connect_timeout(&at, Duration::from_secs(1)) else {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        };
        let head =
            b"GET /orders/00000000-0000-0000-0000-000000000000 HTTP/1.1\r\nHost: chaos\r\nX-Drip: "
                .repeat(4);
        for byte in head {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            if stream.write_all(&[byte]).is_err() {
                figures.slow_cut_off.fetch_add(1, Ordering::Relaxed);
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

/// Idle sockets held open: they must not keep the server from serving.
fn idle_sockets(addr: SocketAddr) -> Vec<TcpStream> {
    (0..IDLE_SOCKETS)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok())
        .collect()
}

fn archived(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row("SELECT count(*) FROM bus_archive", [], |r| r.get(0))
        .expect("count")
}

/// Waits until no order is pending and nothing is left to deliver,
/// reading the database beside the running server.
fn settle(db: &Path) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    tokio.block_on(async {
        let saga = stores::open(db).await;
        loop {
            let pending = runtime::report::orders_by_status(&saga)
                .expect("readable")
                .get("PENDING")
                .copied()
                .unwrap_or(0);
            if pending == 0 && saga.is_idle().expect("readable") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the saga never settled: {pending} pending"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        saga.shutdown().await;
    });
}

/// Replays the archive's last seconds (the whole archive would take
/// longer than the run).
fn replay(db: &Path) -> String {
    let template = template();
    let from = (chrono::Utc::now() - chrono::Duration::seconds(3))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_saga"))
        .args(["replay", "--from", &from, "--template"])
        .arg(&template)
        .arg("--db")
        .arg(db)
        .output()
        .expect("saga replay");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[test]
fn a_real_saga_run_under_a_hostile_mix_loses_no_acknowledged_order() {
    let seconds: u64 = std::env::var("CHAOS_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    println!("chaos for {seconds} s, seed {seed}");
    let mut rng = seed;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("saga.db");
    let started = Instant::now();
    let mut server = start(&db);
    let addr = Arc::new(RwLock::new(server.addr));
    let figures = Arc::new(Figures::default());
    let stop = Arc::new(AtomicBool::new(false));
    let paused = Arc::new(AtomicBool::new(false));
    let next_order = Arc::new(AtomicUsize::new(0));
    let retry = Arc::new(Mutex::new(Vec::new()));
    let mut threads = Vec::new();
    for n in 0..PLACERS {
        let (a, o, r, f, s, p) = (
            addr.clone(),
            next_order.clone(),
            retry.clone(),
            figures.clone(),
            stop.clone(),
            paused.clone(),
        );
        let seed = seed.wrapping_add(n as u64 * 7919);
        threads.push(std::thread::spawn(move || placer(a, o, r, f, s, p, seed)));
    }
    for _ in 0..REPORTERS {
        let (a, f, s) = (addr.clone(), figures.clone(), stop.clone());
        threads.push(std::thread::spawn(move || reporter(a, f, s)));
    }
    {
        let (a, f, s) = (addr.clone(), figures.clone(), stop.clone());
        threads.push(std::thread::spawn(move || slow_client(a, f, s)));
    }
    let (mut kills, mut replays, mut replayed_archive) = (0, 0, Vec::new());
    let deadline = started + Duration::from_secs(seconds);
    let mut segment = 0;
    while Instant::now() + SEGMENT / 2 < deadline {
        segment += 1;
        let idle = idle_sockets(server.addr);
        // A second runtime on the same database is refused, naming the pid.
        match try_start(&db) {
            Ok(second) => {
                second.kill();
                panic!("a second runtime started on the database");
            }
            Err(log) => {
                assert!(log.contains(&format!("pid {}", server.pid())), "{log}");
                figures
                    .second_runtime_refused
                    .fetch_add(1, Ordering::Relaxed);
            }
        }
        let kill_at =
            Duration::from_millis(500 + next(&mut rng) % (SEGMENT.as_millis() as u64 - 1000));
        std::thread::sleep(kill_at);
        server.kill();
        kills += 1;
        drop(idle);
        server = start(&db);
        *addr.write().unwrap() = server.addr;
        std::thread::sleep(SEGMENT.saturating_sub(kill_at));
        if segment % 2 == 0 || Instant::now() + SEGMENT / 2 >= deadline {
            // Replay a settled saga: the archive must not grow.
            paused.store(true, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(300));
            settle(&db);
            server.stop();
            let before = archived(&db);
            let said = replay(&db);
            let after = archived(&db);
            assert_eq!(
                after, before,
                "a replay of a settled saga archived nothing new: {said}"
            );
            replays += 1;
            replayed_archive.push(before);
            server = start(&db);
            *addr.write().unwrap() = server.addr;
            paused.store(false, Ordering::Relaxed);
        }
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("client thread");
    }
    // Orders a kill cut off are placed again, as their clients would.
    let left: Vec<usize> = retry.lock().unwrap().drain(..).collect();
    for i in left {
        let id = (0..20)
            .find_map(|_| {
                place(server.addr, i, &figures).or_else(|| {
                    std::thread::sleep(Duration::from_millis(100));
                    None
                })
            })
            .unwrap_or_else(|| panic!("order {i} refused with the server up"));
        figures.accepted.lock().unwrap().insert(i, id);
    }
    settle(&db);
    server.stop();
    let accepted: BTreeSet<String> = figures.accepted.lock().unwrap().values().cloned().collect();
    stores::check(&db, &accepted);
    let mut post_ms = figures.post_ms.lock().unwrap().clone();
    post_ms.sort_by(f64::total_cmp);
    println!(
        "chaos: {:.1} s, {} orders acknowledged (all final, stored once, invariants held)",
        started.elapsed().as_secs_f64(),
        accepted.len()
    );
    println!(
        "  POST /orders: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} cut off by kills, {} refused busy (retried with their keys)",
        percentile(&post_ms, 0.5),
        percentile(&post_ms, 0.99),
        percentile(&post_ms, 1.0),
        figures.cut_off_posts.load(Ordering::Relaxed),
        figures.busy_posts.load(Ordering::Relaxed)
    );
    println!(
        "  kills {kills}, second runtimes refused {}, slow clients cut off {}, idle sockets per segment {IDLE_SOCKETS}",
        figures.second_runtime_refused.load(Ordering::Relaxed),
        figures.slow_cut_off.load(Ordering::Relaxed)
    );
    println!(
        "  reports: {} answered, {} stopped at their limit",
        figures.reports_ok.load(Ordering::Relaxed),
        figures.reports_limited.load(Ordering::Relaxed)
    );
    println!("  replays {replays}, archive before each (unchanged after): {replayed_archive:?}");
    assert!(
        kills >= 1 && replays >= 1,
        "the mix ran: {kills} kills, {replays} replays"
    );
}
