//! Crash recovery of the real binary: `saga run` on a temporary database is
//! killed with SIGKILL at random moments while orders pour in over HTTP,
//! and restarted each time. In the end every order is final, the saga's
//! invariants hold, and the stored orders are exactly the accepted ones:
//! none lost, none duplicated. A POST cut off by a kill is retried after
//! the restart with the same Idempotency-Key, as a client would. And what
//! the EventBridge and SQS APIs acknowledged survives a kill right after
//! (`aws_api`).

#[path = "../support/http.rs"]
mod http;
#[path = "../support/server.rs"]
mod server;
#[path = "../support/stores.rs"]
mod stores;

mod aws_api;

use server::start;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

const KILLS: usize = 5;
const ORDERS: usize = 120;

fn order_body(i: usize) -> String {
    let (lines, token, country) = match i % 5 {
        0 | 1 => (r#"[{"sku":"KB-001","quantity":1}]"#, "tok_visa", "GB"),
        2 => (r#"[{"sku":"SOLD-OUT-001","quantity":1}]"#, "tok_visa", "GB"),
        3 => (
            r#"[{"sku":"MOUSE-002","quantity":2}]"#,
            "tok_declined",
            "GB",
        ),
        _ => (r#"[{"sku":"CABLE-USB-C","quantity":1}]"#, "tok_visa", "AQ"),
    };
    format!(
        r#"{{"customerId":"crash-{i}","lines":{lines},"shipTo":{{"name":"Ada","line1":"1 Test Street","city":"London","postalCode":"N1","country":"{country}"}},"paymentToken":"{token}"}}"#
    )
}

/// xorshift: the kill moments, from a seed the test prints.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// POSTs order `i`; `Some(order id)` once the server has accepted it.
fn place(addr: SocketAddr, i: usize) -> Option<String> {
    let key = format!("crash-test-{i}");
    let response = http::request(
        addr,
        "POST",
        "/orders",
        &[("Idempotency-Key", &key)],
        &order_body(i),
    )
    .ok()?;
    assert!(
        response.status == 201 || response.status == 200,
        "order {i}: {} {}",
        response.status,
        response.body
    );
    response.body["orderId"].as_str().map(str::to_owned)
}

#[test]
fn orders_survive_repeated_sigkills_none_lost_none_duplicated_every_one_final() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("saga.db");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    println!("kill schedule seed {seed}");
    let mut rng = seed;
    let mut accepted: BTreeMap<usize, String> = BTreeMap::new();
    let mut server = start(&db);
    let mut next_order = 0;
    for kill in 0..KILLS {
        // Place orders (retrying those a kill cut off) until a random
        // moment, then kill the server mid-stream.
        let deadline = Instant::now() + Duration::from_millis(100 + next(&mut rng) % 400);
        while Instant::now() < deadline && next_order < ORDERS {
            let i = (0..next_order)
                .find(|i| !accepted.contains_key(i))
                .unwrap_or(next_order);
            if let Some(id) = place(server.addr, i) {
                accepted.insert(i, id);
            }
            next_order = next_order.max(i + 1);
        }
        server.kill();
        println!("kill {} after {} orders accepted", kill + 1, accepted.len());
        server = start(&db);
    }
    for i in 0..ORDERS {
        accepted.entry(i).or_insert_with(|| {
            place(server.addr, i)
                .unwrap_or_else(|| panic!("order {i} refused after the last restart"))
        });
    }
    // Every accepted order reaches a final state.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut pending: BTreeSet<&String> = accepted.values().collect();
    while !pending.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{} orders never became final: {pending:?}",
            pending.len()
        );
        pending.retain(|id| {
            let response =
                http::request(server.addr, "GET", &format!("/orders/{id}"), &[], "").expect("GET");
            assert_eq!(response.status, 200, "{id}: {}", response.body);
            !matches!(
                response.body["status"].as_str(),
                Some("CONFIRMED" | "CANCELLED")
            )
        });
        if !pending.is_empty() {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    // Stop gracefully, then read the stores and check the invariants.
    server.stop();
    check_stores(&db, &accepted);
}

fn check_stores(db: &Path, accepted: &BTreeMap<usize, String>) {
    assert_eq!(
        accepted.len(),
        ORDERS,
        "every order was accepted once the server stayed up"
    );
    stores::check(db, &accepted.values().cloned().collect());
}
