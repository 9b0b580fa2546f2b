//! A damaged database file is an error that says so, not an endless
//! "unavailable, retry shortly": retrying reads the same damaged page.

use saga_e2e::{TestApp, order, project_saga};
use serde_json::json;

#[tokio::test]
async fn a_damaged_orders_table_is_answered_as_damage_not_as_retry_shortly() {
    let app = TestApp::spawn().await;
    let id = app
        .place(&order(json!([{"sku": "KB-001", "quantity": 1}])))
        .await;
    app.settle().await;
    let TestApp { runtime, dir, .. } = app;
    runtime.shutdown().await;
    // The page type byte of the orders table's root page, which SQLite
    // then reports as `SQLITE_CORRUPT` (https://www.sqlite.org/rescode.html#corrupt).
    testkit::sqlite::damage_table(&dir.path().join("saga.db"), "orders");
    let app = TestApp::start_in(dir, project_saga(), emulator::Faults::none()).await;
    let (status, body) = app.get_order(&id).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "store_damaged", "{body}");
    assert!(body["error"].get("retryable").is_none(), "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("damaged"), "{message}");
}
