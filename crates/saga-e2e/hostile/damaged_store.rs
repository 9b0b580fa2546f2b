//! A damaged database file is an error that says so, not an endless
//! "unavailable, retry shortly": retrying reads the same damaged page.

use saga_e2e::{TestApp, order, project_saga};
use serde_json::json;
use std::io::{Seek, SeekFrom, Write};

/// Overwrites the page type byte of the orders table's root page, which
/// SQLite then reports as `SQLITE_CORRUPT` ("database disk image is
/// malformed", https://www.sqlite.org/rescode.html#corrupt).
fn damage_orders_table(db: &std::path::Path) {
    let (root, page_size): (i64, i64) = {
        let conn = rusqlite::Connection::open(db).expect("open");
        // Every page back in the file, so the damage is what SQLite reads:
        // the stopped runtime's checkpointer may still hold the WAL a moment.
        let mut tries = 0;
        while conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            })
            .expect("checkpoint")
            != 0
        {
            tries += 1;
            assert!(tries < 200, "the WAL stayed busy");
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let root = conn
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'orders'",
                [],
                |r| r.get(0),
            )
            .expect("orders table");
        let size = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .expect("page size");
        (root, size)
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(db)
        .expect("the database file");
    let offset = (root - 1) * page_size + if root == 1 { 100 } else { 0 };
    file.seek(SeekFrom::Start(u64::try_from(offset).expect("offset")))
        .expect("seek");
    file.write_all(&[0xEE; 16]).expect("damage");
    file.sync_all().expect("sync");
}

#[tokio::test]
async fn a_damaged_orders_table_is_answered_as_damage_not_as_retry_shortly() {
    let app = TestApp::spawn().await;
    let id = app
        .place(&order(json!([{"sku": "KB-001", "quantity": 1}])))
        .await;
    app.settle().await;
    let TestApp { runtime, dir, .. } = app;
    runtime.shutdown().await;
    damage_orders_table(&dir.path().join("saga.db"));
    let app = TestApp::start_in(dir, project_saga(), emulator::Faults::none()).await;
    let (status, body) = app.get_order(&id).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "store_damaged", "{body}");
    assert!(body["error"].get("retryable").is_none(), "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("damaged"), "{message}");
}
