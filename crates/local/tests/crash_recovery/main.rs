//! Crash recovery of the real binary: `saga run` on a temporary database is
//! killed with SIGKILL at random moments while orders pour in over HTTP,
//! and restarted each time. In the end every order is final, the saga's
//! invariants hold, and the stored orders are exactly the accepted ones:
//! none lost, none duplicated. A POST cut off by a kill is retried after
//! the restart with the same Idempotency-Key, as a client would.

mod http;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const KILLS: usize = 5;
const ORDERS: usize = 120;

fn template() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml")
}

/// A `saga run` and the address it serves.
struct Server {
    child: Child,
    addr: SocketAddr,
}

/// Starts `saga run` on a free port and waits for its "serving" line.
fn start(db: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_saga"))
        .args(["run", "--listen", "127.0.0.1:0", "--template"])
        .arg(template())
        .arg("--db")
        .arg(db)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("saga run starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    // Keeps draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("serving http://").nth(1) {
                let addr: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                    .collect();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("saga run says where it serves")
        .parse()
        .expect("an address");
    Server { child, addr }
}

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
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("reaped");
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
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(server.child.id().to_string())
        .status();
    server.child.wait().expect("stopped");
    check_stores(&db, &accepted);
}

fn check_stores(db: &Path, accepted: &BTreeMap<usize, String>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    runtime.block_on(async {
        let template = local::template::Template::from_path(&template()).expect("template");
        let wiring = local::wiring::wiring(&template).expect("wiring");
        let options = runtime::Options {
            database: Some(db.to_path_buf()),
            workers: false,
            ..runtime::Options::default()
        };
        let saga = runtime::Runtime::start(wiring, options)
            .await
            .expect("opens the database");
        let seed = inventory::catalogue::parse(inventory::catalogue::SEED).expect("seed catalogue");
        let report = runtime::invariants::check(&saga, &seed)
            .await
            .expect("invariants readable");
        assert!(report.holds(), "invariants violated: {report:#?}");
        let stored: BTreeSet<String> = saga
            .services
            .db
            .transaction(|tx| {
                let mut stmt = tx.prepare("SELECT order_id FROM orders")?;
                let ids = stmt
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                Ok::<_, platform::StoreError>(ids)
            })
            .expect("orders");
        let want: BTreeSet<String> = accepted.values().cloned().collect();
        assert_eq!(
            want.len(),
            ORDERS,
            "every order was accepted once the server stayed up"
        );
        assert_eq!(stored, want, "stored orders are exactly the accepted ones");
        let letters = dlq::DlqStore::pending(&saga.services.dead_letters, None)
            .await
            .expect("dlq");
        assert!(
            letters.is_empty(),
            "no saga event was dead-lettered: {letters:?}"
        );
        saga.shutdown().await;
    });
}
