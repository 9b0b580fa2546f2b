//! One database, one runtime, and no command deletes data it did not
//! create: `saga demo` against a database a `saga run` serves, or one it
//! did not create itself, and a second `saga run` on the same database,
//! each through the real binary.

#[path = "../support/http.rs"]
mod http;
#[path = "../support/server.rs"]
mod server;

use server::{start, template, try_start};
use std::path::Path;
use std::process::Command;

fn saga(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_saga"))
        .args(args)
        .output()
        .expect("saga runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn demo(db: &Path) -> (bool, String, String) {
    let template = template();
    saga(&[
        "demo",
        "--orders",
        "12",
        "--concurrency",
        "2",
        "--template",
        template.to_str().expect("utf-8 path"),
        "--db",
        db.to_str().expect("utf-8 path"),
    ])
}

const ORDER: &str = r#"{"customerId":"safety","lines":[{"sku":"KB-001","quantity":1}],"shipTo":{"name":"Ada","line1":"1 Test Street","city":"London","postalCode":"N1","country":"GB"},"paymentToken":"tok_visa"}"#;

fn place(addr: std::net::SocketAddr) -> String {
    let response = http::request(addr, "POST", "/orders", &[], ORDER).expect("POST /orders");
    assert_eq!(response.status, 201, "{}", response.body);
    response.body["orderId"]
        .as_str()
        .expect("orderId")
        .to_owned()
}

fn order_status(addr: std::net::SocketAddr, id: &str) -> u16 {
    http::request(addr, "GET", &format!("/orders/{id}"), &[], "")
        .expect("GET /orders/{id}")
        .status
}

#[test]
fn demo_refuses_the_database_a_running_saga_run_serves_and_its_orders_survive_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("saga.db");
    let server = start(&db);
    let id = place(server.addr);
    let pid = server.pid();
    let (ok, stdout, stderr) = demo(&db);
    assert!(!ok, "demo must refuse: {stdout}");
    assert!(
        stderr.contains(&format!("pid {pid}")) && stderr.contains("in use"),
        "names the holder: {stderr}"
    );
    assert!(db.exists(), "the database is still there");
    // The server goes on, and after a restart the order is still stored.
    assert_eq!(order_status(server.addr, &id), 200);
    server.stop();
    let server = start(&db);
    assert_eq!(order_status(server.addr, &id), 200, "the order survived");
    server.stop();
}

#[test]
fn demo_refuses_a_database_it_did_not_create_and_leaves_it_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A database `saga run` created, no longer running.
    let db = dir.path().join("saga.db");
    let server = start(&db);
    let id = place(server.addr);
    server.stop();
    let (ok, stdout, stderr) = demo(&db);
    assert!(!ok, "demo must refuse: {stdout}");
    assert!(stderr.contains("did not create"), "{stderr}");
    let server = start(&db);
    assert_eq!(
        order_status(server.addr, &id),
        200,
        "the order is still there"
    );
    server.stop();
    // A file that is not a database at all.
    let notes = dir.path().join("notes.db");
    let text = "not a database, my notes: ".repeat(20);
    std::fs::write(&notes, &text).expect("write");
    let (ok, _, stderr) = demo(&notes);
    assert!(!ok && stderr.contains("leaves it alone"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&notes).expect("read"), text);
}

#[test]
fn demo_starts_afresh_on_a_database_it_created_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("demo.db");
    for _ in 0..2 {
        let (ok, stdout, stderr) = demo(&db);
        assert!(ok, "{stdout}\n{stderr}");
        assert!(stdout.contains("12 placed, 12 final"), "{stdout}");
    }
}

#[test]
fn a_second_saga_run_on_the_same_database_refuses_naming_the_first_s_pid_until_it_dies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("saga.db");
    let first = start(&db);
    let id = place(first.addr);
    let log = match try_start(&db) {
        Ok(second) => {
            second.kill();
            panic!("a second runtime started on the same database");
        }
        Err(log) => log,
    };
    assert!(
        log.contains(&format!("pid {}", first.pid())) && log.contains("in use"),
        "{log}"
    );
    assert_eq!(
        order_status(first.addr, &id),
        200,
        "the first one serves on"
    );
    // The lock dies with its process, however it dies.
    first.kill();
    let second = start(&db);
    assert_eq!(order_status(second.addr, &id), 200);
    second.stop();
}
