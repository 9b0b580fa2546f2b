//! What each backend costs: the same orders, across every saga path
//! (confirmed, out of stock, declined payment, failed shipment with its
//! compensations), placed through the HTTP API of a saga on the embedded
//! runtime, on moto and on LocalStack, in one run. Prints orders/s and the
//! p50/p99 latency from placement to the order's final status, each with
//! its ratio to embedded.
//!
//! `make bench` (or `cargo bench -p saga-e2e --bench backends`);
//! `BENCH_ORDERS` (default 40) and `BENCH_CONCURRENCY` (default 8).
//! LocalStack is started for the run unless `LOCALSTACK_ENDPOINT` names
//! one. Under `cargo test` (no `--bench`) it places 4 orders on the
//! embedded runtime only, to keep the code exercised.

#[allow(dead_code)]
#[path = "../scenarios/backends.rs"]
mod backends;
#[allow(dead_code)]
#[path = "../scenarios/harness.rs"]
mod harness;

use harness::Saga;
use saga_e2e::order;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How often an order's status is read while waiting for it to be final:
/// the latencies' resolution.
const POLL: Duration = Duration::from_millis(5);

/// Order `i`'s body and the final status it must reach.
fn nth_order(i: usize) -> (Value, &'static str) {
    match i % 4 {
        0 => (
            order(json!([{"sku": "KB-001", "quantity": 1}])),
            "CONFIRMED",
        ),
        1 => (
            order(json!([{"sku": "SOLD-OUT-001", "quantity": 1}])),
            "CANCELLED",
        ),
        2 => {
            let mut body = order(json!([{"sku": "MOUSE-002", "quantity": 1}]));
            body["paymentToken"] = json!("tok_declined");
            (body, "CANCELLED")
        }
        _ => {
            let mut body = order(json!([{"sku": "MON-27", "quantity": 1}]));
            body["shipTo"]["country"] = json!("AQ");
            (body, "CANCELLED")
        }
    }
}

struct Figures {
    orders_per_sec: f64,
    p50: Duration,
    p99: Duration,
}

/// Places `orders` orders, at most `concurrency` at a time, each waited for
/// until final; fails if one ends in the wrong status or is not final
/// within two minutes.
async fn run(saga: &Arc<Saga>, orders: usize, concurrency: usize) -> Figures {
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(orders) {
        let (saga, next) = (saga.clone(), next.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= orders {
                    return latencies;
                }
                latencies.push(place_until_final(&saga, i).await);
            }
        });
    }
    let mut latencies: Vec<Duration> = workers.join_all().await.concat();
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| {
        let rank = (latencies.len() as f64 * q).ceil() as usize;
        latencies[rank.clamp(1, latencies.len()) - 1]
    };
    Figures {
        orders_per_sec: orders as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// Order `i` from placement to its final status.
async fn place_until_final(saga: &Saga, i: usize) -> Duration {
    let (body, want) = nth_order(i);
    let placed = Instant::now();
    let id = saga.place(&body).await;
    let deadline = placed + Duration::from_secs(120);
    loop {
        let order = saga.order(&id).await;
        match order["status"].as_str() {
            Some(status) if status == want => return placed.elapsed(),
            Some("PENDING") if Instant::now() < deadline => tokio::time::sleep(POLL).await,
            other => panic!("order {i} ({id}) is {other:?}, expected {want}: {order}"),
        }
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let (orders, concurrency) = if benching {
        (env("BENCH_ORDERS", 40), env("BENCH_CONCURRENCY", 8))
    } else {
        (4, 4)
    };
    println!(
        "{orders} orders, {concurrency} at a time, every saga path; latency = placement to final status (read every {POLL:?})"
    );
    let mut rows: Vec<(&str, Figures)> = Vec::new();
    let backends: &[&str] = if benching {
        &["embedded", "moto", "localstack"]
    } else {
        &["embedded"]
    };
    for &backend in backends {
        let saga = Arc::new(match backend {
            "embedded" => Saga::embedded().await,
            "moto" => Saga::moto().await,
            _ => Saga::localstack().await,
        });
        // One order first, so start-up costs (DynamoDB Local, kinesis-mock,
        // connections) are not counted.
        run(&saga, 1, 1).await;
        rows.push((backend, run(&saga, orders, concurrency).await));
    }
    let base = &rows[0].1;
    println!(
        "{:<11} {:>10} {:>8} {:>10} {:>8} {:>10} {:>8}",
        "backend", "orders/s", "ratio", "p50", "ratio", "p99", "ratio"
    );
    for (name, f) in &rows {
        println!(
            "{:<11} {:>10.1} {:>7.3}x {:>10} {:>7.1}x {:>10} {:>7.1}x",
            name,
            f.orders_per_sec,
            f.orders_per_sec / base.orders_per_sec,
            ms(f.p50),
            f.p50.as_secs_f64() / base.p50.as_secs_f64(),
            ms(f.p99),
            f.p99.as_secs_f64() / base.p99.as_secs_f64(),
        );
    }
}
