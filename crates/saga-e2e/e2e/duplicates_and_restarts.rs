use emulator::Faults;
use saga_e2e::{TestApp, order, project_saga};
use serde_json::json;

async fn place_every_path(app: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    ids.push(
        app.place(&order(json!([{"sku": "KB-001", "quantity": 1}])))
            .await,
    );
    ids.push(
        app.place(&order(json!([{"sku": "SOLD-OUT-001", "quantity": 1}])))
            .await,
    );
    let mut declined = order(json!([{"sku": "MOUSE-002", "quantity": 1}]));
    declined["paymentToken"] = json!("tok_declined");
    ids.push(app.place(&declined).await);
    let mut unserved = order(json!([{"sku": "CABLE-USB-C", "quantity": 2}]));
    unserved["shipTo"]["country"] = json!("AQ");
    ids.push(app.place(&unserved).await);
    ids
}

#[tokio::test]
async fn every_event_delivered_twice_changes_nothing_twice() {
    let faults = Faults {
        seed: 1,
        duplicate_rate: 1.0,
        ..Faults::none()
    };
    let app = TestApp::spawn_with(project_saga(), faults).await;
    let ids = place_every_path(&app).await;
    app.settle().await;
    let statuses: Vec<String> = futures_statuses(&app, &ids).await;
    assert_eq!(
        statuses,
        ["CONFIRMED", "CANCELLED", "CANCELLED", "CANCELLED"]
    );
    app.assert_invariants().await;
}

#[tokio::test]
async fn handler_failures_and_crashes_before_publishing_are_retried_to_the_same_end() {
    let faults = Faults {
        seed: 42,
        fail_rate: 0.3,
        publish_fail_rate: 0.3,
        ..Faults::none()
    };
    let app = TestApp::spawn_with(project_saga(), faults).await;
    let ids = place_every_path(&app).await;
    app.settle().await;
    let statuses = futures_statuses(&app, &ids).await;
    assert_eq!(
        statuses,
        ["CONFIRMED", "CANCELLED", "CANCELLED", "CANCELLED"]
    );
    app.assert_invariants().await;
}

#[tokio::test]
async fn a_crash_in_the_middle_of_a_run_loses_nothing_after_a_restart() {
    let app = TestApp::spawn().await;
    let ids = place_every_path(&app).await;
    // Die without draining: queued and in-flight messages stay in the file.
    let TestApp { runtime, dir, .. } = app;
    runtime.abort();
    let app = TestApp::start_in(dir, project_saga(), Faults::none()).await;
    app.settle().await;
    let statuses = futures_statuses(&app, &ids).await;
    assert_eq!(
        statuses,
        ["CONFIRMED", "CANCELLED", "CANCELLED", "CANCELLED"]
    );
    app.assert_invariants().await;
}

async fn futures_statuses(app: &TestApp, ids: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        out.push(app.status_of(id).await);
    }
    out
}
